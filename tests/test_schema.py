"""Schema migrations: a ledger made by an older tracker is upgraded and keeps every row.

`tests/data/ledger-0001.sql.gz` is a ledger written by the tracker of the first schema
(commit 5ce7306, before migrations): the 2021 seed as of 2022-03-15, then a lecture logged
with its minutes, a status changed, a note added, a village named and a month's analysis
done — so every table holds rows.
"""

from __future__ import annotations

import gzip
import importlib
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, col
from typer.testing import CliRunner

from tests.conftest import PG_URL
from tracker import search_index
from tracker.cli import app
from tracker.db import make_engine
from tracker.i18n import t
from tracker.models import Account, Commitment, Role
from tracker.schema import (
    BASELINE,
    HEAD,
    REVISIONS,
    _config,
    create_schema,
    current_revision,
    upgrade,
)

# The data migration of issue 12 (a module whose name starts with its revision number).
curator_notes = importlib.import_module(
    "tracker.migrations.versions.0005_curator_notes_leave_items"
)
FIXTURE = Path(__file__).parent / "data" / "ledger-0001.sql.gz"
runner = CliRunner()


def test_the_revisions_tracker_knows_are_the_migration_scripts_in_order() -> None:
    scripts = ScriptDirectory.from_config(_config())
    assert [s.revision for s in reversed(list(scripts.walk_revisions()))] == list(REVISIONS)
    assert scripts.get_current_head() == HEAD
    assert REVISIONS[0] == BASELINE


@pytest.fixture
def fresh_engine(empty_db_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_db_url)
    yield engine
    engine.dispose()


def test_migrating_an_empty_database_gives_exactly_the_models_schema(
    fresh_engine: Engine,
) -> None:
    with fresh_engine.begin() as connection:
        command.upgrade(_config(connection), "head")
    with fresh_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    # The audit chain's key is the database's own (tracker.db_guard), not a model's table.
    # Nor is the search index (tracker.search_index): FTS5 tables and pg_trgm indexes.
    differences = [d for d in differences if not _database_own(d)]
    assert differences == []
    assert current_revision(fresh_engine) == HEAD


def _database_own(difference: tuple[Any, ...]) -> bool:
    """Whether a difference is an object the database keeps beyond the models' tables."""
    if difference[0] == "remove_table":
        return bool(difference[1].name in {"audit_key", *search_index.INDEX_OBJECTS})
    if difference[0] == "remove_index":
        return bool(difference[1].name in search_index.INDEX_OBJECTS)
    return False


def test_a_new_database_is_stamped_with_the_newest_revision(fresh_engine: Engine) -> None:
    assert current_revision(fresh_engine) is None
    create_schema(fresh_engine)
    assert current_revision(fresh_engine) == HEAD


def _load_fixture_sqlite(path: Path) -> None:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as dump, sqlite3.connect(path) as db:
        db.executescript(dump.read())


def _tables_of_first_schema() -> list[str]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as dump:
        return [line.split()[2] for line in dump if line.startswith("CREATE TABLE ")]


def _rows(engine: Engine, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    """Every row of `table`, the given columns, as plain comparable values."""
    found = Table(table, MetaData(), autoload_with=engine)
    query = select(*(found.c[name] for name in columns)).order_by(*found.primary_key.columns)
    with engine.connect() as connection:
        return [tuple(_plain(v) for v in row) for row in connection.execute(query)]


def _plain(value: Any) -> Any:
    """Dates and times as ISO text without zone, so SQLite's text and PostgreSQL's types
    compare (SQLite keeps what it was given; PostgreSQL returns aware datetimes)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _first_schema_ledger(backend: str, url: str, tmp_path: Path) -> Engine:
    """The fixture ledger in a database of `backend` at the first revision, as the old
    tracker left it (on PostgreSQL: the first revision's tables, then the same rows)."""
    source = tmp_path / "fixture.db"
    _load_fixture_sqlite(source)
    if backend == "sqlite":
        assert url.endswith("tracker.db")
        _load_fixture_sqlite(Path(url.removeprefix("sqlite:///")))
        return make_engine(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), BASELINE)
    old = make_engine(f"sqlite:///{source}")
    target = MetaData()
    target.reflect(bind=engine)
    first = set(_tables_of_first_schema())
    with old.connect() as reading, engine.begin() as writing:
        for table in target.sorted_tables:  # referenced tables first
            name = table.name
            if name not in first:
                continue
            rows = [dict(row._mapping) for row in reading.execute(select(table))]
            if rows:
                writing.execute(table.insert(), rows)
            if "id" in table.c:  # explicit ids were inserted: move the sequence past them
                writing.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )  # fmt: skip
                )
    old.dispose()
    return engine


def test_a_first_schema_ledger_is_upgraded_and_every_row_is_still_there(
    backend: str, empty_db_url: str, tmp_path: Path
) -> None:
    engine = _first_schema_ledger(backend, empty_db_url, tmp_path)
    try:
        assert current_revision(engine) == BASELINE
        tables = _tables_of_first_schema()
        columns = {name: [c["name"] for c in inspect(engine).get_columns(name)] for name in tables}
        before = {name: _rows(engine, name, columns[name]) for name in tables}
        assert all(before[name] for name in tables)  # the fixture fills every table

        assert upgrade(engine) == (BASELINE, HEAD)

        assert current_revision(engine) == HEAD
        after = {name: _rows(engine, name, columns[name]) for name in tables}
        assert after == _curator_remarks_removed(before, columns["commitment"])
        with Session(engine) as session:
            # Every commitment starts at version 1 with no extension.
            versions = session.execute(select(col(Commitment.version)).distinct()).scalars().all()
            assert list(versions) == [1]
            # The person who seeded the ledger is its admin; on PostgreSQL, where the login
            # acts, the login that owns its tables.
            (admin,) = session.execute(select(Account)).scalars().all()
            owner = "王科员" if backend == "sqlite" else make_url(PG_URL or "").username
            assert (admin.name, admin.role) == (owner, Role.ADMIN)
    finally:
        engine.dispose()


def _curator_remarks_removed(
    tables: dict[str, list[tuple[Any, ...]]], columns: list[str]
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows as 0005 leaves them: the seed curator's remarks gone from the notes' first
    line, the rest of every row as it was."""
    code, notes = columns.index("code"), columns.index("notes")
    seeded = {entry[0]: entry[1:] for entry in curator_notes.SEEDED}
    rows = []
    for row in tables["commitment"]:
        changed = list(row)
        if row[code] in seeded:
            changed[notes] = curator_notes.without_seed_note(row[notes], *seeded[row[code]])
        rows.append(tuple(changed))
    return {**tables, "commitment": rows}


def test_an_upgrade_removes_the_curators_remarks_and_keeps_the_officers_notes(
    backend: str, empty_db_url: str, tmp_path: Path
) -> None:
    engine = _first_schema_ledger(backend, empty_db_url, tmp_path)
    note_of = select(col(Commitment.notes)).where(col(Commitment.code) == "1.4c")
    try:
        with engine.begin() as connection:  # an officer's note after the seed's remark
            before = connection.execute(note_of).scalar_one()
            assert before.startswith("报告称“逐步推开”，未说明已完成，故不记 done。")
            connection.execute(
                Commitment.__table__.update()  # type: ignore[attr-defined]
                .where(Commitment.__table__.c.code == "1.4c")  # type: ignore[attr-defined]
                .values(notes=before + "\n[2022-05-10 09:12 张三] 已在两个村推开")
            )
        upgrade(engine)
        with Session(engine) as session:
            notes = dict(session.execute(select(col(Commitment.code), col(Commitment.notes))).all())
    finally:
        engine.dispose()
    assert notes["1.4c"] == "[2022-05-10 09:12 张三] 已在两个村推开"
    assert notes["3.3c"] == ""
    assert notes["7.1c"] == "每次会议的学习内容请在本事项下逐次记录（附会议记录）。"
    # The officers' own notes from the seed stay.
    assert notes["5.5a"] == "每次讲座请记录日期并附签到表、照片等佐证材料。"
    assert not any("故不记 done" in text or "frequency" in text for text in notes.values())


def test_removing_the_curators_remarks_keeps_the_ledger_agreeing_with_its_audit_chain(
    db_url: str,
) -> None:
    """Notes are not in the audit chain: a ledger whose seed still wrote the remarks, once
    upgraded, is verified as before."""
    (_, remark, _) = curator_notes.SEEDED[2]
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:  # as the seed of revision 0004 left 1.4c
            connection.execute(
                Commitment.__table__.update()  # type: ignore[attr-defined]
                .where(Commitment.__table__.c.code == "1.4c")  # type: ignore[attr-defined]
                .values(notes=remark)
            )
            command.stamp(_config(connection), "0004")
        assert upgrade(engine) == ("0004", HEAD)
        with Session(engine) as session:
            query = select(col(Commitment.notes)).where(col(Commitment.code) == "1.4c")
            assert session.execute(query).scalar_one() == ""
    finally:
        engine.dispose()
    verified = runner.invoke(app, ["--db", db_url, "audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_opening_an_old_sqlite_ledger_backs_it_up_then_upgrades_it(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    _load_fixture_sqlite(path)
    result = runner.invoke(
        app, ["--db", str(path), "--as-of", "2022-03-15", "list", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (backup,) = tmp_path.glob("tracker.db.0001-*.bak")
    assert result.stderr == t("db_upgraded", old=BASELINE, new=HEAD, backup=str(backup)) + "\n"
    engine = make_engine(f"sqlite:///{path}")
    old = make_engine(f"sqlite:///{backup}")
    try:
        assert current_revision(engine) == HEAD
        assert current_revision(old) == BASELINE  # the backup is the file as it was
        assert _rows(old, "event", ["id", "note"]) == _rows(engine, "event", ["id", "note"])
    finally:
        engine.dispose()
        old.dispose()


def test_db_upgrade_says_when_there_is_nothing_to_do(db_url: str) -> None:
    result = runner.invoke(app, ["--db", db_url, "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert HEAD in result.stdout


def test_a_shared_database_is_not_upgraded_behind_its_users_backs(
    empty_db_url: str, backend: str, tmp_path: Path
) -> None:
    if backend == "sqlite":
        pytest.skip("an officer's own SQLite file is upgraded on opening")
    engine = _first_schema_ledger(backend, empty_db_url, tmp_path)
    engine.dispose()
    refused = runner.invoke(app, ["--db", empty_db_url, "--as-of", "2022-03-15", "list"])
    assert refused.exit_code == 1
    assert "tracker db upgrade" in refused.stderr
    assert "Traceback" not in refused.output
    upgraded = runner.invoke(app, ["--db", empty_db_url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    listed = runner.invoke(app, ["--db", empty_db_url, "--as-of", "2022-03-15", "list"])
    assert listed.exit_code == 0, listed.output


def test_a_database_from_a_newer_tracker_is_refused(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    result = runner.invoke(app, ["--db", db_url, "list"])
    assert result.exit_code == 1
    assert "9999" in result.stderr and "Traceback" not in result.output
