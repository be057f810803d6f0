"""What the app imports while the officer reads its first screen.

Each area, the item screen, the help and the print dialog are imported when first opened,
so that the first screen comes up quickly; the first Enter, `?`, `p` or `r` would then pay
for the import (up to 60 ms each on a 2-core machine, beside drawing). Importing them in a
thread once the first screen is up moves that cost to a moment nobody waits on.
"""

from __future__ import annotations

from importlib import import_module

# After the first screen has drawn and its data arrived (seconds).
WARM_UP_AFTER = 0.5

MODULES = (
    "tracker.tui.screens.items",
    "tracker.tui.screens.detail",
    "tracker.tui.screens.help",
    "tracker.tui.screens.villages",
    "tracker.tui.screens.overdue",
    "tracker.tui.screens.report",
    "tracker.tui.printing",
    "tracker.tui.widgets.print_dialog",
)


def warm_up() -> None:
    """Import every module of MODULES (a no-op for those already imported)."""
    for name in MODULES:
        import_module(name)
