"""`--as-of` is the past: a ledger built with back-dated (补录) and later-recorded changes,
viewed on several days, agrees with a plain-Python replay of its history and events."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.errors import TrackerError
from tracker.models import Commitment, Event, History, Kind, Status
from tracker.schedule import WorkCalendar
from tracker.services.asof import AsOf, as_of_view
from tracker.services.corrections import void_event
from tracker.services.dashboard import dashboard
from tracker.services.deadlines import Deadlines
from tracker.services.detail import item_detail
from tracker.services.events import log_event
from tracker.services.list_filter import ListFilter
from tracker.services.listing import ItemRow, list_items
from tracker.services.lookup import get_commitment
from tracker.services.overdue import overdue_by_unit
from tracker.services.updates import add_note, set_status

TODAY = date(2026, 11, 26)
ZONE = datetime.now().astimezone().tzinfo


def at(day: date) -> datetime:
    """A recording time on `day`."""
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZONE)


def item(session: Session, code: str) -> Commitment:
    return get_commitment(session=session, code=code, report_slug=None)


def build_ledger(session: Session, calendar: WorkCalendar) -> None:
    """An officer's ledger: changes recorded over the years, some entered late."""
    # 1.4c: done, recorded and effective in 2026 ...
    set_status(
        session=session, item=item(session, "1.4c"), status=Status.DONE, note="",
        user="王科员", now=at(date(2026, 11, 20)),
    )  # fmt: skip
    # ... and, entered a day later, a back-dated start in 2022: today it stays done.
    set_status(
        session=session, item=item(session, "1.4c"), status=Status.IN_PROGRESS,
        note="补录：已在派出所试行", user="王科员", now=at(date(2026, 11, 21)),
        effective_on=date(2022, 5, 1),
    )  # fmt: skip
    # 5.5a: lectures of 2024 logged in 2026, the later one first.
    for day in (date(2024, 11, 8), date(2024, 5, 10)):
        log_event(
            session=session, item=item(session, "5.5a"), day=day, note=f"讲座 {day}",
            evidence=[], user="王科员", now=at(date(2026, 11, 22)), calendar=calendar,
        )  # fmt: skip
    # 5.5a/2023: one lecture only, in September: the first half-year was missed.
    log_event(
        session=session, item=item(session, "5.5a"), day=date(2023, 9, 1), note="讲座",
        evidence=[], user="王科员", now=at(date(2023, 9, 2)), calendar=calendar,
    )  # fmt: skip
    # 3.3c blocked in 2023, back in progress in 2025, recorded as it happened.
    set_status(
        session=session, item=item(session, "3.3c"), status=Status.BLOCKED, note="缺经费",
        user="王科员", now=at(date(2023, 3, 1)),
    )  # fmt: skip
    set_status(
        session=session, item=item(session, "3.3c"), status=Status.IN_PROGRESS, note="",
        user="王科员", now=at(date(2025, 2, 3)),
    )  # fmt: skip
    add_note(
        session=session, item=item(session, "3.3c"), text="补录的说明", user="王科员",
        now=at(date(2026, 11, 23)), effective_on=date(2024, 6, 3),
    )  # fmt: skip
    session.flush()


# --- the replay, in plain Python -----------------------------------------------------------

STATED = {"seed", "status"}
OPEN = {Status.TODO, Status.IN_PROGRESS, Status.BLOCKED}


def replay(session: Session, day: date) -> dict[str, tuple[Status, int]]:
    """Every row's (status, counted events) on `day`, from its history and events alone."""
    rows = session.exec(select(Commitment)).all()
    history: dict[int, list[History]] = {}
    for h in session.exec(select(History)).all():
        if h.commitment_id is not None:
            history.setdefault(h.commitment_id, []).append(h)
    events: dict[int, list[Event]] = {}
    for e in session.exec(select(Event)).all():
        events.setdefault(e.commitment_id, []).append(e)
    result: dict[str, tuple[Status, int]] = {}
    for row in rows:
        assert row.id is not None
        stated = Status.TODO
        newest: tuple[date, int] | None = None
        for h in history.get(row.id, []):
            assert h.id is not None
            if h.kind in STATED and h.effective_on <= day:
                if newest is None or (h.effective_on, h.id) > newest:
                    newest, stated = (h.effective_on, h.id), Status(str(h.new))
        count = sum(
            1
            for e in events.get(row.id, [])
            if e.happened_on <= day and (e.voided_on is None or e.voided_on > day)
        )
        status = stated
        counted = row.kind in (Kind.QUOTA, Kind.RECURRING, Kind.INDICATOR)
        if row.parent_id is not None and counted and stated in OPEN:
            target = (row.target or 1) if row.kind == Kind.QUOTA else 1
            if count >= target:
                status = Status.DONE
            elif count >= 1 and stated is Status.TODO:
                status = Status.IN_PROGRESS
        result[row.code] = (status, count)
    return result


def listed(session: Session, day: date, calendar: WorkCalendar, today: date) -> list[ItemRow]:
    view = Deadlines(as_of=day, calendar=calendar, today=today)
    return list_items(session=session, flt=ListFilter(show_all=True), deadlines=view).rows


def assert_listed_as_replayed(session: Session, calendar: WorkCalendar, day: date) -> None:
    """Every row listed on `day` has the status and event count of the plain replay."""
    expected = replay(session, day)
    rows = listed(session, day, calendar, TODAY)
    assert len(rows) == len(expected)
    for row in rows:
        status, count = expected[row.code]
        assert row.status is status, row.code
        if row.done_count is not None:
            assert row.done_count == count, row.code


DAYS = [
    date(2022, 3, 1),
    date(2022, 6, 1),
    date(2023, 7, 3),
    date(2024, 3, 1),
    date(2024, 6, 1),
    date(2024, 12, 2),
    date(2025, 6, 2),
    date(2026, 11, 21),
]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_row_on_a_past_day_agrees_with_a_plain_replay(
    session: Session, calendar: WorkCalendar, day: date
) -> None:
    build_ledger(session, calendar)
    assert_listed_as_replayed(session, calendar, day)


def test_the_stored_columns_are_the_replay_of_today(
    session: Session, calendar: WorkCalendar
) -> None:
    build_ledger(session, calendar)
    assert_listed_as_replayed(session, calendar, TODAY)


# The last change build_ledger records takes effect on 2026-11-20 (1.4c done): the later
# ones are back-dated.
LAST_CHANGE = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("day", "replayed"),
    [(LAST_CHANGE - timedelta(1), True), (LAST_CHANGE, False), (LAST_CHANGE + timedelta(1), False)],
    ids=["before the last change", "its day", "after it"],
)
def test_a_past_day_is_replayed_only_when_something_took_effect_after_it(
    session: Session, calendar: WorkCalendar, day: date, replayed: bool
) -> None:
    build_ledger(session, calendar)
    deadlines = Deadlines(as_of=day, calendar=calendar, today=TODAY)
    assert deadlines.past
    assert as_of_view(session, deadlines).past is replayed
    # Replayed or read from the stored columns, the rows are the plain replay of the day.
    assert_listed_as_replayed(session, calendar, day)


def test_an_event_voided_after_a_past_day_makes_that_day_replayed(
    session: Session, calendar: WorkCalendar
) -> None:
    build_ledger(session, calendar)
    lecture = session.exec(select(Event).where(col(Event.happened_on) == date(2024, 5, 10))).one()
    assert lecture.id is not None
    day = date(2026, 11, 24)
    assert not as_of_view(session, Deadlines(as_of=day, calendar=calendar, today=TODAY)).past
    void_event(
        session=session, event_id=lecture.id, reason="重复登记", user="王科员",
        now=at(TODAY), calendar=calendar,
    )  # fmt: skip
    session.flush()
    view = as_of_view(session, Deadlines(as_of=day, calendar=calendar, today=TODAY))
    assert view.past
    (row,) = [r for r in listed(session, day, calendar, TODAY) if r.code == "5.5a/2024"]
    assert row.done_count == replay(session, day)["5.5a/2024"][1] == 2


def test_a_status_first_set_in_2026_is_not_shown_in_2022(
    session: Session, calendar: WorkCalendar
) -> None:
    build_ledger(session, calendar)
    on = {r.code: r for r in listed(session, date(2022, 3, 1), calendar, TODAY)}
    assert on["1.4c"].status is Status.TODO
    later = {r.code: r for r in listed(session, date(2022, 6, 1), calendar, TODAY)}
    assert later["1.4c"].status is Status.IN_PROGRESS  # the late entry, from its day
    now = {r.code: r for r in listed(session, TODAY, calendar, TODAY)}
    assert now["1.4c"].status is Status.DONE  # the newer change still stands


def test_an_event_counts_only_from_the_day_it_happened(
    session: Session, calendar: WorkCalendar
) -> None:
    build_ledger(session, calendar)
    march = {r.code: r for r in listed(session, date(2024, 3, 1), calendar, TODAY)}
    assert (march["5.5a/2024"].done_count, march["5.5a/2024"].status) == (0, Status.TODO)
    june = {r.code: r for r in listed(session, date(2024, 6, 1), calendar, TODAY)}
    assert (june["5.5a/2024"].done_count, june["5.5a/2024"].status) == (1, Status.IN_PROGRESS)
    december = {r.code: r for r in listed(session, date(2024, 12, 2), calendar, TODAY)}
    assert (december["5.5a/2024"].done_count, december["5.5a/2024"].status) == (
        2,
        Status.DONE,
    )


def test_a_quota_period_is_red_on_a_day_its_first_checkpoint_was_missed(
    session: Session, calendar: WorkCalendar
) -> None:
    build_ledger(session, calendar)
    july = {r.code: r for r in listed(session, date(2023, 7, 3), calendar, TODAY)}
    row = july["5.5a/2023"]
    assert row.done_count == 0 and row.overdue and row.due is not None
    assert (row.due.month, row.due.year) == (6, 2023)
    october = {r.code: r for r in listed(session, date(2023, 10, 9), calendar, TODAY)}
    row = october["5.5a/2023"]
    assert row.done_count == 1 and not row.overdue and row.due is not None
    assert row.due > date(2023, 12, 30)  # the year-end checkpoint (moved off a rest day)


def test_the_overview_on_a_past_day_counts_the_replayed_statuses(
    session: Session, calendar: WorkCalendar
) -> None:
    build_ledger(session, calendar)
    for day, blocked in ((date(2023, 7, 3), 1), (date(2025, 6, 2), 0)):
        view = Deadlines(as_of=day, calendar=calendar, today=TODAY)
        board = dashboard(session=session, deadlines=view)
        assert board.by_status[Status.BLOCKED] == blocked  # 3.3c, blocked 2023 to 2025
        replayed = replay(session, day)
        done = sum(1 for status, _ in replayed.values() if status is Status.DONE)
        assert board.by_status[Status.DONE] <= done


def test_history_shows_both_dates_and_only_what_had_taken_effect(
    session: Session, calendar: WorkCalendar
) -> None:
    build_ledger(session, calendar)
    row = item(session, "3.3c")
    on = Deadlines(as_of=date(2024, 12, 2), calendar=calendar, today=TODAY)
    detail = item_detail(session=session, item=row, deadlines=on)
    notes = [h for h in detail.history if h.kind == "note"]
    assert [(h.effective_on, h.at.date(), h.late_entry) for h in notes] == [
        (date(2024, 6, 3), date(2026, 11, 23), True)
    ]
    assert all(h.effective_on <= on.as_of for h in detail.history)
    statuses = [h.new for h in detail.history if h.kind == "status"]
    assert statuses == ["blocked"]  # the 2025 change had not happened yet


def test_a_change_cannot_take_effect_in_the_future_or_before_the_item_begins(
    session: Session,
) -> None:
    row = item(session, "5.5a/2023")
    with pytest.raises(TrackerError) as future:
        set_status(
            session=session, item=row, status=Status.DONE, note="", user="王科员",
            now=at(TODAY), effective_on=TODAY + timedelta(1),
        )  # fmt: skip
    assert future.value.key == "effective_in_future"
    with pytest.raises(TrackerError) as early:
        set_status(
            session=session, item=row, status=Status.DONE, note="", user="王科员",
            now=at(TODAY), effective_on=date(2022, 12, 31),
        )  # fmt: skip
    assert early.value.key == "effective_before_start"
    count = session.exec(select(History).where(col(History.commitment_id) == row.id)).all()
    assert count == []


# --- the command line ----------------------------------------------------------------------


def cli(db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", db_url, "--user", "王科员", *args])
    return result.exit_code, result.stdout.strip(), result.stderr.strip()


def test_cli_date_back_dates_a_change_and_as_of_shows_it_from_that_day(db_url: str) -> None:
    code, out, _ = cli(db_url, "status", "1.4c", "进行中", "--date", "2022-05-01")
    assert code == 0 and "补录" in out
    assert "进行中" in cli(db_url, "--as-of", "2022-06-01", "list", "--search", "1.4c")[1]
    assert "未开始" in cli(db_url, "--as-of", "2022-03-01", "list", "--search", "1.4c")[1]
    code, _, err = cli(db_url, "status", "1.4c", "已完成", "--date", "2999-01-01")
    assert code == 1 and "晚于今天" in err and "\n" not in err
    code, _, err = cli(db_url, "status", "1.4c", "已完成", "--date", "2022-13-01")
    assert code == 1 and "--date" in err


def test_cli_as_of_a_past_day_makes_a_change_a_late_entry_of_that_day(
    db_url: str, tmp_path: Path
) -> None:
    code, out, _ = cli(db_url, "--as-of", "2022-05-01", "note", "1.4c", "已试行")
    assert code == 0 and "补录，2022-05-01 生效" in out
    code, out, _ = cli(db_url, "--as-of", "2022-05-01", "show", "1.4c", "--format", "json")
    assert code == 0 and '"effective_on": "2022-05-01"' in out and '"late_entry": true' in out


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_review_of_a_past_day_read_in_parts_is_the_review_read_at_once(
    session: Session, calendar: WorkCalendar, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overdue review reads the rows open on a replayed day in two parts (unchanged
    since, changed since), each by its own index: what it shows is what one pass over the
    "open on the day" rows shows."""
    build_ledger(session, calendar)
    deadlines = Deadlines(as_of=day, calendar=calendar, today=TODAY)
    in_parts = overdue_by_unit(session=session, deadlines=deadlines)
    assert any(group.entries for group in in_parts)

    def at_once(view: AsOf) -> list[tuple[Any, Any]]:
        return [(view.is_open(), view.due())]

    monkeypatch.setattr(AsOf, "open_parts", at_once)
    assert overdue_by_unit(session=session, deadlines=deadlines) == in_parts
