"""tracker and Taskwarrior 2.6 side by side, on equal data, in one run.

For each scale (10k, 100k, 1M periods) the district ledger built by build_district.py is
copied into a scratch folder, and the same items are written as Taskwarrior's data files:
one task per item an officer works on (every period instance, village item and commitment
without instances; not the commitments that only hold periods), its title in Chinese with
its code, a project per responsible unit, its due date, and its status (open -> pending,
done or verified -> completed, cancelled -> deleted). Taskwarrior knows no as-of day, so its
due dates are moved by (today - the ledger's as-of day): the same tasks are overdue for both.

Then each pair of commands runs interleaved (tracker, task, tracker, task ...), after one
round that is not counted (a warm-up, as hyperfine's: the first command on a ledger starts
its warm process, and the first reads fill the file cache), each as a fresh process whose
wall time, CPU time and peak memory (ru_maxrss from os.wait4, exactly that child) are kept:
the overdue list, one unit's overdue items, a search, one item shown, one item logged (a
write: both data sets are put back after every run) and an export of everything. It
prints a table of medians, the ratio tracker/task, and peak memory.

    python benchmarks/bench_vs_taskwarrior.py                      # 10k and 100k, N=5
    python benchmarks/bench_vs_taskwarrior.py --scales 10k,100k,1m -n 3
    python benchmarks/bench_vs_taskwarrior.py --tracker "python -m tracker"
    python benchmarks/bench_vs_taskwarrior.py --smoke              # seconds (CI runs this)

`tracker` is run as installed (the console script beside this Python, else on PATH), so a
faster start-up of the installed command shows here as it would for an officer. Taskwarrior
comes from Debian's package; it is installed with `apt-get install -y taskwarrior` when
`task` is missing (not in --smoke, which then times the tracker side only). Data go under
--dir (default /work/bench-data): district-<scale>.db is built there when missing and only
read; the copies each run writes on are in --dir/vs-taskwarrior/<scale>/. SQLite only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from build_district import (
    SCALES,
    USER,
    BuildOptions,
    as_of_for,
    build,
    smoke_database,
)

from tracker import search_index
from tracker.db import database_url

DEFAULT_DIR = Path("/work/bench-data")
TOWN = "town-01-2021"
SEARCH = "讲座"
# The daily commitment whose overdue period is shown and logged.
DAILY = "3.2-D"
LOG_NOTE = "基准对比记录 / benchmark side-by-side"
NAMESPACE = uuid.UUID("7b0c4a52-6f1e-4d8a-9d0e-1f3a3c5e9b21")
WIDTH = "120"  # both tools format for a 120-column terminal
TIMEOUT_S = 900.0
OPEN = ("todo", "in_progress", "blocked")
TASK_STATUS = {"done": "completed", "verified": "completed", "cancelled": "deleted"}
COMMANDS = ("overdue", "overdue by unit", f"search {SEARCH}", "show one", "log one", "export all")


# --- Taskwarrior --------------------------------------------------------------------------


def find_task(install: bool) -> str | None:
    """The `task` program; installed from Debian's package when missing and `install`."""
    found = shutil.which("task")
    if found or not install:
        return found
    print("task is missing: apt-get install -y taskwarrior", flush=True)
    command = ["apt-get", "install", "-y", "-q", "taskwarrior"]
    if subprocess.run(command, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=False)
        subprocess.run(command, check=False)
    return shutil.which("task")


def _f4(value: str) -> str:
    """A value as Taskwarrior 2.6 writes it in its data files (FF4: JSON string escapes)."""
    return json.dumps(value, ensure_ascii=False)


def _epoch(day: date, end_of_day: bool = False) -> str:
    moment = datetime.combine(day, clock(23, 59, 59) if end_of_day else clock(9, 0))
    return str(int(moment.timestamp()))


@dataclass
class TaskSet:
    """What was written for Taskwarrior, and the item both tools show and log."""

    tasks: int = 0
    pending: int = 0
    overdue: int = 0  # open items due before the as-of day: tracker's red ones
    unit: str = ""  # the unit with the most overdue items
    code: str = ""  # an overdue period of DAILY in TOWN
    uuid: str = ""
    day: str = ""  # its day, which the log gives


def item_rows(db: Path) -> Iterator[tuple[str, str, str, str, str | None, str | None]]:
    """(slug, code, title, status, due, unit) of every item an officer works on."""
    query = """
        SELECT r.slug, c.code, c.title, c.status, c.due, u.name
        FROM commitment c JOIN report r ON r.id = c.report_id LEFT JOIN unit u ON u.id = c.unit_id
        WHERE NOT EXISTS (SELECT 1 FROM commitment k WHERE k.parent_id = c.id)
        ORDER BY c.id
    """
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        yield from conn.execute(query)


def write_tasks(db: Path, folder: Path, as_of: date, today: date) -> TaskSet:
    """Taskwarrior's data files for the items of `db`, due dates moved by today - as_of."""
    shift = today - as_of
    folder.mkdir(parents=True, exist_ok=True)
    written = TaskSet()
    units: dict[str, int] = {}
    entry = _epoch(as_of - timedelta(days=365))
    with (
        open(folder / "pending.data", "w", encoding="utf-8") as pending,
        open(folder / "completed.data", "w", encoding="utf-8") as completed,
    ):
        for slug, code, title, status, due, unit in item_rows(db):
            fields = {"description": f"{title} [{slug} {code}]", "entry": entry}
            if due is not None:
                fields["due"] = _epoch(date.fromisoformat(due) + shift, end_of_day=True)
            fields["modified"] = entry
            if unit:
                fields["project"] = unit
            fields["status"] = TASK_STATUS.get(status, "pending")
            fields["uuid"] = str(uuid.uuid5(NAMESPACE, f"{slug}:{code}"))
            if fields["status"] != "pending":
                fields["end"] = fields.get("due", entry)
            line = "[" + " ".join(f"{k}:{_f4(v)}" for k, v in sorted(fields.items())) + "]\n"
            written.tasks += 1
            if fields["status"] == "pending":
                pending.write(line)
                written.pending += 1
                if due is not None and date.fromisoformat(due) < as_of:
                    written.overdue += 1
                    units[unit or ""] = units.get(unit or "", 0) + 1
                    if slug == TOWN and code.startswith(f"{DAILY}/") and code > written.code:
                        written.code, written.uuid = code, fields["uuid"]
                        written.day = code.split("/", 1)[1]
            else:
                completed.write(line)
    for name in ("undo.data", "backlog.data"):
        (folder / name).write_text("", encoding="utf-8")
    written.unit = max(units, key=lambda name: units[name]) if units else ""
    return written


def taskrc(path: Path, data: Path) -> Path:
    """A taskrc of its own: no confirmation, no colour, no hooks, no news, a fixed width."""
    lines = [
        f"data.location={data}",
        "confirmation=off",
        "color=off",
        "hooks=off",
        "recurrence=off",
        "news.version=2.6.0",
        f"defaultwidth={WIDTH}",
        "detection=off",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- Running ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One run of one command in a child process."""

    wall: float
    cpu: float
    peak_mib: float
    code: int


# GNU time starts the command from its own small process and reports that command's peak
# memory: a child forked from this Python would count this process's pages as its own
# (Linux records the pre-exec image's high-water mark in ru_maxrss), ~60 MiB for anything.
GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


def run_once(argv: list[str], env: dict[str, str], out: Path) -> Sample:
    """Run `argv`, its output to `out`; wall time, and the CPU time and peak memory of
    exactly that child (GNU time's, else os.wait4's, which then includes this process's)."""
    report = out.with_suffix(".rusage")
    command = [GNU_TIME, "-q", "-f", "%M %U %S", "-o", str(report), *argv] if GNU_TIME else argv
    with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
        try:
            _pid, status, usage = os.wait4(child.pid, 0)
        except KeyboardInterrupt:
            child.kill()
            raise
        wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    peak_kib, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    if GNU_TIME:
        fields = report.read_text().strip().splitlines()[-1].split()
        peak_kib, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
        report.unlink()
    return Sample(wall=wall, cpu=cpu, peak_mib=peak_kib / 1024, code=code)


@dataclass(frozen=True)
class Pair:
    """One command as each tool says it; `writes`: the data are put back after each run."""

    name: str
    tracker: list[str]
    task: list[str]
    writes: bool = False
    # Exit codes that mean success: Taskwarrior exits 1 when no task matches.
    task_ok: tuple[int, ...] = (0,)


def pairs(db: Path, as_of: date, tasks: TaskSet, limit: int | None) -> list[Pair]:
    """The six commands of the issue, on the same items, as an officer types them: tracker's
    lists show their first page and the total (`limit`, when given, is passed as --limit:
    0 prints every row, as Taskwarrior does)."""
    base = ["--db", str(db), "--as-of", as_of.isoformat()]
    town = [*base, "--report", TOWN]
    log = ["log", tasks.code, "--date", tasks.day, "--note", LOG_NOTE]
    page = [] if limit is None else ["--limit", str(limit)]
    return [
        Pair("overdue", [*base, "list", "--overdue", *page], ["overdue"], task_ok=(0, 1)),
        Pair(
            "overdue by unit",
            [*base, "overdue", "--unit", tasks.unit],
            [f"project:{tasks.unit}", "overdue"],
            task_ok=(0, 1),
        ),
        Pair(
            f"search {SEARCH}",
            [*base, "list", "--search", SEARCH, *page],
            [f"/{SEARCH}/", "list"],
            task_ok=(0, 1),
        ),
        Pair("show one", [*town, "show", tasks.code], [tasks.uuid, "info"]),
        Pair("log one", [*town, *log], [tasks.uuid, "done"], writes=True),
        Pair("export all", [*base, "list", "--all", "--format", "json"], ["export"]),
    ]


class LedgerRestore:
    """Puts a SQLite ledger back as it was after a write: the rows added since are deleted
    and the changed item's row is written back (tracker's log adds an event, history and
    audit rows and changes one row)."""

    def __init__(self, db: Path, code: str) -> None:
        self.db = db
        with sqlite3.connect(db) as conn:
            # Not the search index's own tables: FTS5 numbers its blocks too, and deleting
            # the blocks written since would leave the index pointing at blocks gone.
            tables = [
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
                if not row[0].startswith(search_index.FTS_TABLE)
            ]
            self.last = {
                table: conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0]
                for table in tables
                if "id" in [col[1] for col in conn.execute(f'PRAGMA table_info("{table}")')]
            }
            report = conn.execute("SELECT id FROM report WHERE slug = ?", (TOWN,)).fetchone()[0]
            cursor = conn.execute(
                "SELECT * FROM commitment WHERE report_id = ? AND code = ?", (report, code)
            )
            self.columns = [d[0] for d in cursor.description]
            self.row = cursor.fetchone()

    def restore(self) -> int:
        """How many rows the write had added."""
        added = 0
        with sqlite3.connect(self.db) as conn:
            conn.execute("PRAGMA foreign_keys=OFF")
            for table, last in self.last.items():
                added += conn.execute(f'DELETE FROM "{table}" WHERE id > ?', (last,)).rowcount
            assignments = ", ".join(f'"{name}" = ?' for name in self.columns)
            conn.execute(
                f"UPDATE commitment SET {assignments} WHERE id = ?", (*self.row, self.row[0])
            )
        with sqlite3.connect(self.db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return added


class TaskRestore:
    """Puts Taskwarrior's data files back from the pristine copy after a write: every file
    that changed since it was last put back."""

    def __init__(self, pristine: Path, live: Path) -> None:
        self.pristine, self.live = pristine, live
        self.seen: dict[str, tuple[int, int]] = {}
        self.restore()

    def restore(self) -> int:
        """How many files the write had changed."""
        self.live.mkdir(parents=True, exist_ok=True)
        changed = 0
        for source in sorted(self.pristine.glob("*.data")):
            target = self.live / source.name
            if self.seen.get(source.name) != _stat(target):
                shutil.copyfile(source, target)
                self.seen[source.name] = _stat(target)
                changed += 1
        return changed


def _stat(path: Path) -> tuple[int, int]:
    if not path.exists():
        return (-1, -1)
    found = path.stat()
    return found.st_size, found.st_mtime_ns


@dataclass
class Measured:
    """Every run of one pair."""

    pair: Pair
    tracker: list[Sample] = field(default_factory=list)
    task: list[Sample] = field(default_factory=list)


def _cell(samples: list[Sample], ok: tuple[int, ...]) -> tuple[float | None, str, str]:
    """(median wall, the time as shown, peak memory as shown); a failure says so."""
    if not samples:
        return None, "-", "-"
    peak = f"{max(s.peak_mib for s in samples):,.0f}"
    failed = [s for s in samples if s.code not in ok]
    if failed:
        worst = failed[0]
        return None, f"fails: exit {worst.code} after {worst.wall:.1f} s", peak
    median = statistics.median(s.wall for s in samples)
    return median, f"{median:.3f}", peak


@dataclass
class Scale:
    """One data set, both ways."""

    label: str
    db: Path  # the district ledger as built (read only)
    periods: int = 0


def copy_ledger(source: Path, target: Path) -> None:
    """A copy to write on, by SQLite's backup (whatever others reading the source do)."""
    target.unlink(missing_ok=True)
    reading = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writing = sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        writing.close()
        reading.close()


def periods_of(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        query = "SELECT count(*) FROM commitment WHERE period_key IS NOT NULL"
        return int(conn.execute(query).fetchone()[0])


def through_year(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT max(instances_through) FROM report").fetchone()[0])


# Kept from the environment: whether the installed `tracker` may use its warm server.
KEPT = ("TRACKER_SERVER", "TRACKER_SERVER_IDLE_MINUTES", "TRACKER_SERVER_LEDGERS")


def tracker_env(folder: Path) -> dict[str, str]:
    """No settings leak in from this machine; the benchmark's admin acts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_") or k in KEPT}
    env |= {"TRACKER_CONFIG": str(folder / "no-config.toml"), "TRACKER_USER": USER}
    env |= {"COLUMNS": WIDTH, "TRACKER_LANG": "zh"}
    return env


def measure(
    scale: Scale,
    work: Path,
    tracker: list[str],
    task: str | None,
    repeats: int,
    limit: int | None = None,
) -> tuple[list[Measured], TaskSet]:
    """Both data sets of one scale, then every pair interleaved `repeats` times."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "tracker.db"
    if not db.exists() or db.stat().st_mtime < scale.db.stat().st_mtime:
        print(f"  copying {scale.db} -> {db}", flush=True)
        copy_ledger(scale.db, db)
    as_of = as_of_for(through_year(db))
    started = time.perf_counter()
    tasks = write_tasks(db, work / "task-pristine", as_of, date.today())
    print(
        f"  {tasks.tasks:,} tasks ({tasks.pending:,} pending, {tasks.overdue:,} overdue) "
        f"written in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    ledger = LedgerRestore(db, tasks.code)
    live = work / "task"
    task_data = TaskRestore(work / "task-pristine", live)
    task_env = dict(os.environ) | {
        "TASKRC": str(taskrc(work / "taskrc", live)),
        "TASKDATA": str(live),
    }
    if task is not None:
        counted = subprocess.run(
            [task, "+OVERDUE", "count"], capture_output=True, text=True, env=task_env, check=False
        )
        print(
            f"  overdue: {tasks.overdue:,} open items due before {as_of} in the ledger, "
            f"{counted.stdout.strip()} tasks +OVERDUE for Taskwarrior today",
            flush=True,
        )
    env = tracker_env(work)
    results = [Measured(pair) for pair in pairs(db, as_of, tasks, limit)]
    for pair in (r.pair for r in results):
        print(f"  {pair.name}: tracker {shlex.join(pair.tracker)}", flush=True)
        print(f"  {' ' * len(pair.name)}  task {shlex.join(pair.task)}", flush=True)
    out = work / "out.txt"
    # Round -1 is a warm-up, not counted (as hyperfine's --warmup): the first command on a
    # ledger starts its warm process, and both sides' first reads fill the file cache.
    for round_ in range(-1, repeats):
        for result in results:
            pair = result.pair
            sides = [("tracker", [*tracker, *pair.tracker], env)]
            if task is not None:
                sides.append(("task", [task, *pair.task], task_env))
            if round_ % 2:  # alternate who goes first
                sides.reverse()
            for side, argv, side_env in sides:
                sample = run_once(argv, side_env, out)
                if round_ >= 0:
                    getattr(result, side).append(sample)
                ok = pair.task_ok if side == "task" else (0,)
                if sample.code not in ok:
                    said = out.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
                    print(f"  {side} {pair.name}: exit {sample.code}: {said[-500:]}", flush=True)
                if pair.writes:
                    undone = ledger.restore() if side == "tracker" else task_data.restore()
                    if not undone:
                        print(f"  {side} {pair.name}: wrote nothing", flush=True)
            counted = f"round {round_ + 1} of {repeats}" if round_ >= 0 else "warm-up"
            print(f"  {pair.name}: {counted}", flush=True)
    out.unlink(missing_ok=True)
    out.with_suffix(".err").unlink(missing_ok=True)
    return results, tasks


def print_tables(rows: list[tuple[Scale, list[Measured]]]) -> None:
    """The full table, then the ratios alone, as the issue gives them."""
    print()
    print(
        "| periods | command | tracker s | task s | tracker/task | tracker CPU s | task CPU s "
        "| CPU tracker/task | tracker MiB | task MiB |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    ratios: dict[str, dict[str, str]] = {}
    for scale, measured in rows:
        for m in measured:
            ours, ours_text, ours_mib = _cell(m.tracker, (0,))
            theirs, theirs_text, theirs_mib = _cell(m.task, m.pair.task_ok)
            ratio = f"{ours / theirs:.2f}×" if ours is not None and theirs else "-"
            if (ours is None and m.tracker) or (theirs is None and m.task):
                ratio = "fails"
            cpu = [
                statistics.median(s.cpu for s in side) if side else None
                for side in (m.tracker, m.task)
            ]
            cpu_text = ["-" if c is None else f"{c:.2f}" for c in cpu]
            both = ours is not None and theirs is not None
            cpu_ratio = f"{cpu[0] / cpu[1]:.2f}×" if both and cpu[0] is not None and cpu[1] else "-"
            print(
                f"| {scale.label} | {m.pair.name} | {ours_text} | {theirs_text} | {ratio} "
                f"| {cpu_text[0]} | {cpu_text[1]} | {cpu_ratio} | {ours_mib} | {theirs_mib} |"
            )
            ratios.setdefault(scale.label, {})[m.pair.name] = ratio
    print()
    print("| periods | " + " | ".join(COMMANDS) + " |")
    print("|---|" + "--:|" * len(COMMANDS))
    for label, by_name in ratios.items():
        print(f"| {label} | " + " | ".join(by_name.get(name, "-") for name in COMMANDS) + " |")


def describe(tracker: list[str], task: str | None) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, load average {load}")
    print(f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    version = subprocess.run([*tracker, "--version"], capture_output=True, text=True, check=False)
    print(f"tracker: {shlex.join(tracker)} ({version.stdout.strip() or version.stderr.strip()})")
    server = os.environ.get("TRACKER_SERVER", "unset")
    print(
        f"TRACKER_SERVER={server}: where the installed client hands commands to a warm server, "
        "tracker's CPU and MiB are the client's alone (the work is the server's); wall is whole"
    )
    if task is None:
        print("task: not installed (--smoke does not install it): the tracker side only")
    else:
        found = subprocess.run([task, "--version"], capture_output=True, text=True, check=False)
        print(f"task: {task} ({found.stdout.strip()})")


def default_tracker() -> list[str]:
    """The installed console script: beside this Python (a venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / "tracker"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("tracker")
    return [found] if found else [sys.executable, "-m", "tracker"]


def district(folder: Path, label: str) -> Path:
    """district-<label>.db in `folder`, built (bulk writer) when missing."""
    path = folder / f"district-{label}.db"
    if not path.exists():
        towns, years, extra = SCALES[label]
        print(f"building {path} ({towns} towns, {years} years, {extra} extra daily)", flush=True)
        build(BuildOptions(database_url(str(path)), towns, years, extra, rebuild=False))
    return path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10k,100k", help="of 10k, 100k, 1m")
    parser.add_argument("-n", "--repeats", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the data sets go")
    parser.add_argument(
        "--tracker", help="the tracker command (default: the installed `tracker` script)"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="check that it runs: one town (--db, else built in a temporary folder), N=1, "
        "Taskwarrior only if installed",
    )
    parser.add_argument("--db", type=Path, help="with --smoke: the one-town ledger to use")
    parser.add_argument(
        "--tracker-limit",
        type=int,
        help="--limit for tracker's two lists (default: its own first page; 0: every row)",
    )
    args = parser.parse_args(argv)
    labels = [s.strip().lower() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in labels if s not in SCALES or s == "smoke"]
    if unknown and not args.smoke:
        parser.error(f"unknown scale {unknown[0]!r}: choose from 10k, 100k, 1m")
    args.labels = labels
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    tracker = shlex.split(args.tracker) if args.tracker else default_tracker()
    task = find_task(install=not args.smoke)
    if task is None and not args.smoke:
        raise SystemExit("Taskwarrior (`task`) is not installed and could not be installed")
    describe(tracker, task)
    rows: list[tuple[Scale, list[Measured]]] = []
    with tempfile.TemporaryDirectory() as scratch:
        if args.smoke:
            args.repeats = 1
            db = args.db or Path(smoke_database(Path(scratch)))
            scales = [Scale("smoke", db)]
            root = Path(scratch)
        else:
            args.dir.mkdir(parents=True, exist_ok=True)
            scales = [Scale(label, district(args.dir, label)) for label in args.labels]
            root = args.dir / "vs-taskwarrior"
        for scale in scales:
            scale.periods = periods_of(scale.db)
            scale.label = f"{scale.label} ({scale.periods:,})"
            print(f"{scale.label}: {scale.db}", flush=True)
            measured, _ = measure(
                scale, root / scale.db.stem, tracker, task, args.repeats, args.tracker_limit
            )
            rows.append((scale, measured))
    print_tables(rows)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average after: {load}; N={args.repeats}, medians of interleaved runs")
    failed = [
        m.pair.name
        for _, measured in rows
        for m in measured
        if any(s.code != 0 for s in m.tracker) or any(s.code not in m.pair.task_ok for s in m.task)
    ]
    if args.smoke and failed:
        # A failure at scale is a result; in the smoke run it means the benchmark broke.
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
