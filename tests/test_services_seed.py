"""Seeding the database from the seed file: idempotent, complete, and all-or-nothing."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from tracker.cli.context import AppState, seed_database
from tracker.config import Settings
from tracker.db import make_engine, new_session
from tracker.errors import TrackerError
from tracker.models import Commitment, History, HistoryKind, Kind, Report, Status, Village
from tracker.schedule import Frequency, WorkCalendar, checkpoint_dates, period_from_key
from tracker.schema import create_schema
from tracker.services.instances import PERIODIC_KINDS, checkpoints_of
from tracker.services.seed_file import Seed, load_seed_file
from tracker.services.seeding import apply_seed

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "seed_data" / "baohe-2021.yaml"
REPORT_PATH = ROOT / "seed_data" / "baohe-2021-report.txt"
REPORT = REPORT_PATH.read_text(encoding="utf-8")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone(timedelta(hours=8)))
SEEDED_THROUGH = 2026  # what the conftest seeds
ONE_DAY = timedelta(days=1)


def row_counts(session: Session) -> dict[str, int]:
    """Rows in every table of the ledger."""
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }


def days_of(year: int) -> list[date]:
    day, days = date(year, 1, 1), list[date]()
    while day.year == year:
        days.append(day)
        day += ONE_DAY
    return days


def by_code(session: Session, code: str) -> Commitment:
    return session.exec(select(Commitment).where(Commitment.code == code)).one()


def instances_of(session: Session, parent: Commitment) -> list[Commitment]:
    return list(session.exec(select(Commitment).where(Commitment.parent_id == parent.id)).all())


# --- Idempotence ---


def test_seeding_twice_changes_no_row(session: Session, seed: Seed, calendar: WorkCalendar) -> None:
    before = row_counts(session)
    history_ids = set(session.exec(select(History.id)).all())
    result = apply_seed(
        session=session,
        seed=seed,
        user="seeder",
        now=NOW,
        through_year=SEEDED_THROUGH,
        calendar=calendar,
    )
    session.commit()
    assert (result.commitments, result.instances, result.villages) == (0, 0, 0)
    assert row_counts(session) == before
    assert set(session.exec(select(History.id)).all()) == history_ids


def test_seeding_again_keeps_what_officers_changed(
    session: Session, seed: Seed, calendar: WorkCalendar
) -> None:
    reopened = by_code(session, "3.3a-V05")
    reopened.status = Status.TODO
    session.add(reopened)
    session.commit()
    apply_seed(
        session=session,
        seed=seed,
        user="seeder",
        now=NOW,
        through_year=SEEDED_THROUGH,
        calendar=calendar,
    )
    session.commit()
    session.expire_all()
    assert by_code(session, "3.3a-V05").status == Status.TODO


def test_seeding_a_new_commitment_adds_it_with_its_period_instances(
    session: Session, calendar: WorkCalendar, tmp_path: Path
) -> None:
    extra = (
        '  - code: "7.1d"\n'
        "    section: 7\n"
        "    item: 1\n"
        "    title: 每季度组织一次以会代训\n"
        '    excerpt: "逢会必学,以会代训"\n'
        "    kind: recurring\n"
        "    unit: 镇党委\n"
        "    start: 2022-01-01\n"
        "    frequency: quarterly\n"
    )
    path = tmp_path / "seed.yaml"
    path.write_text(SEED_PATH.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    shutil.copy(REPORT_PATH, tmp_path / REPORT_PATH.name)
    before = row_counts(session)
    result = apply_seed(
        session=session,
        seed=load_seed_file(path),
        user="seeder",
        now=NOW,
        through_year=SEEDED_THROUGH,
        calendar=calendar,
    )
    session.flush()
    quarters = [f"{year}-Q{q}" for year in range(2022, SEEDED_THROUGH + 1) for q in range(1, 5)]
    assert (result.commitments, result.instances, result.villages) == (1, len(quarters), 0)
    added = instances_of(session, by_code(session, "7.1d"))
    assert sorted(i.period_key or "" for i in added) == quarters
    after = row_counts(session)
    assert after["commitment"] == before["commitment"] + 1 + len(quarters)
    assert after["history"] == before["history"]


# --- Villages and their instances ---


def test_seed_creates_the_towns_23_villages(session: Session, seed: Seed) -> None:
    villages = session.exec(select(Village).where(Village.town == "保和镇")).all()
    assert sorted(v.number for v in villages) == list(range(1, 24))
    assert seed.document.villages == 23


def test_every_per_village_commitment_has_one_instance_per_village(
    session: Session, seed: Seed
) -> None:
    numbers = {v.id: v.number for v in session.exec(select(Village)).all()}
    per_village = [c for c in seed.document.commitments if c.kind is Kind.PER_VILLAGE]
    assert {c.code for c in per_village} >= {"3.3a", "3.3b"}
    for entry in per_village:
        parent = by_code(session, entry.code)
        instances = instances_of(session, parent)
        assert sorted(i.code for i in instances) == [f"{entry.code}-V{n:02d}" for n in range(1, 24)]
        for instance in instances:
            assert instance.village_id is not None
            assert instance.code.endswith(f"-V{numbers[instance.village_id]:02d}")
            assert instance.due == entry.due
            assert instance.status == (entry.status or Status.TODO)
            assert instance.unit_id == parent.unit_id


def test_seeded_done_village_items_carry_a_seed_history_row_quoting_the_report(
    session: Session, seed: Seed
) -> None:
    entry = next(c for c in seed.document.commitments if c.code == "3.3a")
    assert entry.status is Status.DONE and entry.status_note
    for number in range(1, 24):
        instance = by_code(session, f"3.3a-V{number:02d}")
        rows = session.exec(select(History).where(History.commitment_id == instance.id)).all()
        assert len(rows) == 1
        (row,) = rows
        assert (row.kind, row.old, row.new) == (HistoryKind.SEED, None, Status.DONE)
        assert row.note == entry.status_note
        assert row.changed_by == "seeder"
        quoted = re.findall(r"“([^“”]+)”", row.note)
        assert quoted and all(q in REPORT for q in quoted)


def test_commitment_without_a_stated_status_starts_todo_without_history(
    session: Session, seed: Seed
) -> None:
    entry = next(c for c in seed.document.commitments if c.code == "1.4c")
    assert entry.status is None
    item = by_code(session, "1.4c")
    assert item.status == Status.TODO
    assert session.exec(select(History).where(History.commitment_id == item.id)).all() == []


def test_seed_history_rows_match_the_seeds_stated_statuses(session: Session, seed: Seed) -> None:
    stated = [c for c in seed.document.commitments if c.status is not None]
    villages = 23
    expected = sum(1 + (villages if c.kind is Kind.PER_VILLAGE else 0) for c in stated)
    seed_rows = session.exec(
        select(func.count()).select_from(History).where(History.kind == HistoryKind.SEED)
    ).one()
    assert seed_rows == expected


# --- Period instances ---


def test_periodic_commitments_have_instances_for_2022_through_2026(
    session: Session, seed: Seed
) -> None:
    periodic = {Kind.RECURRING, Kind.QUOTA, Kind.INDICATOR}
    entries = [c for c in seed.document.commitments if c.kind in periodic]
    assert len(entries) >= 3 + 2 + 8
    for entry in entries:
        instances = instances_of(session, by_code(session, entry.code))
        years = {i.period_key[:4] for i in instances if i.period_key}
        assert years == {"2022", "2023", "2024", "2025", "2026"}, entry.code
        assert all(i.code == f"{entry.code}/{i.period_key}" for i in instances)


def test_daily_screening_has_one_instance_per_working_day_of_2023(
    session: Session, calendar: WorkCalendar
) -> None:
    parent = by_code(session, "3.2-D")
    days = {
        i.period_start
        for i in instances_of(session, parent)
        if i.period_start is not None and i.period_start.year == 2023
    }
    working = {day for day in days_of(2023) if calendar.is_workday(day)}
    assert days == working
    # The State Council's 2023 notice: 28-29 Jan and 7-8 Oct were make-up working days
    # (调休), 23 Jan and 2 Oct holidays.
    assert {date(2023, 1, 28), date(2023, 1, 29), date(2023, 10, 7), date(2023, 10, 8)} <= days
    assert not {date(2023, 1, 23), date(2023, 10, 2), date(2023, 1, 7)} & days


def test_weekly_and_monthly_screening_have_one_instance_per_period(session: Session) -> None:
    weekly = instances_of(session, by_code(session, "3.2-W"))
    weeks_2023 = [i for i in weekly if i.period_key and i.period_key.startswith("2023-W")]
    assert len(weeks_2023) == date(2023, 12, 28).isocalendar().week
    monthly = instances_of(session, by_code(session, "3.2-M"))
    in_2024 = sorted(
        (i.period_key, i.period_start)
        for i in monthly
        if i.period_key is not None and i.period_key.startswith("2024")
    )
    assert in_2024 == [(f"2024-{m:02d}", date(2024, m, 1)) for m in range(1, 13)]


def first_workday_from(day: date, calendar: WorkCalendar) -> date:
    """Written out here rather than imported, so the tests do not check the rule by itself."""
    while not calendar.is_workday(day):
        day += ONE_DAY
    return day


def test_monthly_instances_are_due_at_month_end_or_the_first_working_day_after(
    session: Session, calendar: WorkCalendar
) -> None:
    monthly = instances_of(session, by_code(session, "3.2-M"))
    assert len(monthly) == 60
    for instance in monthly:
        assert instance.period_end is not None
        assert instance.due == first_workday_from(instance.period_end, calendar)
        moved = instance.due != instance.period_end
        assert instance.stated_due == (instance.period_end if moved else None)
    # 29 Sep 2023 was 中秋节 and 30 Sep a holiday Saturday; Sat 7 October was worked.
    september = by_code(session, "3.2-M/2023-09")
    assert (september.due, september.stated_due) == (date(2023, 10, 7), date(2023, 9, 30))
    # 30 June 2022 was a Thursday: nothing moved, nothing stated apart.
    june = by_code(session, "3.2-M/2022-06")
    assert (june.due, june.stated_due) == (date(2022, 6, 30), None)


def test_quota_instances_start_due_at_their_first_checkpoint(
    session: Session, calendar: WorkCalendar
) -> None:
    for year in range(2022, 2027):
        instance = by_code(session, f"5.5a/{year}")
        checkpoint = date(year, 6, 30)
        assert instance.due == first_workday_from(checkpoint, calendar)
        assert instance.stated_due == (checkpoint if instance.due != checkpoint else None)
        assert instance.target == 2
    # 30 June 2024 was a Sunday.
    assert by_code(session, "5.5a/2024").due == date(2024, 7, 1)


def test_no_period_instance_starts_after_the_seeded_year(session: Session) -> None:
    late = session.exec(
        select(func.count())
        .select_from(Commitment)
        .where(col(Commitment.period_start) > date(SEEDED_THROUGH, 12, 31))
    ).one()
    assert late == 0
    report = session.exec(select(Report)).one()
    assert report.instances_through == SEEDED_THROUGH


# --- Malformed seed files ---

BROKEN = {
    # name: (text in the seed, its replacement, the line the error must name, a word of the reason)
    "yaml_syntax": (
        "    title: 每年至少2次法治专题讲座\n",
        "    title: 每年至少2次: 法治专题讲座\n",
        "    title: 每年至少2次: 法治专题讲座",
        "请给整段文字加引号",
    ),
    "unquoted_code": (
        '  - code: "1.3"\n',
        "  - code: 1.10\n",
        "  - code: 1.10",
        '编号须加引号，如 code: "1.10"',
    ),
    "unknown_kind": (
        '不断提升的空间"\n    kind: rectification\n',
        '不断提升的空间"\n    kind: fix_it\n',
        "    kind: fix_it",
        "kind",
    ),
    "unknown_field": (
        "    measure: 场次\n",
        "    measure: 场次\n    target_: 2\n",
        "    target_: 2",
        "target_",
    ),
    "excerpt_outside_item": (
        '    excerpt: "加强干部法治思维培养"\n',
        '    excerpt: "以考促学"\n',
        '    excerpt: "以考促学"',
        "excerpt",
    ),
    "unit_not_listed": (
        '责任等工作准则和责任制度"\n    kind: one_off\n    unit: 派出所\n',
        '责任等工作准则和责任制度"\n    kind: one_off\n    unit: 边防所\n',
        "    unit: 边防所",
        "边防所",
    ),
    "co_unit_not_listed": (
        "    unit: 派出所\n    co_units: [市场监管所]\n    due: 2021-12-31\n",
        "    unit: 派出所\n    co_units: [市场管理所]\n    due: 2021-12-31\n",
        "    co_units: [市场管理所]",
        "市场管理所",
    ),
    "duplicate_code": ('  - code: "1.1b"\n', '  - code: "1.1a"\n', '  - code: "1.1a"', "1.1a"),
    "quota_without_target": (
        '    target: 2\n    checkpoints: {"06-30": 1, "12-31": 2}   # 上半年',
        '    checkpoints: {"06-30": 1, "12-31": 2}   # 上半年',
        '  - code: "5.5a"',
        "target",
    ),
}


def write_broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SEED_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    shutil.copy(REPORT_PATH, tmp_path / REPORT_PATH.name)
    return path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_malformed_seed_is_refused_with_its_file_and_line(tmp_path: Path, case: str) -> None:
    old, new, line, reason = BROKEN[case]
    path = write_broken(tmp_path, old, new)
    with pytest.raises(TrackerError) as caught:
        load_seed_file(path)
    error = caught.value
    assert error.key == "seed_invalid"
    assert error.params["file"] == str(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[error.params["line"] - 1] == line
    assert reason in error.params["reason"]


def test_seed_whose_report_text_is_missing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    shutil.copy(SEED_PATH, path)
    with pytest.raises(TrackerError) as caught:
        load_seed_file(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert caught.value.key == "seed_invalid"
    assert lines[caught.value.params["line"] - 1].strip().startswith("text_file:")


def test_missing_seed_file_is_file_missing(tmp_path: Path) -> None:
    with pytest.raises(TrackerError) as caught:
        load_seed_file(tmp_path / "nowhere.yaml")
    assert caught.value.key == "file_missing"


def cli_state(db_url: str) -> AppState:
    settings = Settings(
        db=db_url, db_is_default=False, user="tester", lang="zh", warn_days=3, holidays=None
    )
    return AppState(settings=settings, as_of=date(2026, 11, 26))


@pytest.mark.parametrize("case", ["excerpt_outside_item", "duplicate_code"])
def test_refused_seed_writes_no_row_through_the_cli_path(
    empty_db_url: str, tmp_path: Path, case: str
) -> None:
    old, new, _line, _reason = BROKEN[case]
    path = write_broken(tmp_path, old, new)
    engine = make_engine(empty_db_url)
    try:
        create_schema(engine)
        with pytest.raises(TrackerError) as caught:
            seed_database(cli_state(empty_db_url), engine, path)
        assert caught.value.key == "seed_invalid"
        with new_session(engine) as session:
            counts = row_counts(session)
        assert counts and set(counts.values()) == {0}
    finally:
        engine.dispose()


def test_cli_seed_path_writes_the_report_through_the_as_of_year(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        create_schema(engine)
        result = seed_database(cli_state(empty_db_url), engine, SEED_PATH)
        with new_session(engine) as session:
            report = session.exec(select(Report)).one()
            counts = row_counts(session)
        assert result.report == report.slug == "baohe-2021"
        assert report.instances_through == 2026
        assert counts["commitment"] > 0 and counts["village"] == 23
    finally:
        engine.dispose()


# --- One rule for deadlines (民法典第二百零三条) ---


def stated_date(
    item: Commitment, parents: dict[int, Commitment], seed_due: dict[str, date | None]
) -> date | None:
    """The date the report or the period states for `item`, from the seed's own terms: the
    seed's due for a commitment and its villages, a period's last day, a quota's first
    checkpoint (nothing is logged in a fresh seed)."""
    if item.parent_id is None:
        return seed_due[item.code]
    parent = parents[item.parent_id]
    if item.village_id is not None:
        return seed_due[parent.code]
    assert item.period_key is not None and item.frequency is not None
    period = period_from_key(Frequency(item.frequency), item.period_key)
    if parent.kind == Kind.QUOTA:
        return checkpoint_dates(period, checkpoints_of(parent))[0][0]
    return period.end


def test_every_seeded_deadline_is_its_stated_date_moved_forward_off_rest_days(
    session: Session, seed: Seed, calendar: WorkCalendar
) -> None:
    seed_due = {entry.code: entry.due for entry in seed.document.commitments}
    items = session.exec(select(Commitment)).all()
    parents = {item.id: item for item in items if item.parent_id is None and item.id is not None}
    checked = moved = 0
    for item in items:
        stated = stated_date(item, parents, seed_due)
        if stated is None:
            # Only recurring, quota and indicator commitments have no date of their own.
            assert item.parent_id is None and item.kind in PERIODIC_KINDS, item.code
            assert (item.due, item.stated_due) == (None, None), item.code
            continue
        assert item.due is not None, item.code
        assert calendar.is_workday(item.due), item.code
        assert item.due == first_workday_from(stated, calendar), item.code
        assert item.stated_due == (stated if item.due != stated else None), item.code
        checked += 1
        moved += item.due != stated
    # Every row was looked at: the 2022 one-offs, the villages, five years of periods.
    assert checked == len(items) - len([p for p in parents.values() if p.kind in PERIODIC_KINDS])
    assert checked > 1500 and moved > 200


def test_the_2022_year_end_is_due_on_3_january_2023_for_one_offs_and_periods_alike(
    session: Session,
) -> None:
    # Saturday 31 December 2022; 1–2 January 2023 the New Year holiday.
    for code in ("1.4c", "3.3c", "2.1-N1/2022", "3.2-M/2022-12"):
        item = by_code(session, code)
        assert (item.due, item.stated_due) == (date(2023, 1, 3), date(2022, 12, 31)), code
    # A 2021 deadline on Friday 31 December stays, with no second date.
    done = by_code(session, "1.1a")
    assert (done.due, done.stated_due) == (date(2021, 12, 31), None)


def test_the_curators_remarks_are_not_imported_and_the_officers_notes_are(
    session: Session, seed: Seed
) -> None:
    remarks = {c.code: c.curator_note for c in seed.document.commitments if c.curator_note}
    assert remarks["1.4c"] == "报告称“逐步推开”，未说明已完成，故不记 done。时限为整理时暂定。"
    stored = dict(session.exec(select(Commitment.code, Commitment.notes)).all())
    for code, remark in remarks.items():
        assert remark not in stored[code]
    assert not any("故不记 done" in notes or "frequency" in notes for notes in stored.values())
    # A note written for the officers is theirs, as the seed states it.
    assert stored["5.5a"] == "每次讲座请记录日期并附签到表、照片等佐证材料。"
    assert stored["7.1c"] == "每次会议的学习内容请在本事项下逐次记录（附会议记录）。"
