"""Time the terminal app on the district database: the first screen, a search keystroke,
and the screens an officer opens most (an item, `?`, the print dialog, the village roster).

Issue 3's targets on a 2-core machine: the first screen in under 1.5 s, and a keystroke in the
search box updating the list in under 100 ms; issue 12's: an item, `?`, the print dialog and
the first roster visit each drawn in under 0.3 s. The app runs headless (Textual's test driver),
which draws every frame as a real terminal would, without a terminal. An officer works on
their own town's report (`--report`), so that is what is timed.

    .venv/bin/python benchmarks/build_district.py      # once
    .venv/bin/python benchmarks/bench_tui.py [--db PATH|URL] [--report SLUG] [-n 5]
    .venv/bin/python benchmarks/bench_tui.py --smoke    # seconds: one town, n=1 (CI runs this)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from build_district import smoke_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "benchmarks" / "out" / "district.db"
DEFAULT_REPORT = "town-01-2021"
AS_OF = date(2026, 11, 26)
SEARCHES = ("讲", "讲座", "3.2", "3.2-D", "lecture")

# Run in a fresh interpreter: start-up (imports) is part of "the first screen".
FIRST_SCREEN = """
import asyncio, sys
from datetime import date
from tracker.config import load_settings
from tracker.tui import make_app
from tracker.work import Opening

async def run() -> None:
    opening = Opening(load_settings(db=sys.argv[1], user="bench"), as_of=date(2026, 11, 26),
                      report=sys.argv[2])
    app = make_app(opening)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    app.context.close()

asyncio.run(run())
"""


def first_screen_seconds(db: str, report: str) -> float:
    """Wall time of a fresh process from start to the overview drawn with its data."""
    begun = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", FIRST_SCREEN, db, report], capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"the first screen failed:\n{done.stderr}")
    return time.perf_counter() - begun


async def keystroke_seconds(
    db: str, report: str, searches: tuple[str, ...] = SEARCHES
) -> list[tuple[str, float, int]]:
    """For each search text, the time from its last key until the list has the new rows and
    has drawn them (taken when the list redraws, not when the test driver next looks)."""
    from tracker.tui.widgets.item_list import ItemList

    app = _app(db, report, "items")
    drawn: list[float] = []
    arrived = ItemList._arrived

    def timed(self: ItemList, *args: object) -> None:
        arrived(self, *args)  # type: ignore[arg-type]
        self.call_after_refresh(lambda: drawn.append(time.perf_counter()))

    ItemList._arrived = timed  # type: ignore[method-assign]
    results: list[tuple[str, float, int]] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("slash")
        items = app.screen.query_one(ItemList)
        for text in searches:
            await pilot.press("ctrl+a", "ctrl+k")  # clear the box (readline keys of Input)
            await pilot.press(*text[:-1])
            await app.workers.wait_for_complete()
            await pilot.pause()
            drawn.clear()
            begun = time.perf_counter()
            await pilot.press(text[-1])
            while not drawn:
                await asyncio.sleep(0.001)
            results.append((text, drawn[0] - begun, items.total))
    app.context.close()
    return results


def _app(db: str, report: str, mode: str) -> Any:
    """The app as `tracker --db DB --report SLUG --as-of AS_OF` opens it (tracker.tui)."""
    from tracker.config import load_settings
    from tracker.tui import make_app
    from tracker.work import Opening

    opening = Opening(load_settings(db=db, user="bench"), as_of=AS_OF, report=report)
    return make_app(opening, mode=mode)


async def _drawn(app: Any) -> None:
    """Until the screen's workers have answered and what they brought has been drawn."""
    await app.workers.wait_for_complete()
    shown = asyncio.Event()
    app.screen.call_after_refresh(shown.set)
    await shown.wait()


READING_SECONDS = 1.0
# What an officer opens, from the item list: (what, keys, the screen it must end on).
OPENINGS = (
    ("open an item (Enter)", ("enter",), "DetailScreen"),
    ("help (?) over the item", ("question_mark",), "HelpScreen"),
    ("print dialog (p) over the item", ("escape", "p"), "PrintDialog"),
    ("village roster, first visit (r)", ("escape", "escape", "r"), "VillagesScreen"),
)


async def opening_seconds(db: str, report: str) -> list[tuple[str, float]]:
    """For each screen, the time from its key until it is drawn with its data. Keys before
    the last one (going back) are pressed untimed."""
    app = _app(db, report, "items")
    results: list[tuple[str, float]] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await _drawn(app)
        # An officer looks at the list for a moment before opening anything; the app uses
        # that moment to import what the next screens need (tracker.tui.warmup).
        await asyncio.sleep(READING_SECONDS)
        await _drawn(app)
        for what, keys, screen in OPENINGS:
            for key in keys[:-1]:
                await pilot.press(key)
                await _drawn(app)
            begun = time.perf_counter()
            await pilot.press(keys[-1])
            await _drawn(app)
            elapsed = time.perf_counter() - begun
            if type(app.screen).__name__ != screen:
                raise SystemExit(f"{what}: ended on {type(app.screen).__name__}, not {screen}")
            results.append((what, elapsed))
    app.context.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", help=f"SQLite path or database URL (default: {DEFAULT_DB})")
    parser.add_argument("--report", default=DEFAULT_REPORT)
    parser.add_argument(
        "-n", type=int, default=5, help="repeats of the first screen and of the openings"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="check that it runs: n=1, one search, a one-town ledger unless --db is given",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.smoke:
            args.n = 1
            args.db = args.db or smoke_database(Path(scratch))
        run(
            args.db or str(DEFAULT_DB),
            args.report,
            args.n,
            SEARCHES[1:2] if args.smoke else SEARCHES,
        )


def run(db: str, report: str, n: int, searches: tuple[str, ...]) -> None:
    """Every measure on `db`, as a table."""
    if "://" not in db and not Path(db).exists():
        sys.exit(f"{db} does not exist: run benchmarks/build_district.py first")

    firsts = [first_screen_seconds(db, report) for _ in range(n)]
    median = statistics.median(firsts)
    print("| measure | time | target | met |")
    print("|---|--:|--:|:-:|")
    print(
        f"| first screen: fresh process to the overview with its data (median of {n}) "
        f"| {median * 1000:.0f} ms | 1500 ms | {'yes' if median < 1.5 else '**no**'} |"
    )
    # Each in a fresh app (a first visit is first once per app), the median of -n apps.
    runs = [asyncio.run(opening_seconds(db, report)) for _ in range(n)]
    for index, (what, _, _) in enumerate(OPENINGS):
        seconds = statistics.median(run[index][1] for run in runs)
        met = "yes" if seconds < 0.3 else "**no**"
        print(f"| {what} (median of {n}) | {seconds * 1000:.0f} ms | 300 ms | {met} |")
    for text, seconds, total in asyncio.run(keystroke_seconds(db, report, searches)):
        print(
            f"| search keystroke → list redrawn ({text!r}, {total} rows) "
            f"| {seconds * 1000:.0f} ms | 100 ms | {'yes' if seconds < 0.1 else '**no**'} |"
        )


if __name__ == "__main__":
    main()
