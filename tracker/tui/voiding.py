"""作废 from the app: choose an event of the item that was logged by mistake, say why, and
void it with the same service as `tracker void` (the event is kept, no longer counted).

The same load → ask → save → reload-if-stale → notify flow as the other saves of
tracker.tui.editing, on the UI thread for the same reason: one short transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from tracker.i18n import t
from tracker.labels import localized, status_label
from tracker.models import Kind, Status
from tracker.services.access import require_item
from tracker.services.corrections import VoidedEvent
from tracker.services.corrections import void_event as save_void
from tracker.services.lookup import now
from tracker.services.voids import voidable_events
from tracker.tui.editing import Refused, _Item, _item_session, _refusal, _tracker
from tracker.tui.widgets.void_dialog import Voidable, VoidChoice, VoidDialog

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


def _read(app: TrackerApp, code: str) -> tuple[_Item, list[Voidable]] | None:
    """The item and the events it may have voided, or None (and a notice saying why: not
    this officer's to change, or nothing left to void)."""
    as_of = app.context.deadlines.as_of
    try:
        with _item_session(app, code) as (session, commitment):
            require_item(session, app.context.user, commitment)
            assert commitment.id is not None
            events = [
                Voidable(event.id or 0, event.happened_on, event.note)
                for event in voidable_events(session, commitment.id, as_of)
            ]
            item = _Item(
                commitment.code,
                localized(commitment.title, commitment.title_en),
                Status(commitment.status),
                Kind(commitment.kind),
                commitment.version,
            )
    except Refused as exc:
        app.notify(str(exc), severity="error")
        return None
    if not events:
        app.notify(t("tui.void.nothing", code=item.code))
        return None
    return item, events


def void_event(screen: Screen[Any], code: str) -> None:
    """Ask which of `code`'s events to void and why, and void it from the day the app
    shows (today, or the as-of day when viewing the past: a late entry)."""
    app = _tracker(screen)
    read = _read(app, code)
    if read is None:
        return
    shown, events = read  # what the dialog shows; read again if a save finds it stale

    def ask(initial: VoidChoice | None = None, error: str | None = None) -> None:
        dialog = VoidDialog(
            code=shown.code, title=shown.title, events=events, initial=initial, error=error
        )
        app.push_screen(dialog, save)

    def save(choice: VoidChoice | None) -> None:
        nonlocal shown, events
        if choice is None:
            return
        try:
            with _item_session(app, code) as (session, _):
                voided = save_void(
                    session=session,
                    event_id=choice.event_id,
                    reason=choice.reason,
                    user=app.context.user,
                    now=now(),
                    calendar=app.context.deadlines.calendar,
                    day=app.context.effective_on,
                    expected_version=shown.version,
                )
                line = _said(voided)
        except Refused as exc:
            if exc.stale:  # another officer changed the item: show, and list, what is there now
                app.ledger_changed.publish(code)
                again = _read(app, code)
                if again is None:
                    return
                shown, events = again
            ask(choice, _refusal(exc))
            return
        app.notify(line)
        app.ledger_changed.publish(shown.code)

    ask()


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
