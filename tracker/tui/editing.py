"""The three changes officers make from any screen: status, event, note.

Each opens its dialog, saves the result in one transaction, says what changed in one line,
and tells every screen through `app.ledger_changed`. A save the ledger refuses is rolled back
and the dialog comes back with what the officer typed and the reason.

Saves are single short transactions on one row and its history, so they run on the UI thread:
the officer waits for the confirmation anyway, and there is no half-saved state to show.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.labels import localized, status_label
from tracker.models import Commitment, Kind, Status
from tracker.services.lookup import get_commitment, now
from tracker.services.updates import add_note as save_note
from tracker.services.updates import log_event as save_event
from tracker.services.updates import set_status
from tracker.tui.widgets.dialogs import LogDialog, NewEvent, NoteDialog, StatusChange, StatusDialog

if TYPE_CHECKING:
    from textual.screen import Screen

    from tracker.tui.app import TrackerApp


class Refused(Exception):
    """The ledger refused to read or save an item; the reason is in the officer's language."""


@dataclass(frozen=True)
class _Item:
    """What a dialog shows about the item it changes."""

    code: str
    title: str
    status: Status
    kind: Kind


def _tracker(screen: Screen[Any]) -> TrackerApp:
    from tracker.tui.app import TrackerApp

    assert isinstance(screen.app, TrackerApp)
    return screen.app


@contextmanager
def _item_session(app: TrackerApp, code: str) -> Iterator[tuple[Session, Commitment]]:
    """One transaction on the item `code`: committed when the block succeeds; rolled back
    and turned into `Refused` when the ledger refuses."""
    context = app.context
    try:
        with context.session() as session:
            yield session, get_commitment(session=session, code=code, report_slug=context.report)
    except TrackerError as exc:
        raise Refused(exc.message()) from exc
    except SQLAlchemyError as exc:
        # The driver's own message when there is one; its first line is the reason.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise Refused(t("tui.edit.save_failed", reason=reason)) from exc


def _load(app: TrackerApp, code: str) -> _Item | None:
    """The item as the dialog should show it, or None (and a notice) when it cannot be read."""
    try:
        with _item_session(app, code) as (_, item):
            title = localized(item.title, item.title_en)
            return _Item(item.code, title, Status(item.status), Kind(item.kind))
    except Refused as exc:
        app.notify(str(exc), severity="error")
        return None


def change_status(screen: Screen[Any], code: str) -> None:
    """Ask for a new status of `code` and save it with the officer's note."""
    app = _tracker(screen)
    item = _load(app, code)
    if item is None:
        return

    def ask(initial: StatusChange | None = None, error: str | None = None) -> None:
        dialog = StatusDialog(
            code=item.code, title=item.title, current=item.status, initial=initial, error=error
        )
        app.push_screen(dialog, save)

    def save(change: StatusChange | None) -> None:
        if change is None:
            return
        try:
            with _item_session(app, code) as (session, commitment):
                old = Status(commitment.status)
                changed = set_status(
                    session=session,
                    item=commitment,
                    status=change.status,
                    note=change.note,
                    user=app.context.user,
                    now=now(),
                )
        except Refused as exc:
            ask(change, str(exc))
            return
        if not changed:
            app.notify(t("status_unchanged", code=item.code, new=status_label(change.status)))
            return
        app.notify(
            t(
                "status_changed",
                code=item.code,
                old=status_label(old),
                new=status_label(change.status),
            )
        )
        app.ledger_changed.publish(item.code)

    ask()


def log_event(screen: Screen[Any], code: str) -> None:
    """Ask what happened on `code` and record it; a periodic item's event counts for the
    period it falls in."""
    app = _tracker(screen)
    item = _load(app, code)
    if item is None:
        return
    as_of = app.context.deadlines.as_of

    def ask(initial: NewEvent | None = None, error: str | None = None) -> None:
        dialog = LogDialog(
            code=item.code,
            title=item.title,
            as_of=as_of,
            ask_value=item.kind is Kind.INDICATOR,
            initial=initial,
            error=error,
        )
        app.push_screen(dialog, save)

    def save(entry: NewEvent | None) -> None:
        if entry is None:
            return
        try:
            with _item_session(app, code) as (session, commitment):
                logged = save_event(
                    session=session,
                    item=commitment,
                    day=entry.day,
                    note=entry.note,
                    evidence=list(entry.evidence),
                    value=entry.value,
                    user=app.context.user,
                    now=now(),
                    calendar=app.context.deadlines.calendar,
                )
                target, done = logged.item.code, logged.done_count
                status, goal = Status(logged.item.status), logged.item.target
        except Refused as exc:
            ask(entry, str(exc))
            return
        day = entry.day.isoformat()
        if done is None:
            app.notify(t("event_logged", code=target, date=day, files=len(entry.evidence)))
        else:
            progress = f"{done}/{goal}" if goal else str(done)
            app.notify(
                t(
                    "tui.edit.logged_progress",
                    code=target,
                    date=day,
                    progress=progress,
                    status=status_label(status),
                )
            )
        app.ledger_changed.publish(target)

    ask()


def add_note(screen: Screen[Any], code: str) -> None:
    """Ask for a note and append it to `code`'s notes, signed and dated."""
    app = _tracker(screen)
    item = _load(app, code)
    if item is None:
        return

    def ask(initial: str = "", error: str | None = None) -> None:
        app.push_screen(
            NoteDialog(code=item.code, title=item.title, initial=initial, error=error), save
        )

    def save(text: str | None) -> None:
        if text is None:
            return
        try:
            with _item_session(app, code) as (session, commitment):
                save_note(
                    session=session, item=commitment, text=text, user=app.context.user, now=now()
                )
        except Refused as exc:
            ask(text, str(exc))
            return
        app.notify(t("note_added", code=item.code))
        app.ledger_changed.publish(item.code)

    ask()
