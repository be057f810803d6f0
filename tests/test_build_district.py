"""benchmarks/build_district.py's batched writer writes what the real services write.

The same tiny district (two towns, two years: every kind of period, a quota's two lectures
moving its deadline, one-offs set done, in progress or blocked) is built twice: once through
`log_event` / `set_status` one call at a time, once with the batched writer. Every row the
activity writes must be the same (ids, statuses, deadlines, versions, history, events and,
on SQLite, the audit chain entry for entry), the services must read the two alike, and
`audit verify` must find the chain whole and agreeing with the ledger.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Table, text
from sqlalchemy.engine import Engine

from tests.conftest import PG_URL, _drop_pg_schema, _new_pg_schema
from tracker.db import make_engine, new_session
from tracker.models import Commitment, Event, History, Person
from tracker.schedule import WorkCalendar
from tracker.services.audit_chain import verify_chain
from tracker.services.audit_ledger import compare_ledger
from tracker.services.dashboard import dashboard
from tracker.services.deadlines import Deadlines
from tracker.services.overdue import overdue_by_unit

ROOT = Path(__file__).resolve().parent.parent


def _load_builder() -> ModuleType:
    """benchmarks/build_district.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "build_district", ROOT / "benchmarks" / "build_district.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_district", module)
    spec.loader.exec_module(module)
    return module


builder = _load_builder()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set"),
        ),
    ]
)
def two_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases on one backend: one for each writer."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'orm.db'}", f"sqlite:///{tmp_path / 'bulk.db'}"
        return
    first, second = _new_pg_schema(), _new_pg_schema()
    try:
        yield first[2], second[2]
    finally:
        _drop_pg_schema(first[0], first[1])
        _drop_pg_schema(second[0], second[1])


def _build(url: str, writer: str, towns: int) -> None:
    options = builder.BuildOptions(
        url=url, towns=towns, years=2, extra_daily=0, rebuild=False, writer=writer
    )
    builder.build(options)


def _rows(engine: Engine, model: Any, leave_out: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    """Every row of a table in id order, without the columns that say when it was written."""
    table: Table = model.__table__
    columns = [c for c in table.c if c.name not in leave_out]
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(table.select().with_only_columns(*columns).order_by(table.c.id))
        ]


def _audit(engine: Engine) -> list[tuple[Any, ...]]:
    """The chain's entries: who, what, on what, and the detail parsed (PostgreSQL's triggers
    write it as jsonb text, tracker as canonical JSON)."""
    query = text("SELECT id, actor, action, target, detail FROM audit ORDER BY id")
    with engine.connect() as conn:
        return [(*row[:4], json.loads(row[4])) for row in conn.execute(query)]


def _seen_by_services(engine: Engine) -> tuple[Any, ...]:
    as_of = builder.as_of_for(builder.FIRST_YEAR + 1)
    deadlines = Deadlines(as_of=as_of, calendar=WorkCalendar(), today=as_of)
    with new_session(engine) as session:
        board = dashboard(session=session, deadlines=deadlines)
        groups = overdue_by_unit(session=session, deadlines=deadlines)
        return board, groups


def test_bulk_writer_writes_what_the_services_write(two_urls: tuple[str, str]) -> None:
    orm_url, bulk_url = two_urls
    postgres = orm_url.startswith("postgresql")
    towns = 1 if postgres else 2  # the real path is slow on PostgreSQL (triggers per row)
    _build(orm_url, "orm", towns)
    _build(bulk_url, "bulk", towns)
    orm, bulk = make_engine(orm_url), make_engine(bulk_url)
    try:
        assert _rows(bulk, Event, ("recorded_at",)) == _rows(orm, Event, ("recorded_at",))
        assert len(_rows(bulk, Event)) > 300
        assert _rows(bulk, History, ("changed_at",)) == _rows(orm, History, ("changed_at",))
        assert _rows(bulk, Commitment) == _rows(orm, Commitment)
        assert _rows(bulk, Person) == _rows(orm, Person)
        kinds = {row[3] for row in _rows(bulk, History)}
        assert {"event", "auto_status", "status"} <= kinds
        if postgres:
            # The database's triggers chain the rows in the order they reach it: the bulk
            # writer sends them table by table, so the same entries in another order.
            # (The entries' own ids follow that order; the ids of the rows they name agree.)
            def entries(engine: Engine) -> list[str]:
                return sorted(repr(entry[1:]) for entry in _audit(engine))

            assert entries(bulk) == entries(orm)
        else:
            assert _audit(bulk) == _audit(orm)
        actions = {row[2] for row in _audit(bulk)}
        assert {"event", "auto_status", "status", "commitment.edit"} <= actions
        assert _seen_by_services(bulk) == _seen_by_services(orm)
        board, groups = _seen_by_services(bulk)
        assert sum(1 for group in groups for _ in group.entries) > 0  # some are overdue
        assert board.items_total > 300
        with new_session(bulk) as session:
            assert verify_chain(session).intact
            assert compare_ledger(session, date.today()) == []
    finally:
        orm.dispose()
        bulk.dispose()
    # As an officer would check it: a process of its own (the CLI tests are run a second
    # time in CI through the warm server; this one need not be).
    command = [sys.executable, "-m", "tracker", "--db", bulk_url, "audit", "verify"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_second_run_reuses_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'district.db'}"
    builder.main(["--db", url, "--smoke"])
    first = capsys.readouterr().out
    assert "period instances" in first and "bulk writer" in first
    builder.main(["--db", url, "--smoke"])
    assert "already built (1 reports)" in capsys.readouterr().out
