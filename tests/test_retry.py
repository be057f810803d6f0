"""A unit of work that loses a race with another writer (services.retry): what counts as a
conflict, on real databases; an append is rerun from scratch and kept once; a change made
from a stale view is refused at once; reruns are bounded; nothing else is rerun."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from tracker.db import begin_writing, new_session
from tracker.errors import TrackerError
from tracker.models import Commitment, Event, Person, Status
from tracker.schedule import WorkCalendar
from tracker.services.events import log_event
from tracker.services.lookup import get_commitment
from tracker.services.retry import ATTEMPTS, conflicts_refused, is_conflict, refusal, retrying
from tracker.services.updates import add_note, set_status

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _change_elsewhere(engine: Engine, code: str) -> None:
    """Another officer's change (a note), committed in a session of its own."""
    with new_session(engine) as other:
        item = get_commitment(session=other, code=code, report_slug=None)
        add_note(session=other, item=item, text="李四的备注", user="李四", now=NOW)
        other.commit()


def _notes(engine: Engine, code: str) -> str:
    with new_session(engine) as session:
        return get_commitment(session=session, code=code, report_slug=None).notes


def _race_lost(engine: Engine) -> BaseException:
    """What a writer gets whose item another committed a change to after it read it."""
    with new_session(engine) as mine:
        item = get_commitment(session=mine, code="6.1", report_slug=None)
        _change_elsewhere(engine, "6.1")
        item.title = "mine"
        with pytest.raises(Exception) as lost:
            mine.commit()
    return lost.value


def test_a_stale_version_is_a_conflict_that_says_the_item_changed(engine: Engine) -> None:
    lost = _race_lost(engine)
    assert is_conflict(lost)
    assert refusal(lost).key == "item_changed_now"


def test_a_unique_violation_is_not_a_conflict_and_passes_through_untouched(
    engine: Engine,
) -> None:
    tries = 0

    def attempt() -> None:
        nonlocal tries
        tries += 1
        with new_session(engine) as session:
            session.add(Person(name="李四"))
            session.add(Person(name="李四"))
            session.commit()

    with pytest.raises(IntegrityError) as failed:
        retrying(attempt)
    assert not is_conflict(failed.value)
    assert tries == 1


def test_a_change_that_loses_a_race_is_rerun_from_scratch_and_kept_once(engine: Engine) -> None:
    """As at the command line: the first try reads the item, another officer commits a
    change to it before the try writes, so its UPDATE matches nothing; the rerun reads the
    item afresh and succeeds."""
    tries = 0

    def attempt() -> None:
        nonlocal tries
        tries += 1
        with new_session(engine) as session:
            item = get_commitment(session=session, code="1.4c", report_slug=None)
            if tries == 1:
                _change_elsewhere(engine, "1.4c")
            set_status(
                session=session, item=item, status=Status.DONE, note="完成", user="王科员", now=NOW
            )
            session.commit()

    retrying(attempt, sleep=lambda _seconds: None)
    assert tries == 2
    with new_session(engine) as session:
        item = get_commitment(session=session, code="1.4c", report_slug=None)
        assert item.status == Status.DONE and "李四的备注" in item.notes


def test_sqlite_an_append_that_loses_a_race_is_rerun_and_kept_once(
    engine: Engine, backend: str
) -> None:
    """Without a writer's lock (begin_writing), another officer can commit between a note's
    reading the item and its commit; the rerun appends it once."""
    if backend != "sqlite":
        pytest.skip("on PostgreSQL the append holds the row: see the test of waiting below")
    tries = 0

    def attempt() -> None:
        nonlocal tries
        tries += 1
        with new_session(engine) as session:
            item = get_commitment(session=session, code="1.4c", report_slug=None)
            add_note(session=session, item=item, text="会议纪要", user="王科员", now=NOW)
            if tries == 1:
                _change_elsewhere(engine, "1.4c")
            session.commit()

    retrying(attempt, sleep=lambda _seconds: None)
    assert tries == 2
    notes = _notes(engine, "1.4c")
    assert notes.count("会议纪要") == 1 and notes.count("李四的备注") == 1


def test_a_change_made_from_a_stale_view_is_refused_at_once_and_keeps_nothing(
    engine: Engine,
) -> None:
    tries = 0

    def attempt() -> None:
        nonlocal tries
        tries += 1
        with new_session(engine) as session:
            item = get_commitment(session=session, code="1.4c", report_slug=None)
            _change_elsewhere(engine, "1.4c")
            set_status(
                session=session, item=item, status=Status.DONE, note="完成", user="王科员", now=NOW
            )
            session.commit()

    with pytest.raises(TrackerError) as refused, conflicts_refused():
        attempt()
    assert refused.value.key == "item_changed_now"
    assert tries == 1
    with new_session(engine) as session:
        item = get_commitment(session=session, code="1.4c", report_slug=None)
        assert item.status == Status.TODO


def test_reruns_are_bounded_and_spread_by_random_pauses(engine: Engine) -> None:
    """A writer that loses every time is told after ATTEMPTS tries, having waited a random
    while before each rerun (never the same pause, never longer than the cap)."""
    pauses: list[float] = []

    def attempt() -> None:
        raise _race_lost(engine)

    with pytest.raises(TrackerError) as refused:
        retrying(attempt, sleep=pauses.append)
    assert refused.value.key == "item_changed_now"
    assert len(pauses) == ATTEMPTS - 1
    assert len(set(pauses)) == len(pauses) and all(0 <= p <= 1.0 for p in pauses)


def test_a_refusal_is_never_rerun(engine: Engine) -> None:
    tries = 0

    def attempt() -> None:
        nonlocal tries
        tries += 1
        raise TrackerError("note_empty")

    with pytest.raises(TrackerError):
        retrying(attempt)
    assert tries == 1


def test_sqlite_a_write_lock_held_past_the_busy_timeout_is_a_conflict_told_as_busy(
    engine: Engine, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's single write lock")
    with new_session(engine) as holder, new_session(engine) as waiter:
        begin_writing(holder)
        waiter.connection().exec_driver_sql("PRAGMA busy_timeout = 50")
        with pytest.raises(DBAPIError) as locked:
            begin_writing(waiter)
    assert is_conflict(locked.value)
    assert refusal(locked.value).key == "db_busy"


def test_sqlite_a_writer_reads_after_taking_the_lock_so_it_never_reads_a_stale_version(
    engine: Engine, backend: str
) -> None:
    """begin_writing makes the reads that follow part of the writer's transaction: another
    writer cannot commit between them and the UPDATE."""
    if backend != "sqlite":
        pytest.skip("SQLite's single write lock")
    with new_session(engine) as session:
        begin_writing(session)
        item = get_commitment(session=session, code="6.1", report_slug=None)
        with new_session(engine) as other:
            other.connection().exec_driver_sql("PRAGMA busy_timeout = 50")
            with pytest.raises(DBAPIError):
                begin_writing(other)
        item.notes = "mine"
        session.commit()
    assert _notes(engine, "6.1") == "mine"


def _pg_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL's own conflicts")


def test_postgresql_a_serialization_failure_during_an_append_is_rerun(
    engine: Engine, backend: str, calendar: WorkCalendar
) -> None:
    """A REPEATABLE READ transaction whose item another commits a change to aborts with
    SQLSTATE 40001; the append is run again and kept once."""
    _pg_only(backend)
    tries, failures = 0, []

    def attempt() -> None:
        nonlocal tries
        tries += 1
        with new_session(engine) as session:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            item = get_commitment(session=session, code="5.5a/2026", report_slug=None)
            if tries == 1:
                _change_elsewhere(engine, "5.5a/2026")
            try:
                log_event(
                    session=session, item=item, day=date(2026, 3, 2), note="讲座", evidence=[],
                    user="王科员", now=NOW, calendar=calendar,
                )  # fmt: skip
                session.commit()
            except DBAPIError as exc:
                failures.append(getattr(exc.orig, "sqlstate", None))
                raise

    retrying(attempt, sleep=lambda _seconds: None)
    assert failures == ["40001"] and tries == 2
    with new_session(engine) as session:
        notes = session.exec(select(Event.note).where(col(Event.note) == "讲座")).all()
    assert notes == ["讲座"]


def test_postgresql_a_deadlock_victim_is_a_conflict(engine: Engine, backend: str) -> None:
    """Two transactions each holding a row the other wants: PostgreSQL aborts one with
    SQLSTATE 40P01, which is a conflict to rerun, not an error to show."""
    _pg_only(backend)
    update = text("UPDATE commitment SET notes = :who WHERE code = :code")
    lost: list[BaseException] = []
    first_holds = threading.Event()

    def take(session: Session, who: str, codes: tuple[str, str]) -> None:
        try:
            session.execute(text("SET LOCAL deadlock_timeout = '100ms'"))
            session.execute(update, {"who": who, "code": codes[0]})
            if who == "a":
                first_holds.set()
                second_holds.wait(5)
            session.execute(update, {"who": who, "code": codes[1]})
            session.commit()
        except DBAPIError as exc:
            lost.append(exc)
            session.rollback()

    second_holds = threading.Event()
    with new_session(engine) as a, new_session(engine) as b:
        worker = threading.Thread(target=take, args=(a, "a", ("1.4c", "6.1")))
        worker.start()
        first_holds.wait(5)
        b.execute(text("SET LOCAL deadlock_timeout = '100ms'"))
        b.execute(update, {"who": "b", "code": "6.1"})
        second_holds.set()
        try:
            b.execute(update, {"who": "b", "code": "1.4c"})
            b.commit()
        except DBAPIError as exc:
            lost.append(exc)
            b.rollback()
        worker.join(10)
    assert len(lost) == 1
    assert getattr(getattr(lost[0], "orig", None), "sqlstate", None) == "40P01"
    assert is_conflict(lost[0]) and refusal(lost[0]).key == "item_changed_now"


def test_postgresql_an_append_waits_for_the_writer_before_it_instead_of_colliding(
    engine: Engine, backend: str, calendar: WorkCalendar
) -> None:
    """services.updates.hold: a log on an item another transaction is changing waits for it
    to commit, then reads its version, so neither is refused nor rerun."""
    _pg_only(backend)
    with new_session(engine) as first:
        item = first.exec(select(Commitment).where(Commitment.code == "5.5a/2026")).one()
        item.notes = "first"
        first.flush()  # holds the row's lock until it commits
        done = threading.Event()

        def second() -> None:
            with new_session(engine) as session:
                mine = get_commitment(session=session, code="5.5a/2026", report_slug=None)
                log_event(
                    session=session, item=mine, day=date(2026, 3, 2), note="讲座", evidence=[],
                    user="王科员", now=NOW, calendar=calendar,
                )  # fmt: skip
                session.commit()
            done.set()

        worker = threading.Thread(target=second)
        worker.start()
        assert not done.wait(0.5)  # waiting for the first writer's lock
        first.commit()
        worker.join(10)
    assert done.is_set()
    with new_session(engine) as session:
        after = get_commitment(session=session, code="5.5a/2026", report_slug=None)
        assert after.notes == "first"
        assert session.exec(select(Event.note).where(col(Event.note) == "讲座")).all() == ["讲座"]
