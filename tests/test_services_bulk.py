"""Recurring duties as officers keep them (issue 9, point 3): a range of periods logged at
once, a recurring commitment itself given no status but cancelled, and cancelling it
stopping its future periods.

Every test runs on the seeded ledger (SQLite, and PostgreSQL when configured), inside a
transaction rolled back afterwards.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from tracker.errors import TrackerError
from tracker.models import Commitment, Event, Evidence, History, HistoryKind, Report, Status
from tracker.schedule import Light, WorkCalendar
from tracker.services.bulk import MAX_RANGE_DAYS, BulkResult, log_range
from tracker.services.deadlines import Deadlines
from tracker.services.evidence_store import session_evidence_root, stored_path
from tracker.services.instances import ensure_period_instances
from tracker.services.signoff import verify
from tracker.services.updates import set_status

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=CST)
OFFICER = "王科员"
DAILY, WEEKLY, MONTHLY = "3.2-D", "3.2-W", "3.2-M"
ONE_DAY = timedelta(days=1)


def item(session: Session, code: str) -> Commitment:
    return session.exec(select(Commitment).where(Commitment.code == code)).one()


def row_counts(session: Session) -> dict[str, int]:
    session.flush()
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }


def bulk(
    session: Session,
    calendar: WorkCalendar,
    code: str,
    start: date,
    end: date,
    *,
    note: str = "",
    evidence: list[Path] | None = None,
    now: datetime = NOW,
) -> BulkResult:
    return log_range(
        session=session,
        item=item(session, code),
        start=start,
        end=end,
        note=note,
        evidence=evidence or [],
        user=OFFICER,
        now=now,
        calendar=calendar,
    )


def events_of(session: Session, code: str) -> list[Event]:
    query = (
        select(Event)
        .join(Commitment, col(Commitment.id) == Event.commitment_id)
        .where(Commitment.code == code)
        .order_by(col(Event.id))
    )
    return list(session.exec(query).all())


def workdays(start: date, end: date, calendar: WorkCalendar) -> list[date]:
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return [day for day in days if calendar.is_workday(day)]


# --- Logging a range -------------------------------------------------------------------------


def test_a_month_of_daily_screening_logs_one_event_per_working_day_sharing_one_stored_copy(
    session: Session, calendar: WorkCalendar, tmp_path: Path
) -> None:
    register = tmp_path / "排查登记表.pdf"
    register.write_bytes("%PDF-1.4 2022年1月矛盾纠纷排查登记表".encode())
    result = bulk(
        session,
        calendar,
        DAILY,
        date(2022, 1, 4),
        date(2022, 1, 31),
        note="1月日排查记录",
        evidence=[register],
    )
    # Jan 2022: the working days from the 4th, the make-up Saturday and Sunday (29, 30)
    # included, the Spring Festival holiday from the 31st left out.
    days = workdays(date(2022, 1, 4), date(2022, 1, 31), calendar)
    assert date(2022, 1, 29) in days and date(2022, 1, 31) not in days
    assert result.logged == tuple(f"{DAILY}/{day.isoformat()}" for day in days)
    assert (result.recorded, result.cancelled) == (0, 0)
    shas = set()
    for day in days:
        code = f"{DAILY}/{day.isoformat()}"
        (event,) = events_of(session, code)
        assert (event.happened_on, event.note, event.recorded_by) == (day, "1月日排查记录", OFFICER)
        (proof,) = session.exec(select(Evidence).where(Evidence.event_id == event.id)).all()
        assert proof.path == str(register.resolve())
        shas.add(proof.sha256)
        assert item(session, code).status == Status.DONE
        kinds = session.exec(
            select(History.kind).where(History.commitment_id == item(session, code).id)
        ).all()
        assert HistoryKind.EVENT in kinds and HistoryKind.AUTO_STATUS in kinds
    # One stored copy, pointed at by every period's evidence row.
    (sha,) = shas
    store = session_evidence_root(session)
    assert stored_path(store, sha).read_bytes() == register.read_bytes()
    assert [p for p in store.rglob("*") if p.is_file()] == [stored_path(store, sha)]


def test_logging_an_overlapping_range_skips_the_periods_that_already_have_a_record(
    session: Session, calendar: WorkCalendar
) -> None:
    first = bulk(session, calendar, DAILY, date(2022, 3, 1), date(2022, 3, 15))
    second = bulk(session, calendar, DAILY, date(2022, 3, 1), date(2022, 3, 31))
    march = workdays(date(2022, 3, 1), date(2022, 3, 31), calendar)
    assert len(first.logged) + len(second.logged) == len(march)
    assert second.recorded == len(first.logged)
    assert all(len(events_of(session, code)) == 1 for code in first.logged + second.logged)
    again = bulk(session, calendar, DAILY, date(2022, 3, 1), date(2022, 3, 31))
    assert (again.logged, again.recorded) == ((), len(march))


def test_a_period_whose_only_event_is_voided_counts_as_unrecorded(
    session: Session, calendar: WorkCalendar
) -> None:
    bulk(session, calendar, MONTHLY, date(2022, 4, 1), date(2022, 5, 31))
    (april,) = events_of(session, f"{MONTHLY}/2022-04")
    april.voided_on, april.voided_by, april.void_reason = date(2022, 6, 1), OFFICER, "记错月份"
    session.add(april)
    again = bulk(session, calendar, MONTHLY, date(2022, 4, 1), date(2022, 5, 31))
    assert (again.logged, again.recorded) == ((f"{MONTHLY}/2022-04",), 1)
    assert len(events_of(session, f"{MONTHLY}/2022-04")) == 2


def test_a_week_or_month_is_logged_on_its_last_working_day_within_the_range(
    session: Session, calendar: WorkCalendar
) -> None:
    weekly = bulk(session, calendar, WEEKLY, date(2022, 1, 1), date(2022, 1, 31))
    # 2021-W52 (27 Dec – 2 Jan) is not a period of a duty that starts in 2022.
    assert weekly.logged == tuple(f"{WEEKLY}/2022-W{week:02d}" for week in range(1, 6))
    days = {code: events_of(session, code)[0].happened_on for code in weekly.logged}
    assert days[f"{WEEKLY}/2022-W01"] == date(2022, 1, 7)  # a Friday
    assert days[f"{WEEKLY}/2022-W04"] == date(2022, 1, 30)  # the make-up working Sunday
    # W05 runs 31 Jan – 6 Feb; the range ends on the 31st, a holiday: the range's end.
    assert days[f"{WEEKLY}/2022-W05"] == date(2022, 1, 31)
    monthly = bulk(session, calendar, MONTHLY, date(2022, 1, 1), date(2022, 3, 15))
    assert monthly.logged == (f"{MONTHLY}/2022-01", f"{MONTHLY}/2022-02", f"{MONTHLY}/2022-03")
    days = {code: events_of(session, code)[0].happened_on for code in monthly.logged}
    assert days[f"{MONTHLY}/2022-01"] == date(2022, 1, 30)
    assert days[f"{MONTHLY}/2022-02"] == date(2022, 2, 28)
    assert days[f"{MONTHLY}/2022-03"] == date(2022, 3, 15)  # the range ends mid-month


def test_every_month_of_2022_logged_in_bulk_leaves_no_recurring_period_of_2022_red(
    session: Session, calendar: WorkCalendar
) -> None:
    as_of = Deadlines(as_of=date(2022, 12, 31), calendar=calendar)
    now = datetime(2023, 1, 5, 17, 0, tzinfo=CST)
    periods_2022 = (
        select(Commitment)
        .join(Report, col(Report.id) == Commitment.report_id)
        .where(
            col(Commitment.parent_id).is_not(None),
            Commitment.kind == "recurring",
            col(Commitment.period_start) >= date(2022, 1, 1),
            col(Commitment.period_start) <= date(2022, 12, 31),
        )
    )
    before = session.exec(periods_2022).all()
    # Unlogged, every period past its deadline is red: the bug officers saw.
    red_before = [row for row in before if as_of.light(row.due, row.status) is Light.RED]
    assert len(red_before) == sum(row.due is not None and row.due < as_of.as_of for row in before)
    assert len(red_before) > 300

    logged = 0
    for code in (DAILY, WEEKLY, MONTHLY):
        for month in range(1, 13):
            start = date(2022, month, 1)
            end = date(2022, month + 1, 1) - ONE_DAY if month < 12 else date(2022, 12, 31)
            logged += len(bulk(session, calendar, code, start, end, note="台账", now=now).logged)

    after = session.exec(periods_2022).all()
    assert logged == len(after) == len(before)
    red = [row.code for row in after if as_of.light(row.due, row.status) is Light.RED]
    assert red == []
    assert {row.status for row in after} == {Status.DONE}


# --- What is refused, with nothing written --------------------------------------------------


@pytest.mark.parametrize(
    ("code", "start", "end", "key"),
    [
        (DAILY, date(2022, 2, 1), date(2022, 1, 4), "bulk_range_reversed"),
        (DAILY, date(2012, 1, 1), date(2022, 1, 31), "bulk_range_too_long"),
        (DAILY, date(2022, 1, 1), date(2023, 1, 2), "bulk_range_too_long"),
        (DAILY, date(2026, 11, 1), date(2026, 11, 27), "bulk_range_future"),
        (DAILY, date(2021, 12, 20), date(2022, 1, 31), "bulk_before_start"),
        (MONTHLY, date(2021, 1, 1), date(2021, 12, 31), "bulk_before_start"),
        ("5.5a", date(2022, 1, 1), date(2022, 1, 31), "bulk_not_recurring"),
        ("1.1a", date(2022, 1, 1), date(2022, 1, 31), "bulk_not_recurring"),
        (f"{DAILY}/2022-01-04", date(2022, 1, 1), date(2022, 1, 31), "bulk_on_period"),
    ],
)
def test_a_range_that_cannot_be_logged_is_refused_and_writes_nothing(
    session: Session, calendar: WorkCalendar, code: str, start: date, end: date, key: str
) -> None:
    before = row_counts(session)
    with pytest.raises(TrackerError) as caught:
        bulk(session, calendar, code, start, end, note="批量")
    assert caught.value.key == key
    assert row_counts(session) == before


def test_a_year_with_its_leap_day_is_the_longest_range() -> None:
    assert (date(2024, 12, 31) - date(2024, 1, 1)).days + 1 == MAX_RANGE_DAYS


def test_a_missing_evidence_file_refuses_the_whole_range(
    session: Session, calendar: WorkCalendar, tmp_path: Path
) -> None:
    present = tmp_path / "登记表.pdf"
    present.write_bytes(b"register")
    before = row_counts(session)
    with pytest.raises(TrackerError) as caught:
        bulk(
            session,
            calendar,
            DAILY,
            date(2022, 1, 4),
            date(2022, 1, 31),
            evidence=[present, tmp_path / "missing.pdf"],
        )
    assert caught.value.key == "evidence_missing"
    assert row_counts(session) == before
    assert not (tmp_path / "evidence").exists()  # nothing stored either


# --- A recurring commitment itself ------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.DONE, Status.IN_PROGRESS, Status.TODO, Status.BLOCKED])
def test_a_recurring_commitment_itself_takes_no_status_but_cancelled(
    session: Session, status: Status
) -> None:
    before = row_counts(session)
    with pytest.raises(TrackerError) as caught:
        set_status(
            session=session,
            item=item(session, DAILY),
            status=status,
            note="",
            user=OFFICER,
            now=NOW,
        )
    assert caught.value.key == "recurring_status_refused"
    assert caught.value.message().count(f"tracker log {DAILY} --from") == 1
    assert row_counts(session) == before


def test_a_period_of_a_recurring_commitment_still_takes_a_status(session: Session) -> None:
    period = item(session, f"{DAILY}/2022-01-04")
    assert set_status(
        session=session, item=period, status=Status.DONE, note="补", user=OFFICER, now=NOW
    )
    assert period.status == Status.DONE


def test_a_recurring_commitment_itself_is_not_signed_off(session: Session) -> None:
    parent = item(session, MONTHLY)
    parent.status = Status.DONE  # as an older tracker could have left it
    session.add(parent)
    before = row_counts(session)
    with pytest.raises(TrackerError) as caught:
        verify(session=session, item=parent, note="", user=OFFICER, now=NOW)
    assert caught.value.key == "recurring_verify_refused"
    assert row_counts(session) == before


def test_cancelling_a_recurring_commitment_cancels_the_periods_not_begun_and_stops_new_ones(
    session: Session, calendar: WorkCalendar
) -> None:
    weekly = item(session, WEEKLY)
    current = f"{WEEKLY}/2026-W48"  # 23–29 Nov 2026: NOW is in it
    assert set_status(
        session=session,
        item=weekly,
        status=Status.CANCELLED,
        note="改为随月分析一并研判",
        user=OFFICER,
        now=NOW,
    )
    periods = session.exec(select(Commitment).where(Commitment.parent_id == weekly.id)).all()
    later = [p for p in periods if p.period_start and p.period_start > NOW.date()]
    assert [p.code for p in later] == [f"{WEEKLY}/2026-W{week}" for week in range(49, 54)]
    assert {p.status for p in later} == {Status.CANCELLED}
    for period in later:
        (entry,) = session.exec(
            select(History).where(History.commitment_id == period.id, History.new == "cancelled")
        ).all()
        assert (entry.old, entry.changed_by) == (Status.TODO, OFFICER)
        assert "改为随月分析一并研判" in entry.note
    assert item(session, current).status == Status.TODO  # the current week is left
    assert item(session, f"{WEEKLY}/2022-W01").status == Status.TODO  # and the past

    report = session.exec(select(Report)).one()
    ensure_period_instances(session=session, report=report, through_year=2027, calendar=calendar)
    new = session.exec(
        select(func.count())
        .select_from(Commitment)
        .where(Commitment.parent_id == weekly.id, col(Commitment.period_key).like("2027%"))
    ).one()
    assert new == 0
    # The other recurring duties go on.
    assert (
        session.exec(
            select(func.count())
            .select_from(Commitment)
            .where(col(Commitment.code).like(f"{MONTHLY}/2027-%"))
        ).one()
        == 12
    )


def test_bulk_logging_a_cancelled_commitment_logs_its_past_periods_only(
    session: Session, calendar: WorkCalendar
) -> None:
    weekly = item(session, WEEKLY)
    set_status(
        session=session, item=weekly, status=Status.CANCELLED, note="", user=OFFICER, now=NOW
    )
    later = datetime(2027, 1, 20, 9, 0, tzinfo=CST)
    result = bulk(session, calendar, WEEKLY, date(2026, 11, 16), date(2027, 1, 15), now=later)
    # W47 and W48 logged; W49–W53 cancelled; 2027's weeks were never made.
    assert result.logged == (f"{WEEKLY}/2026-W47", f"{WEEKLY}/2026-W48")
    assert result.cancelled == 5 + 2
    assert result.recorded == 0
