"""The supervisor's review: red and yellow items by unit, period instances folded.

Counts are checked against plain SQL over the ledger, lateness against the working-day
calendar; nothing is compared with numbers copied from an earlier run.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, text
from sqlmodel import Session, select

from tracker.models import Commitment, Status
from tracker.schedule import Light, WorkCalendar
from tracker.services.deadlines import Deadlines
from tracker.services.overdue import UnitGroup, overdue_by_unit

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=timezone(timedelta(hours=8)))
SEEDED_THROUGH = 2026
ONE_DAY = timedelta(days=1)
OPEN_SQL = "status NOT IN ('done', 'cancelled')"


def scalar(session: Session, sql: str, **params: object) -> int:
    return int(session.execute(text(sql), params).scalar_one())


def review(session: Session, deadlines: Deadlines, unit: str | None = None) -> list[UnitGroup]:
    return overdue_by_unit(session=session, deadlines=deadlines, unit=unit)


def mark(session: Session, status: Status, *codes: str) -> None:
    for code in codes:
        row = session.exec(select(Commitment).where(Commitment.code == code)).one()
        row.status = status
        session.add(row)
    session.flush()


def workdays_after(calendar: WorkCalendar, start: date, end: date) -> int:
    """Working days d with start < d <= end, counted one day at a time."""
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += calendar.is_workday(day)
    return count


def test_units_are_sorted_by_their_red_count(session: Session, deadlines: Deadlines) -> None:
    groups = review(session, deadlines)
    assert len(groups) > 1
    reds = [group.red for group in groups]
    assert reds == sorted(reds, reverse=True)
    for group in groups:
        late = (
            "FROM commitment c JOIN unit u ON u.id = c.unit_id "
            f"WHERE u.name = :unit AND c.{OPEN_SQL} AND c.due < :as_of"
        )
        rows = scalar(session, f"SELECT count(*) {late}", unit=group.unit, as_of=deadlines.as_of)
        commitments = scalar(
            session,
            f"SELECT count(DISTINCT coalesce(c.parent_id, c.id)) {late}",
            unit=group.unit,
            as_of=deadlines.as_of,
        )
        # Red counts commitments, each once; the late periods and items stand beside.
        assert (group.red, group.red_items) == (commitments, rows), group.unit


def test_every_red_row_of_the_ledger_is_counted_once(
    session: Session, deadlines: Deadlines
) -> None:
    groups = review(session, deadlines)
    red = sum(group.red_items for group in groups)
    yellow = sum(e.count for group in groups for e in group.entries if e.light is Light.YELLOW)
    assert red == scalar(
        session,
        f"SELECT count(*) FROM commitment WHERE {OPEN_SQL} AND due < :as_of",
        as_of=deadlines.as_of,
    )
    # Yellow: due soon, among what has begun (tomorrow's daily screening is nobody's yet).
    assert yellow == scalar(
        session,
        f"SELECT count(*) FROM commitment WHERE {OPEN_SQL} AND due >= :as_of AND due <= :limit"
        " AND (period_start IS NULL OR period_start <= :as_of)",
        as_of=deadlines.as_of,
        limit=deadlines.yellow_limit,
    )


def test_period_instances_of_a_commitment_fold_into_one_entry(
    session: Session, deadlines: Deadlines
) -> None:
    entries = [e for group in review(session, deadlines) for e in group.entries]
    red = [e for e in entries if e.light is Light.RED]
    assert len({e.code for e in red}) == len(red)  # one red entry per commitment
    for code in ("3.2-D", "3.2-W", "3.2-M", "5.5a", "2.1-N1"):
        (entry,) = [e for e in red if e.code == code]
        parent_id = scalar(session, "SELECT id FROM commitment WHERE code = :code", code=code)
        direct = scalar(
            session,
            f"SELECT count(*) FROM commitment WHERE parent_id = :parent AND {OPEN_SQL} "
            "AND due < :as_of",
            parent=parent_id,
            as_of=deadlines.as_of,
        )
        assert entry.count == direct > 1, code
        oldest = session.execute(
            text(
                f"SELECT code, due FROM commitment WHERE parent_id = :parent AND {OPEN_SQL} "
                "ORDER BY due LIMIT 1"
            ),
            {"parent": parent_id},
        ).one()
        # Raw SQL gives SQLite's dates as text.
        oldest_due = date.fromisoformat(str(oldest.due))
        assert (entry.first_code, entry.due) == (oldest.code, oldest_due), code


def test_closing_periods_shrinks_the_folded_count(session: Session, deadlines: Deadlines) -> None:
    mark(session, Status.DONE, "5.5a/2022", "5.5a/2023", "5.5a/2025")
    (entry,) = [
        e for g in review(session, deadlines, "镇党委") for e in g.entries if e.code == "5.5a"
    ]
    assert (entry.count, entry.first_code) == (2, "5.5a/2024")
    mark(session, Status.CANCELLED, "5.5a/2024", "5.5a/2026")
    codes = {e.code for g in review(session, deadlines, "镇党委") for e in g.entries}
    assert "5.5a" not in codes


def test_red_entries_come_before_yellow_ones_oldest_first(
    session: Session, deadlines: Deadlines
) -> None:
    groups = review(session, deadlines)
    assert any(e.light is Light.YELLOW for group in groups for e in group.entries)
    for group in groups:
        lights = [e.light for e in group.entries]
        assert lights == sorted(lights, key=lambda light: light is not Light.RED)
        for light in (Light.RED, Light.YELLOW):
            dues = [e.due for e in group.entries if e.light is light]
            assert dues == sorted(dues)


def test_yellow_entries_are_due_within_three_working_days(
    session: Session, deadlines: Deadlines, calendar: WorkCalendar
) -> None:
    as_of = deadlines.as_of
    yellow = [e for g in review(session, deadlines) for e in g.entries if e.light is Light.YELLOW]
    for entry in yellow:
        assert entry.due >= as_of
        assert workdays_after(calendar, as_of, entry.due) <= 3
        assert (entry.lateness.calendar_days, entry.lateness.working_days) == (0, 0)
    # Daily screening: only today's period has begun, so only it is yellow; the coming
    # days' periods are not yet anyone's to chase.
    (daily,) = [e for e in yellow if e.code == "3.2-D"]
    assert calendar.is_workday(as_of)
    assert (daily.count, daily.first_code) == (1, f"3.2-D/{as_of.isoformat()}")


@pytest.mark.parametrize("unit", ["镇党委", "town party committee"])
def test_unit_filter_returns_only_that_units_entries(
    session: Session, deadlines: Deadlines, unit: str
) -> None:
    (group,) = review(session, deadlines, unit)
    assert group.unit == "镇党委"
    everything = {g.unit: g for g in review(session, deadlines)}
    assert group.entries == everything["镇党委"].entries
    codes = {e.first_code for e in group.entries}
    units = session.execute(
        text(
            "SELECT DISTINCT u.name FROM commitment c JOIN unit u ON u.id = c.unit_id "
            "WHERE c.code IN :codes"
        ).bindparams(bindparam("codes", expanding=True)),
        {"codes": sorted(codes)},
    ).scalars()
    assert set(units) == {"镇党委"}


@pytest.mark.parametrize("as_of", [date(2026, 11, 26), date(2023, 10, 8), date(2024, 2, 18)])
def test_lateness_counts_calendar_and_working_days(
    session: Session, calendar: WorkCalendar, as_of: date
) -> None:
    deadlines = Deadlines(as_of=as_of, calendar=calendar, today=as_of)
    red = [e for g in review(session, deadlines) for e in g.entries if e.light is Light.RED]
    assert red
    for entry in red:
        assert entry.due < as_of
        assert entry.lateness.calendar_days == (as_of - entry.due).days
        assert entry.lateness.working_days == workdays_after(calendar, entry.due, as_of)


def test_lateness_over_a_holiday_counts_only_working_days(
    session: Session, calendar: WorkCalendar
) -> None:
    # 3.2-M/2023-08 was due Thu 31 Aug 2023. By Mon 9 Oct, 39 days later, only 23 were worked:
    # 29 Sep - 6 Oct was the Mid-Autumn and National Day holiday, Sat 7 and Sun 8 Oct were
    # make-up working days. (3.2-M/2023-09, stated 30 Sep, counts from Sat 7 Oct.)
    deadlines = Deadlines(as_of=date(2023, 10, 9), calendar=calendar, today=date(2023, 10, 9))
    closed = [f"3.2-M/2022-{m:02d}" for m in range(1, 13)] + [
        f"3.2-M/2023-{m:02d}" for m in range(1, 8)
    ]
    mark(session, Status.DONE, *closed)
    (entry,) = [
        e
        for g in review(session, deadlines)
        for e in g.entries
        if e.code == "3.2-M" and e.light is Light.RED
    ]
    assert (entry.first_code, entry.due, entry.count) == ("3.2-M/2023-08", date(2023, 8, 31), 2)
    assert (entry.lateness.calendar_days, entry.lateness.working_days) == (39, 23)
