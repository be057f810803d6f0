"""Many officers at once: N processes × M mixed changes on the same few items.

Each worker process makes status changes and logs events on the same items, one transaction
each, through the same services the CLI and the app use, and writes one JSON line per
attempt: acknowledged (committed) or refused (and why). Every note carries a token naming
the worker and the attempt. Afterwards the check reads the database: every acknowledged
change is in the history exactly once, no refused one is there at all, and the events
logged per item match the acknowledged logs.

    python benchmarks/stress.py                                   # SQLite, 8 × 200
    python benchmarks/stress.py --db postgresql+psycopg://postgres@127.0.0.1/tracker_stress
    python benchmarks/stress.py --procs 4 --ops 25 --log attempts.jsonl

The database is made and seeded when it is empty; the workers' names are made supervisors
(an officer may only change their own unit's items; these change everyone's).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import col, select

from tracker.db import database_url, make_engine, new_session
from tracker.errors import TrackerError
from tracker.models import Account, Event, History, HistoryKind, Role, Status
from tracker.schedule import WorkCalendar
from tracker.schema import create_schema, has_schema
from tracker.services.events import log_event
from tracker.services.lookup import get_commitment
from tracker.services.seed_file import load_seed_file
from tracker.services.seeding import apply_seed
from tracker.services.updates import set_status

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seed_data" / "baohe-2021.yaml"
AS_OF = date(2026, 11, 26)
# The items everyone works on: a quota period, a month, and three one-off items.
ITEMS = ("5.5a/2026", "3.2-M/2026-11", "1.4c", "6.1", "7.1a")
# Days an event may be logged on each: inside its period, not after the as-of date.
DAYS = {
    "5.5a/2026": (date(2026, 1, 5), AS_OF),
    "3.2-M/2026-11": (date(2026, 11, 2), AS_OF),
}
STATUSES = (Status.TODO, Status.IN_PROGRESS, Status.BLOCKED, Status.DONE)
TOKEN_PREFIX = "stress:"


def worker_name(index: int) -> str:
    return f"压测员{index:02d}"


def prepare(url: str, procs: int) -> None:
    """A seeded ledger with the workers as supervisors (made once; reused after)."""
    engine = make_engine(url)
    calendar = WorkCalendar()
    now = datetime.now(UTC)
    if not has_schema(engine):
        create_schema(engine)
        with new_session(engine) as session:
            apply_seed(
                session=session,
                seed=load_seed_file(SEED),
                user="压测管理员",
                now=now,
                through_year=AS_OF.year,
                calendar=calendar,
            )
            session.commit()
    with new_session(engine) as session:
        known = set(session.exec(select(Account.name)).all())
        for index in range(procs):
            if worker_name(index) not in known:
                session.add(
                    Account(
                        name=worker_name(index),
                        role=Role.SUPERVISOR,
                        created_by="压测管理员",
                        created_at=now,
                    )
                )
        session.commit()
    engine.dispose()


def _attempt(url_engine: Any, user: str, code: str, token: str, rng: random.Random) -> str:
    """One change in its own transaction; returns what it was ("status" or "event")."""
    calendar = WorkCalendar()
    with new_session(url_engine) as session:
        item = get_commitment(session=session, code=code, report_slug=None)
        now = datetime.now(UTC)
        if code in DAYS and rng.random() < 0.5:
            first, last = DAYS[code]
            day = first + timedelta(days=rng.randrange((last - first).days + 1))
            log_event(
                session=session,
                item=item,
                day=day,
                note=token,
                evidence=[],
                user=user,
                now=now,
                calendar=calendar,
            )
            kind = "event"
        else:
            status = rng.choice([s for s in STATUSES if s.value != item.status])
            set_status(session=session, item=item, status=status, note=token, user=user, now=now)
            kind = "status"
        session.commit()
    return kind


def work(url: str, index: int, ops: int, seed: int) -> None:
    """Worker `index`: `ops` changes, one JSON line each on stdout."""
    rng = random.Random(seed * 1000 + index)
    engine = make_engine(url)
    user = worker_name(index)
    for number in range(ops):
        code = rng.choice(ITEMS)
        token = f"{TOKEN_PREFIX}{index}:{number}"
        try:
            kind = _attempt(engine, user, code, token, rng)
            line = {"token": token, "code": code, "ack": True, "kind": kind}
        except (TrackerError, StaleDataError, OperationalError) as exc:
            reason = exc.key if isinstance(exc, TrackerError) else type(exc).__name__
            line = {"token": token, "code": code, "ack": False, "reason": reason}
        print(json.dumps(line, ensure_ascii=False), flush=True)
    engine.dispose()


def run_workers(db: str, procs: int, ops: int, seed: int) -> tuple[list[dict[str, Any]], float]:
    """Start the workers together; every attempt they report, and the wall time."""
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
                "--ops",
                str(ops),
                "--seed",
                str(seed),
            ],  # fmt: skip
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(procs)
    ]
    attempts: list[dict[str, Any]] = []
    for child in children:
        out, _ = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"a worker failed with exit code {child.returncode}")
        attempts += [json.loads(line) for line in out.splitlines() if line.strip()]
    return attempts, time.perf_counter() - started


def check(url: str, attempts: list[dict[str, Any]]) -> list[str]:
    """What is wrong in the ledger after the run (nothing, when all is well)."""
    engine = make_engine(url)
    with new_session(engine) as session:
        rows = session.exec(
            select(History.kind, History.note).where(col(History.note).startswith(TOKEN_PREFIX))
        ).all()
        events = session.exec(
            select(Event.note).where(col(Event.note).startswith(TOKEN_PREFIX))
        ).all()
    engine.dispose()
    in_history = Counter(note for _kind, note in rows)
    kinds = {note: kind for kind, note in rows}
    problems = []
    for attempt in attempts:
        token, seen = attempt["token"], in_history.get(attempt["token"], 0)
        if attempt["ack"] and seen != 1:
            problems.append(f"{token}: acknowledged, in the history {seen} times")
        if attempt["ack"]:
            expected = HistoryKind.EVENT if attempt["kind"] == "event" else HistoryKind.STATUS
            if kinds.get(token) != expected:
                problems.append(f"{token}: recorded as {kinds.get(token)}, not {expected}")
        if not attempt["ack"] and seen:
            problems.append(f"{token}: refused, yet in the history {seen} times")
    acked_events = Counter(a["token"] for a in attempts if a["ack"] and a["kind"] == "event")
    if Counter(events) != acked_events:
        problems.append(f"events: {len(events)} in the ledger, {len(acked_events)} acknowledged")
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="SQLite path or URL (default: a temp file)")
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log", type=Path, help="write every attempt here (JSON lines)")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--smoke", action="store_true", help="check that it runs: 2 processes × 5 changes"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.procs, args.ops = 2, 5
    if args.worker is not None:
        work(database_url(args.db), args.worker, args.ops, args.seed)
        return
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(Path(folder) / "stress.db")
        url = database_url(db)
        prepare(url, args.procs)
        attempts, wall = run_workers(db, args.procs, args.ops, args.seed)
        problems = check(url, attempts)
    if args.log:
        args.log.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in attempts))
    acked = [a for a in attempts if a["ack"]]
    reasons = Counter(a["reason"] for a in attempts if not a["ack"])
    print(f"{args.procs} processes × {args.ops} changes on {len(ITEMS)} items: {wall:.1f} s")
    print(f"acknowledged {len(acked)}, refused {len(attempts) - len(acked)} {dict(reasons)}")
    print(f"events acknowledged {sum(1 for a in acked if a['kind'] == 'event')}")
    for problem in problems[:20]:
        print("PROBLEM", problem)
    print("OK: every acknowledged change is in the history exactly once" if not problems
          else f"FAILED: {len(problems)} problems")  # fmt: skip
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
