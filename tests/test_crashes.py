"""A crash is told (issue 10): a `tracker log` whose answer was lost (its process killed
after the commit, before printing) is recognised when the officer repeats it, and says when
it was recorded instead of recording it twice; temporary files that killed writers leave in
the evidence store are cleaned up by a later write, never a live writer's."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.db import new_session
from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.labels import clock_time
from tracker.models import AuditEntry, Event, History
from tracker.schedule import WorkCalendar
from tracker.services.corrections import void_event
from tracker.services.events import log_event
from tracker.services.evidence_store import (
    ORPHAN_AGE_SECONDS,
    TEMP_PREFIX,
    remove_orphans,
    store_file,
)
from tracker.services.lookup import get_commitment, now

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
USER = "王科员"
LECTURES = "5.5a/2026"
DAY = date(2026, 5, 10)


# --- the same command repeated ---------------------------------------------------------------


def _log(
    session: Session,
    calendar: WorkCalendar,
    *,
    note: str = "宪法专题讲座",
    evidence: list[Path] | None = None,
    user: str = USER,
    at: datetime | None = None,
    value: float | None = None,
    code: str = LECTURES,
) -> Event:
    item = get_commitment(session=session, code=code, report_slug=None)
    logged = log_event(
        session=session, item=item, day=DAY, note=note, evidence=evidence or [], user=user,
        now=at or now(), calendar=calendar, value=value,
    )  # fmt: skip
    assert not logged.repeated
    return logged.event


def _repeat(
    session: Session, calendar: WorkCalendar, **changes: object
) -> tuple[bool, Event | None]:
    """Log the lecture again as USER now (with `changes`): (told as a repeat, the event it
    names); a refusal as a duplicate raises."""
    args: dict[str, object] = {"note": "宪法专题讲座", "evidence": [], "user": USER}
    args.update(changes)
    item = get_commitment(session=session, code=str(args.pop("code", LECTURES)), report_slug=None)
    logged = log_event(
        session=session, item=item, day=DAY, now=now(), calendar=calendar,
        **args,  # type: ignore[arg-type]
    )  # fmt: skip
    return logged.repeated, logged.event


def _events(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Event)).one()


def test_the_same_event_by_the_same_officer_moments_later_is_told_as_recorded_not_logged(
    session: Session, calendar: WorkCalendar, tmp_path: Path
) -> None:
    sheet = tmp_path / "签到表.pdf"
    sheet.write_bytes(b"sign-in sheet")
    first = _log(session, calendar, evidence=[sheet])
    before = _events(session)
    repeated, named = _repeat(session, calendar, evidence=[sheet])
    assert repeated and named is not None and named.id == first.id
    assert _events(session) == before


def test_the_same_evidence_under_another_name_is_still_the_same_event(
    session: Session, calendar: WorkCalendar, tmp_path: Path
) -> None:
    """Evidence is compared by content (its SHA-256), as the store keeps it."""
    (tmp_path / "a").mkdir()
    original, copy = tmp_path / "签到表.pdf", tmp_path / "a" / "scan.pdf"
    original.write_bytes(b"sign-in sheet")
    copy.write_bytes(b"sign-in sheet")
    _log(session, calendar, evidence=[original])
    assert _repeat(session, calendar, evidence=[copy])[0]


@pytest.mark.parametrize(
    "difference",
    ["other evidence", "no evidence", "another officer", "an hour later", "another figure"],
)
def test_an_event_that_differs_is_not_a_repeat_but_the_duplicate_question(
    session: Session, calendar: WorkCalendar, tmp_path: Path, difference: str
) -> None:
    """Only the very same command is told as recorded; anything else with the same date and
    note is refused as before (the same lecture entered twice), until --again."""
    sheet, other = tmp_path / "签到表.pdf", tmp_path / "照片.jpg"
    sheet.write_bytes(b"sign-in sheet")
    other.write_bytes(b"photo")
    code = "3.2-N3/2026" if difference == "another figure" else LECTURES  # an indicator
    first: dict[str, object] = {"evidence": [sheet], "code": code}
    again: dict[str, object] = {"evidence": [sheet], "code": code}
    if difference == "other evidence":
        again["evidence"] = [sheet, other]
    elif difference == "no evidence":
        again["evidence"] = []
    elif difference == "another officer":
        first["user"] = "李四"
    elif difference == "an hour later":
        first["at"] = now() - timedelta(hours=1)
    else:
        first["value"], again["value"] = 98.1, 98.2
    _log(session, calendar, **first)  # type: ignore[arg-type]
    before = _events(session)
    with pytest.raises(TrackerError) as refused:
        _repeat(session, calendar, **again)
    assert refused.value.key == "event_duplicate"
    assert _events(session) == before


def test_a_voided_event_is_not_repeated_the_same_lecture_logs_anew(
    session: Session, calendar: WorkCalendar
) -> None:
    first = _log(session, calendar)
    assert first.id is not None
    void_event(
        session=session, event_id=first.id, reason="日期记错", user=USER, now=now(),
        calendar=calendar,
    )  # fmt: skip
    repeated, named = _repeat(session, calendar)
    assert not repeated and named is not None and named.id != first.id


def test_again_records_the_same_event_a_second_time(
    session: Session, calendar: WorkCalendar
) -> None:
    _log(session, calendar)
    repeated, _ = _repeat(session, calendar, again=True)
    assert not repeated
    events = session.exec(select(Event.note).where(col(Event.note) == "宪法专题讲座")).all()
    assert len(events) == 2


def _cli(db: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db, "--user", USER, *args], env={"COLUMNS": "300"})
    return result.exit_code, result.stdout, result.stderr


def _ledger_state(engine: Engine) -> tuple[int, int, int]:
    with new_session(engine) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(table)).one()
            for table in (Event, History, AuditEntry)
        )


def test_the_cli_repeat_says_when_it_was_recorded_exits_0_and_writes_nothing(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    sheet = tmp_path / "签到表.pdf"
    sheet.write_bytes(b"sign-in sheet")
    command = ("log", LECTURES, "--date", DAY.isoformat(), "--note", "宪法专题讲座",
               "--evidence", str(sheet))  # fmt: skip
    code, _, err = _cli(db_url, *command)
    assert code == 0, err
    before = _ledger_state(engine)
    code, out, err = _cli(db_url, *command)
    assert (code, err) == (0, "")
    with new_session(engine) as session:
        event = session.exec(select(Event).where(col(Event.note) == "宪法专题讲座")).one()
    said = t("event_repeated", code=LECTURES, date=DAY.isoformat(),
             at=clock_time(event.recorded_at), id=event.id)  # fmt: skip
    assert said in out and f"#{event.id}" in said and clock_time(event.recorded_at) in said
    assert _ledger_state(engine) == before


def test_commands_killed_at_random_moments_and_repeated_record_every_event_exactly_once(
    db_url: str,
) -> None:
    """benchmarks/killed_writes.py, small: `tracker log` killed with SIGKILL at random
    moments or the instant its event is committed, repeated until an answer is seen; every
    event is then in the ledger once, and each repeat of a committed run said so."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "killed_writes.py"), "--db", db_url]
        + ["--runs", "6", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: every event recorded exactly once" in done.stdout


# --- temporary files killed writers leave in the store ---------------------------------------


def _temp_files(root: Path) -> list[Path]:
    return sorted(root.glob(f"{TEMP_PREFIX}*"))


def _start_a_writer(root: Path, source: Path) -> subprocess.Popen[str]:
    """Another process storing `source`, stalled as on a hung share: it has made and locked
    its temporary file, and copies nothing until a file `<source>.go` appears. (Stalled by
    the test's own wrapper around the copy: a named pipe is refused as a source now.)"""
    code = (
        "import sys, time; from pathlib import Path; "
        "import tracker.services.evidence_store as store; "
        "copy = store._copy_hashing\n"
        "def stalled(source, target):\n"
        "    while not Path(str(source) + '.go').exists(): time.sleep(0.02)\n"
        "    return copy(source, target)\n"
        "store._copy_hashing = stalled\n"
        "print(store.store_file(Path(sys.argv[1]), Path(sys.argv[2])).sha256)"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", code, str(root), str(source)], stdout=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while not _temp_files(root):
        assert time.monotonic() < deadline and writer.poll() is None, "the writer never began"
        time.sleep(0.02)
    return writer


def _age(path: Path, seconds: float) -> None:
    """Make `path` look untouched for `seconds` (as a file is, some time after its writer
    died)."""
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


@pytest.fixture
def slow_source(tmp_path: Path) -> Path:
    path = tmp_path / "slow-source"
    path.write_bytes(b"the slow file")
    return path


def test_a_killed_writers_temporary_file_is_removed_by_a_later_write_once_old(
    tmp_path: Path, slow_source: Path
) -> None:
    root = tmp_path / "store"
    writer = _start_a_writer(root, slow_source)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    [orphan] = _temp_files(root)
    other = tmp_path / "会议纪要.pdf"
    other.write_bytes(b"minutes")
    store_file(root, other)
    assert orphan.exists()  # young: it could be a writer that has not locked it yet
    _age(orphan, ORPHAN_AGE_SECONDS + 60)
    store_file(root, other)
    assert not orphan.exists()
    assert _temp_files(root) == []


def test_a_live_writers_temporary_file_is_never_removed_even_when_old(
    tmp_path: Path, slow_source: Path
) -> None:
    """A writer stalled for over an hour (its source a hung share) keeps its file: it holds
    its lock. When its content arrives, it stores it whole."""
    root = tmp_path / "store"
    writer = _start_a_writer(root, slow_source)
    try:
        [temp] = _temp_files(root)
        _age(temp, ORPHAN_AGE_SECONDS + 60)
        other = tmp_path / "会议纪要.pdf"
        other.write_bytes(b"minutes")
        store_file(root, other)
        assert remove_orphans(root) == []
        assert temp.exists()
        slow_source.with_name(slow_source.name + ".go").touch()
        out, _ = writer.communicate(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
    digest = hashlib.sha256(b"the slow file").hexdigest()
    assert (writer.returncode, out.strip()) == (0, digest)
    assert (root / digest[:2] / digest).read_bytes() == b"the slow file"
    assert _temp_files(root) == []
