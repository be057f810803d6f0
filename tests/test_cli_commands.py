"""The officers' command line, round trip: what a command writes, `show` and `list` read back.

Every test runs on a seeded database (SQLite, and PostgreSQL when configured) through
`typer.testing.CliRunner`, with `--db`, `--user` and `--as-of` given explicitly: a database of
its own when it changes something, one shared by the module when it only reads. Expected
codes, units, excerpts and labels come from the seed file and the message catalogs.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.db import make_engine
from tracker.i18n import en, zh
from tracker.models import History, HistoryKind, Kind, Status, Village
from tracker.schedule import WorkCalendar, lateness
from tracker.services.seed_file import Seed, SeedCommitment

AS_OF = "2026-11-26"
USER = "测试员"
# Wide enough that no table wraps a code, a title or a header.
WIDE = {"COLUMNS": "250"}
JSON_KEYS = {
    "code",
    "title",
    "section",
    "kind",
    "unit",
    "status",
    "due",
    "light",
    "overdue",
    "village",
    "period",
    "target",
    "done_count",
    "source",
}
ZH_HEADERS = ("编号", "事项", "责任单位", "时限", "状态")
EN_HEADERS = ("Code", "Item", "Unit", "Due", "Status")


runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run `tracker ARGS`; an exception the CLI did not turn into a message fails the test."""
    return runner.invoke(app, list(args), env={**WIDE, **(env or {})}, catch_exceptions=False)


def tracker(db: str, *args: str, user: str = USER, as_of: str = AS_OF) -> str:
    """Run a command that must succeed on `db`; its standard output."""
    result = invoke("--db", db, "--user", user, "--as-of", as_of, *args)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.output
    return result.stdout


def list_json(db: str, *args: str, as_of: str = AS_OF) -> list[dict[str, Any]]:
    rows = json.loads(tracker(db, "list", "--format", "json", *args, as_of=as_of))
    assert isinstance(rows, list)
    return rows


def show_json(db: str, code: str, as_of: str = AS_OF) -> dict[str, Any]:
    data = json.loads(tracker(db, "show", code, "--format", "json", as_of=as_of))
    assert isinstance(data, dict)
    return data


def codes(rows: list[dict[str, Any]]) -> set[str]:
    return {row["code"] for row in rows}


def commitments(seed: Seed) -> list[SeedCommitment]:
    return list(seed.document.commitments)


def seed_entry(seed: Seed, code: str) -> SeedCommitment:
    return next(c for c in seed.document.commitments if c.code == code)


def per_village_codes(seed: Seed, number: int) -> set[str]:
    return {f"{c.code}-V{number:02d}" for c in commitments(seed) if c.kind is Kind.PER_VILLAGE}


# --- list --------------------------------------------------------------------------------


def test_list_json_rows_carry_the_documented_fields(shared_db_url: str) -> None:
    rows = list_json(shared_db_url)
    assert rows
    for row in rows:
        assert JSON_KEYS <= set(row)
        assert row["light"] in {"red", "yellow", "green", "none"}
        assert isinstance(row["overdue"], bool)
        assert row["overdue"] == (row["light"] == "red")
        assert row["due"] is None or date.fromisoformat(row["due"])


def test_list_shows_every_commitment_of_the_report_with_its_source_words(
    shared_db_url: str, seed: Seed
) -> None:
    rows = {row["code"]: row for row in list_json(shared_db_url)}
    for entry in commitments(seed):
        row = rows[entry.code]
        assert row["title"] == entry.title
        assert row["section"] == entry.section
        assert row["kind"] == entry.kind.value
        assert row["unit"] == entry.unit
        assert row["source"] == entry.excerpt


def test_list_without_all_hides_closed_village_items_that_all_shows(
    shared_db_url: str, seed: Seed
) -> None:
    village_items = per_village_codes(seed, 1)
    default = codes(list_json(shared_db_url))
    every = codes(list_json(shared_db_url, "--all"))
    assert not village_items & default
    assert village_items <= every
    assert default < every


def test_list_includes_the_current_period_of_a_quota(shared_db_url: str, seed: Seed) -> None:
    rows = {row["code"]: row for row in list_json(shared_db_url, as_of="2022-06-15")}
    assert rows["5.5a/2022"]["period"] == "2022"
    assert rows["5.5a/2022"]["target"] == seed_entry(seed, "5.5a").target
    assert rows["5.5a/2022"]["done_count"] == 0
    assert "5.5a/2023" not in rows


@pytest.mark.parametrize("status", ["done", "已完成"])
def test_list_status_filter_keeps_only_that_status(
    shared_db_url: str, seed: Seed, status: str
) -> None:
    rows = list_json(shared_db_url, "--status", status)
    assert {row["status"] for row in rows} == {"done"}
    stated_done = {c.code for c in commitments(seed) if c.status is Status.DONE}
    assert stated_done <= codes(rows)
    assert "1.4c" not in codes(rows)


@pytest.mark.parametrize("unit", ["派出所", "Police station"])
def test_list_unit_filter_by_chinese_or_english_name(
    shared_db_url: str, seed: Seed, unit: str
) -> None:
    rows = list_json(shared_db_url, "--unit", unit)
    # Lead or co-operating: an officer of 派出所 sees both.
    assert codes(rows) == {c.code for c in commitments(seed) if "派出所" in (c.unit, *c.co_units)}


def test_list_section_filter_gives_that_sections_commitments(
    shared_db_url: str, seed: Seed
) -> None:
    rows = list_json(shared_db_url, "--section", "7")
    assert codes(rows) == {c.code for c in commitments(seed) if c.section == 7}


def test_list_kind_filter_gives_quotas_and_their_current_periods(
    shared_db_url: str, seed: Seed
) -> None:
    rows = list_json(shared_db_url, "--kind", "quota", as_of="2022-06-15")
    quotas = {c.code for c in commitments(seed) if c.kind is Kind.QUOTA}
    assert {row["kind"] for row in rows} == {"quota"}
    assert codes(rows) == quotas | {f"{code}/2022" for code in quotas}


@pytest.mark.parametrize("village", ["2", "V02"])
def test_list_village_filter_by_number(shared_db_url: str, seed: Seed, village: str) -> None:
    rows = list_json(shared_db_url, "--village", village)
    assert codes(rows) == per_village_codes(seed, 2)
    assert {row["village"] for row in rows} == {2}


def test_list_overdue_gives_only_open_red_items(shared_db_url: str) -> None:
    rows = list_json(shared_db_url, "--overdue", as_of="2023-01-10")
    assert rows
    assert all(row["overdue"] and row["light"] == "red" for row in rows)
    # 7.1a is due 2022-12-31 and open; 1.1a was done in 2021.
    assert "7.1a" in codes(rows)
    assert "1.1a" not in codes(rows)


def test_list_due_within_counts_working_days_from_the_as_of_date(shared_db_url: str) -> None:
    # The 2022 measures of section 七 are due 2022-12-31.
    as_of = date(2022, 12, 28)
    near = list_json(shared_db_url, "--due-within", "3", as_of=as_of.isoformat())
    far = list_json(shared_db_url, "--due-within", "3", as_of="2022-11-01")
    assert "7.1a" in codes(near)
    assert "7.1a" not in codes(far)
    limit = WorkCalendar().add_workdays(as_of, 3)  # past the 2023 New Year holiday
    for row in near:
        assert row["status"] not in {"done", "cancelled"}
        assert as_of <= date.fromisoformat(row["due"]) <= limit


def test_list_search_matches_titles_and_descriptions(shared_db_url: str, seed: Seed) -> None:
    text = "法律顾问"
    rows = list_json(shared_db_url, "--search", text)
    expected = {c.code for c in commitments(seed) if text in c.title or text in c.description}
    assert {row["code"] for row in rows if row["parent"] is None} == expected
    assert "5.4" in expected  # the government's own adviser is found by its description


def test_list_table_has_chinese_headers_and_a_count(shared_db_url: str, seed: Seed) -> None:
    out = tracker(shared_db_url, "list", "--section", "7")
    for header in ZH_HEADERS:
        assert header in out
    assert "7.1a" in out and seed_entry(seed, "7.1a").title in out
    total = sum(1 for c in commitments(seed) if c.section == 7)
    assert zh.MESSAGES["list_count"].format(total=total) in out


def test_list_table_in_english_with_lang_option(shared_db_url: str, seed: Seed) -> None:
    out = tracker(shared_db_url, "--lang", "en", "list", "--section", "7")
    for header in EN_HEADERS:
        assert header in out
    assert "编号" not in out
    assert str(seed_entry(seed, "7.1a").title_en) in out


def test_list_table_in_english_with_tracker_lang(shared_db_url: str) -> None:
    result = invoke(
        "--db",
        shared_db_url,
        "--as-of",
        AS_OF,
        "list",
        "--section",
        "7",
        env={"TRACKER_LANG": "en"},
    )
    assert result.exit_code == 0
    for header in EN_HEADERS:
        assert header in result.stdout
    assert "责任单位" not in result.stdout


def test_list_table_stops_at_its_limit_and_says_how_many_there_are(shared_db_url: str) -> None:
    total = len(list_json(shared_db_url))
    out = tracker(shared_db_url, "list", "--limit", "5")
    assert zh.MESSAGES["list_truncated"].format(total=total, shown=5) in out


# --- show --------------------------------------------------------------------------------


def test_show_json_has_the_source_excerpt_and_the_seeded_history(
    shared_db_url: str, seed: Seed
) -> None:
    entry = seed_entry(seed, "1.1a")
    data = show_json(shared_db_url, "1.1a")
    assert data["source"] == entry.excerpt
    assert data["description"] == entry.description
    assert data["status"] == "done"
    assert [(h["kind"], h["new"], h["note"]) for h in data["history"]] == [
        ("seed", "done", entry.status_note)
    ]
    assert data["events"] == []


def test_show_quota_lists_its_period_instances_of_the_as_of_year(shared_db_url: str) -> None:
    data = show_json(shared_db_url, "5.5a", as_of="2022-06-15")
    assert [row["code"] for row in data["instances"]] == ["5.5a/2022"]
    assert data["instances_total"] >= 1


def test_show_table_has_excerpt_history_events_and_instances(
    shared_db_url: str, seed: Seed
) -> None:
    entry = seed_entry(seed, "5.5a")
    out = tracker(shared_db_url, "show", "5.5a", as_of="2022-06-15")
    assert entry.excerpt in out
    assert zh.MESSAGES["col.source"] in out
    assert "5.5a/2022" in out
    assert zh.MESSAGES["events_heading"].format(count=0) in out
    assert zh.MESSAGES["history_heading"].format(count=0) in out


def test_show_village_instance_names_its_village(shared_db_url: str) -> None:
    data = show_json(shared_db_url, "3.3a-V07")
    assert data["village"] == 7
    assert data["parent"] == "3.3a"
    assert data["co_units"] == ["司法所", "镇法律服务中心"]


def test_show_gives_the_deadline_and_beside_it_the_rest_day_the_report_states(
    shared_db_url: str,
) -> None:
    # The report leaves 1.4c to the end of 2022: Saturday 31 December, moved forward over
    # the New Year holiday to Tuesday 3 January 2023 (民法典第二百零三条).
    out = tracker(shared_db_url, "show", "1.4c", as_of="2022-06-15")
    moved = zh.MESSAGES["detail.due_moved"].format(due="2023-01-03", stated="2022-12-31")
    assert moved in out
    data = show_json(shared_db_url, "1.4c", as_of="2022-06-15")
    assert (data["due"], data["stated_due"]) == ("2023-01-03", "2022-12-31")


def test_show_in_english_says_why_a_period_is_due_after_its_end(shared_db_url: str) -> None:
    out = tracker(shared_db_url, "--lang", "en", "show", "3.2-M/2023-09", as_of="2023-09-01")
    moved = en.MESSAGES["detail.due_moved_period"].format(due="2023-10-07", stated="2023-09-30")
    assert moved in out


def test_show_gives_one_date_when_the_stated_one_is_a_working_day(shared_db_url: str) -> None:
    out = tracker(shared_db_url, "show", "3.2-M/2022-06", as_of="2022-06-15")
    assert "2022-06-30" in out
    rest_day = zh.MESSAGES["detail.due_moved_period"].split("{stated}")[1]
    assert rest_day not in out
    assert show_json(shared_db_url, "3.2-M/2022-06", as_of="2022-06-15")["stated_due"] is None


# --- status ------------------------------------------------------------------------------

# What an officer may type for each status: its code, or its Chinese name from the catalog.
# Signed off (销号) is not typed: a supervisor gives it with `tracker verify`.
SETTABLE = [status for status in Status if status is not Status.VERIFIED]
TYPED_STATUS = {
    "code": [(status, status.value) for status in SETTABLE],
    "chinese": [(status, zh.MESSAGES[f"status.{status.value}"]) for status in SETTABLE],
}


@pytest.mark.parametrize("spelling", list(TYPED_STATUS))
def test_status_accepts_every_status_and_records_who_changed_it(db_url: str, spelling: str) -> None:
    previous = Status.TODO
    for status, typed in TYPED_STATUS[spelling]:
        out = tracker(db_url, "status", "1.4c", typed, "--note", f"改为{typed}", user="李四")
        assert out.startswith("1.4c")
        data = show_json(db_url, "1.4c")
        assert data["status"] == status.value
        last = data["history"][-1]
        assert (last["kind"], last["old"], last["new"]) == ("status", previous, status.value)
        assert (last["by"], last["note"]) == ("李四", f"改为{typed}")
        previous = status
    assert len(data["history"]) == len(SETTABLE)


def test_status_change_prints_old_and_new_status(db_url: str) -> None:
    out = tracker(db_url, "status", "1.4c", "进行中")
    expected = zh.MESSAGES["status_changed"].format(code="1.4c", old="未开始", new="进行中")
    assert expected in out


def test_status_to_the_same_status_changes_nothing(db_url: str) -> None:
    before = show_json(db_url, "1.1a")
    out = tracker(db_url, "status", "1.1a", "done")
    assert zh.MESSAGES["status_unchanged"].format(code="1.1a", new="已完成") in out
    assert show_json(db_url, "1.1a")["history"] == before["history"]


# --- log ---------------------------------------------------------------------------------


def test_two_lectures_complete_the_2022_quota(db_url: str, tmp_path: Path) -> None:
    sign_in = tmp_path / "签到表.pdf"
    sign_in.write_bytes(b"sign-in sheet of the first lecture")
    first = tracker(
        db_url,
        "log",
        "5.5a",
        "--date",
        "2022-03-15",
        "--note",
        "第一次法治专题讲座",
        "--evidence",
        str(sign_in),
        as_of="2022-12-01",
    )
    assert "5.5a/2022" in first
    tracker(db_url, "log", "5.5a", "--date", "2022-09-20", "--note", "第二次", as_of="2022-12-01")

    data = show_json(db_url, "5.5a/2022", as_of="2022-12-01")
    assert data["done_count"] == 2
    assert data["status"] == "done"
    assert data["light"] == "none"
    assert [(e["date"], e["note"], e["by"]) for e in data["events"]] == [
        ("2022-03-15", "第一次法治专题讲座", USER),
        ("2022-09-20", "第二次", USER),
    ]
    [evidence] = data["events"][0]["evidence"]
    assert evidence["sha256"] == hashlib.sha256(sign_in.read_bytes()).hexdigest()
    assert evidence["size"] == sign_in.stat().st_size
    assert Path(evidence["path"]) == sign_in.resolve()


def test_one_lecture_leaves_the_quota_in_progress_until_the_year_end(db_url: str) -> None:
    tracker(db_url, "log", "5.5a", "--date", "2022-03-15", as_of="2022-05-01")
    data = show_json(db_url, "5.5a/2022", as_of="2022-05-01")
    assert (data["done_count"], data["status"], data["light"]) == (1, "in_progress", "green")
    # The first checkpoint (one by 06-30) is met; the next is two by the year's end, a
    # Saturday before the New Year holiday, which counts from the first working day after.
    assert (data["due"], data["stated_due"]) == ("2023-01-03", "2022-12-31")


def test_log_on_a_recurring_item_counts_for_the_period_of_its_date(db_url: str) -> None:
    out = tracker(db_url, "log", "3.2-M", "--date", "2022-03-10", "--note", "三月分析")
    assert "3.2-M/2022-03" in out
    data = show_json(db_url, "3.2-M/2022-03")
    assert (data["done_count"], data["status"]) == (1, "done")
    assert [e["note"] for e in data["events"]] == ["三月分析"]
    assert show_json(db_url, "3.2-M/2022-04")["events"] == []


def test_log_shows_in_show_table_with_its_note_and_evidence(db_url: str, tmp_path: Path) -> None:
    minutes = tmp_path / "会议纪要.txt"
    minutes.write_text("纪要", encoding="utf-8")
    tracker(db_url, "log", "7.1c", "--date", "2022-04-06", "--note", "党委会学法", "--evidence",
            str(minutes))  # fmt: skip
    out = tracker(db_url, "show", "7.1c")
    assert "2022-04-06" in out and "党委会学法" in out
    assert minutes.name in out
    assert zh.MESSAGES["events_heading"].format(count=1) in out


# --- note --------------------------------------------------------------------------------


def test_note_is_appended_signed_and_kept_with_earlier_notes(db_url: str, seed: Seed) -> None:
    out = tracker(db_url, "note", "1.4c", "已购置执法记录仪10台", user="赵六")
    assert zh.MESSAGES["note_added"].format(code="1.4c") in out
    data = show_json(db_url, "1.4c")
    assert data["notes"].startswith(seed_entry(seed, "1.4c").notes)
    # The tests run with --as-of 2026-11-26, before today: the note is a late entry (补录).
    assert re.search(r"赵六，补录 2026-11-26\] 已购置执法记录仪10台$", data["notes"])
    last = data["history"][-1]
    assert (last["kind"], last["note"], last["by"]) == ("note", "已购置执法记录仪10台", "赵六")


# --- overdue -----------------------------------------------------------------------------

UNIT_HEADING = re.compile(r"^(\S+)：红灯 (\d+) 项，黄灯 (\d+) 项")


def overdue_blocks(out: str) -> dict[str, list[str]]:
    """The table rows under each unit's heading, in order."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in out.splitlines():
        heading = UNIT_HEADING.match(line.strip())
        if heading:
            current = blocks.setdefault(heading.group(1), [])
        elif current is not None and line.startswith("│"):
            current.append(line)
    return blocks


def test_overdue_lists_red_before_yellow_within_every_unit(shared_db_url: str) -> None:
    out = tracker(shared_db_url, "overdue", as_of="2022-12-28")
    assert zh.MESSAGES["overdue_title"].format(date="2022-12-28") in out
    blocks = overdue_blocks(out)
    assert "依法治镇工作领导小组" in blocks
    for rows in blocks.values():
        lights = ["red" if "● 红" in row else "yellow" for row in rows]
        assert lights == sorted(lights, key=lambda light: light != "red")
    leading = ["red" if "● 红" in row else "yellow" for row in blocks["依法治镇工作领导小组"]]
    assert "red" in leading and "yellow" in leading


def test_overdue_gives_days_late_of_the_missed_quota_checkpoint(
    shared_db_url: str, seed: Seed
) -> None:
    out = tracker(shared_db_url, "overdue", as_of="2022-12-28")
    quotas = [c.code for c in commitments(seed) if c.kind is Kind.QUOTA and c.unit == "镇党委"]
    heading = zh.MESSAGES["overdue_unit"].format(unit="镇党委", red=len(quotas), yellow=0)
    assert heading in out
    # The first checkpoint, one by 06-30, was missed.
    late = lateness(date(2022, 6, 30), date(2022, 12, 28), WorkCalendar())
    assert late.calendar_days == (date(2022, 12, 28) - date(2022, 6, 30)).days
    days = zh.MESSAGES["late_days"].format(days=late.calendar_days, workdays=late.working_days)
    rows = overdue_blocks(out)["镇党委"]
    for code in quotas:
        [row] = [r for r in rows if f" {code}/2022 " in r]
        assert days in row


def test_overdue_unit_filter_keeps_one_unit(shared_db_url: str) -> None:
    out = tracker(shared_db_url, "overdue", "--unit", "派出所", as_of="2022-12-28")
    assert list(overdue_blocks(out)) == ["派出所"]
    assert "1.4c" in out


def test_overdue_says_so_when_nothing_is_late(shared_db_url: str) -> None:
    out = tracker(shared_db_url, "overdue", as_of="2021-06-01")
    assert zh.MESSAGES["overdue_none"] in out


def test_overdue_in_english(shared_db_url: str) -> None:
    out = tracker(shared_db_url, "--lang", "en", "overdue", "--unit", "镇党委", as_of="2022-12-28")
    assert en.MESSAGES["overdue_unit"].format(unit="Town Party Committee", red=2, yellow=0) in out
    late = lateness(date(2022, 6, 30), date(2022, 12, 28), WorkCalendar())
    days = en.MESSAGES["late_days"].format(days=late.calendar_days, workdays=late.working_days)
    assert days in out


def test_overdue_lists_the_oldest_lines_of_each_unit_and_says_how_many_more(
    shared_db_url: str,
) -> None:
    """A district's unit has hundreds of late commitments: --limit keeps each unit's list to
    its oldest lines, its counts complete, and says how many are not listed (issue 15)."""
    everything = tracker(shared_db_url, "overdue", "--limit", "0", as_of="2022-12-28")
    limited = tracker(shared_db_url, "overdue", "--limit", "2", as_of="2022-12-28")
    assert tracker(shared_db_url, "overdue", as_of="2022-12-28") == everything  # 20 a unit
    headings = [line.strip() for line in everything.splitlines() if UNIT_HEADING.match(line)]
    assert headings == [line.strip() for line in limited.splitlines() if UNIT_HEADING.match(line)]
    full, short = overdue_blocks(everything), overdue_blocks(limited)
    cut = 0
    for unit, rows in full.items():
        entries = [_cells(row) for row in rows if "● " in row]
        kept = [_cells(row) for row in short[unit] if "● " in row]
        assert kept == entries[:2]
        if len(entries) > 2:
            cut += 1
            hint = zh.MESSAGES["overdue_unit_more"].format(more=len(entries) - 2, shown=2)
            assert hint in limited
    assert cut > 0  # the seed has units with more than two late lines
    assert "--limit 0" not in everything


def _cells(row: str) -> list[str]:
    """A table row's cells, without the padding that depends on the other rows."""
    return [cell.strip() for cell in row.split("│")]


def test_overdue_refuses_a_negative_limit(shared_db_url: str) -> None:
    result = invoke("--db", shared_db_url, "overdue", "--limit", "-1")
    assert result.exit_code == 1
    assert result.stderr.strip() == zh.MESSAGES["limit_invalid"].format(value=-1)
    assert "Traceback" not in result.output


# --- villages ----------------------------------------------------------------------------

VILLAGE_ROW = re.compile(r"^│\s*(\d\d) │ (.+?)\s*│$")


def village_rows(out: str) -> dict[int, str]:
    found = (VILLAGE_ROW.match(line) for line in out.splitlines())
    return {int(m.group(1)): m.group(2) for m in found if m}


@pytest.mark.parametrize("args", [("villages",), ("villages", "list")], ids=["bare", "list"])
def test_villages_lists_the_towns_unnamed_villages(
    shared_db_url: str, seed: Seed, args: tuple[str, ...]
) -> None:
    rows = village_rows(tracker(shared_db_url, *args))
    assert list(rows) == list(range(1, seed.document.villages + 1))
    assert rows[7] == zh.MESSAGES["village_placeholder"].format(number=7)


def test_villages_import_names_villages_from_a_csv(db_url: str, tmp_path: Path) -> None:
    roster = tmp_path / "名册.csv"
    roster.write_text("编号,名称\n1,保和社区\n2,石板村\n", encoding="utf-8")
    out = tracker(db_url, "villages", "import", str(roster))
    assert zh.MESSAGES["villages_imported"].format(renamed=2, added=0, items=0) in out
    rows = village_rows(tracker(db_url, "villages"))
    assert (rows[1], rows[2]) == ("保和社区", "石板村")
    named = list_json(db_url, "--village", "石板村")
    assert {row["village_name"] for row in named} == {"石板村"}


def test_villages_import_of_a_new_number_adds_its_village_items(
    db_url: str, seed: Seed, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    new = seed.document.villages + 1
    roster.write_text(f"number,name\n{new},新建社区\n", encoding="utf-8")
    added = per_village_codes(seed, new)
    out = tracker(db_url, "villages", "import", str(roster))
    assert zh.MESSAGES["villages_imported"].format(renamed=0, added=1, items=len(added)) in out
    assert codes(list_json(db_url, "--village", str(new))) == added


def test_villages_rename_names_one_village_and_leaves_a_trace(db_url: str) -> None:
    out = tracker(db_url, "villages", "rename", "3", "新华村", user="钱七")
    assert zh.MESSAGES["village_renamed"].format(number="03", name="新华村") in out
    assert village_rows(tracker(db_url, "villages"))[3] == "新华村"
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            village = session.exec(select(Village).where(Village.number == 3)).one()
            history = session.exec(
                select(History).where(History.village_id == village.id).order_by(col(History.id))
            ).all()
    finally:
        engine.dispose()
    assert [(h.kind, h.new, h.changed_by) for h in history] == [
        (HistoryKind.VILLAGE.value, "新华村", "钱七")
    ]


# --- overview and global options ---------------------------------------------------------


def test_bare_tracker_prints_the_overview(shared_db_url: str) -> None:
    out = tracker(shared_db_url, as_of="2022-06-15")
    assert zh.MESSAGES["summary_title"].format(date="2022-06-15") in out
    assert zh.MESSAGES["summary_sections"] in out
    assert "5.5a/2022" in out  # this period's quota


def test_summary_in_english(shared_db_url: str) -> None:
    out = tracker(shared_db_url, "--lang", "en", "summary", as_of="2022-06-15")
    assert en.MESSAGES["summary_title"].format(date="2022-06-15") in out
    assert "总览" not in out


def test_tracker_db_environment_variable_chooses_the_database(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_DB", db_url)
    result = invoke("--user", USER, "--as-of", AS_OF, "status", "7.1a", "进行中")
    assert result.exit_code == 0, result.stderr
    assert show_json(db_url, "7.1a")["status"] == "in_progress"


def test_tracker_user_environment_variable_is_recorded_in_history(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_USER", "孙八")
    result = invoke("--db", db_url, "--as-of", AS_OF, "status", "7.1a", "受阻")
    assert result.exit_code == 0, result.stderr
    assert show_json(db_url, "7.1a")["history"][-1]["by"] == "孙八"


def test_user_option_wins_over_tracker_user(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_USER", "孙八")
    tracker(db_url, "note", "7.1a", "先行试点", user="周九")
    assert show_json(db_url, "7.1a")["history"][-1]["by"] == "周九"


def test_status_message_in_english(db_url: str) -> None:
    out = tracker(db_url, "--lang", "en", "status", "7.1a", "blocked")
    assert en.MESSAGES["status_changed"].format(code="7.1a", old="to do", new="blocked") in out


def test_show_in_english_names_the_co_operating_units_in_english(
    shared_db_url: str, seed: Seed
) -> None:
    entry = next(c for c in commitments(seed) if c.co_units)
    english = {u.name: u.name_en for u in seed.document.units}
    text = tracker(shared_db_url, "--lang", "en", "show", entry.code)
    for unit in entry.co_units:
        assert english[unit] and english[unit] in text
        assert unit not in text.split("Co-units", 1)[1].split("\n", 1)[0]
