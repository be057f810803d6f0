"""Changing the ledger: status, events with evidence, notes and on-demand instances.

Every change must leave a history row (留痕), and a refused change must leave nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from tracker.errors import TrackerError
from tracker.models import (
    Commitment,
    Event,
    Evidence,
    History,
    HistoryKind,
    Kind,
    Person,
    Report,
    Status,
)
from tracker.schedule import WorkCalendar
from tracker.services.events import LoggedEvent, log_event
from tracker.services.instances import ensure_period_instances
from tracker.services.seed_file import Seed
from tracker.services.updates import add_note, parse_status, set_status

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=timezone(timedelta(hours=8)))
SEEDED_THROUGH = 2026
ONE_DAY = timedelta(days=1)
OFFICER = "王科员"


def item(session: Session, code: str) -> Commitment:
    return session.exec(select(Commitment).where(Commitment.code == code)).one()


def history_of(session: Session, row: Commitment) -> list[History]:
    query = select(History).where(History.commitment_id == row.id).order_by(col(History.id))
    return list(session.exec(query).all())


def row_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in SQLModel.metadata.sorted_tables
    }


def log(
    session: Session,
    calendar: WorkCalendar,
    code: str,
    day: date,
    *,
    note: str = "",
    evidence: list[Path] | None = None,
    value: float | None = None,
) -> LoggedEvent:
    return log_event(
        session=session,
        item=item(session, code),
        day=day,
        note=note,
        evidence=evidence or [],
        user=OFFICER,
        now=NOW,
        calendar=calendar,
        value=value,
    )


def first_workday_on_or_after(day: date, calendar: WorkCalendar) -> date:
    while not calendar.is_workday(day):
        day += ONE_DAY
    return day


# --- Status ---


def test_set_status_records_old_new_user_note_and_time(session: Session) -> None:
    row = item(session, "1.4c")
    assert row.status == Status.TODO
    changed = set_status(
        session=session,
        item=row,
        status=Status.IN_PROGRESS,
        note="已配发执法记录仪",
        user=OFFICER,
        now=NOW,
    )
    session.flush()
    assert changed is True
    assert item(session, "1.4c").status == Status.IN_PROGRESS
    (entry,) = history_of(session, row)
    assert (entry.kind, entry.old, entry.new) == (
        HistoryKind.STATUS,
        Status.TODO,
        Status.IN_PROGRESS,
    )
    assert (entry.note, entry.changed_by) == ("已配发执法记录仪", OFFICER)
    assert entry.changed_at == NOW
    assert session.exec(select(Person).where(Person.name == OFFICER)).one()


def test_set_status_to_the_status_it_has_writes_nothing(session: Session) -> None:
    row = item(session, "1.4c")
    before = row_counts(session)
    changed = set_status(
        session=session, item=row, status=Status.TODO, note="", user=OFFICER, now=NOW
    )
    session.flush()
    assert changed is False
    assert row_counts(session) == before


def test_confirming_a_status_with_a_note_is_recorded(session: Session) -> None:
    row = item(session, "3.3a-V07")
    assert row.status == Status.DONE
    changed = set_status(
        session=session,
        item=row,
        status=Status.DONE,
        note="回头看：合同已续签",
        user=OFFICER,
        now=NOW,
    )
    session.flush()
    assert changed is True
    last = history_of(session, row)[-1]
    assert (last.kind, last.old, last.new, last.note) == (
        HistoryKind.STATUS,
        Status.DONE,
        Status.DONE,
        "回头看：合同已续签",
    )


def test_set_status_keeps_every_change_in_order(session: Session) -> None:
    row = item(session, "6.1")
    for status in (Status.IN_PROGRESS, Status.BLOCKED, Status.DONE):
        set_status(session=session, item=row, status=status, note="", user=OFFICER, now=NOW)
    session.flush()
    steps = [(h.old, h.new) for h in history_of(session, row)]
    assert steps == [
        (Status.TODO, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.BLOCKED),
        (Status.BLOCKED, Status.DONE),
    ]


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("未开始", Status.TODO),
        ("待办", Status.TODO),
        ("进行中", Status.IN_PROGRESS),
        ("已完成", Status.DONE),
        ("完成", Status.DONE),
        ("受阻", Status.BLOCKED),
        ("已取消", Status.CANCELLED),
        ("取消", Status.CANCELLED),
        (" 进行中 ", Status.IN_PROGRESS),
        ("in-progress", Status.IN_PROGRESS),
        ("in_progress", Status.IN_PROGRESS),
        ("DONE", Status.DONE),
    ],
)
def test_status_is_understood_in_chinese_and_english(typed: str, status: Status) -> None:
    assert parse_status(typed) is status


@pytest.mark.parametrize("typed", ["完了", "finished", "", "done!"])
def test_unknown_status_is_an_error_naming_it(typed: str) -> None:
    with pytest.raises(TrackerError) as caught:
        parse_status(typed)
    assert caught.value.key == "status_unknown"
    assert caught.value.params["status"] == typed


# --- Events ---


def test_two_lectures_in_2022_complete_that_years_quota(
    session: Session, calendar: WorkCalendar
) -> None:
    instance = item(session, "5.5a/2022")
    # The first checkpoint: one lecture by 30 June (a Thursday in 2022).
    assert (instance.due, instance.stated_due) == (date(2022, 6, 30), None)
    # The second: two by 31 December, a Saturday before the New Year holiday, so the
    # deadline moves forward to the first working day after it (民法典第二百零三条).
    year_end = first_workday_on_or_after(date(2022, 12, 31), calendar)
    assert year_end == date(2023, 1, 3)

    first = log(session, calendar, "5.5a", date(2022, 3, 15), note="宪法专题讲座")
    assert first.item.code == "5.5a/2022"
    assert (first.done_count, first.status_changed) == (1, (Status.TODO, Status.IN_PROGRESS))
    # The checkpoint moved on, and its stated date is kept beside the one that counts.
    instance = item(session, "5.5a/2022")
    assert (instance.due, instance.stated_due) == (year_end, date(2022, 12, 31))

    second = log(session, calendar, "5.5a", date(2022, 9, 20), note="民法典专题讲座")
    assert (second.done_count, second.status_changed) == (2, (Status.IN_PROGRESS, Status.DONE))
    instance = item(session, "5.5a/2022")
    assert (instance.status, instance.due) == (Status.DONE, year_end)

    auto = [h for h in history_of(session, instance) if h.kind == HistoryKind.AUTO_STATUS]
    assert [(h.old, h.new, h.changed_by) for h in auto] == [
        (Status.TODO, Status.IN_PROGRESS, OFFICER),
        (Status.IN_PROGRESS, Status.DONE, OFFICER),
    ]
    events = [h for h in history_of(session, instance) if h.kind == HistoryKind.EVENT]
    assert [h.new for h in events] == ["2022-03-15", "2022-09-20"]
    # Other years are untouched.
    assert item(session, "5.5a/2023").status == Status.TODO


def test_a_third_lecture_counts_but_keeps_the_quota_done(
    session: Session, calendar: WorkCalendar
) -> None:
    for day in (date(2022, 3, 15), date(2022, 9, 20)):
        log(session, calendar, "5.5a", day)
    third = log(session, calendar, "5.5a", date(2022, 11, 8))
    assert (third.done_count, third.status_changed) == (3, None)
    assert item(session, "5.5a/2022").status == Status.DONE


def test_event_on_a_recurring_commitment_goes_to_the_period_of_its_date(
    session: Session, calendar: WorkCalendar
) -> None:
    logged = log(session, calendar, "3.2-M", date(2024, 5, 17), note="五月矛盾纠纷分析会")
    assert logged.item.code == "3.2-M/2024-05"
    assert item(session, "3.2-M/2024-05").status == Status.DONE
    assert logged.status_changed == (Status.TODO, Status.DONE)
    assert item(session, "3.2-M/2024-04").status == Status.TODO
    assert item(session, "3.2-M/2024-06").status == Status.TODO
    (event,) = session.exec(select(Event).where(Event.commitment_id == logged.item.id)).all()
    assert (event.happened_on, event.note, event.recorded_by) == (
        date(2024, 5, 17),
        "五月矛盾纠纷分析会",
        OFFICER,
    )


@pytest.mark.parametrize(
    ("day", "code"),
    [(date(2024, 1, 1), "3.2-W/2024-W01"), (date(2023, 1, 1), "3.2-W/2022-W52")],
)
def test_weekly_events_go_to_the_iso_week_of_their_date(
    session: Session, calendar: WorkCalendar, day: date, code: str
) -> None:
    iso = day.isocalendar()
    assert code.endswith(f"{iso.year}-W{iso.week:02d}")
    assert log(session, calendar, "3.2-W", day).item.code == code


def test_indicator_figure_is_recorded_for_its_year(
    session: Session, calendar: WorkCalendar
) -> None:
    logged = log(session, calendar, "2.1-N3", date(2023, 12, 29), value=18)
    assert logged.item.code == "2.1-N3/2023"
    assert logged.event.value == 18
    assert item(session, "2.1-N3/2023").status == Status.DONE


def test_event_outside_the_instances_period_is_refused(
    session: Session, calendar: WorkCalendar
) -> None:
    before = row_counts(session)
    with pytest.raises(TrackerError) as caught:
        log(session, calendar, "3.2-M/2024-05", date(2024, 6, 1))
    assert caught.value.key == "event_outside_period"
    assert caught.value.params == {
        "code": "3.2-M/2024-05",
        "start": "2024-05-01",
        "end": "2024-05-31",
    }
    assert row_counts(session) == before


def test_event_dated_in_the_future_is_refused(session: Session, calendar: WorkCalendar) -> None:
    tomorrow = NOW.date() + ONE_DAY
    with pytest.raises(TrackerError) as caught:
        log(session, calendar, "3.2-M", tomorrow)
    assert caught.value.key == "event_in_future"
    assert caught.value.params["date"] == tomorrow.isoformat()
    # Today itself is fine.
    assert log(session, calendar, "3.2-M", NOW.date()).item.code == "3.2-M/2026-11"


def test_evidence_files_are_fingerprinted(
    session: Session, calendar: WorkCalendar, tmp_path: Path
) -> None:
    sign_in = tmp_path / "签到表.pdf"
    sign_in.write_bytes(b"%PDF-1.4 sign-in sheet " * 1000)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(bytes(range(256)) * 17)
    logged = log(session, calendar, "5.5a", date(2023, 4, 12), evidence=[sign_in, photo])
    stored = session.exec(
        select(Evidence).where(Evidence.event_id == logged.event.id).order_by(col(Evidence.id))
    ).all()
    assert [(e.path, e.sha256, e.size) for e in stored] == [
        (str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest(), len(path.read_bytes()))
        for path in (sign_in, photo)
    ]


def test_missing_evidence_file_refuses_the_event_and_writes_nothing(
    session: Session, calendar: WorkCalendar, tmp_path: Path
) -> None:
    present = tmp_path / "minutes.docx"
    present.write_bytes(b"minutes")
    missing = tmp_path / "photo.jpg"
    before = row_counts(session)
    with pytest.raises(TrackerError) as caught:
        log(session, calendar, "3.2-M", date(2024, 5, 17), evidence=[present, missing])
    assert caught.value.key == "evidence_missing"
    assert caught.value.params["path"] == str(missing)
    # Nothing pending in the session, nothing flushed, and nothing after a rollback either.
    assert not session.new and not session.dirty
    assert row_counts(session) == before
    session.rollback()
    assert row_counts(session) == before
    assert item(session, "3.2-M/2024-05").status == Status.TODO


def test_refused_event_on_a_commitment_creates_no_period_instance(
    session: Session, calendar: WorkCalendar, tmp_path: Path
) -> None:
    # July 2021 has no instance of 3.2-M (it starts in 2022); a valid event would make one.
    before = row_counts(session)
    with pytest.raises(TrackerError) as caught:
        log(session, calendar, "3.2-M", date(2021, 7, 1), evidence=[tmp_path / "none.pdf"])
    assert caught.value.key == "evidence_missing"
    assert row_counts(session) == before


# --- Notes ---


def test_add_note_appends_signed_lines_and_keeps_earlier_notes(session: Session) -> None:
    row = item(session, "5.5a")
    original = row.notes
    assert original  # the seed's own note
    add_note(session=session, item=row, text="  已采购执法记录仪  ", user=OFFICER, now=NOW)
    later = NOW + timedelta(days=1, hours=2)
    add_note(session=session, item=row, text="已培训", user="李所长", now=later)
    session.flush()
    notes = item(session, "5.5a").notes.split("\n")
    assert notes == [
        *original.split("\n"),
        f"[2026-11-26 09:30 {OFFICER}] 已采购执法记录仪",
        "[2026-11-27 11:30 李所长] 已培训",
    ]
    entries = [h for h in history_of(session, row) if h.kind == HistoryKind.NOTE]
    assert [(h.note, h.changed_by) for h in entries] == [
        ("已采购执法记录仪", OFFICER),
        ("已培训", "李所长"),
    ]


def test_empty_note_is_refused(session: Session) -> None:
    with pytest.raises(TrackerError) as caught:
        add_note(session=session, item=item(session, "1.4c"), text="  ", user=OFFICER, now=NOW)
    assert caught.value.key == "note_empty"


# --- Period instances on demand ---


def test_period_instances_for_a_new_year_are_created_once(
    session: Session, seed: Seed, calendar: WorkCalendar
) -> None:
    report = session.exec(select(Report)).one()
    workdays = 0
    day = date(2027, 1, 1)
    while day.year == 2027:
        workdays += calendar.is_workday(day)
        day += ONE_DAY
    per_year = {"daily": workdays, "weekly": date(2027, 12, 28).isocalendar().week, "monthly": 12}
    expected = sum(
        per_year.get(c.frequency.value if c.frequency else "", 1)
        for c in seed.document.commitments
        if c.kind in (Kind.RECURRING, Kind.QUOTA, Kind.INDICATOR)
    )
    created = ensure_period_instances(
        session=session, report=report, through_year=2027, calendar=calendar
    )
    assert created == expected
    in_2027 = session.exec(
        select(func.count()).select_from(Commitment).where(col(Commitment.period_key).like("2027%"))
    ).one()
    assert in_2027 == expected
    assert item(session, "5.5a/2027").status == Status.TODO
    assert report.instances_through == 2027

    again = ensure_period_instances(
        session=session, report=report, through_year=2027, calendar=calendar
    )
    assert again == 0
    assert (
        session.exec(select(func.count()).select_from(Commitment)).one()
        == (row_counts(session)["commitment"])
    )


def test_an_event_before_a_periodic_commitment_starts_is_refused_and_writes_nothing(
    session: Session, calendar: WorkCalendar
) -> None:
    before = row_counts(session)
    with pytest.raises(TrackerError) as caught:
        log(session, calendar, "5.5a", date(2021, 11, 3), note="2021年的讲座")
    assert caught.value.key == "event_before_start"
    assert caught.value.params["start"] == "2022-01-01"
    session.flush()
    assert row_counts(session) == before
