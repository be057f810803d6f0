"""Helpers shared by the app's Pilot tests (imported as a plain module: pytest puts this
folder on sys.path, since tests/ is not a package)."""

from __future__ import annotations

from textual.pilot import Pilot


async def settle(pilot: Pilot[None]) -> None:
    """Let the loading workers finish and their results reach the screen."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
