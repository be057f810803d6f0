"""Indicators show their figure: an indicator period (2.1-N3/2026, 各类法治讲座) reads as the
value logged for the year against the report's 2021 figure (12 / 2021年基数 15场次), never as
its count of events; the figure is the latest event that counts on the day (happened by
then, not voided by then); and an indicator's event needs a finite figure.

Services on the module's shared database (rolled back), the command line on a database of
each test's own; SQLite, and PostgreSQL when TRACKER_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.db import make_engine
from tracker.errors import TrackerError
from tracker.i18n import set_language, t
from tracker.labels import baseline_label, figure, progress_label
from tracker.models import Commitment, Event
from tracker.printouts.assembly import Scope, ledger_data, summary_data
from tracker.printouts.office_text import status_progress
from tracker.schedule import WorkCalendar
from tracker.services.corrections import void_event
from tracker.services.deadlines import Deadlines
from tracker.services.events import log_event
from tracker.services.listing import ItemRow, row_of

OFFICER = "王科员"  # an admin of the seeded ledger (tests/conftest.py)
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
LECTURES = "2.1-N3"  # 开展各类法治讲座15场次: baseline 15, baseline_text 15场次, measure 场次
YEAR = "2.1-N3/2026"


def item(session: Session, code: str) -> Commitment:
    return session.exec(select(Commitment).where(Commitment.code == code)).one()


def log(
    session: Session, calendar: WorkCalendar, day: date, value: float | None, code: str = LECTURES
) -> Event:
    return log_event(
        session=session,
        item=item(session, code),
        day=day,
        note=f"法治讲座统计 {day.isoformat()}",
        evidence=[],
        user=OFFICER,
        now=NOW,
        calendar=calendar,
        value=value,
    ).event


def row_on(session: Session, calendar: WorkCalendar, as_of: date, code: str = YEAR) -> ItemRow:
    deadlines = Deadlines(as_of=as_of, calendar=calendar, today=NOW.date())
    commitment_id = item(session, code).id
    assert commitment_id is not None
    return row_of(session=session, item_id=commitment_id, deadlines=deadlines)


def counts(session: Session) -> dict[str, int]:
    session.flush()
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }


# --- How a figure reads ---


@pytest.mark.parametrize(
    ("value", "shown"),
    [(12.0, "12"), (97.82, "97.82"), (16000.0, "16000"), (1234567.0, "1234567"), (0.5, "0.5")],
)
def test_a_figure_reads_as_written_without_a_trailing_zero_or_an_exponent(
    value: float, shown: str
) -> None:
    assert figure(value) == shown


def test_the_baseline_is_the_reports_words_in_chinese_and_its_measure_in_english() -> None:
    assert baseline_label(15, "15场次", "场次") == "15场次"
    assert baseline_label(600, "600余份", "份") == "600余份"
    set_language("en")
    assert baseline_label(15, "15场次", "场次") == "15 sessions"
    assert baseline_label(600, "600余份", "份") == "over 600 copies"
    assert baseline_label(97.82, "97.82%", "%") == "97.82%"
    assert baseline_label(8, None, "户") == "8 户"  # a measure with no English word yet


# --- The list and the detail's row ---


def test_an_indicator_period_shows_its_figure_against_the_baseline_not_its_event_count(
    session: Session, calendar: WorkCalendar
) -> None:
    log(session, calendar, date(2026, 5, 1), 12)
    row = row_on(session, calendar, NOW.date())
    assert (row.value, row.done_count) == (12, 1)
    assert (row.baseline, row.baseline_text, row.measure) == (15, "15场次", "场次")
    assert progress_label(row) == "12 / 2021年基数 15场次"
    assert row.as_json()["value"] == 12 and row.as_json()["done_count"] == 1
    set_language("en")
    assert progress_label(row) == "12 / 2021 baseline 15 sessions"


def test_the_figure_is_the_latest_event_counted_on_the_day(
    session: Session, calendar: WorkCalendar
) -> None:
    log(session, calendar, date(2026, 6, 1), 14)
    log(session, calendar, date(2026, 5, 1), 12)  # entered late, but earlier in the year
    assert row_on(session, calendar, NOW.date()).value == 14
    assert row_on(session, calendar, date(2026, 5, 20)).value == 12
    before = row_on(session, calendar, date(2026, 4, 30))
    assert before.value is None
    assert progress_label(before) == "- / 2021年基数 15场次"


def test_a_voided_figure_is_no_longer_shown_from_the_day_it_is_voided(
    session: Session, calendar: WorkCalendar
) -> None:
    log(session, calendar, date(2026, 5, 1), 12)
    wrong = log(session, calendar, date(2026, 6, 1), 140)  # 14 mistyped
    assert wrong.id is not None
    void_event(
        session=session,
        event_id=wrong.id,
        reason="多打了一个0",
        user=OFFICER,
        now=NOW,
        calendar=calendar,
        day=date(2026, 7, 1),
    )
    assert row_on(session, calendar, NOW.date()).value == 12
    assert row_on(session, calendar, date(2026, 6, 15)).value == 140  # not yet voided then


def test_the_commitment_itself_and_other_kinds_carry_no_figure(
    session: Session, calendar: WorkCalendar
) -> None:
    log(session, calendar, date(2026, 5, 1), 12)
    parent = row_on(session, calendar, NOW.date(), code=LECTURES)
    assert parent.value is None and progress_label(parent) == ""
    assert parent.baseline_text == "15场次"  # its own 2021 figure, for the JSON
    log(session, calendar, date(2026, 5, 1), 3, code="5.5a")  # a figure on a quota is kept
    quota = row_on(session, calendar, NOW.date(), code="5.5a/2026")
    assert quota.value is None and progress_label(quota) == "1/2"


# --- Refusals ---


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (None, "indicator_value_missing"),
        (math.inf, "indicator_value_not_finite"),
        (-math.inf, "indicator_value_not_finite"),
        (math.nan, "indicator_value_not_finite"),
    ],
)
def test_an_indicator_event_without_a_finite_figure_is_refused_and_nothing_written(
    session: Session, calendar: WorkCalendar, value: float | None, key: str
) -> None:
    before = counts(session)
    with pytest.raises(TrackerError) as caught:
        log(session, calendar, date(2026, 5, 1), value)
    assert caught.value.key == key
    assert counts(session) == before


def test_a_figure_that_is_not_finite_is_refused_on_any_item(
    session: Session, calendar: WorkCalendar
) -> None:
    before = counts(session)
    with pytest.raises(TrackerError) as caught:
        log(session, calendar, date(2026, 5, 1), math.inf, code="5.5a")
    assert caught.value.key == "indicator_value_not_finite"
    assert counts(session) == before


# --- Printouts ---


def test_the_ledger_and_the_summary_show_the_counted_figure_on_the_day(
    session: Session, calendar: WorkCalendar
) -> None:
    log(session, calendar, date(2026, 5, 1), 12)
    wrong = log(session, calendar, date(2026, 6, 1), 140)
    assert wrong.id is not None
    void_event(
        session=session,
        event_id=wrong.id,
        reason="多打了一个0",
        user=OFFICER,
        now=NOW,
        calendar=calendar,
        day=date(2026, 7, 1),
    )
    scope = Scope(report="baohe-2021", section=2)
    deadlines = Deadlines(as_of=NOW.date(), calendar=calendar, today=NOW.date())
    ledger = ledger_data(session=session, scope=scope, deadlines=deadlines, user=OFFICER, now=NOW)
    (period,) = [row for row in ledger.rows if row.item.code == YEAR]
    assert "12 / 2021年基数 15场次" in status_progress(period)
    summary = summary_data(session=session, scope=scope, deadlines=deadlines, user=OFFICER, now=NOW)
    (line,) = [line for line in summary.indicators if line.code == LECTURES]
    assert line.values[2026] == 12  # the voided 140 is not the year's figure, though larger
    june = Deadlines(as_of=date(2026, 6, 15), calendar=calendar, today=NOW.date())
    then = summary_data(session=session, scope=scope, deadlines=june, user=OFFICER, now=NOW)
    (line,) = [line for line in then.indicators if line.code == LECTURES]
    assert line.values[2026] == 140


# --- The command line ---

AS_OF = "2026-11-26"
runner = CliRunner()


def invoke(db: str, *args: str, lang: str = "zh", as_of: str = AS_OF) -> Result:
    """Run `tracker ARGS` on `db`; an exception the CLI did not turn into a message fails."""
    return runner.invoke(
        app,
        ["--db", db, "--user", OFFICER, "--as-of", as_of, "--lang", lang, *args],
        env={"COLUMNS": "250"},
        catch_exceptions=False,
    )


def output(db: str, *args: str, lang: str = "zh", as_of: str = AS_OF) -> str:
    result = invoke(db, *args, lang=lang, as_of=as_of)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def listed(db: str, fmt: str, as_of: str = AS_OF) -> list[dict[str, Any]]:
    text = output(db, "list", "--search", LECTURES, "--format", fmt, as_of=as_of)
    if fmt == "json":
        rows = json.loads(text)
        return [row for row in rows if row["code"] == YEAR]
    # The CSV is for Excel: UTF-8 with its byte-order mark, headers in the language.
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    return [row for row in rows if row[t("col.code")] == YEAR]


def table_line(text: str, code: str) -> str:
    (line,) = [line for line in text.splitlines() if f" {code} " in f" {line.strip('│ ')} "]
    return line


def db_counts(db: str) -> dict[str, int]:
    engine = make_engine(db)
    try:
        with Session(engine) as session:
            return counts(session)
    finally:
        engine.dispose()


def test_log_list_and_show_give_the_figure_against_the_baseline(db_url: str) -> None:
    logged = output(
        db_url, "log", LECTURES, "--date", "2026-05-01", "--value", "12", "--note", "讲座"
    )
    assert t("event_progress", progress="12 / 2021年基数 15场次", status="已完成") in logged

    table = output(db_url, "list", "--search", LECTURES)
    line = table_line(table, YEAR)
    assert line.rstrip("│ ").endswith("12 / 2021年基数 15场次")
    english = output(db_url, "list", "--search", LECTURES, lang="en")
    assert table_line(english, YEAR).rstrip("│ ").endswith("12 / 2021 baseline 15 sessions")

    (row,) = listed(db_url, "json")
    assert (row["value"], row["done_count"], row["baseline_text"]) == (12, 1, "15场次")
    (row,) = listed(db_url, "csv")
    assert (row["数值"], row["已办次数"], row["2021年基数"]) == ("12", "1", "15场次")
    assert row["进度"] == "12 / 2021年基数 15场次"

    shown = output(db_url, "show", YEAR)
    progress = next(line for line in shown.splitlines() if t("col.progress") in line)
    assert "12 / 2021年基数 15场次" in progress
    detail = json.loads(output(db_url, "show", YEAR, "--format", "json"))
    assert (detail["value"], detail["baseline"], detail["measure"]) == (12, 15, "场次")

    # The day before the lecture figure was logged, there was none.
    (before,) = listed(db_url, "json", as_of="2026-04-30")
    assert (before["value"], before["done_count"]) == (None, 0)
    earlier = output(db_url, "list", "--search", LECTURES, as_of="2026-04-30")
    assert table_line(earlier, YEAR).rstrip("│ ").endswith("- / 2021年基数 15场次")
    # For Excel, no figure is an empty 数值 and 进度, not "-" (which would need a guard).
    (early,) = listed(db_url, "csv", as_of="2026-04-30")
    assert (early["数值"], early["进度"], early["2021年基数"]) == ("", "", "15场次")


def test_void_says_the_figure_that_counts_now(db_url: str) -> None:
    output(db_url, "log", LECTURES, "--date", "2026-05-01", "--value", "12", "--note", "讲座")
    output(db_url, "log", LECTURES, "--date", "2026-06-01", "--value", "140", "--note", "讲座")
    (row,) = listed(db_url, "json")
    assert row["value"] == 140
    engine = make_engine(db_url)
    with Session(engine) as session:
        wrong = session.exec(select(Event.id).where(col(Event.value) == 140)).one()
    engine.dispose()
    voided = output(db_url, "void", str(wrong), "--reason", "多打了一个0")
    assert "12 / 2021年基数 15场次" in voided
    (row,) = listed(db_url, "json")
    assert row["value"] == 12


@pytest.mark.parametrize(
    ("extra", "key", "params"),
    [
        ((), "indicator_value_missing", {"code": LECTURES}),
        (("--value", "inf"), "indicator_value_not_finite", {"value": "inf"}),
        (("--value", "-inf"), "indicator_value_not_finite", {"value": "-inf"}),
        (("--value", "nan"), "indicator_value_not_finite", {"value": "nan"}),
    ],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_indicator_logged_without_a_finite_figure_is_one_line_exit_1_and_nothing_written(
    db_url: str, extra: tuple[str, ...], key: str, params: dict[str, str], lang: str
) -> None:
    before = db_counts(db_url)
    result = invoke(
        db_url, "log", LECTURES, "--date", "2026-05-01", "--note", "讲座", *extra, lang=lang
    )
    assert result.exit_code == 1
    set_language(lang)
    assert result.stderr.strip() == t(key, **params)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert db_counts(db_url) == before
