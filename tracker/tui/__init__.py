"""The officers' terminal app (Textual). The only package that imports Textual."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.tui.context import TuiContext


def run_app(context: TuiContext) -> None:
    """Open the app on `context` and return when the officer quits."""
    from tracker.tui.app import TrackerApp

    TrackerApp(context).run()
