"""Time a search keystroke in the app's item list (issue 15: ≤ 50 ms at 1M periods): from the
last key typed until the list has drawn the new rows, for searches of 1, 2, 3 and more
characters, in one town's report as an officer works (the app pages 100 rows).

    python benchmarks/bench_search_keys.py --db /work/bench-data/search-1m.db [-n 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from datetime import date
from typing import Any

AS_OF = date(2026, 11, 26)
SEARCHES = ("讲", "讲座", "法治宣", "3.2", "3.2-D", "lecture", "zzz")
TARGET_S = 0.05


def _app(db: str, report: str) -> Any:
    """The app as `tracker --db DB --report SLUG --as-of AS_OF` opens it (tracker.tui)."""
    from tracker.config import load_settings
    from tracker.tui import make_app
    from tracker.work import Opening

    opening = Opening(load_settings(db=db, user="bench"), as_of=AS_OF, report=report)
    return make_app(opening, mode="items")


async def keystrokes(db: str, report: str, rounds: int) -> dict[str, list[tuple[float, int]]]:
    """For each search, `rounds` times: seconds from its last key to the list redrawn."""
    from tracker.tui.widgets.item_list import ItemList

    app = _app(db, report)
    drawn: list[float] = []
    arrived = ItemList._arrived

    def timed(self: ItemList, *args: object) -> None:
        arrived(self, *args)  # type: ignore[arg-type]
        self.call_after_refresh(lambda: drawn.append(time.perf_counter()))

    ItemList._arrived = timed  # type: ignore[method-assign]
    results: dict[str, list[tuple[float, int]]] = {text: [] for text in SEARCHES}
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("slash")
        items = app.screen.query_one(ItemList)
        for _ in range(rounds):
            for text in SEARCHES:
                await pilot.press("ctrl+a", "ctrl+k")  # clear the box (readline keys of Input)
                await pilot.press(*text[:-1])
                await app.workers.wait_for_complete()
                await pilot.pause()
                drawn.clear()
                begun = time.perf_counter()
                await pilot.press(text[-1])
                while not drawn:
                    await asyncio.sleep(0.001)
                results[text].append((drawn[0] - begun, items.total))
    app.context.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--report", default="town-01-2021")
    parser.add_argument("-n", type=int, default=5, help="rounds of every search")
    parser.add_argument("--smoke", action="store_true", help="check that it runs: N=1")
    args = parser.parse_args()
    if args.smoke:
        args.n = 1
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.db}, report {args.report}, load average {load}")
    print("| search | rows found | median ms | max ms | ≤ 50 ms |")
    print("|---|--:|--:|--:|:-:|")
    for text, runs in asyncio.run(keystrokes(args.db, args.report, args.n)).items():
        median = statistics.median(seconds for seconds, _ in runs)
        worst = max(seconds for seconds, _ in runs)
        met = "yes" if median <= TARGET_S else "**no**"
        print(f"| `{text}` | {runs[-1][1]} | {median * 1000:.0f} | {worst * 1000:.0f} | {met} |")


if __name__ == "__main__":
    main()
