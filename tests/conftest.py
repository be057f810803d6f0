"""Shared fixtures: a real database per test, on SQLite and (when configured) PostgreSQL.

Set TRACKER_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to
run every database test a second time on PostgreSQL; each test gets a schema of its own.
"""

from __future__ import annotations

import getpass
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from tracker.db import make_engine, new_session
from tracker.i18n import set_language
from tracker.models import Account, Role
from tracker.schedule import WorkCalendar
from tracker.schema import create_schema
from tracker.services.deadlines import Deadlines
from tracker.services.lookup import now
from tracker.services.seed_file import Seed, load_seed_file
from tracker.services.seeding import apply_seed

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "seed_data" / "baohe-2021.yaml"
PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
# Tests see the ledger as it stood on this day unless they say otherwise.
AS_OF = date(2026, 11, 26)
SEED_THROUGH = 2026

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set"),
    ),
]


@pytest.fixture(autouse=True)
def _chinese_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Every test starts in Chinese with no settings leaking in from the machine."""
    for name in ("TRACKER_DB", "TRACKER_USER", "TRACKER_LANG", "TRACKER_WARN_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("TRACKER_HOLIDAYS", raising=False)
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "no-config.toml"))
    # Evidence files go to a store; on PostgreSQL one must be configured (there is no file
    # to keep it beside).
    monkeypatch.setenv("TRACKER_EVIDENCE_DIR", str(tmp_path / "evidence"))
    set_language("zh")
    yield
    set_language("zh")


@pytest.fixture(scope="session")
def seed() -> Seed:
    return load_seed_file(SEED_PATH)


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return WorkCalendar()


# The names tests act under. They are admins of the seeded ledger, so that tests of anything
# but access control are not about access control; tests/test_access.py makes its own
# officers and supervisors, and checks that a name without an account may only read.
TEST_ADMINS = (
    "seeder",
    "t",
    "x",
    "test",
    "tester",
    "王科员",
    "测试员",
    "李所长",
    "李四",
    "赵六",
    "钱七",
    "孙八",
    "周九",
    "张干事",
    "管理员",
    getpass.getuser(),  # the CLI's user when a test gives none
)


def _seed_into(engine: Engine, seed: Seed, calendar: WorkCalendar) -> None:
    create_schema(engine)
    with new_session(engine) as session:
        apply_seed(
            session=session,
            seed=seed,
            user="seeder",
            now=now(),
            through_year=SEED_THROUGH,
            calendar=calendar,
        )
        for name in dict.fromkeys(TEST_ADMINS):
            session.add(Account(name=name, role=Role.ADMIN, created_by="seeder", created_at=now()))
        session.commit()


@pytest.fixture(scope="session")
def sqlite_template(
    tmp_path_factory: pytest.TempPathFactory, seed: Seed, calendar: WorkCalendar
) -> Path:
    """A seeded SQLite file made once; tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    engine = make_engine(f"sqlite:///{path}")
    _seed_into(engine, seed, calendar)
    engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    admin, schema, url = _new_pg_schema()
    try:
        yield url
    finally:
        _drop_pg_schema(admin, schema)


@pytest.fixture
def db_url(
    backend: str,
    empty_db_url: str,
    tmp_path: Path,
    sqlite_template: Path,
    seed: Seed,
    calendar: WorkCalendar,
) -> str:
    """The URL of a database seeded with the 2021 report."""
    if backend == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "tracker.db")
    else:
        engine = make_engine(empty_db_url)
        _seed_into(engine, seed, calendar)
        engine.dispose()
    return empty_db_url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _new_pg_schema() -> tuple[Engine, str, str]:
    """A fresh schema on the test PostgreSQL server: (admin engine, schema, URL using it)."""
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return admin, schema, url.render_as_string(hide_password=False)


def _drop_pg_schema(admin: Engine, schema: str) -> None:
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def shared_db_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    seed: Seed,
    calendar: WorkCalendar,
) -> Iterator[str]:
    """A seeded database shared by one module's tests, per backend: for tests that only
    read, or that write through `session` and are rolled back (seeding PostgreSQL for every
    test would take most of the suite's time)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("shared") / "tracker.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    admin, schema, url = _new_pg_schema()
    try:
        engine = make_engine(url)
        _seed_into(engine, seed, calendar)
        engine.dispose()
        yield url
    finally:
        _drop_pg_schema(admin, schema)


@pytest.fixture(scope="module")
def shared_engine(shared_db_url: str) -> Iterator[Engine]:
    engine = make_engine(shared_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(shared_engine: Engine) -> Iterator[Session]:
    """A session on the module's shared database, inside a transaction that is rolled back
    after the test (the session joins it, so its own commit does not end it)."""
    with shared_engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, expire_on_commit=False) as session:
            yield session
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture
def deadlines(calendar: WorkCalendar) -> Deadlines:
    # "Today" is the as-of day: the tests read the ledger as it stands, changes included;
    # tests of the past give an earlier as-of (services.asof replays the history).
    return Deadlines(as_of=AS_OF, calendar=calendar, today=AS_OF)
