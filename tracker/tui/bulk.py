"""批量记录 from the app: ask for a range in the bulk dialog, log it with the same service
as `tracker log CODE --from … --to …`, and say in one notice what was done.

A year of daily periods is a few hundred rows in one short transaction, so, like the other
saves (see tracker.tui.editing), it runs on the UI thread while the officer waits for it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from textual.screen import Screen

from tracker.labels import bulk_summary
from tracker.models import Commitment
from tracker.services.bulk import BulkResult, log_range
from tracker.services.lookup import now
from tracker.tui.editing import Refused, _append, _load, _refusal, _reload_if_stale, _tracker
from tracker.tui.widgets.bulk_dialog import BulkDialog, BulkEntry


def bulk_log(screen: Screen[Any], code: str) -> None:
    """Ask for a range of `code`'s periods and log every one that has no record yet."""
    app = _tracker(screen)
    item = _load(app, code)
    if item is None:
        return
    shown = item  # what the dialog shows; read again if a save finds it stale

    def ask(initial: BulkEntry | None = None, error: str | None = None) -> None:
        dialog = BulkDialog(code=shown.code, title=shown.title, initial=initial, error=error)
        app.push_screen(dialog, save)

    def save(entry: BulkEntry | None) -> None:
        nonlocal shown
        if entry is None:
            return

        def record(session: Session, commitment: Commitment) -> BulkResult:
            return log_range(
                session=session,
                item=commitment,
                start=entry.start,
                end=entry.end,
                note=entry.note,
                evidence=list(entry.evidence),
                user=app.context.user,
                now=now(),
                calendar=app.context.deadlines.calendar,
            )

        try:
            result = _append(app, code, record)
        except Refused as exc:
            shown = _reload_if_stale(app, code, shown, exc)
            ask(entry, _refusal(exc))
            return
        logged = len(result.logged)
        app.notify(bulk_summary(result.code, logged, result.recorded, result.cancelled))
        if logged:
            app.ledger_changed.publish(shown.code)

    ask()
