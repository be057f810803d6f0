"""Restore loses nothing (issue 10, point 4).

Only an admin of the live ledger restores it, and the restore is an entry of the restored
ledger's audit chain. A backup that is not a sound ledger of a known schema revision with an
intact audit chain is refused, changing nothing; an older one is upgraded. The restore holds
the live file's write lock from before it keeps the current ledger until the backup is in,
so under concurrent writers every acknowledged change is either in the live ledger or in
the kept copy of the restore that followed it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.db import make_engine, new_session
from tracker.errors import TrackerError
from tracker.i18n import zh
from tracker.schema import BASELINE, HEAD, _config, current_revision
from tracker.services import restore as restore_module
from tracker.services.backup import backup_sqlite
from tracker.services.lookup import get_commitment, now
from tracker.services.restore import RESTORE_ACTION, restore_sqlite
from tracker.services.updates import add_note

ROOT = Path(__file__).resolve().parent.parent
USER = "测试员"  # an admin of the seeded ledger (conftest.TEST_ADMINS)
AS_OF = "2026-11-26"
FIRST_SCHEMA = ROOT / "tests" / "data" / "ledger-0001.sql.gz"
runner = CliRunner()


def invoke(db: Path, *args: str, user: str = USER) -> Result:
    argv = ["--db", str(db), "--user", user, "--as-of", AS_OF, *args]
    return runner.invoke(app, argv, env={"COLUMNS": "250"}, catch_exceptions=False)


def tracker(db: Path, *args: str, user: str = USER) -> str:
    result = invoke(db, *args, user=user)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def dump(db: Path) -> list[str]:
    """The whole content of a SQLite file as SQL, to compare two databases exactly."""
    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def last_entry(db: Path) -> dict[str, Any]:
    """The newest audit entry of the ledger at `db`, its detail parsed."""
    connection = sqlite3.connect(db)
    try:
        row = connection.execute(
            "SELECT id, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    entry_id, actor, action, target, detail = row
    return {
        "id": entry_id,
        "actor": actor,
        "action": action,
        "target": target,
        **json.loads(detail),
    }


def audit_count(db: Path) -> int:
    connection = sqlite3.connect(db)
    try:
        return int(connection.execute("SELECT count(*) FROM audit").fetchone()[0])
    finally:
        connection.close()


def kept_path(out: str) -> Path:
    """The kept copy the restore's output names."""
    before, after = zh.MESSAGES["restore_previous"].split("{path}")
    [line] = [line for line in out.splitlines() if line.startswith(before)]
    return Path(line.removeprefix(before).removesuffix(after))


def leftovers(folder: Path) -> list[Path]:
    """What a restore would leave beside the ledger: kept copies and staging folders."""
    return sorted([*folder.glob("tracker.db.before-restore-*"), *folder.glob(".tracker.db.*")])


@pytest.fixture
def ledger(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A seeded SQLite ledger of the test's own, its store beside it."""
    monkeypatch.delenv("TRACKER_EVIDENCE_DIR", raising=False)
    path = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, path)
    return path


@pytest.fixture
def backup(ledger: Path, tmp_path: Path) -> Path:
    """A backup of the ledger, in a folder of its own."""
    folder = tmp_path / "u盘"
    folder.mkdir()
    return backup_sqlite(ledger, folder / "台账备份.db").target


def _change(db: Path, sql: str, *params: Any) -> None:
    connection = sqlite3.connect(db)
    try:
        connection.execute(sql, params)
        connection.commit()
    finally:
        connection.close()


# --- Audited, and an admin's --------------------------------------------------------------


def test_a_restore_is_the_newest_entry_of_the_restored_ledgers_intact_audit_chain(
    ledger: Path, backup: Path
) -> None:
    held = audit_count(backup)
    tracker(ledger, "status", "1.4c", "进行中")

    out = tracker(ledger, "restore", str(backup))

    kept = kept_path(out)
    digest = hashlib.sha256(backup.read_bytes()).hexdigest()
    assert last_entry(ledger) == {
        "id": held + 1,
        "actor": USER,
        "action": RESTORE_ACTION,
        "target": "ledger",
        "file": str(backup),
        "sha256": digest,
        "kept": str(kept),
        "entries": held,
        "revision": HEAD,
    }
    audited = zh.MESSAGES["restore_audited"].format(user=USER, count=held, sha256=digest)
    assert audited in out
    assert tracker(ledger, "audit", "verify").strip() == zh.MESSAGES["audit_intact_ledger"].format(
        count=held + 1
    )
    # The kept copy is the ledger as it was, its chain intact and without the restore.
    assert audit_count(kept) == held + 1  # the status change's entry
    assert last_entry(kept)["action"] == "status"


@pytest.mark.parametrize(
    ("name", "role"), [("张经办", "officer"), ("李督办", "supervisor"), ("路人甲", None)]
)
def test_only_an_admin_of_the_live_ledger_may_restore_it(
    ledger: Path, backup: Path, name: str, role: str | None
) -> None:
    if role == "officer":
        tracker(ledger, "users", "add", name, "--role", role, "--unit", "镇党委")
    elif role is not None:
        tracker(ledger, "users", "add", name, "--role", role)
    before = dump(ledger)

    result = invoke(ledger, "restore", str(backup), user=name)

    assert result.exit_code == 1
    if role is None:
        expected = zh.MESSAGES["access_no_account"].format(user=name)
    else:
        has = zh.MESSAGES[f"role.{role}"]
        expected = zh.MESSAGES["access_role_needed"].format(
            user=name, role=zh.MESSAGES["role.admin"], has=has
        )
    assert result.stderr.strip() == expected
    assert dump(ledger) == before
    assert leftovers(ledger.parent) == []


def test_a_ledger_without_accounts_may_be_restored_by_whoever_uses_it(
    ledger: Path, tmp_path: Path
) -> None:
    _change(ledger, "DELETE FROM accountunit")
    _change(ledger, "DELETE FROM account")
    backup = backup_sqlite(ledger, tmp_path / "backup.db").target

    tracker(ledger, "restore", str(backup), user="路人甲")

    assert (last_entry(ledger)["actor"], last_entry(ledger)["action"]) == (
        "路人甲",
        "ledger.restore",
    )


def test_on_postgresql_restore_says_that_an_admin_must_run_the_printed_command(
    tmp_path: Path,
) -> None:
    url = "postgresql+psycopg://officer@db.example.org/district"
    result = runner.invoke(app, ["--db", url, "restore", str(tmp_path / "l.dump")])
    assert result.exit_code == 0
    assert result.stderr.strip() == zh.MESSAGES["restore_postgres"]
    assert "管理员" in zh.MESSAGES["restore_postgres"]


# --- Backups that are refused ---------------------------------------------------------------


def _refused(ledger: Path, backup: Path) -> str:
    """Restore from `backup`, which must be refused in one line changing nothing; the line."""
    before = dump(ledger)
    backup_bytes = backup.read_bytes()
    result = invoke(ledger, "restore", str(backup))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(ledger) == before
    assert backup.read_bytes() == backup_bytes
    assert leftovers(ledger.parent) == []
    return result.stderr.strip()


@pytest.mark.parametrize(
    ("tampering", "reason", "position"),
    [
        ("UPDATE audit SET detail = '{}' WHERE id = 5", "audit_broken_hash", 5),
        ("DELETE FROM audit WHERE id = 5", "audit_broken_gap", 5),
        ("UPDATE audit SET prev_hash = hash WHERE id = 7", "audit_broken_link", 7),
    ],
)
def test_a_backup_whose_audit_chain_is_broken_is_refused(
    ledger: Path, backup: Path, tampering: str, reason: str, position: int
) -> None:
    _change(backup, tampering)

    line = _refused(ledger, backup)

    problem = zh.MESSAGES[reason].format(
        position=position, id=position + (reason == "audit_broken_gap")
    )
    assert line == zh.MESSAGES["restore_audit_broken"].format(path=backup, problem=problem)


@pytest.mark.parametrize(
    "tampering",
    [
        "DELETE FROM alembic_version",
        "DROP TABLE alembic_version",
        f"INSERT INTO alembic_version VALUES ('{BASELINE}')",
    ],
)
def test_a_backup_without_one_known_schema_version_is_refused(
    ledger: Path, backup: Path, tampering: str
) -> None:
    _change(backup, tampering)
    assert _refused(ledger, backup) == zh.MESSAGES["restore_no_revision"].format(path=backup)


def test_a_backup_of_a_newer_schema_is_refused(ledger: Path, backup: Path) -> None:
    _change(backup, "UPDATE alembic_version SET version_num = '9999'")
    assert _refused(ledger, backup) == zh.MESSAGES["db_newer"].format(
        db=backup, revision="9999", head=HEAD
    )


def test_a_file_that_is_not_a_ledger_is_refused(ledger: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    _change(notes, "CREATE TABLE notes (body TEXT)")
    reason = zh.MESSAGES["restore_no_ledger_tables"]
    assert _refused(ledger, notes) == zh.MESSAGES["restore_not_ledger"].format(
        path=notes, reason=reason
    )


# --- Backups of an older schema ---------------------------------------------------------------


def _first_schema_ledger(path: Path, revision: str) -> None:
    """The ledger written by the tracker of the first schema (tests/data), as the tracker
    of `revision` would have left it."""
    with gzip.open(FIRST_SCHEMA, "rt", encoding="utf-8") as dumped:
        script = dumped.read()
    connection = sqlite3.connect(path)
    connection.executescript(script)
    connection.close()
    if revision != BASELINE:
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as upgrading:
            upgrading.exec_driver_sql("PRAGMA foreign_keys=OFF")  # as schema.upgrade does
            upgrading.commit()
            with upgrading.begin():
                command.stamp(_config(upgrading), BASELINE)
                command.upgrade(_config(upgrading), revision)
        engine.dispose()


@pytest.mark.parametrize("revision", [BASELINE, "0002"])
def test_a_backup_of_an_older_schema_is_restored_upgraded_and_left_as_it_was(
    ledger: Path, tmp_path: Path, revision: str
) -> None:
    old = tmp_path / "old.db"
    _first_schema_ledger(old, revision)
    old_bytes = old.read_bytes()

    out = tracker(ledger, "restore", str(old))

    assert zh.MESSAGES["restore_upgraded"].format(old=revision, new=HEAD) in out
    engine = make_engine(f"sqlite:///{ledger}")
    try:
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()
    assert old.read_bytes() == old_bytes  # the backup is not upgraded in place
    assert sorted(p.name for p in tmp_path.glob("old.db*")) == ["old.db"]
    entry = last_entry(ledger)
    assert (entry["action"], entry["revision"], entry["entries"]) == (RESTORE_ACTION, revision, 0)
    assert tracker(ledger, "audit", "verify").strip() == zh.MESSAGES["audit_intact_ledger"].format(
        count=1
    )
    # The restored ledger is the old one (its events, the lecture of March 2022 among them),
    # and the commands work on it.
    events = "SELECT id, note FROM event ORDER BY id"
    assert sqlite3.connect(ledger).execute(events).fetchall() == (
        sqlite3.connect(old).execute(events).fetchall()
    )
    assert json.loads(tracker(ledger, "--as-of", "2022-03-15", "list", "--format", "json"))


# --- Taking the ledger exclusively ------------------------------------------------------------


def _restore_in_thread(backup: Path, ledger: Path) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(restore_sqlite(backup, ledger, actor=USER))
        except BaseException as exc:  # reported to the test, which fails on it
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_restore_waits_for_a_write_in_progress_and_keeps_it(ledger: Path, backup: Path) -> None:
    writer = sqlite3.connect(ledger, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE commitment SET notes = 'written while restoring' WHERE code = '1.4c'")

    thread, outcome = _restore_in_thread(backup, ledger)
    thread.join(timeout=1.5)
    assert thread.is_alive()  # waiting for the writer's lock
    writer.execute("COMMIT")  # acknowledged now
    writer.close()
    thread.join(timeout=30)

    [result] = outcome
    assert result.previous is not None
    notes = "SELECT notes FROM commitment WHERE code = '1.4c'"
    assert sqlite3.connect(result.previous).execute(notes).fetchone() == (
        "written while restoring",
    )
    assert sqlite3.connect(ledger).execute(notes).fetchone() != ("written while restoring",)


def test_a_write_that_comes_during_the_restore_waits_and_goes_into_the_restored_ledger(
    ledger: Path, backup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer arriving while the restore holds the lock (injected at the moment the
    current ledger is being replaced) waits, then writes into the restored ledger."""
    replace_content = restore_module._replace_content
    acknowledged = threading.Event()
    failures: list[BaseException] = []

    def write_note() -> None:
        engine = make_engine(f"sqlite:///{ledger}")
        try:
            with new_session(engine) as session:
                item = get_commitment(session=session, code="6.1", report_slug=None)
                add_note(session=session, item=item, text="恢复期间的记录", user=USER, now=now())
                session.commit()
            acknowledged.set()
        except BaseException as exc:
            failures.append(exc)
        finally:
            engine.dispose()

    writer = threading.Thread(target=write_note)

    def replace_with_a_writer_waiting(connection: sqlite3.Connection) -> None:
        writer.start()
        time.sleep(1.0)
        assert not acknowledged.is_set()  # it waits for the restore's lock
        replace_content(connection)

    monkeypatch.setattr(restore_module, "_replace_content", replace_with_a_writer_waiting)
    result = restore_sqlite(backup, ledger, actor=USER)
    writer.join(timeout=30)

    assert failures == [] and acknowledged.is_set()
    note = "SELECT count(*) FROM history WHERE note = '恢复期间的记录'"
    assert sqlite3.connect(ledger).execute(note).fetchone() == (1,)
    assert result.previous is not None
    assert sqlite3.connect(result.previous).execute(note).fetchone() == (0,)
    assert tracker(ledger, "audit", "verify")  # its entry follows the restore's


def test_a_restore_that_cannot_take_the_ledger_in_time_changes_nothing(
    ledger: Path, backup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(restore_module, "SQLITE_BUSY_TIMEOUT_MS", 300)
    before = dump(ledger)
    writer = sqlite3.connect(ledger, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(TrackerError) as caught:
            restore_sqlite(backup, ledger, actor=USER)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert caught.value.key == "restore_busy"
    assert dump(ledger) == before
    assert leftovers(ledger.parent) == []


@pytest.mark.parametrize("damage", ["pages", "not_sqlite"])
def test_over_a_damaged_ledger_the_restore_asks_for_it_to_be_moved_aside(
    ledger: Path, backup: Path, damage: str
) -> None:
    if damage == "pages":
        with ledger.open("r+b") as handle:  # wipe pages in the middle of the tables
            handle.seek(4096 * 8)
            handle.write(b"\xff" * 4096 * 4)
    else:
        ledger.write_text("这不是数据库", encoding="utf-8")
    before = ledger.read_bytes()

    result = invoke(ledger, "restore", str(backup))

    assert result.exit_code == 1
    assert result.stderr.startswith(zh.MESSAGES["restore_live_damaged"].split("{")[0])
    assert ledger.read_bytes() == before
    assert leftovers(ledger.parent) == []


# --- Many restores among many writers ---------------------------------------------------------

# An officer who adds notes to one item as fast as the ledger lets them, one transaction each,
# and says after each commit which note it was and between which moments (monotonic clock,
# shared by the processes of one machine) it was made. A refused attempt (the item changed
# under it, e.g. by a restore) is said too, and is not acknowledged.
OFFICER = """
import sys, time

from tracker.db import make_engine, new_session
from tracker.services.lookup import get_commitment, now
from tracker.services.updates import add_note

url, prefix, code = sys.argv[1:4]
engine = make_engine(url)
n = 0
while True:
    started = time.monotonic()
    try:
        with new_session(engine) as session:
            item = get_commitment(session=session, code=code, report_slug=None)
            add_note(session=session, item=item, text=f"{prefix}-{n}", user="seeder", now=now())
            session.commit()
    except Exception as exc:
        print(f"refused {n} {type(exc).__name__}", flush=True)
    else:
        print(f"committed {n} {started} {time.monotonic()}", flush=True)
    n += 1
"""
OFFICER_ITEMS = ("1.4c", "6.1", "7.1a", "5.5a")


@dataclass
class Officer:
    """The OFFICER script in a child process, and what it has reported so far."""

    prefix: str
    process: subprocess.Popen[str]
    # Note number -> (started, acknowledged) for every acknowledged note.
    acknowledged: dict[int, tuple[float, float]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, db: Path, prefix: str, code: str) -> Officer:
        process = subprocess.Popen(
            [sys.executable, "-c", OFFICER, f"sqlite:///{db}", prefix, code],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        officer = cls(prefix, process)
        threading.Thread(target=officer._read, daemon=True).start()
        return officer

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            word, number, *rest = line.split()
            if word == "committed":
                self.acknowledged[int(number)] = (float(rest[0]), float(rest[1]))
            else:
                self.refused.append(rest[0])

    def wait_for_more(self, count: int, deadline: float) -> None:
        """Until `count` more notes are acknowledged than now."""
        target = len(self.acknowledged) + count
        while len(self.acknowledged) < target:
            if self.process.poll() is not None:
                assert self.process.stderr is not None
                pytest.fail(f"an officer stopped: {self.process.stderr.read()}")
            assert time.monotonic() < deadline, "the officers made no progress"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        time.sleep(0.1)  # the reader takes in what was said before the kill


@pytest.fixture
def officers() -> Iterator[list[Officer]]:
    started: list[Officer] = []
    yield started
    for officer in started:
        officer.stop()


def _notes(db: Path, prefix: str) -> set[int]:
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "SELECT note FROM history WHERE kind = 'note' AND note LIKE ?", (f"{prefix}-%",)
        )
        return {int(note.rsplit("-", 1)[1]) for (note,) in rows}
    finally:
        connection.close()


def test_six_restores_among_four_officers_writing_lose_no_acknowledged_change(
    ledger: Path, backup: Path, officers: list[Officer]
) -> None:
    deadline = time.monotonic() + 240
    for number, code in enumerate(OFFICER_ITEMS):
        officers.append(Officer.start(ledger, f"officer{number}", code))
    restores: list[tuple[float, float, Path]] = []  # (started, finished, kept copy)
    for _ in range(6):
        for officer in officers:  # every kept copy holds some of everyone's notes
            officer.wait_for_more(3, deadline)
        started = time.monotonic()
        out = tracker(ledger, "restore", str(backup))
        restores.append((started, time.monotonic(), kept_path(out)))
    for officer in officers:
        officer.wait_for_more(3, deadline)
    for officer in officers:
        officer.stop()

    # Where each note is: the kept copy of restore k (k = 0..5), or the live ledger (k = 6).
    places = [kept for _, _, kept in restores] + [ledger]
    for officer in officers:
        found = [_notes(place, officer.prefix) for place in places]
        for number, (began, acknowledged) in officer.acknowledged.items():
            holding = [k for k, notes in enumerate(found) if number in notes]
            assert len(holding) == 1, f"{officer.prefix}-{number} is in {holding}"
            # Made between `began` and `acknowledged`: it is in the kept copy of the first
            # restore that took the ledger after it was committed (each took it somewhere
            # between its start and its end), or in the live ledger if none did.
            k = holding[0]
            follows = k == len(restores) or restores[k][1] > began
            precedes = k == 0 or restores[k - 1][0] < acknowledged
            assert follows and precedes, f"{officer.prefix}-{number} is in place {k}"
        # Writers waited for the restores rather than failing on the lock.
        assert "OperationalError" not in officer.refused
    # Every place holds notes: the restores really happened among the writes.
    assert all(_notes(place, officer.prefix) for place in places for officer in officers)
    assert tracker(ledger, "audit", "verify")
