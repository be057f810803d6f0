"""Concurrent edits never lose data: stale reads are refused, races are caught, and under
load every acknowledged change is in the history exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, func, select

from tracker.db import new_session
from tracker.errors import TrackerError
from tracker.models import Commitment, Event, History, Status
from tracker.services.audit_chain import verify_chain
from tracker.services.audit_ledger import compare_ledger
from tracker.services.lookup import get_commitment
from tracker.services.retry import conflicts_refused
from tracker.services.updates import add_note, set_status

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _set(session: Session, item: Commitment, status: Status, note: str, user: str) -> None:
    set_status(session=session, item=item, status=status, note=note, user=user, now=NOW)


def _history_count(engine: Engine, code: str) -> int:
    with new_session(engine) as session:
        item = get_commitment(session=session, code=code, report_slug=None)
        return session.exec(
            select(func.count()).select_from(History).where(col(History.commitment_id) == item.id)
        ).one()


def test_a_change_based_on_a_stale_read_is_refused_naming_who_changed_it(engine: Engine) -> None:
    with new_session(engine) as session:
        seen = get_commitment(session=session, code="1.4c", report_slug=None).version
    with new_session(engine) as other:
        item = get_commitment(session=other, code="1.4c", report_slug=None)
        set_status(
            session=other, item=item, status=Status.IN_PROGRESS, note="", user="李四", now=NOW
        )
        other.commit()
    before = _history_count(engine, "1.4c")
    with new_session(engine) as session:
        item = get_commitment(session=session, code="1.4c", report_slug=None)
        with pytest.raises(TrackerError) as refused:
            add_note(
                session=session, item=item, text="旧页面上写的", user="王科员", now=NOW,
                expected_version=seen,
            )  # fmt: skip
        session.rollback()
    assert refused.value.key == "item_changed"
    assert refused.value.params["by"] == "李四"
    assert _history_count(engine, "1.4c") == before


def test_of_two_writers_racing_on_one_item_the_second_is_refused_when_not_rerun(
    engine: Engine,
) -> None:
    first, second = new_session(engine), new_session(engine)
    try:
        mine = get_commitment(session=first, code="6.1", report_slug=None)
        theirs = get_commitment(session=second, code="6.1", report_slug=None)
        set_status(
            session=second, item=theirs, status=Status.BLOCKED, note="等", user="李四", now=NOW
        )
        second.commit()
        set_status(
            session=first, item=mine, status=Status.DONE, note="完成", user="王科员", now=NOW
        )
        with pytest.raises(TrackerError) as refused, conflicts_refused():
            first.commit()  # as `ledger()` and the app's dialogs commit a change
        assert refused.value.key == "item_changed_now"
    finally:
        first.close()
        second.close()
    with new_session(engine) as session:
        item = get_commitment(session=session, code="6.1", report_slug=None)
        notes = session.exec(
            select(History.note).where(col(History.commitment_id) == item.id)
        ).all()
        assert item.status == Status.BLOCKED
        assert "等" in notes and "完成" not in notes


def test_the_orm_checks_the_version_on_every_update(engine: Engine) -> None:
    """The mapper's version column is what catches a race: an UPDATE of a row changed since
    it was read matches nothing and raises."""
    with new_session(engine) as a, new_session(engine) as b:
        row_a = a.exec(select(Commitment).where(Commitment.code == "7.1a")).one()
        row_b = b.exec(select(Commitment).where(Commitment.code == "7.1a")).one()
        row_b.notes = "b"
        b.commit()
        row_a.notes = "a"
        with pytest.raises(StaleDataError):
            a.commit()


def test_four_processes_changing_the_same_items_lose_nothing_and_double_nothing(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    """The small version of benchmarks/stress.py (8 × 200 there): its workers report each
    attempt; here the ledger itself is checked against what they were told."""
    log = tmp_path / "attempts.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "stress.py"),
            "--db",
            db_url,
            "--procs",
            "4",
            "--ops",
            "25",
            "--log",
            str(log),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    attempts = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(attempts) == 100
    acked = [a for a in attempts if a["ack"]]
    assert len(acked) > 50  # most get through; refusals are races, not the rule
    with new_session(engine) as session:
        notes = Counter(
            session.exec(select(History.note).where(col(History.note).startswith("stress:"))).all()
        )
        event_notes = Counter(
            session.exec(select(Event.note).where(col(Event.note).startswith("stress:"))).all()
        )
    for attempt in attempts:
        assert notes[attempt["token"]] == (1 if attempt["ack"] else 0), attempt
    logged = {a["token"] for a in acked if a["kind"] == "event"}
    assert set(event_notes) == logged and all(n == 1 for n in event_notes.values())
    # The audit chain kept up: intact, and every status and event it tells is the ledger's.
    with new_session(engine) as session:
        assert verify_chain(session).intact
        assert compare_ledger(session, date.today()) == []


def test_officers_logging_on_one_item_at_once_are_never_refused_and_each_event_is_kept_once(
    db_url: str, tmp_path: Path
) -> None:
    """The small version of benchmarks/race_appends.py (16 × 50 there): 4 processes each run
    `tracker log` 10 times on the same quota period; none is refused, and the ledger holds
    exactly the 40 events, each once, with the period's status its events make it."""
    log = tmp_path / "writes.jsonl"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "race_appends.py"), "--db", db_url]
        + ["--procs", "4", "--writes", "10", "--log", str(log)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr  # its check of the ledger passed
    writes = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(writes) == 40
    assert [w for w in writes if not w["ack"]] == []
    assert "无法读取数据库" not in done.stdout
