"""The officers' terminal app (Textual). The only package that imports Textual."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.work import Opening, Say, open_ledger, quiet

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


def make_app(opening: Opening, *, mode: str | None = None, say: Say = quiet) -> TrackerApp:
    """The app on the ledger `opening` chooses, opened as every front end opens it
    (tracker.work.open_ledger: created and seeded on a first run, upgraded, the as-of day
    checked, the acting user, the periods of a new year). Used by `tracker` and by the
    tests alike; `mode` is the area shown first. The caller closes `app.context` when done."""
    from tracker.tui.app import TrackerApp

    context = open_ledger(opening, say=say)
    try:
        return TrackerApp(context, mode=mode)
    except BaseException:
        context.close()
        raise
