"""作废 from the app: choose an event of the item that was logged by mistake, say why, and
void it with the same service as `tracker void` (the event is kept, no longer counted).

An `Edit` of tracker.tui.edit_flow: it builds on the item's version the dialog showed, so
when another officer changed the item meanwhile the save is refused and the events are
listed again as they now are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.screen import Screen

from tracker.i18n import t
from tracker.labels import status_label
from tracker.models import Commitment
from tracker.services.access import require_item
from tracker.services.corrections import VoidedEvent
from tracker.services.corrections import void_event as save_void
from tracker.services.lookup import now
from tracker.services.voids import voidable_events
from tracker.tui.edit_flow import Edit, Nothing, Said, Shown, form, run_edit
from tracker.tui.editing import said_as_is
from tracker.tui.widgets.void_dialog import Voidable, VoidChoice, VoidDialog
from tracker.work import Ledger, OpenLedger


@dataclass(frozen=True)
class Voidables(Shown):
    """The item and the events it may have voided."""

    events: list[Voidable]


def _read(work: Ledger, item: Commitment) -> Voidables:
    """Refused when the item is not this officer's to change; Nothing without an event."""
    require_item(work.session, work.user, item)
    assert item.id is not None
    events = [
        Voidable(event.id or 0, event.happened_on, event.note)
        for event in voidable_events(work.session, item.id, work.deadlines.as_of)
    ]
    if not events:
        raise Nothing(t("tui.void.nothing", code=item.code))
    return Voidables(**vars(Shown.of(item)), events=events)


def _dialog(
    _: OpenLedger, shown: Voidables, initial: VoidChoice | None, error: str | None
) -> VoidDialog:
    return VoidDialog(events=shown.events, **form(shown, initial, error))


def _save(work: Ledger, _: Commitment, shown: Voidables, choice: VoidChoice) -> Said:
    """Void from the day the app shows (today, or the as-of day when viewing the past: a
    late entry)."""
    voided = save_void(
        session=work.session,
        event_id=choice.event_id,
        reason=choice.reason,
        user=work.user,
        now=now(),
        calendar=work.deadlines.calendar,
        day=work.effective_on(),
        expected_version=shown.version,
    )
    return Said(_said(voided), shown.code)


def _said(voided: VoidedEvent) -> str:
    """What voiding did, in one notice: the event, from when, and the period's progress."""
    event = voided.event
    assert event.voided_on is not None
    line = t(
        "event_voided",
        code=voided.item.code,
        id=event.id,
        date=event.happened_on.isoformat(),
        effective=event.voided_on.isoformat(),
    )
    if voided.done_count is None:
        return line
    goal = voided.item.target
    progress = f"{voided.done_count}/{goal}" if goal else str(voided.done_count)
    status = status_label(voided.item.status)
    return f"{line}\n{t('event_progress', progress=progress, status=status)}"


VOID: Edit[Voidables, VoidChoice, Said] = Edit(_read, _dialog, _save, said_as_is)


def void_event(screen: Screen[Any], code: str) -> None:
    """Ask which of `code`'s events to void and why, and void it."""
    run_edit(screen, code, VOID)
