"""The evidence store: files kept by their SHA-256, and `tracker evidence verify`.

A stored file must be the file the officer gave, byte for byte, under its fingerprint, and
stay so; verify must name every file that is missing or changed with the item it proves.
Ledger tests run on SQLite (store beside the file) and on PostgreSQL (a configured store).
"""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.config import evidence_dir_setting, load_settings
from tracker.errors import TrackerError
from tracker.i18n import en, zh
from tracker.models import Commitment, Event, Evidence
from tracker.services import evidence_store
from tracker.services.evidence_store import (
    ProblemKind,
    evidence_root,
    store_file,
    stored_path,
    verify_store,
)

USER = "测试员"
AS_OF = "2026-11-26"
BEIJING = timezone(timedelta(hours=8))
runner = CliRunner()


def invoke(db: str, *args: str) -> Result:
    """Run `tracker --db DB ARGS` as USER; an exception the CLI did not handle fails."""
    argv = ["--db", db, "--user", USER, "--as-of", AS_OF, *args]
    return runner.invoke(app, argv, env={"COLUMNS": "250"}, catch_exceptions=False)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def store(backend: str, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test ledger's store: beside the SQLite file, or the configured folder that a
    shared PostgreSQL ledger needs."""
    monkeypatch.delenv("TRACKER_EVIDENCE_DIR", raising=False)
    if backend == "postgresql":
        monkeypatch.setenv("TRACKER_EVIDENCE_DIR", str(tmp_path / "shared-evidence"))
    return evidence_root(db_url, evidence_dir_setting())


def log_with_evidence(db_url: str, store: Path, code: str, day: str, *files: Path) -> None:
    """Log an event on `code` with `files` through the CLI, and store the files as
    `log_event` does (a no-op for a file it has stored already)."""
    args = [arg for file in files for arg in ("--evidence", str(file))]
    result = invoke(db_url, "log", code, "--date", day, *args)
    assert result.exit_code == 0, result.stderr
    for file in files:
        store_file(store, file)


def make_writable(path: Path) -> None:
    path.chmod(path.stat().st_mode | stat.S_IWUSR)


# --- store_file ----------------------------------------------------------------------------


def test_store_file_keeps_an_identical_read_only_copy_under_its_sha256(tmp_path: Path) -> None:
    data = "签到表：张三、李四".encode() * 1000
    source = write(tmp_path / "签到表.pdf", data)
    root = tmp_path / "store"

    stored = store_file(root, source)

    assert (stored.sha256, stored.size) == (sha(data), len(data))
    assert stored.stored_path == root / sha(data)[:2] / sha(data)
    assert stored.stored_path.read_bytes() == data
    assert not stored.stored_path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert source.read_bytes() == data  # the officer's file is left alone


def test_the_same_content_is_stored_once_and_not_copied_again(tmp_path: Path) -> None:
    root = tmp_path / "store"
    first = store_file(root, write(tmp_path / "a.pdf", b"minutes"))
    before = first.stored_path.stat()

    again = store_file(root, write(tmp_path / "renamed copy.pdf", b"minutes"))

    assert again == first
    after = first.stored_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert [p.name for p in root.rglob("*") if p.is_file()] == [first.sha256]


def test_storing_the_content_again_repairs_a_damaged_copy(tmp_path: Path) -> None:
    root = tmp_path / "store"
    source = write(tmp_path / "photo.jpg", b"the real photo")
    stored = store_file(root, source)
    make_writable(stored.stored_path)
    stored.stored_path.write_bytes(b"overwritten")

    store_file(root, source)

    assert stored.stored_path.read_bytes() == b"the real photo"


def test_different_files_get_different_places_and_no_temporary_file_stays(
    tmp_path: Path,
) -> None:
    root = tmp_path / "store"
    one = store_file(root, write(tmp_path / "1.txt", b"one"))
    two = store_file(root, write(tmp_path / "2.txt", b"two"))
    empty = store_file(root, write(tmp_path / "empty.txt", b""))

    assert len({one.stored_path, two.stored_path, empty.stored_path}) == 3
    assert empty.stored_path.read_bytes() == b""
    names = sorted(p.name for p in root.rglob("*") if p.is_file())
    assert names == sorted([one.sha256, two.sha256, empty.sha256])


def test_storing_a_missing_file_is_evidence_missing_and_leaves_nothing(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with pytest.raises(TrackerError) as caught:
        store_file(root, tmp_path / "nowhere.pdf")
    assert caught.value.key == "evidence_missing"
    assert list(root.rglob("*")) == []


def test_a_store_that_cannot_be_written_is_a_tracker_error_naming_it(tmp_path: Path) -> None:
    blocker = write(tmp_path / "not-a-folder", b"")
    with pytest.raises(TrackerError) as caught:
        store_file(blocker / "store", write(tmp_path / "a.pdf", b"a"))
    assert caught.value.key == "evidence_store_failed"
    assert caught.value.params["store"] == str(blocker / "store")


# --- Where the store is ----------------------------------------------------------------------


def test_a_sqlite_ledgers_store_is_beside_its_file(tmp_path: Path) -> None:
    root = evidence_root(f"sqlite:///{tmp_path / 'tracker.db'}", None)
    assert root == tmp_path.resolve() / "tracker.db.evidence"


def test_a_configured_store_wins_over_the_default(tmp_path: Path) -> None:
    configured = tmp_path / "shared" / "evidence"
    assert evidence_root(f"sqlite:///{tmp_path / 'tracker.db'}", configured) == configured
    pg = "postgresql+psycopg://officer@db.example/ledger"
    assert evidence_root(pg, configured) == configured


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg://officer@db.example:5432/ledger", "sqlite:///:memory:"]
)
def test_a_ledger_without_a_file_needs_a_configured_store(url: str) -> None:
    with pytest.raises(TrackerError) as caught:
        evidence_root(url, None)
    assert caught.value.key == "evidence_store_unset"
    assert "TRACKER_EVIDENCE_DIR" in caught.value.message()


def test_evidence_dir_comes_from_the_environment_before_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'evidence_dir = "{tmp_path / "from-config"}"\n', encoding="utf-8")
    monkeypatch.setenv("TRACKER_CONFIG", str(config))
    monkeypatch.delenv("TRACKER_EVIDENCE_DIR", raising=False)
    assert load_settings().evidence_dir == tmp_path / "from-config"
    assert evidence_dir_setting() == tmp_path / "from-config"

    monkeypatch.setenv("TRACKER_EVIDENCE_DIR", str(tmp_path / "from-env"))
    assert load_settings().evidence_dir == tmp_path / "from-env"
    assert evidence_dir_setting() == tmp_path / "from-env"


def test_without_a_setting_there_is_no_configured_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_EVIDENCE_DIR", raising=False)
    assert load_settings().evidence_dir is None
    assert evidence_dir_setting() is None


# --- Logging copies the file ---------------------------------------------------------------


def test_tracker_log_copies_the_evidence_file_into_the_store(
    db_url: str, store: Path, tmp_path: Path
) -> None:
    data = "党委会学法会议纪要".encode()
    minutes = write(tmp_path / "会议纪要.docx", data)
    result = invoke(db_url, "log", "7.1c", "--date", "2022-04-06", "--evidence", str(minutes))
    assert result.exit_code == 0, result.stderr
    assert stored_path(store, sha(data)).read_bytes() == data


# --- verify ----------------------------------------------------------------------------------


def test_verify_passes_an_untouched_store_and_counts_distinct_files(
    db_url: str, store: Path, tmp_path: Path
) -> None:
    sign_in = write(tmp_path / "签到表.pdf", b"sign-in sheet")
    photo = write(tmp_path / "现场照片.jpg", b"photo")
    log_with_evidence(db_url, store, "5.5a", "2022-03-15", sign_in, photo)
    log_with_evidence(db_url, store, "7.1c", "2022-04-06", sign_in)  # the same file again

    result = invoke(db_url, "evidence", "verify")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == zh.MESSAGES["evidence_ok"].format(count=2)


def test_verify_names_a_changed_file_and_its_item_and_exits_1(
    db_url: str, store: Path, tmp_path: Path
) -> None:
    sign_in = write(tmp_path / "签到表.pdf", b"sign-in sheet")
    photo = write(tmp_path / "现场照片.jpg", b"photo")
    log_with_evidence(db_url, store, "5.5a", "2022-03-15", sign_in, photo)
    changed = stored_path(store, sha(b"sign-in sheet"))
    make_writable(changed)
    changed.write_bytes(b"sign-in sheet, edited")

    result = invoke(db_url, "evidence", "verify")

    assert result.exit_code == 1
    line = zh.MESSAGES["evidence_problem"].format(
        state="已改动", name="签到表.pdf", report="baohe-2021", code="5.5a/2022"
    )
    assert result.stdout.splitlines() == [line]
    assert "现场照片.jpg" not in result.output
    assert result.stderr.strip() == zh.MESSAGES["evidence_problems"].format(
        missing=0, changed=1, store=store
    )


def test_verify_names_a_deleted_file_as_missing_and_exits_1(
    db_url: str, store: Path, tmp_path: Path
) -> None:
    minutes = write(tmp_path / "会议纪要.txt", b"minutes")
    log_with_evidence(db_url, store, "7.1c", "2022-04-06", minutes)
    stored_path(store, sha(b"minutes")).unlink()

    result = invoke(db_url, "evidence", "verify")

    assert result.exit_code == 1
    line = zh.MESSAGES["evidence_problem"].format(
        state="缺失", name="会议纪要.txt", report="baohe-2021", code="7.1c"
    )
    assert result.stdout.splitlines() == [line]


def test_verify_in_english(db_url: str, store: Path, tmp_path: Path) -> None:
    minutes = write(tmp_path / "minutes.txt", b"minutes")
    log_with_evidence(db_url, store, "7.1c", "2022-04-06", minutes)
    stored_path(store, sha(b"minutes")).unlink()

    result = invoke(db_url, "--lang", "en", "evidence", "verify")

    assert result.exit_code == 1
    line = en.MESSAGES["evidence_problem"].format(
        state="missing", name="minutes.txt", report="baohe-2021", code="7.1c"
    )
    assert result.stdout.splitlines() == [line]


def test_verify_on_postgresql_without_a_store_says_how_to_configure_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRACKER_EVIDENCE_DIR", raising=False)
    # No server is needed: the store is looked for before the database is opened.
    result = invoke("postgresql+psycopg://officer@127.0.0.1:1/ledger", "evidence", "verify")
    assert result.exit_code == 1
    assert "TRACKER_EVIDENCE_DIR" in result.stderr


def _attach(session: Session, code: str, files: list[tuple[str, bytes]]) -> None:
    """Evidence rows for `files` on a new event of `code` (without storing anything)."""
    item = session.exec(select(Commitment).where(col(Commitment.code) == code)).one()
    assert item.id is not None
    event = Event(
        commitment_id=item.id,
        happened_on=date(2022, 5, 1),
        recorded_by=USER,
        recorded_at=datetime(2022, 5, 1, 9, 0, tzinfo=BEIJING),
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    for name, data in files:
        path = f"C:\\Users\\officer\\{name}"  # recorded on Windows: the name is still found
        session.add(Evidence(event_id=event.id, path=path, sha256=sha(data), size=len(data)))
    session.flush()


def test_verify_store_reports_every_item_of_a_file_across_batches(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence_store, "BATCH", 2)
    root = tmp_path / "store"
    files = [(f"file{n}.pdf", f"content {n}".encode()) for n in range(5)]
    _attach(session, "7.1c", files)
    _attach(session, "1.4c", files[3:])
    for name, data in files[:2]:
        store_file(root, write(tmp_path / name, data))

    problems = verify_store(session, root)

    assert sorted(p.sha256 for p in problems) == sorted(sha(data) for _, data in files[2:])
    assert {p.kind for p in problems} == {ProblemKind.MISSING}
    uses = {(p.sha256, use.name, use.code) for p in problems for use in p.uses}
    expected = {(sha(data), name, "7.1c") for name, data in files[2:]}
    expected |= {(sha(data), name, "1.4c") for name, data in files[3:]}
    assert uses == expected


def test_verify_store_finds_a_stored_file_changed_in_place(
    session: Session, tmp_path: Path
) -> None:
    root = tmp_path / "store"
    _attach(session, "7.1c", [("a.pdf", b"aaa"), ("b.pdf", b"bbb")])
    for name, data in (("a.pdf", b"aaa"), ("b.pdf", b"bbb")):
        store_file(root, write(tmp_path / name, data))
    assert verify_store(session, root) == []

    target = stored_path(root, sha(b"bbb"))
    make_writable(target)
    with target.open("r+b") as handle:  # same size, one byte different
        handle.write(b"c")

    [problem] = verify_store(session, root)
    assert (problem.kind, problem.sha256, problem.stored_path) == (
        ProblemKind.CHANGED,
        sha(b"bbb"),
        target,
    )
    assert [use.name for use in problem.uses] == ["b.pdf"]


def test_stored_files_ignore_a_temporary_file_left_by_an_interrupted_copy(
    tmp_path: Path,
) -> None:
    root = tmp_path / "store"
    stored = store_file(root, write(tmp_path / "a.pdf", b"a"))
    write(root / f"{evidence_store.TEMP_PREFIX}abc", b"half a fi")
    assert list(evidence_store.stored_files(root)) == [stored.stored_path]
    assert os.path.exists(root / f"{evidence_store.TEMP_PREFIX}abc")
