"""Time search, the overdue review, `show` and the summary on one ledger (issue 15: flat at scale).

For each case: the service call alone and the whole command run in this process (settings,
engine, query, rendering; start-up excluded), each the median of N warm runs after one
first run, as wall time and as this process's CPU time (the machine is shared: CPU time is
the steadier number). Run it on ledgers of 10k, 100k and 1M periods and compare.

    python benchmarks/bench_search.py --db /work/bench-data/search-100k.db --as-of 2026-11-26
    python benchmarks/bench_search.py --db postgresql+psycopg://postgres@127.0.0.1/bench_100k?options=-csearch_path%3Dledger
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench_cli import Service, _list, _overdue, _show, child_env
from sqlmodel import Session

from tracker.cli.review import OVERDUE_LIMIT
from tracker.db import database_url, make_engine, new_session
from tracker.schedule import WorkCalendar
from tracker.services.dashboard import dashboard
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import ListFilter
from tracker.services.overdue import overdue_by_unit

# The unit with the most late periods in build_district's ledgers (78k at 1M).
UNIT = "依法治镇工作领导小组"


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def _summary(session: Session, deadlines: Deadlines) -> object:
    return dashboard(session=session, deadlines=deadlines)


def _unit_review(unit: str) -> Service:
    """One unit's review as `overdue --unit` asks for it: its first OVERDUE_LIMIT entries."""

    def call(session: Session, deadlines: Deadlines) -> object:
        return overdue_by_unit(session=session, deadlines=deadlines, unit=unit, limit=OVERDUE_LIMIT)

    return call


def cases(report: str, code: str, unit: str = UNIT) -> list[tuple[str, list[str], Service]]:
    """(label, command line, service call) for each measured command."""
    return [
        ("list --search 讲座", ["list", "--search", "讲座"], _list(ListFilter(search="讲座"))),
        (
            "list --search 法治宣传",
            ["list", "--search", "法治宣传"],
            _list(ListFilter(search="法治宣传")),
        ),
        (
            "list --search lecture",
            ["list", "--search", "lecture"],
            _list(ListFilter(search="lecture")),
        ),
        ("overdue", ["overdue"], _overdue),
        (f"overdue --unit {unit}", ["overdue", "--unit", unit], _unit_review(unit)),
        (f"show {code}", ["--report", report, "show", code], _show(code, report)),
        ("summary", ["summary"], _summary),
    ]


def _timed(call: Callable[[], object], repeats: int) -> tuple[Timing, Timing]:
    """The first run, and the median of `repeats` more."""
    runs: list[Timing] = []
    for _ in range(repeats + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        runs.append(Timing(time.perf_counter() - wall, time.process_time() - cpu))
    warm = runs[1:]
    median = Timing(statistics.median(r.wall for r in warm), statistics.median(r.cpu for r in warm))
    return runs[0], median


def _command(args: list[str], env: dict[str, str]) -> Callable[[], object]:
    def call() -> object:
        from tracker.cli import app

        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    app(args=args, standalone_mode=False)
                except SystemExit as exc:
                    if exc.code not in (0, None):
                        raise
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return None

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLite path or database URL")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 26))
    parser.add_argument("--report", default="town-01-2021")
    parser.add_argument("--code", default="3.2-D")
    parser.add_argument("-n", "--repeats", type=int, default=5)
    parser.add_argument("--only", default=None, help="run only cases whose label contains this")
    parser.add_argument("--smoke", action="store_true", help="check that it runs: N=1")
    args = parser.parse_args()
    if args.smoke:
        args.repeats = 1
    url = database_url(args.db)
    engine = make_engine(url)
    deadlines = Deadlines(as_of=args.as_of, calendar=WorkCalendar())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.db} ({engine.dialect.name}), as of {args.as_of}, load average {load}")
    print("| case | service 1st ms | service ms | service CPU ms | command ms | command CPU ms |")
    print("|---|--:|--:|--:|--:|--:|")
    with tempfile.TemporaryDirectory() as workdir:
        env = child_env(Path(workdir))
        base = ["--db", args.db, "--as-of", args.as_of.isoformat()]
        for label, command, service in cases(args.report, args.code):
            if args.only and args.only not in label:
                continue

            def call_service(service: Service = service) -> object:
                with new_session(engine) as session:
                    return service(session, deadlines)

            first, warm = _timed(call_service, args.repeats)
            _, whole = _timed(_command([*base, *command], env), args.repeats)
            print(
                f"| `{label}` | {first.wall * 1000:.0f} | {warm.wall * 1000:.0f} "
                f"| {warm.cpu * 1000:.0f} | {whole.wall * 1000:.0f} | {whole.cpu * 1000:.0f} |",
                flush=True,
            )
    engine.dispose()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
