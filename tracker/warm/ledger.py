"""What a warm ledger process knows of tracker: which ledger a command line opens, and the
read-only commands it rehearses on that ledger before it serves.

A command's first run in a process compiles every SQL statement it executes, which on a
town's ledger is about half of what `list` or `overdue` costs once the imports are paid.
SQLAlchemy keeps compiled statements per engine, so the server (tracker.warm.server) keeps
a process per ledger recently used: forked from the server, it runs a few read-only
commands on that ledger with every connection refusing writes, keeps their engine
(tracker.db.keep_engine), closes its connections and then forks each later command on
that ledger from itself. The commands it forks find their statements compiled.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Rehearsal stops starting commands after this many seconds: on a district's ledger a
# command takes seconds of its own, against the few milliseconds compiling saves it.
REHEARSAL_SECONDS = 2.0

# What an officer types most, in the order they are rehearsed (`show` follows, on the first
# overdue item; `summary` last, whose figures are the app's first screen). Their arguments
# only choose statements: the results are thrown away.
REHEARSALS: tuple[tuple[str, ...], ...] = (
    ("list", "--overdue"),
    ("overdue",),
    ("list", "--search", "法治"),
    ("list",),
    # The exports' statements, on one row: an export compiles the same (ALL_ROWS).
    ("list", "--all", "--format", "json", "--limit", "1"),
    ("list", "--all", "--format", "csv", "--limit", "1"),
)
LAST_REHEARSAL = ("summary",)


def ledger_url(group: Any, argv: list[str], env: Mapping[str, str], cwd: str) -> str | None:
    """The database URL that `argv` opens with this environment and folder, as the command
    itself will work it out (--db, TRACKER_DB, the config file, the default file); None
    when that cannot be told, or the ledger is a SQLite file that does not exist yet (a
    rehearsal must not be the one to create it)."""
    from tracker.cli.global_options import hoist_global_options, option_arity, subcommand_index
    from tracker.config import load_settings
    from tracker.db import database_url
    from tracker.work import sqlite_path

    hoisted = hoist_global_options(group, argv)
    prefix = hoisted[: subcommand_index(hoisted, option_arity(group))]
    chosen = _last_value(prefix, "--db")
    try:
        with _environment(env):
            settings = load_settings(db=chosen, lang="zh")
            db = settings.db
            if "://" not in db and not os.path.isabs(os.path.expanduser(db)):
                db = os.path.join(cwd, db)
            url = database_url(db)
    except Exception:  # a bad config file or URL: the command itself will say so
        return None
    path = sqlite_path(url)
    if path is not None and not (Path(cwd) / path).is_file():
        return None
    return url


def global_prefix(group: Any, argv: list[str]) -> list[str]:
    """The global options of `argv` (--db, --report, --as-of…), without the subcommand."""
    from tracker.cli.global_options import hoist_global_options, option_arity, subcommand_index

    hoisted = hoist_global_options(group, argv)
    prefix = hoisted[: subcommand_index(hoisted, option_arity(group))]
    return [arg for arg in prefix if arg not in ("-h", "--help", "--version")]


@dataclass(frozen=True)
class Rehearsal:
    """What a ledger's process did before it serves: how many command lines it rehearsed,
    and the one its spares warm up with (tracker.warm.server.LedgerServer; None: no spares,
    as for a ledger not rehearsed)."""

    count: int
    warm_up: list[str] | None


def rehearse(command: Any, prefix: list[str], url: str, run: Any) -> Rehearsal:
    """Run the rehearsals with `prefix` on the ledger at `url`, every connection refusing
    writes; keep the ledger's engine (its compiled statements) for the commands forked
    later. `run(command, args)` runs one command line as the server runs them."""
    from tracker import db

    db.keep_engine(url)
    rehearsal = Rehearsal(0, None)
    with db.refusing_writes():
        if _up_to_date(url):
            rehearsal = _rehearse_commands(command, prefix, run)
    engine = db.kept_engine()
    if engine is not None:
        engine.dispose()  # no connection may cross a fork
    return rehearsal


def _up_to_date(url: str) -> bool:
    """Whether the ledger is at this code's revision: one to be upgraded is left to the
    officer's own next command (an upgrade first writes a backup beside the file)."""
    from tracker.db import make_engine
    from tracker.schema import HEAD, current_revision

    try:
        return current_revision(make_engine(url)) == HEAD
    except Exception:  # unreachable, or not a ledger: the commands will say so
        return False


def _rehearse_commands(command: Any, prefix: list[str], run: Any) -> Rehearsal:
    """The rehearsals, each twice: a statement's first run in a process memoizes parts of
    the mapped classes that its cache key is made of, so its key settles only from the
    second run on (the key every command forked later will look for).

    Spares warm up with `show` of the first overdue item (else a one-row list): a few
    milliseconds at any scale, through what nearly every command goes through (the
    command line, settings, the ledger's engine, the ORM, a Rich table)."""
    started = time.monotonic()
    lines = [[*prefix, *args] for args in REHEARSALS]
    shown = _first_overdue(command, prefix, run)
    warm_up = [*prefix, "list", "--limit", "1"]
    if shown is not None:
        warm_up = [*prefix, "--report", shown[0], "show", shown[1]]
        lines.append(warm_up)
    lines.append([*prefix, *LAST_REHEARSAL])
    count = 0
    for args in lines:
        for _ in range(2):
            run(command, args)
        count += 1
        if time.monotonic() - started > REHEARSAL_SECONDS:
            break
    return Rehearsal(count, warm_up)


def _first_overdue(command: Any, prefix: list[str], run: Any) -> tuple[str, str] | None:
    """(report, code) of the first overdue item, read as an officer's script would."""
    captured = io.StringIO()
    stdout, sys.stdout = sys.stdout, captured
    try:
        run(command, [*prefix, "list", "--overdue", "--limit", "1", "--format", "json"])
    finally:
        sys.stdout = stdout
    try:
        rows = json.loads(captured.getvalue() or "[]")
        return (str(rows[0]["report"]), str(rows[0]["code"])) if rows else None
    except (ValueError, LookupError, TypeError):
        return None


def _last_value(prefix: list[str], option: str) -> str | None:
    value = None
    for index, arg in enumerate(prefix):
        if arg == option and index + 1 < len(prefix):
            value = prefix[index + 1]
        elif arg.startswith(option + "="):
            value = arg.split("=", 1)[1]
    return value


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """os.environ as the client's, for the settings code that reads it (the server is
    single-threaded: nothing else reads it meanwhile)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
