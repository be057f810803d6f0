"""Backups, restores, and a writer killed mid-batch.

A ledger must survive an officer's process being killed at any moment (every committed
change kept, the file sound), a backup taken while others write must be one consistent
moment of the ledger, and a restore must give back exactly the backup, keeping the database
it replaces. SQLite is checked for real; for PostgreSQL the commands are given, and when a
test server and pg_dump are at hand, the given commands are run.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.errors import TrackerError
from tracker.i18n import zh
from tracker.services.backup import backup_sqlite, integrity_problem
from tracker.services.evidence_store import store_file, stored_path
from tracker.services.pg_commands import pg_dump_command, pg_restore_command
from tracker.services.restore import RESTORE_ACTION, restore_sqlite

ROOT = Path(__file__).resolve().parent.parent
USER = "测试员"
AS_OF = "2026-11-26"
PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
runner = CliRunner()

# A writer that commits one change at a time through the real services, and says so after
# each commit. Each change is an event (with its history row) on the monthly analysis 3.2-M,
# noted "<prefix>-<n>", so that what reached the file can be read back and counted.
WRITER = """
import sys
from datetime import date, timedelta

from sqlmodel import col, select

from tracker.db import make_engine, new_session
from tracker.models import Commitment
from tracker.schedule import WorkCalendar
from tracker.services.lookup import now
from tracker.services.events import log_event

url, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
engine = make_engine(url)
calendar = WorkCalendar()
for n in range(count):
    with new_session(engine) as session:
        item = session.exec(select(Commitment).where(col(Commitment.code) == "3.2-M")).one()
        log_event(
            session=session,
            item=item,
            day=date(2022, 1, 3) + timedelta(days=n % 900),
            note=f"{prefix}-{n}",
            evidence=[],
            user="seeder",
            now=now(),
            calendar=calendar,
        )
        session.commit()
    print(f"committed {n}", flush=True)
"""
# Far more changes than a test waits for: the writer is always killed mid-batch.
BATCH = 1_000_000


def invoke(db: str | Path, *args: str) -> Result:
    argv = ["--db", str(db), "--user", USER, "--as-of", AS_OF, *args]
    return runner.invoke(app, argv, env={"COLUMNS": "250"}, catch_exceptions=False)


def tracker(db: str | Path, *args: str) -> str:
    result = invoke(db, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture
def ledger(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A seeded SQLite ledger of the test's own, its store beside it."""
    monkeypatch.delenv("TRACKER_EVIDENCE_DIR", raising=False)
    path = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, path)
    return path


class Writer:
    """The WRITER script in a child process, and the last commit it reported."""

    def __init__(self, db: Path, prefix: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, f"sqlite:///{db}", prefix, str(BATCH)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.last = -1
        # Whatever happens, the child does not outlive the test by more than this.
        self.watchdog = threading.Timer(120, self.process.kill)
        self.watchdog.start()

    def wait_for(self, n: int) -> int:
        """Read the child's reports until it has committed change `n`; the last reported."""
        assert self.process.stdout is not None
        while self.last < n:
            line = self.process.stdout.readline()
            if not line:
                assert self.process.stderr is not None
                pytest.fail(f"the writer stopped: {self.process.stderr.read()}")
            self.last = int(line.split()[1])
        return self.last

    def kill(self) -> None:
        """SIGKILL: no handler runs, no connection is closed, the WAL is left as it is."""
        os.kill(self.process.pid, signal.SIGKILL)
        code = self.process.wait()
        self.watchdog.cancel()
        assert code == -signal.SIGKILL  # killed mid-batch, not finished
        assert self.process.stdout is not None
        for line in self.process.stdout:  # reports written before the kill
            self.last = int(line.split()[1])
        self.process.stdout.close()
        assert self.process.stderr is not None
        self.process.stderr.close()


@pytest.fixture
def writers() -> Iterator[list[Writer]]:
    started: list[Writer] = []
    yield started
    for writer in started:
        if writer.process.poll() is None:
            writer.kill()


def numbers(db: Path, prefix: str) -> tuple[list[int], list[int]]:
    """The change numbers written by WRITER with `prefix`: from the events, and from the
    events' history rows (a transaction is whole when the two agree)."""
    connection = sqlite3.connect(db)
    try:
        pattern = f"{prefix}-%"
        events = connection.execute("SELECT note FROM event WHERE note LIKE ?", (pattern,))
        event_numbers = sorted(int(note.rsplit("-", 1)[1]) for (note,) in events)
        history = connection.execute(
            "SELECT note FROM history WHERE kind = 'event' AND note LIKE ?", (pattern,)
        )
        history_numbers = sorted(int(note.rsplit("-", 1)[1]) for (note,) in history)
    finally:
        connection.close()
    return event_numbers, history_numbers


def dump(db: Path) -> list[str]:
    """The whole content of a SQLite file as SQL, to compare two databases exactly."""
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def restored_dump(db: Path) -> tuple[list[str], dict[str, Any]]:
    """The dump of a restored ledger without the restore's own audit entry (its last), and
    that entry: the rest must be exactly the backup."""
    lines = dump(db)
    connection = sqlite3.connect(db)
    try:
        row = connection.execute(
            "SELECT id, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    entry_id, actor, action, target, detail = row
    assert (action, target) == (RESTORE_ACTION, "ledger")
    mine = [line for line in lines if line.startswith(f'INSERT INTO "audit" VALUES({entry_id},')]
    assert len(mine) == 1
    lines.remove(mine[0])
    return lines, {"id": entry_id, "actor": actor, **json.loads(detail)}


def _file(folder: Path, data: bytes, name: str = "签到表.pdf") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def status_of(db: str | Path, code: str) -> str:
    data = json.loads(tracker(db, "show", code, "--format", "json"))
    return str(data["status"])


# --- A writer killed mid-batch ------------------------------------------------------------


def test_a_writer_killed_mid_batch_loses_no_committed_change_and_leaves_a_sound_file(
    ledger: Path, writers: list[Writer]
) -> None:
    writer = Writer(ledger, "crash")
    writers.append(writer)
    writer.wait_for(25)
    writer.kill()
    reported = writer.last
    assert (ledger.parent / "tracker.db-wal").stat().st_size > 0  # left behind by the kill

    assert integrity_problem(ledger) is None
    events, history = numbers(ledger, "crash")
    # Every reported commit is there; at most the one in flight when killed beyond them.
    assert events in (list(range(reported + 1)), list(range(reported + 2)))
    assert history == events
    # The reopened ledger works through the tracker too.
    assert status_of(ledger, "3.2-M/2022-01") == "done"


# --- backup ----------------------------------------------------------------------------------


def test_a_backup_taken_while_another_process_writes_is_one_consistent_moment(
    ledger: Path, tmp_path: Path, writers: list[Writer]
) -> None:
    writer = Writer(ledger, "busy")
    writers.append(writer)
    before = writer.wait_for(10)
    target = tmp_path / "backup.db"

    tracker(ledger, "backup", str(target))

    writer.wait_for(writer.last + 10)  # the writer was never held up
    writer.kill()
    assert integrity_problem(target) is None
    events, history = numbers(target, "busy")
    assert history == events
    assert events == list(range(len(events)))  # no change half in, none skipped
    # Every change reported before the backup is in it; the writer went on after it.
    assert before < len(events) < len(numbers(ledger, "busy")[0])


def test_a_backup_holds_the_ledger_as_it_was_and_passes_its_integrity_check(
    ledger: Path, tmp_path: Path
) -> None:
    tracker(ledger, "status", "1.4c", "进行中")
    target = tmp_path / "备份" / "2026-11-26.db"
    target.parent.mkdir()

    out = tracker(ledger, "backup", str(target))
    tracker(ledger, "status", "1.4c", "受阻")  # after the backup: not in it

    assert zh.MESSAGES["backup_done"].format(path=target) in out
    assert integrity_problem(target) is None
    assert status_of(target, "1.4c") == "in_progress"
    assert status_of(ledger, "1.4c") == "blocked"


def test_a_backup_copies_the_evidence_store_where_the_copy_looks_for_it(
    ledger: Path, tmp_path: Path
) -> None:
    store = tmp_path / "tracker.db.evidence"
    stored = store_file(store, _file(tmp_path, b"sign"))
    target = tmp_path / "backup.db"

    out = tracker(ledger, "backup", str(target))

    copy = stored_path(tmp_path / "backup.db.evidence", stored.sha256)
    assert copy.read_bytes() == b"sign"
    assert zh.MESSAGES["backup_evidence"].format(count=1, path=copy.parent.parent) in out


def test_a_backup_of_a_ledger_without_a_store_copies_no_folder(
    ledger: Path, tmp_path: Path
) -> None:
    result = backup_sqlite(ledger, tmp_path / "backup.db")
    assert (result.evidence, result.evidence_files) == (None, 0)
    assert not (tmp_path / "backup.db.evidence").exists()


def test_a_backup_never_overwrites_an_existing_file(ledger: Path, tmp_path: Path) -> None:
    target = _file(tmp_path, b"last year's report", "report.docx")

    result = invoke(ledger, "backup", str(target))

    assert result.exit_code == 1
    assert result.stderr.strip() == zh.MESSAGES["backup_exists"].format(path=target)
    assert target.read_bytes() == b"last year's report"


def test_a_backup_into_a_folder_that_does_not_exist_is_refused(
    ledger: Path, tmp_path: Path
) -> None:
    target = tmp_path / "no-such-folder" / "backup.db"
    with pytest.raises(TrackerError) as caught:
        backup_sqlite(ledger, target)
    assert caught.value.key == "backup_dir_missing"
    assert not target.parent.exists()


# --- restore ---------------------------------------------------------------------------------


def test_restore_brings_the_backup_back_and_keeps_the_previous_database(
    ledger: Path, tmp_path: Path
) -> None:
    target = tmp_path / "backup.db"
    tracker(ledger, "backup", str(target))
    tracker(ledger, "status", "1.4c", "进行中")  # a change the restore takes away

    out = tracker(ledger, "restore", str(target))

    [previous] = tmp_path.glob("tracker.db.before-restore-*")
    assert zh.MESSAGES["restore_previous"].format(path=previous) in out
    assert restored_dump(ledger)[0] == dump(target)
    assert status_of(ledger, "1.4c") == "todo"
    assert status_of(previous, "1.4c") == "in_progress"


def test_restore_over_a_wal_left_by_a_killed_writer_gives_exactly_the_backup(
    ledger: Path, tmp_path: Path, writers: list[Writer]
) -> None:
    target = tmp_path / "backup.db"
    tracker(ledger, "backup", str(target))
    writer = Writer(ledger, "lost")
    writers.append(writer)
    writer.wait_for(5)
    # Another officer's app has the ledger open: the WAL is not folded in and removed when
    # the restore's own connections close, so the killed writer's commits stay in it.
    app_connection = sqlite3.connect(ledger)
    try:
        writer.kill()
        assert app_connection.execute("SELECT count(*) FROM commitment").fetchone()[0] > 0
        assert (ledger.parent / "tracker.db-wal").stat().st_size > 0

        tracker(ledger, "restore", str(target))

        # Copying the backup over the file would let SQLite lay the WAL's pages over it.
        lost = "SELECT count(*) FROM event WHERE note LIKE 'lost-%'"
        assert app_connection.execute(lost).fetchone() == (0,)
        assert integrity_problem(ledger) is None
        assert restored_dump(ledger)[0] == dump(target)
    finally:
        app_connection.close()
    assert restored_dump(ledger)[0] == dump(target)
    [previous] = tmp_path.glob("tracker.db.before-restore-*")
    events, _ = numbers(previous, "lost")
    assert events[: writer.last + 1] == list(range(writer.last + 1))


def _not_ledgers(folder: Path, ledger: Path) -> dict[str, Path]:
    text = _file(folder, "台账备份".encode(), "backup.txt")
    other = folder / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (body TEXT)")
    connection.commit()
    connection.close()
    damaged = folder / "damaged.db"
    backup_sqlite(ledger, damaged)
    with damaged.open("r+b") as handle:  # wipe a few pages in the middle of the tables
        handle.seek(4096 * 8)
        handle.write(b"\xff" * 4096 * 4)
    return {"text": text, "other_sqlite": other, "damaged": damaged}


@pytest.mark.parametrize("kind", ["text", "other_sqlite", "damaged"])
def test_restore_refuses_a_file_that_is_not_a_sound_ledger_and_changes_nothing(
    ledger: Path, tmp_path: Path, kind: str
) -> None:
    tracker(ledger, "status", "1.4c", "进行中")
    before = dump(ledger)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    bad = _not_ledgers(elsewhere, ledger)[kind]

    result = invoke(ledger, "restore", str(bad))

    assert result.exit_code == 1
    assert result.stderr.startswith(str(bad))
    assert dump(ledger) == before
    assert list(tmp_path.glob("tracker.db.before-restore-*")) == []


def test_restore_refuses_a_backup_made_by_a_newer_tracker(ledger: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    backup_sqlite(ledger, newer)
    connection = sqlite3.connect(newer)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    before = dump(ledger)

    with pytest.raises(TrackerError) as caught:
        restore_sqlite(newer, ledger, actor=USER)

    assert (caught.value.key, caught.value.params["revision"]) == ("db_newer", "9999")
    assert dump(ledger) == before
    assert list(tmp_path.glob("tracker.db.before-restore-*")) == []


def test_restore_refuses_to_restore_the_ledger_from_itself(ledger: Path) -> None:
    with pytest.raises(TrackerError) as caught:
        restore_sqlite(ledger, ledger, actor=USER)
    assert caught.value.key == "restore_same_file"


def test_restore_brings_back_evidence_files_missing_from_the_store(
    ledger: Path, tmp_path: Path
) -> None:
    store = tmp_path / "tracker.db.evidence"
    stored = store_file(store, _file(tmp_path, b"minutes of the meeting"))
    kept = store_file(store, _file(tmp_path, b"a later photo", "photo.jpg"))
    target = tmp_path / "backup.db"
    tracker(ledger, "backup", str(target))
    stored.stored_path.unlink()

    out = tracker(ledger, "restore", str(target))

    assert stored.stored_path.read_bytes() == b"minutes of the meeting"
    assert kept.stored_path.is_file()  # a file only the live store has is kept
    assert zh.MESSAGES["restore_evidence"].format(count=1, path=store) in out


def test_restore_into_a_new_place_keeps_nothing_and_says_so(ledger: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    tracker(ledger, "backup", str(target))
    fresh = tmp_path / "new-machine" / "tracker.db"

    out = tracker(fresh, "restore", str(target))

    assert zh.MESSAGES["restore_no_previous"].format(db=fresh) in out
    rest, entry = restored_dump(fresh)
    assert rest == dump(target)
    assert entry["kept"] is None


# --- PostgreSQL ------------------------------------------------------------------------------

PG_EXAMPLE = (
    "postgresql+psycopg://officer:s3cret@db.example.org:6543/district?options=-csearch_path%3Dbaohe"
)


def test_pg_dump_command_names_host_port_user_database_and_schema(tmp_path: Path) -> None:
    command = pg_dump_command(PG_EXAMPLE, tmp_path / "ledger.dump")
    assert shlex.split(command) == [
        "pg_dump",
        *("-h", "db.example.org", "-p", "6543", "-U", "officer", "-d", "district"),
        *("-n", "baohe", "-Fc", "-f", str(tmp_path / "ledger.dump")),
    ]
    assert "s3cret" not in command


def test_pg_restore_command_replaces_the_ledger_in_one_transaction(tmp_path: Path) -> None:
    command = pg_restore_command(PG_EXAMPLE, tmp_path / "台账 备份.dump")
    assert shlex.split(command) == [
        "pg_restore",
        *("-h", "db.example.org", "-p", "6543", "-U", "officer", "-d", "district"),
        *("--clean", "--if-exists", "--single-transaction", str(tmp_path / "台账 备份.dump")),
    ]
    assert "s3cret" not in command


def test_pg_dump_without_a_search_path_dumps_the_whole_database(tmp_path: Path) -> None:
    command = pg_dump_command("postgresql+psycopg://ledger@localhost/town", tmp_path / "t.dump")
    assert "-n" not in shlex.split(command)


@pytest.mark.parametrize(
    ("command", "expected"), [("backup", pg_dump_command), ("restore", pg_restore_command)]
)
def test_backup_and_restore_on_postgresql_print_the_command_and_do_nothing(
    tmp_path: Path, command: str, expected: object
) -> None:
    path = tmp_path / "ledger.dump"
    result = invoke(PG_EXAMPLE, command, str(path))  # no server: nothing is connected to
    assert result.exit_code == 0, result.stderr
    assert callable(expected)
    assert result.stdout == expected(PG_EXAMPLE, path) + "\n"
    assert not path.exists()


@pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_printed_postgresql_commands_back_up_and_restore_the_ledger(
    db_url: str, tmp_path: Path
) -> None:
    dump_file = tmp_path / "ledger.dump"
    tracker(db_url, "status", "1.4c", "进行中")
    env = {**os.environ, "PGPASSWORD": make_url(db_url).password or ""}

    backup = shlex.split(tracker(db_url, "backup", str(dump_file)))
    subprocess.run(backup, env=env, check=True, capture_output=True, timeout=120)
    tracker(db_url, "status", "1.4c", "受阻")
    restore = shlex.split(tracker(db_url, "restore", str(dump_file)))
    subprocess.run(restore, env=env, check=True, capture_output=True, timeout=120)

    assert status_of(db_url, "1.4c") == "in_progress"
