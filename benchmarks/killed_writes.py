"""Writes whose answer was lost: `tracker log` killed with SIGKILL, then repeated.

Each run starts `python -m tracker log CODE --date D --note TOKEN --evidence FILE` as an
officer would, and kills it (SIGKILL: no clean-up, no goodbye) either at a random moment of
its life, or the instant its event shows in the database, before it can print its answer
(this script watches the database for the token; nothing in the tracker helps it). A run
whose answer was not seen is repeated, as the officer would, until an answer is seen.
Then the ledger is checked:

* every token is exactly one event and one history row;
* a repeat of a run that had committed said "already recorded at HH:MM (#id)" with that
  event's time and id, and one of a run that had not, logged the event;
* every repeat exited 0 (nothing refused).

    python benchmarks/killed_writes.py                    # SQLite (a temp file), 60 runs
    python benchmarks/killed_writes.py --db postgresql+psycopg://postgres@127.0.0.1/killed

The database is made and seeded when it is empty (benchmarks/stress.py's `prepare`).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stress import prepare, worker_name  # noqa: E402

from tracker.db import database_url, make_engine, new_session  # noqa: E402
from tracker.i18n import set_language, t  # noqa: E402
from tracker.labels import clock_time  # noqa: E402
from tracker.models import Event, History, HistoryKind  # noqa: E402
from tracker.services.evidence_store import TEMP_PREFIX  # noqa: E402

CODE = "5.5a/2026"
FIRST_DAY = date(2026, 1, 5)
TOKEN_PREFIX = "killed:"
POLL = 0.001  # seconds between looks at the database while waiting for a commit


@dataclass
class Run:
    token: str
    day: date
    outcome: str  # "answered", "killed before commit", "killed after commit"
    repeats: int = 0


def _command(db: str, user: str, day: date, token: str, evidence: Path) -> list[str]:
    return [
        sys.executable, "-m", "tracker", "--db", db, "--user", user, "log", CODE,
        "--date", day.isoformat(), "--note", token, "--evidence", str(evidence),
    ]  # fmt: skip


def _event(engine: Engine, token: str) -> Event | None:
    with new_session(engine) as session:
        return session.exec(select(Event).where(col(Event.note) == token)).first()


def _committed(engine: Engine, token: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM event WHERE note = :t"), {"t": token})
        return found.first() is not None


def _answered(out: str) -> bool:
    """Whether the command printed its answer (logged, or already recorded)."""
    return any(mark in out for mark in ("已记录", "已于"))


def one_run(
    engine: Engine, command: list[str], token: str, rng: random.Random, lifetime: float
) -> tuple[bool, bool]:
    """Start the command and kill it; (its answer seen, its event committed)."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if rng.random() < 0.5:
        time.sleep(rng.uniform(0.2, 1.1) * lifetime)  # a random moment of its life
    else:
        deadline = time.monotonic() + 5 * lifetime
        while child.poll() is None and time.monotonic() < deadline:
            if _committed(engine, token):  # the instant its commit is visible
                break
            time.sleep(POLL)
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    out, _ = child.communicate()
    return _answered(out), _committed(engine, token)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="SQLite path or URL (default: a temp file)")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="check that it runs: 2 runs")
    args = parser.parse_args(argv)
    if args.smoke:
        args.runs = 2
    rng = random.Random(args.seed)
    set_language("zh")
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("TRACKER_EVIDENCE_DIR", str(Path(folder) / "evidence"))
        os.environ["TRACKER_LANG"] = "zh"
        os.environ["COLUMNS"] = "1000"  # one answer, one line: Rich wraps at 80 in a pipe
        db = args.db or str(Path(folder) / "killed.db")
        url = database_url(db)
        prepare(url, 1)
        engine = make_engine(url)
        user = worker_name(0)
        evidence = Path(folder) / "签到表.txt"
        evidence.write_text("sign-in sheet\n", encoding="utf-8")
        started = time.monotonic()
        warm = subprocess.run(  # how long a command lives here, to kill it within that
            _command(db, user, FIRST_DAY, f"{TOKEN_PREFIX}warm-up", evidence),
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        lifetime = time.monotonic() - started
        assert _answered(warm.stdout), warm.stdout + warm.stderr
        runs: list[Run] = []
        problems: list[str] = []
        for number in range(args.runs):
            token = f"{TOKEN_PREFIX}{number}"
            day = FIRST_DAY + timedelta(days=rng.randrange(300))
            command = _command(db, user, day, token, evidence)
            seen, committed = one_run(engine, command, token, rng, lifetime)
            if seen:
                runs.append(Run(token, day, "answered"))
                continue
            run = Run(token, day, "killed after commit" if committed else "killed before commit")
            runs.append(run)
            while True:  # the officer repeats it until an answer is seen
                run.repeats += 1
                again = subprocess.run(command, capture_output=True, text=True)
                if again.returncode != 0:
                    problems.append(f"{token}: the repeat was refused: {again.stderr.strip()}")
                    break
                if _answered(again.stdout):
                    break
            event = _event(engine, token)
            if event is None:
                problems.append(f"{token}: not recorded after the repeat")
                continue
            if committed and run.repeats == 1:
                said = t("event_repeated", code=CODE, date=day.isoformat(),
                         at=clock_time(event.recorded_at), id=event.id)  # fmt: skip
                if said not in again.stdout:
                    problems.append(f"{token}: the repeat did not say it was recorded: "
                                    f"{again.stdout.strip()!r}")  # fmt: skip
            if not committed and "已记录" not in again.stdout:
                problems.append(f"{token}: the repeat did not log it: {again.stdout.strip()!r}")
        with new_session(engine) as session:
            events = Counter(
                session.exec(select(Event.note).where(col(Event.note).startswith(TOKEN_PREFIX)))
            )
            history = Counter(
                session.exec(
                    select(History.note).where(
                        col(History.kind) == HistoryKind.EVENT,
                        col(History.note).startswith(TOKEN_PREFIX),
                    )
                )
            )
        engine.dispose()
        for run in runs:
            if (events[run.token], history[run.token]) != (1, 1):
                problems.append(f"{run.token}: {events[run.token]} events, "
                                f"{history[run.token]} history rows")  # fmt: skip
        store = Path(os.environ["TRACKER_EVIDENCE_DIR"])
        orphans = len(list(store.glob(f"{TEMP_PREFIX}*")))
    outcomes = Counter(run.outcome for run in runs)
    print(f"{args.runs} runs of `tracker log {CODE}`, each living ~{lifetime:.2f} s:")
    for outcome in ("answered", "killed before commit", "killed after commit"):
        print(f"  {outcome}: {outcomes.get(outcome, 0)}")
    print(f"repeats: {sum(run.repeats for run in runs)}; "
          f"temporary files left in the store by killed copies: {orphans}")  # fmt: skip
    for problem in problems[:20]:
        print("PROBLEM", problem)
    print("OK: every event recorded exactly once; every lost answer told on repeating"
          if not problems else f"FAILED: {len(problems)} problems")  # fmt: skip
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
