"""Corrections without deletion: an event logged by mistake is voided (作废), not deleted.

A voided event stays in the ledger, listed with who voided it, when and why; from the day the
void takes effect it no longer counts (see services.voids). A period instance whose target is
no longer met goes back (done → in progress, or in progress → not started when no event is
left), with a history row saying the void did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.models import (
    Commitment,
    Event,
    History,
    HistoryKind,
    Status,
)
from tracker.schedule import WorkCalendar
from tracker.services.access import require_item
from tracker.services.events import settle_period
from tracker.services.lookup import ensure_person
from tracker.services.updates import check_version, touch


@dataclass(frozen=True)
class VoidedEvent:
    """What voiding did: the event, its row, how many events still count, any status moved."""

    event: Event
    item: Commitment
    done_count: int | None
    status_changed: tuple[Status, Status] | None


def void_event(
    *,
    session: Session,
    event_id: int,
    reason: str,
    user: str,
    now: datetime,
    calendar: WorkCalendar,
    day: date | None = None,
    expected_version: int | None = None,
) -> VoidedEvent:
    """Void event `event_id` from `day` (today when None), saying why.

    Refused, with nothing written: an unknown or already voided event, an item outside the
    user's units, an empty reason, a day before the event or after today, and an item a
    supervisor has signed off (销号): that must be returned first (`tracker return`).
    """
    event = session.get(Event, event_id)
    if event is None:
        raise TrackerError("event_unknown", id=event_id)
    item = session.get(Commitment, event.commitment_id)
    assert item is not None
    require_item(session, user, item)
    check_version(session, item, expected_version)
    if event.voided_on is not None:
        raise TrackerError(
            "event_already_void",
            id=event_id,
            by=event.voided_by or "?",
            date=event.voided_on.isoformat(),
        )
    why = reason.strip()
    if not why:
        raise TrackerError("void_reason_empty")
    effective = day or now.date()
    if effective < event.happened_on:
        raise TrackerError(
            "void_before_event", date=effective.isoformat(), event=event.happened_on.isoformat()
        )
    if effective > now.date():
        raise TrackerError("void_in_future", date=effective.isoformat())
    if Status(item.status) is Status.VERIFIED:
        raise TrackerError("void_verified", code=item.code, id=event_id)
    ensure_person(session=session, name=user)
    event.voided_on = effective
    event.voided_by = user
    event.voided_at = now
    event.void_reason = why
    session.add(event)
    touch(item)  # the item's version moves: a dialog opened before the void is stale
    session.add(
        History(
            commitment_id=item.id,
            kind=HistoryKind.VOID,
            old=event.happened_on.isoformat(),
            note=why,
            changed_by=user,
            changed_at=now,
            effective_on=effective,
        )
    )
    session.flush()
    # The period follows its events: back to in progress (or todo) where it was their doing.
    note = f"作废记录 #{event_id}"  # history notes are in the ledger's language
    count, changed = settle_period(session, item, calendar, user, now, effective, note)
    return VoidedEvent(event=event, item=item, done_count=count, status_changed=changed)
