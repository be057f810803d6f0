"""Time the officers' commands on the district database, each as a fresh process.

For each command: the median and worst wall time of N runs of `python -m tracker ...`, the
child's peak RSS and CPU time (from `os.wait4`, exact per child), and the same service call
timed in this process (first call, then the median of N more), so that start-up cost and
query cost are told apart. Then `python -X importtime -c "import tracker.cli"`'s worst
offenders, which is where the start-up goes.

    python benchmarks/build_district.py      # once
    python benchmarks/bench_cli.py           # SQLite, benchmarks/out/district.db
    python benchmarks/bench_cli.py --db postgresql+psycopg://postgres@127.0.0.1/tracker_bench
    python benchmarks/bench_cli.py --smoke   # seconds: a one-town ledger, N=1 (CI runs this)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from build_district import DEFAULT_DB, as_of_for, smoke_database
from sqlalchemy import func
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, select

from tracker.cli.items import TABLE_LIMIT
from tracker.db import database_url, make_engine, new_session
from tracker.models import Commitment, Report
from tracker.schedule import WorkCalendar
from tracker.services.deadlines import Deadlines
from tracker.services.detail import item_detail
from tracker.services.list_filter import ListFilter
from tracker.services.listing import list_items
from tracker.services.lookup import get_commitment
from tracker.services.overdue import overdue_by_unit

TARGET_S = 0.5
Service = Callable[[Session, Deadlines], object]


@dataclass(frozen=True)
class Case:
    """One command line, and the service call it makes, for the in-process timing."""

    label: str
    args: tuple[str, ...]
    report: str | None = None
    service: Service | None = None


@dataclass(frozen=True)
class Sample:
    """One run of a command in a child process."""

    wall: float
    cpu: float
    peak_rss: int  # bytes
    last_line: str


@dataclass(frozen=True)
class Result:
    """All runs of one case."""

    case: Case
    samples: list[Sample]
    command: float  # median of the same command run in this process, after start-up
    service_first: float | None
    service_median: float | None

    @property
    def median(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def best(self) -> float:
        return min(s.wall for s in self.samples)

    @property
    def worst(self) -> float:
        return max(s.wall for s in self.samples)

    @property
    def peak_rss(self) -> int:
        return max(s.peak_rss for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)


def _list(flt: ListFilter) -> Service:
    def call(session: Session, deadlines: Deadlines) -> object:
        return list_items(session=session, flt=flt, deadlines=deadlines, limit=TABLE_LIMIT)

    return call


def _show(code: str, report: str) -> Service:
    def call(session: Session, deadlines: Deadlines) -> object:
        item = get_commitment(session=session, code=code, report_slug=report)
        return item_detail(session=session, item=item, deadlines=deadlines)

    return call


def _overdue(session: Session, deadlines: Deadlines) -> object:
    return overdue_by_unit(session=session, deadlines=deadlines)


def cases(report: str, code: str, quota_code: str) -> list[Case]:
    """The commands the issue names, plus start-up alone and the two review commands."""
    return [
        Case("tracker --version (start-up only)", ("--version",)),
        Case(
            "tracker list --overdue", ("list", "--overdue"), service=_list(ListFilter(overdue=True))
        ),
        Case(
            "tracker list --search 讲座",
            ("list", "--search", "讲座"),
            service=_list(ListFilter(search="讲座")),
        ),
        Case(f"tracker show {code}", ("show", code), report, _show(code, report)),
        Case(f"tracker show {quota_code}", ("show", quota_code), report, _show(quota_code, report)),
        Case("tracker overdue", ("overdue",), service=_overdue),
        Case("tracker list", ("list",), service=_list(ListFilter())),
    ]


def child_env(workdir: Path) -> dict[str, str]:
    """The environment of each run: no settings leak in from this machine's config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_CONFIG"] = str(workdir / "no-config.toml")
    env["TRACKER_USER"] = "bench"
    return env


def run_once(argv: list[str], env: dict[str, str]) -> Sample:
    """Run `argv` once; wall time around the process, rusage of exactly that child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = out.read().decode(errors="replace").strip().splitlines()
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{err.read().decode(errors='replace')}")
    return Sample(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss=usage.ru_maxrss * 1024,  # kilobytes on Linux
        last_line=lines[-1].strip() if lines else "",
    )


def run_in_process(args: list[str], env: dict[str, str]) -> float:
    """The whole command (settings, engine, ledger, query, rendering) minus start-up."""
    from tracker.cli import app

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            try:
                app(args=args, standalone_mode=False)
            except SystemExit as exc:  # --version and failures exit
                if exc.code not in (0, None):
                    raise
            return time.perf_counter() - started
    finally:
        os.environ.clear()
        os.environ.update(saved)


def time_service(
    engine: Engine, service: Service, deadlines: Deadlines, repeats: int
) -> tuple[float, float]:
    """The service call alone: its first call in this process, then the median of more."""
    times: list[float] = []
    for _ in range(repeats + 1):
        with new_session(engine) as session:
            started = time.perf_counter()
            service(session, deadlines)
            times.append(time.perf_counter() - started)
    return times[0], statistics.median(times[1:])


def run_case(
    case: Case, base: list[str], env: dict[str, str], engine: Engine, deadlines: Deadlines, n: int
) -> Result:
    """Every run of one case: N child processes, then the in-process service timing."""
    argv = [*base, *(("--report", case.report) if case.report else ()), *case.args]
    samples = [run_once(argv, env) for _ in range(n)]
    command = statistics.median(run_in_process(argv[3:], env) for _ in range(n))
    first = median = None
    if case.service is not None:
        first, median = time_service(engine, case.service, deadlines, n)
    return Result(case, samples, command, first, median)


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


def print_table(results: list[Result]) -> None:
    """A Markdown table of the results."""
    print(
        "| command | median ms | min ms | max ms | CPU ms | peak RSS MiB | in-process ms "
        "| service 1st ms | service ms | < 0.5 s |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|")
    for r in results:
        ok = "yes" if r.median < TARGET_S else "**no**"
        print(
            f"| `{r.case.label}` | {_ms(r.median)} | {_ms(r.best)} | {_ms(r.worst)} "
            f"| {_ms(r.cpu)} | {r.peak_rss / 2**20:.0f} | {_ms(r.command)} "
            f"| {_ms(r.service_first)} | {_ms(r.service_median)} | {ok} |"
        )
    print(
        "\nmedian/min/max: wall time of a fresh `python -m tracker` process; CPU and peak RSS: "
        "that child's rusage (os.wait4). in-process: the same command run through the CLI "
        "in this process after start-up (engine, ledger, query, rendering). service: the "
        "service call alone, first call and then the median of warm calls."
    )
    for r in results:
        print(f"  {r.case.label}: {r.samples[-1].last_line[:70]}")


@dataclass(frozen=True)
class ImportLine:
    """One line of `-X importtime`."""

    self_us: int
    cumulative_us: int
    depth: int
    module: str


def import_times() -> list[ImportLine]:
    """`python -X importtime -c "import tracker.cli"`, parsed."""
    argv = [sys.executable, "-X", "importtime", "-c", "import tracker.cli"]
    stderr = subprocess.run(argv, capture_output=True, text=True, check=True).stderr
    lines: list[ImportLine] = []
    for raw in stderr.splitlines():
        if not raw.startswith("import time:") or "self [us]" in raw:
            continue
        _, self_us, cumulative, name = (part for part in raw.replace(":", "|", 1).split("|"))
        depth = (len(name) - len(name.lstrip(" "))) // 2
        lines.append(ImportLine(int(self_us), int(cumulative), depth, name.strip()))
    return lines


def print_import_times(lines: list[ImportLine], top: int = 15) -> None:
    """The biggest imports under tracker.cli, and self time summed per top-level package."""
    total = next(line for line in lines if line.module == "tracker.cli")
    print(f"\n`import tracker.cli`: {total.cumulative_us / 1000:.0f} ms cumulative (importtime)\n")
    print("| module (nesting ≤ 3) | cumulative ms |")
    print("|---|--:|")
    shallow = [line for line in lines if line.depth <= 3 and line.module != "tracker.cli"]
    for line in sorted(shallow, key=lambda x: -x.cumulative_us)[:top]:
        print(f"| {'  ' * line.depth}`{line.module}` | {line.cumulative_us / 1000:.1f} |")
    per_package: dict[str, int] = defaultdict(int)
    for line in lines:
        per_package[line.module.split(".")[0]] += line.self_us
    print("\n| package (self time summed) | ms |")
    print("|---|--:|")
    for package, us in sorted(per_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"| `{package}` | {us / 1000:.1f} |")


def describe(engine: Engine, url: str, as_of: date) -> None:
    """What was measured: machine, backend, size of the ledger, as-of date."""
    with new_session(engine) as session:
        rows = session.exec(select(func.count()).select_from(Commitment)).one()
        periods = session.exec(
            select(func.count())
            .select_from(Commitment)
            .where(col(Commitment.period_key).is_not(None))
        ).one()
        reports = session.exec(select(func.count()).select_from(Report)).one()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"database: {make_url(url).render_as_string(hide_password=True)} ({engine.dialect.name})")
    print(f"ledger: {reports} reports, {rows:,} commitment rows, {periods:,} period instances")
    replay = "replayed from the history" if as_of < date.today() else "stored columns"
    versions = f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    print(f"as of {as_of} ({replay}); {versions}")
    print(f"cpus: {os.cpu_count()}, load average before: {load}")
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print("note: the machine is busy with other work; wall times will be inflated")
    print()


def through_year(engine: Engine) -> int:
    """The last year the build created periods for."""
    with new_session(engine) as session:
        year = session.exec(select(func.max(Report.instances_through))).one()
    if year is None:
        raise SystemExit("no reports: run benchmarks/build_district.py first")
    return int(year)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help=f"SQLite path or database URL (default: {DEFAULT_DB})")
    parser.add_argument("-n", "--repeats", type=int, default=5)
    parser.add_argument("--report", default="town-01-2021", help="report slug for `show`")
    parser.add_argument("--code", default="3.2-D")
    parser.add_argument("--quota-code", default="5.5a/2024")
    parser.add_argument("--no-importtime", action="store_true")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="check that the benchmark runs: N=1, no importtime, a one-town ledger built in a "
        "temporary folder unless --db is given",
    )
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="view the ledger on this day (default: the build's as-of day, before today, so "
        "the past is replayed from the history; today reads the stored columns)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run every case and print the tables."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        if args.smoke:
            args.repeats, args.no_importtime = 1, True
            args.db = args.db or smoke_database(Path(scratch))
        run(args, args.db or str(DEFAULT_DB))


def run(args: argparse.Namespace, db: str) -> None:
    """Every case on `db`, then the tables."""
    url = database_url(db)
    engine = make_engine(url)
    as_of = args.as_of or as_of_for(through_year(engine))
    describe(engine, url, as_of)
    deadlines = Deadlines(as_of=as_of, calendar=WorkCalendar())
    base = [sys.executable, "-m", "tracker", "--db", db, "--as-of", as_of.isoformat()]
    with tempfile.TemporaryDirectory() as workdir:
        env = child_env(Path(workdir))
        results = [
            run_case(case, base, env, engine, deadlines, args.repeats)
            for case in cases(args.report, args.code, args.quota_code)
        ]
    engine.dispose()
    print_table(results)
    if not args.no_importtime:
        print_import_times(import_times())


if __name__ == "__main__":
    main()
