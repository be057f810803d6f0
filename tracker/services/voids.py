"""Which events count: a voided event (作废) is kept and listed, but no longer counts.

Only queries on events here, so that every module that counts events (listing, updates,
signoff, printouts) can use them without importing the services that write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import Event, Evidence

# How long after an event its officer's identical command counts as a repeat of it: the
# time to see that a command died without answering (killed, the terminal closed, the
# connection lost) and type it again. Later, the same date and note is the question of
# `refuse_duplicate` (the same lecture entered twice), which --again answers.
REPEAT_WINDOW = timedelta(minutes=10)


def counting(as_of: date | None = None) -> ColumnElement[bool]:
    """The condition an event must meet to count: not voided, or (viewing the ledger as of a
    past day) voided only after that day, since a void takes effect on its `voided_on`."""
    if as_of is None:
        return col(Event.voided_on).is_(None)
    return or_(col(Event.voided_on).is_(None), col(Event.voided_on) > as_of)


def find_duplicate(session: Session, commitment_id: int, day: date, note: str) -> Event | None:
    """An event of the row that counts and has the same date and note, if there is one."""
    return session.exec(
        select(Event)
        .where(
            col(Event.commitment_id) == commitment_id,
            col(Event.happened_on) == day,
            col(Event.note) == note.strip(),
            counting(),
        )
        .order_by(col(Event.id))
    ).first()


def find_repeat(
    session: Session,
    commitment_id: int,
    day: date,
    note: str,
    *,
    value: float | None,
    evidence: Sequence[str],
    user: str,
    now: datetime,
) -> Event | None:
    """The event that the same command, run moments ago, recorded: the same row, date,
    note, figure and evidence files (by content, `evidence` being their SHA-256s), by the
    same officer within REPEAT_WINDOW, and still counting. Found, the command is a repeat of
    one whose answer was lost (its process killed after the commit, before printing), not a
    second event."""
    candidates = session.exec(
        select(Event)
        .where(
            col(Event.commitment_id) == commitment_id,
            col(Event.happened_on) == day,
            col(Event.note) == note.strip(),
            col(Event.recorded_by) == user,
            col(Event.recorded_at) >= now - REPEAT_WINDOW,
            counting(),
        )
        .order_by(col(Event.id).desc())
    ).all()
    wanted = sorted(evidence)
    for event in candidates:
        files = session.exec(select(Evidence.sha256).where(col(Evidence.event_id) == event.id))
        if event.value == value and sorted(files.all()) == wanted:
            return event
    return None


def refuse_duplicate(session: Session, commitment_id: int, code: str, day: date, note: str) -> None:
    """Refuse logging what is already logged (the same lecture entered twice counts 3/2);
    the officer says `--again` when it really happened twice that day."""
    twin = find_duplicate(session, commitment_id, day, note)
    if twin is not None:
        raise TrackerError(
            "event_duplicate", code=code, date=day.isoformat(), id=twin.id, by=twin.recorded_by
        )


def voidable_events(session: Session, commitment_id: int, as_of: date) -> list[Event]:
    """The events of the row that may still be voided, as seen on `as_of`: those that had
    happened by then and that nobody has voided (a void cannot be voided again)."""
    return list(
        session.exec(
            select(Event)
            .where(
                col(Event.commitment_id) == commitment_id,
                col(Event.happened_on) <= as_of,
                counting(),
            )
            .order_by(col(Event.happened_on), col(Event.id))
        ).all()
    )
