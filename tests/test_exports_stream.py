"""`tracker list --format json|csv|xlsx` streamed (issue 15): the rows written as they are
read are the very rows `list_items` gives, in the very bytes the whole-list export wrote;
a failure half-way leaves no half file; and the per-row event counts and figures bind a
bounded number of ids whatever the size of the ledger (SQLite refuses ~250k parameters in
one statement, PostgreSQL 65,535).

The reference is computed here from `services.listing.list_items` (the paged, non-streamed
listing every screen uses), rendered as the export rendered a whole list before.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Float, String, case, cast, func, insert, literal, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

import tracker.cli.items as items_cli
from tracker.cli import app
from tracker.cli.exports import _inert_utf8, json_chunks
from tracker.db import make_engine, new_session
from tracker.errors import _UNPRINTABLE_IN_LINES, TrackerError, printable_json
from tracker.i18n import set_language
from tracker.models import Commitment, Event, Kind, Status, Village
from tracker.printouts.listing import csv_lines, values
from tracker.schedule import Light, WorkCalendar
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import ListFilter
from tracker.services.listing import (
    ItemRow,
    event_counts,
    latest_values,
    list_items,
    stream_items,
)
from tracker.services.voids import counting

AS_OF = "2026-11-26"
USER = "测试员"
runner = CliRunner()


def invoke(db: str, *args: str, lang: str = "zh") -> Result:
    return runner.invoke(
        app,
        ["--db", db, "--user", USER, "--as-of", AS_OF, "--lang", lang, *args],
        env={"COLUMNS": "250"},
        catch_exceptions=False,
    )


def reference_rows(db: str, flt: ListFilter, limit: int | None = None) -> list[ItemRow]:
    """What the list holds, read whole by `list_items` on the day the CLI looks at."""
    engine = make_engine(db)
    try:
        with new_session(engine) as session:
            deadlines = Deadlines(as_of=date.fromisoformat(AS_OF), calendar=WorkCalendar())
            return list_items(session=session, flt=flt, deadlines=deadlines, limit=limit).rows
    finally:
        engine.dispose()


def whole_json(rows: list[ItemRow]) -> bytes:
    """The JSON export as it was written before it streamed: one json.dumps of the list."""
    data = [row.as_json() for row in rows]
    return (printable_json(json.dumps(data, ensure_ascii=False, indent=2)) + "\n").encode()


CASES = [
    pytest.param(["--all"], ListFilter(show_all=True), None, id="all"),
    pytest.param([], ListFilter(), None, id="default"),
    pytest.param(["--section", "3"], ListFilter(section=3), None, id="section"),
    pytest.param(["--all", "--overdue"], ListFilter(show_all=True, overdue=True), None, id="red"),
    pytest.param(
        ["--all", "--kind", "indicator"],
        ListFilter(show_all=True, kind=Kind.INDICATOR),
        None,
        id="indicators",
    ),  # fmt: skip
    pytest.param(["--all", "--limit", "7"], ListFilter(show_all=True), 7, id="limit"),
]


@pytest.mark.parametrize(("args", "flt", "limit"), CASES)
def test_streamed_json_and_csv_are_the_bytes_of_the_whole_list(
    shared_db_url: str, args: list[str], flt: ListFilter, limit: int | None
) -> None:
    rows = reference_rows(shared_db_url, flt, limit)
    assert rows or "--overdue" in args
    result = invoke(shared_db_url, "list", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == whole_json(rows)
    result = invoke(shared_db_url, "list", *args, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == "".join(csv_lines(rows)).encode("utf-8")


def test_a_ledger_with_events_figures_and_a_void_streams_the_same(db_url: str) -> None:
    """Event counts, figures and lights of a worked ledger, read in batches of a few rows
    (so that counts and figures are read per batch): the bytes of the whole list."""
    for args in (
        ("log", "5.5a", "--date", "2026-05-01", "--note", "讲座"),
        ("log", "5.5a", "--date", "2026-06-01", "--note", "讲座"),
        ("log", "2.1-N3", "--date", "2026-05-01", "--value", "12", "--note", "讲座"),
        ("log", "2.1-N3", "--date", "2026-06-01", "--value", "140.5", "--note", "讲座"),
        ("status", "1.4c", "done", "--note", "完成"),
    ):
        done = invoke(db_url, *args)
        assert done.exit_code == 0, done.stderr
    rows = reference_rows(db_url, ListFilter(show_all=True))
    assert any(row.done_count for row in rows)
    assert any(row.value == 140.5 for row in rows)
    assert {row.light for row in rows} >= {Light.RED, Light.GREEN, Light.NONE}
    assert any(row.days_overdue > 0 and row.workdays_overdue > 0 for row in rows)
    engine = make_engine(db_url)
    with new_session(engine) as session:
        deadlines = Deadlines(as_of=date.fromisoformat(AS_OF), calendar=WorkCalendar())
        flt = ListFilter(show_all=True)
        assert list(stream_items(session=session, flt=flt, deadlines=deadlines, batch=7)) == rows
    engine.dispose()
    result = invoke(db_url, "list", "--all", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == whole_json(rows)
    result = invoke(db_url, "list", "--all", "--format", "csv", lang="en")
    assert result.exit_code == 0, result.stderr
    set_language("en")  # the reference's headers and labels in the export's language
    assert result.stdout_bytes == "".join(csv_lines(rows)).encode("utf-8")


def test_streamed_xlsx_holds_the_rows_of_the_list(shared_db_url: str, tmp_path: Path) -> None:
    rows = reference_rows(shared_db_url, ListFilter(show_all=True))
    target = tmp_path / "清单.xlsx"
    result = invoke(shared_db_url, "list", "--all", "--format", "xlsx", "--out", str(target))
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(target).active
    assert sheet is not None
    body = [[cell.value for cell in line] for line in sheet.iter_rows(min_row=2)]
    expected = [[_as_read(value) for value in values(row)] for row in rows]
    assert body == expected
    assert sheet.auto_filter.ref == f"A1:S{len(rows) + 1}"
    assert sheet.freeze_panes == "A2"


def _as_read(value: Any) -> Any:
    """A cell as openpyxl reads it back: a date as a datetime at midnight."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def test_stored_text_that_could_act_on_a_terminal_is_escaped_as_before(db_url: str) -> None:
    """A village's name with a right-to-left override and a zero-width space: the batch
    holding it goes through printable_json as the whole list did."""
    engine = make_engine(db_url)  # a name kept from before names were checked
    with new_session(engine) as session:
        session.execute(
            update(Village).where(col(Village.number) == 7).values(name="七\u202e村\u200b")
        )
        session.commit()
    engine.dispose()
    rows = reference_rows(db_url, ListFilter(show_all=True, village="7"))
    result = invoke(db_url, "list", "--all", "--village", "7", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == whole_json(rows)
    assert b"\\u202e" in result.stdout_bytes and "\u202e".encode() not in result.stdout_bytes


def test_every_character_printable_json_escapes_is_caught_by_the_byte_search() -> None:
    """The fast check may send clean text through the pattern, never let a bad one by."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if not _UNPRINTABLE_IN_LINES.match(char):
            continue
        text = f'["甲{char}乙"]'
        assert _inert_utf8(text) == printable_json(text).encode("utf-8", "surrogatepass"), code
    clean = "“保和镇”—法治…，（一）①"
    assert _inert_utf8(clean) == clean.encode()


def test_no_character_the_codes_fast_check_passes_is_one_to_escape() -> None:
    """A batch of codes that str.isprintable() passes is written without the search for
    characters to escape (export_text.JsonRows._codes_json): no such character is one."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if _UNPRINTABLE_IN_LINES.match(char):
            assert not f"甲{char}乙".isprintable(), code


def test_the_json_of_odd_values_is_json_dumps_own() -> None:
    """Quotes, backslashes, percent signs, whole and huge figures: as json.dumps writes
    them, indented as it indents them."""
    base = reference_like_row()
    rows = [
        base,
        _changed(base, title='引号"与\\反斜杠 %s %%', value=3.0, baseline=1e21, target=0),
        _changed(base, title="多行\n文本\t", value=0.1, baseline=float("nan"), measure="%"),
    ]
    expected = json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2) + "\n"
    assert b"".join(json_chunks(rows)) == expected.encode()
    assert b"".join(json_chunks([])) == b"[]\n"


def reference_like_row() -> ItemRow:
    return ItemRow(
        id=1, report="baohe-2021", code="5.5a/2022", title="法治讲座", title_en=None,
        section=5, kind=Kind.QUOTA, unit="司法所", unit_en="Justice Office",
        status=Status.DONE, due=date(2022, 12, 31), light=Light.NONE, overdue=False,
        days_overdue=0, workdays_overdue=0, village=None, village_name=None, period="2022",
        target=2, done_count=2, source="原文", parent="5.5a",
    )  # fmt: skip


def _changed(row: ItemRow, **changes: Any) -> ItemRow:
    from dataclasses import replace

    return replace(row, **changes)


def test_an_export_that_fails_half_way_leaves_no_half_file(
    shared_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = items_cli.stream_items

    def failing(**kwargs: Any) -> Iterator[ItemRow | list[bytes]]:
        for number, item in enumerate(real(**kwargs)):
            if isinstance(item, list):  # a batch of json or csv texts: half of it is written
                yield item[: len(item) // 2]
                raise TrackerError("db_unreadable", reason="测试")
            if number == 1500:
                raise TrackerError("db_unreadable", reason="测试")
            yield item

    monkeypatch.setattr(items_cli, "stream_items", failing)
    kept = tmp_path / "旧.csv"
    kept.write_bytes(b"old")
    for fmt, target in (
        ("json", tmp_path / "新.json"),
        ("csv", kept),
        ("xlsx", tmp_path / "新.xlsx"),
    ):
        result = invoke(shared_db_url, "list", "--all", "--format", fmt, "--out", str(target))
        assert result.exit_code == 1
        assert result.stderr.strip() == "无法读取数据库：测试"
    left = sorted(path.name for path in tmp_path.iterdir() if path.name != "evidence")
    assert left == ["旧.csv"]
    assert kept.read_bytes() == b"old"


def test_a_file_written_whole_replaces_the_old_one_and_keeps_its_mode(
    shared_db_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "清单.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    result = invoke(shared_db_url, "list", "--section", "3", "--format", "json", "--out",
                    str(target))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    stdout = invoke(shared_db_url, "list", "--section", "3", "--format", "json")
    assert target.read_bytes() == stdout.stdout_bytes
    assert target.stat().st_mode & 0o777 == 0o640
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".part")] == []


# --- Event counts and figures of a ledger far larger than one statement may bind ---


def many_periods(session: Session, count: int) -> list[int]:
    """`count` quota periods added under the seed's first quota, one counted event each
    (every tenth with a figure), made by the database itself (INSERT … SELECT over a
    recursive series): quick on both backends, and no statement binds more than a few
    parameters."""
    quota = session.exec(
        select(Commitment).where(
            Commitment.kind == Kind.QUOTA.value, col(Commitment.parent_id).is_(None)
        )
    ).first()
    assert quota is not None and quota.id is not None
    first = session.execute(sa_select(func.max(Commitment.id))).scalar_one() + 1
    series = sa_select(literal(first).label("i")).cte("series", recursive=True)
    series = series.union_all(sa_select(series.c.i + 1).where(series.c.i < first + count - 1))
    number = cast(series.c.i, String)
    made = {
        "id": series.c.i,
        "report_id": literal(quota.report_id),
        "parent_id": literal(quota.id),
        "code": literal("X").concat(number),
        "sort_key": literal("zz").concat(number),
        "section": literal(quota.section),
        "title": literal("批量"),
        "description": literal(""),
        "kind": literal(Kind.QUOTA.value),
        "target": literal(1),
        "status": literal(Status.TODO.value),
        "period_key": literal("P").concat(number),
        "notes": literal(""),
    }
    table = Commitment.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        # The guard triggers check each written row for who may write it (70k times 2);
        # this test reads, and its transaction is rolled back.
        session.execute(text("SET LOCAL session_replication_role = replica"))
    session.execute(insert(table).from_select(list(made), sa_select(*made.values())))
    events = Event.__table__  # type: ignore[attr-defined]
    logged = {
        "commitment_id": series.c.i,
        "happened_on": literal(date(2024, 1, 2)),
        "note": literal("批量"),
        "value": case((series.c.i % 10 == 0, cast(series.c.i % 97, Float)), else_=None),
        "recorded_by": literal(USER),
        "recorded_at": literal(
            datetime(2024, 1, 2, 9, 0, tzinfo=UTC), Event.__table__.c.recorded_at.type
        ),  # type: ignore[attr-defined]
    }
    events = Event.__table__  # type: ignore[attr-defined]
    session.execute(insert(events).from_select(list(logged), sa_select(*logged.values())))
    return list(range(first, first + count))


def test_event_counts_and_figures_of_more_ids_than_a_statement_may_bind(
    session: Session,
) -> None:
    """300k ids on SQLite (past its ~250k parameters), 70k on PostgreSQL (past 65,535)."""
    count = 300_000 if session.get_bind().dialect.name == "sqlite" else 70_000
    ids = many_periods(session, count)
    every = [*session.execute(sa_select(Commitment.id)).scalars()]
    grouped = (
        sa_select(Event.commitment_id, func.count()).where(counting()).group_by(Event.commitment_id)
    )
    expected = {item_id: number for item_id, number in session.execute(grouped)}
    assert event_counts(session=session, ids=every) == expected
    assert len(expected) >= count
    figures = latest_values(session=session, ids=ids, counted=counting())
    assert figures == {item_id: float(item_id % 97) for item_id in ids if item_id % 10 == 0}
