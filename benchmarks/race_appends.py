"""Many officers logging on one item at once: N processes × M `tracker log` commands.

Each worker process runs the real command line (`tracker.cli.app`, in its own process, so
settings, the unit of work and its reruns, and the one-line refusals are the ones an officer
gets) M times: `tracker log CODE --date D --note TOKEN`, every note a token naming the
worker and the write. It reports each write as acknowledged (exit 0) or refused (the line
printed), and how many times it was rerun after a conflict with another writer. Then the
ledger is checked: every acknowledged token is one event and one history row, no refused
one is there at all, the period's status and count are what its events make them, and the
audit chain is intact.

    python benchmarks/race_appends.py                              # SQLite, 16 × 50
    python benchmarks/race_appends.py --db postgresql+psycopg://postgres@127.0.0.1/race
    python benchmarks/race_appends.py --procs 4 --writes 10 --log writes.jsonl

The database is made and seeded when it is empty (as benchmarks/stress.py does); the
workers' names are supervisors.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stress import prepare, worker_name  # noqa: E402  (the same seeded ledger and workers)

from tracker.db import database_url, make_engine, new_session  # noqa: E402
from tracker.models import Event, History, HistoryKind  # noqa: E402
from tracker.services.asof import counted_events, status_of  # noqa: E402
from tracker.services.audit_chain import verify_chain  # noqa: E402
from tracker.services.lookup import get_commitment  # noqa: E402

try:  # absent before issue 10: the script then measures the tracker that had no reruns
    import tracker.services.retry as retry
except ImportError:  # pragma: no cover
    retry = None  # type: ignore[assignment]

CODE = "5.5a/2026"  # a quota period: each event moves its count, checkpoint and status
FIRST_DAY = date(2026, 1, 5)
LAST_DAY = date(2026, 11, 26)
TOKEN_PREFIX = "race:"


def one_write(db: str, user: str, code: str, day: date, token: str) -> tuple[int, str]:
    """`tracker --db DB --user USER log CODE --date DAY --note TOKEN`, in this process: its
    exit code and what it printed on stderr."""
    from tracker.cli import app

    args = ["--db", db, "--user", user, "log", code, "--date", day.isoformat(), "--note", token]
    said_out, said_err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(said_out), contextlib.redirect_stderr(said_err):
        try:
            code_ = app(args, standalone_mode=False)
            status = code_ if isinstance(code_, int) else 0
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
    return status, said_err.getvalue().strip()


def work(db: str, index: int, writes: int, code: str, seed: int) -> None:
    """Worker `index`: `writes` logs, one JSON line each on stdout."""
    reruns = 0
    if retry is not None:
        original = retry.pause_before

        def counted(rerun: int) -> float:
            nonlocal reruns
            reruns += 1
            return original(rerun)

        retry.pause_before = counted  # count the reruns; the pauses stay as they are
    rng = random.Random(seed * 1000 + index)
    user = worker_name(index)
    stdout = sys.stdout
    span = (LAST_DAY - FIRST_DAY).days
    for number in range(writes):
        token = f"{TOKEN_PREFIX}{index}:{number}"
        day = FIRST_DAY + timedelta(days=rng.randrange(span + 1))
        reruns = 0
        started = time.perf_counter()
        status, said = one_write(db, user, code, day, token)
        line = {
            "token": token,
            "ack": status == 0,
            "said": said,
            "reruns": reruns,
            "ms": round((time.perf_counter() - started) * 1000),
        }
        stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        stdout.flush()


def run_workers(
    db: str, procs: int, writes: int, code: str, seed: int
) -> tuple[list[dict[str, Any]], float]:
    """Start the workers together; every write they report, and the wall time."""
    started = time.perf_counter()
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--db",
                db,
                "--worker",
                str(i),
                "--writes",
                str(writes),
                "--code",
                code,
                "--seed",
                str(seed),
            ],  # fmt: skip
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(procs)
    ]
    writes_seen: list[dict[str, Any]] = []
    for child in children:
        out, _ = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"a worker failed with exit code {child.returncode}")
        writes_seen += [json.loads(line) for line in out.splitlines() if line.strip()]
    return writes_seen, time.perf_counter() - started


def check(url: str, code: str, writes: list[dict[str, Any]]) -> tuple[list[str], str]:
    """What is wrong in the ledger after the run (nothing, when all is well), and the
    period's state as a line."""
    engine = make_engine(url)
    with new_session(engine) as session:
        item = get_commitment(session=session, code=code, report_slug=None)
        assert item.id is not None
        events = Counter(
            session.exec(
                select(Event.note).where(
                    col(Event.commitment_id) == item.id, col(Event.note).startswith(TOKEN_PREFIX)
                )
            ).all()
        )
        history = Counter(
            session.exec(
                select(History.note).where(
                    col(History.commitment_id) == item.id,
                    col(History.kind) == HistoryKind.EVENT,
                    col(History.note).startswith(TOKEN_PREFIX),
                )
            ).all()
        )
        today = date.today()
        count = counted_events(session, item.id, today)
        replayed = status_of(session, item.id, today)
        chain = verify_chain(session)
        state = f"{code}: {count} events count, status {item.status}, target {item.target}"
        problems = []
        if str(replayed) != item.status:
            problems.append(f"stored status {item.status}, its events make it {replayed}")
    engine.dispose()
    if not chain.intact:
        problems.append(f"audit chain broken: {chain.broken}")
    for write in writes:
        token, expected = write["token"], 1 if write["ack"] else 0
        for where, found in (("events", events), ("history", history)):
            if found.get(token, 0) != expected:
                problems.append(f"{token}: acknowledged={write['ack']}, {found.get(token, 0)} "
                                f"in {where}")  # fmt: skip
    unknown = set(events) - {w["token"] for w in writes}
    if unknown:
        problems.append(f"{len(unknown)} events nobody reported writing")
    return problems, state


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="SQLite path or URL (default: a temp file)")
    parser.add_argument("--procs", type=int, default=16)
    parser.add_argument("--writes", type=int, default=50)
    parser.add_argument("--code", default=CODE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log", type=Path, help="write every write's report here (JSON lines)")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--smoke", action="store_true", help="check that it runs: 2 processes × 3 writes"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.procs, args.writes = 2, 3
    if args.worker is not None:
        work(args.db, args.worker, args.writes, args.code, args.seed)
        return
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(Path(folder) / "race.db")
        url = database_url(db)
        prepare(url, args.procs)
        writes, wall = run_workers(db, args.procs, args.writes, args.code, args.seed)
        problems, state = check(url, args.code, writes)
    if args.log:
        args.log.write_text("".join(json.dumps(w, ensure_ascii=False) + "\n" for w in writes))
    acked = [w for w in writes if w["ack"]]
    refusals = Counter(w["said"] for w in writes if not w["ack"])
    reruns = Counter(w["reruns"] for w in writes)
    times = sorted(w["ms"] for w in writes)
    print(f"{args.procs} processes × {args.writes} `tracker log` on {args.code}: {wall:.1f} s")
    print(f"acknowledged {len(acked)}, refused {len(writes) - len(acked)}")
    for said, count in refusals.most_common(5):
        print(f"  refused {count}×: {said}")
    print("reruns per write: " + ", ".join(f"{n}: {c}" for n, c in sorted(reruns.items())))
    print(f"ms per write: median {times[len(times) // 2]}, "
          f"p95 {times[int(len(times) * 0.95)]}, max {times[-1]}")  # fmt: skip
    print(state)
    for problem in problems[:20]:
        print("PROBLEM", problem)
    print("OK: every acknowledged write is recorded exactly once, no refused one at all"
          if not problems else f"FAILED: {len(problems)} problems")  # fmt: skip
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
