"""Warm ledger processes (tracker.warm.ledger): after a command on a ledger, the server forks
a process that rehearses read-only commands on it and then forks the later commands on that
ledger, which find their SQL compiled. They must behave exactly as commands run in-process,
the rehearsal must write nothing, and the processes must end with their server."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import default
from sqlalchemy.exc import DBAPIError
from typer.main import get_command

from tests.warm_helpers import (
    alive,
    children_of,
    environment,
    ledger_pids,
    run,
    runtime_dir,
    server_pids,
    spares_logged,
    start,
    wait_until,
)
from tracker import db
from tracker.cli import app
from tracker.schema import HEAD, REVISIONS
from tracker.warm import ledger


@pytest.fixture
def runtime() -> Iterator[Path]:
    with runtime_dir() as folder:
        yield folder


@pytest.fixture
def no_kept_engine() -> Iterator[None]:
    """Whatever a test keeps in tracker.db is let go afterwards: later tests make engines."""
    yield
    db.keep_engine(None)


def _warm_ledger(env: dict[str, str], runtime: Path) -> tuple[int, int]:
    """(server, ledger process) once a command has run and the ledger's process is ready."""
    first = run(["list", "--limit", "1"], env, warm=True)
    assert first.returncode == 0, first.stderr.decode()
    (server,) = server_pids(runtime)
    assert wait_until(lambda: ledger_pids(server), 60), "no ledger process became ready"
    (process,) = ledger_pids(server)
    return server, process


LATER_COMMANDS = [
    ["list", "--overdue", "--limit", "5"],
    ["overdue"],
    ["show", "5.5a"],
    ["--lang", "en", "list", "--search", "讲座"],
    ["list", "--format", "json"],
    ["show", "9.9"],  # no such item: one line, exit 1
    ["summary"],
]


def test_commands_forked_from_a_ledger_process_print_and_exit_as_in_process(
    db_url: str, runtime: Path
) -> None:
    env = environment(runtime, TRACKER_DB=db_url)
    _warm_ledger(env, runtime)
    for args in LATER_COMMANDS:
        cold = run(args, env, warm=False)
        warm = run(args, env, warm=True)
        assert (warm.returncode, warm.stdout.decode(), warm.stderr.decode()) == (
            cold.returncode,
            cold.stdout.decode(),
            cold.stderr.decode(),
        ), args


def test_a_write_on_a_warm_ledger_runs_in_its_process_and_is_recorded_once(
    tmp_path: Path, sqlite_template: Path, runtime: Path
) -> None:
    """A note waiting for the file's lock is seen running as a child of the ledger's
    process; released, it is written once, under the officer."""
    path = tmp_path / "tracker.db"
    path.write_bytes(sqlite_template.read_bytes())
    env = environment(runtime, TRACKER_DB=f"sqlite:///{path}", TRACKER_USER="王科员")
    _server, process = _warm_ledger(env, runtime)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    waiting = start(["note", "5.5a", "账本进程里的备注"], env, warm=True)
    # The note and the ledger's spare (tracker.warm.server.LedgerServer).
    assert wait_until(lambda: len(children_of(process)) >= 2, 30)
    holder.execute("ROLLBACK")
    holder.close()
    _out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err.decode()
    with sqlite3.connect(path) as connection:
        by = connection.execute(
            "SELECT changed_by FROM history WHERE note LIKE '%账本进程里%'"
        ).fetchall()
    assert by == [("王科员",)]


def test_a_command_on_a_warm_ledger_runs_in_the_spare_that_warmed_up_for_it(
    tmp_path: Path, sqlite_template: Path, runtime: Path
) -> None:
    """The spare takes the next command (here a note, waiting for the file's lock), a new
    spare is forked for the one after, and the note writes as any note does: the spare's
    warm-up, which could not write, left nothing behind that stops it."""
    path = tmp_path / "tracker.db"
    path.write_bytes(sqlite_template.read_bytes())
    env = environment(runtime, TRACKER_DB=f"sqlite:///{path}", TRACKER_USER="王科员")
    server, process = _warm_ledger(env, runtime)
    assert wait_until(lambda: spares_logged(server), 60), "no spare warmed up"
    (spare,) = spares_logged(server)
    assert spare in children_of(process)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    waiting = start(["note", "5.5a", "备用进程里的备注"], env, warm=True)
    assert wait_until(lambda: len(spares_logged(server)) == 2, 30), "no new spare"
    assert alive(spare)  # running the note, which waits
    holder.execute("ROLLBACK")
    holder.close()
    _out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err.decode()
    assert wait_until(lambda: not alive(spare), 10)  # it was the note, and the note ended
    with sqlite3.connect(path) as connection:
        by = connection.execute(
            "SELECT changed_by FROM history WHERE note LIKE '%备用进程里%'"
        ).fetchall()
    assert by == [("王科员",)]


def test_a_rehearsal_and_a_spare_s_warm_up_change_nothing_in_the_ledger(
    tmp_path: Path, sqlite_template: Path, runtime: Path
) -> None:
    path = tmp_path / "tracker.db"
    path.write_bytes(sqlite_template.read_bytes())
    env = environment(runtime, TRACKER_DB=f"sqlite:///{path}")
    run(["list", "--limit", "1"], env, warm=True)
    before = _dump(path)
    (server,) = server_pids(runtime)
    assert wait_until(lambda: ledger_pids(server), 60)
    assert wait_until(lambda: spares_logged(server), 60)
    assert _dump(path) == before
    assert list(tmp_path.glob("*.bak")) == []


def test_ledger_processes_end_with_their_server(db_url: str, runtime: Path) -> None:
    env = environment(runtime, TRACKER_DB=db_url, TRACKER_SERVER_IDLE_MINUTES="0.1")
    server, process = _warm_ledger(env, runtime)
    assert wait_until(lambda: spares_logged(server), 60)
    (spare,) = spares_logged(server)
    assert wait_until(lambda: not alive(server), 30)
    assert wait_until(lambda: not alive(process), 30)
    assert wait_until(lambda: not alive(spare), 30)


def test_no_ledger_process_when_none_are_wanted(db_url: str, runtime: Path) -> None:
    env = environment(runtime, TRACKER_DB=db_url, TRACKER_SERVER_LEDGERS="0")
    run(["list", "--limit", "1"], env, warm=True)
    (server,) = server_pids(runtime)
    assert run(["show", "5.5a"], env, warm=True).returncode == 0
    assert children_of(server) == []


def test_connections_opened_while_refusing_writes_cannot_write(db_url: str) -> None:
    engine = db.make_engine(db_url)
    try:
        with db.refusing_writes(), engine.connect() as connection:
            with pytest.raises(DBAPIError):
                connection.execute(text("UPDATE unit SET name = name || '改'"))
        engine.dispose()
        with engine.begin() as connection:  # afterwards, new connections write again
            connection.execute(text("UPDATE unit SET name = name WHERE id = -1"))
    finally:
        engine.dispose()


def test_a_ledger_to_be_upgraded_is_not_rehearsed_nor_backed_up(
    tmp_path: Path, sqlite_template: Path, no_kept_engine: None
) -> None:
    path = tmp_path / "tracker.db"
    path.write_bytes(sqlite_template.read_bytes())
    older = REVISIONS[REVISIONS.index(HEAD) - 1]
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (older,))
    ran: list[list[str]] = []
    url = f"sqlite:///{path}"
    rehearsal = ledger.rehearse(
        get_command(app), ["--db", url], url, lambda _command, args: ran.append(args)
    )
    assert (rehearsal, ran) == (ledger.Rehearsal(0, None), [])
    assert list(tmp_path.glob("*.bak")) == []
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (older,)


def test_the_ledger_of_a_command_line_is_found_as_the_command_finds_it(
    tmp_path: Path, sqlite_template: Path
) -> None:
    group = get_command(app)
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "ledger.db"
    path.write_bytes(sqlite_template.read_bytes())
    expected = f"sqlite:///{path}"
    env = {"HOME": str(tmp_path), "TRACKER_CONFIG": str(tmp_path / "none.toml")}
    cwd = str(tmp_path)
    assert ledger.ledger_url(group, ["--db", "sub/ledger.db", "list"], env, cwd) == expected
    assert ledger.ledger_url(group, ["list", "--db", "sub/ledger.db"], env, cwd) == expected
    assert ledger.ledger_url(group, ["list"], {**env, "TRACKER_DB": str(path)}, "/") == expected
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{path}"\n', encoding="utf-8")
    assert ledger.ledger_url(group, ["show", "1"], {**env, "TRACKER_CONFIG": str(config)}, "/") == (
        expected
    )
    # A file that does not exist yet is not a ledger to rehearse on (nor to create).
    assert ledger.ledger_url(group, ["--db", "sub/new.db", "init"], env, cwd) is None
    config.write_text("db = [", encoding="utf-8")  # broken: the command will say so
    assert ledger.ledger_url(group, ["list"], {**env, "TRACKER_CONFIG": str(config)}, cwd) is None


def _dump(path: Path) -> list[str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        raw = engine.raw_connection()
        try:
            return list(raw.driver_connection.iterdump())  # type: ignore[union-attr]
        finally:
            raw.close()
    finally:
        engine.dispose()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_after_the_rehearsal_an_export_of_every_row_finds_its_sql_compiled(
    tmp_path: Path, sqlite_template: Path, no_kept_engine: None, fmt: str
) -> None:
    """The rehearsal exports one row; the whole export runs the same statement (LIMIT
    ALL_ROWS), so a command forked after it compiles nothing."""
    path = tmp_path / "tracker.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    command = get_command(app)

    def quietly(_command: object, args: list[str]) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            command.main(args=args, prog_name="tracker", standalone_mode=False)

    assert ledger.rehearse(command, ["--db", url], url, quietly).count > 0
    engine = db.kept_engine()
    assert engine is not None
    misses: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        context = _rest[-2]
        if getattr(context, "cache_hit", None) == default.CACHE_MISS:
            misses.append(statement)

    event.listen(engine, "after_cursor_execute", seen)
    try:
        exported = io.StringIO()
        with contextlib.redirect_stdout(exported):
            command.main(
                args=["--db", url, "list", "--all", "--format", fmt],
                prog_name="tracker",
                standalone_mode=False,
            )
    finally:
        event.remove(engine, "after_cursor_execute", seen)
    assert "5.5a" in exported.getvalue()
    assert misses == []
