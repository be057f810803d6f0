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
    tests alike; `mode` is the area shown first. The caller closes `app.context` when done.

    What opening the ledger tells (a database created and seeded on a first run, a file
    upgraded) goes to `say` at once, on the terminal before the app covers it, and is
    shown again in the app as a notification when it opens, where the officer looks."""
    from tracker.tui.app import TrackerApp

    said: list[str] = []

    def tell(message: str) -> None:
        say(message)
        said.append(message)

    context = open_ledger(opening, say=tell)
    try:
        return TrackerApp(context, opening=opening, mode=mode, notices=said)
    except BaseException:
        context.close()
        raise
