"""Shared fixtures: a real database per test, on SQLite and (when configured) PostgreSQL.

Set TRACKER_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to
run every database test a second time on PostgreSQL: a seeded ledger is a database of the
test's own, copied from one seeded once per test process; an empty one is a new schema.
"""

from __future__ import annotations

import getpass
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.testing
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from tests.warm_runner import warm_mode
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
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a database seeded with the 2021 report: a copy of the seeded SQLite file,
    or on PostgreSQL a database copied from the seeded one (see `pg_template`)."""
    if backend == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "tracker.db")
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    with _pg_copy(request.getfixturevalue("pg_template")) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _shared_pg_trgm(admin: Engine) -> None:
    """pg_trgm in the public schema of the shared test database, before any test's ledger
    would install it in its own schema: dropping that schema would take the extension, and
    every other test's search indexes with it (tracker.search_index)."""
    try:
        with admin.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except IntegrityError:  # another test process made it at the same moment
        pass


def _new_pg_schema() -> tuple[Engine, str, str]:
    """A fresh schema on the test PostgreSQL server: (admin engine, schema, URL using it)."""
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    _shared_pg_trgm(admin)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return admin, schema, url.render_as_string(hide_password=False)


def _drop_pg_schema(admin: Engine, schema: str) -> None:
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


# The schema the ledger lives in, in the PostgreSQL template and so in every copy of it.
PG_SCHEMA = "ledger"


def _pg_admin() -> Engine:
    """The test server as its superuser, outside transactions (CREATE/DROP DATABASE)."""
    assert PG_URL is not None
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _pg_database_url(database: str) -> str:
    """The URL of the ledger in `database` on the test server (its schema on the path)."""
    assert PG_URL is not None
    url = make_url(PG_URL).set(database=database)
    url = url.update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template(seed: Seed, calendar: WorkCalendar) -> Iterator[str]:
    """A PostgreSQL database seeded once per test process; tests get copies of it.

    Seeding PostgreSQL takes many seconds (every row passes the guards and the audit
    triggers), and each test that wrote used to seed a schema of its own. CREATE DATABASE …
    TEMPLATE copies the seeded one in a fraction of a second: the same tables, guards,
    audit chain and key, in a database of the test's own.
    """
    name = f"tracker_tpl_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        engine = make_engine(_pg_database_url(name))
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
        _seed_into(engine, seed, calendar)
        engine.dispose()  # a template may have no connections while it is copied
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def _pg_copy(template: str) -> Iterator[str]:
    """A new database copied from `template`, dropped afterwards (with any connection a
    test left open); yields its URL."""
    name = f"tracker_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _pg_database_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def shared_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A seeded database shared by one module's tests, per backend: for tests that only
    read, or that write through `session` and are rolled back."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("shared") / "tracker.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    with _pg_copy(request.getfixturevalue("pg_template")) as url:
        yield url


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


@pytest.fixture(scope="session", autouse=True)
def _cli_command_built_once() -> Iterator[None]:
    """Build the click command of a Typer app once per test process, not on every
    `CliRunner.invoke`.

    Typer turns the app into a click command on each invoke, evaluating the type hints of
    every command's parameters: a third of a second or more each time, most of a CLI test's
    time (a property test invokes the CLI forty times). The app does not change between
    invokes, and the command holds no state of its own (click makes a new context for
    every run), so each test still parses, runs and reports as `tracker` does.
    """
    original = vars(typer.testing)["_get_command"]  # what CliRunner.invoke calls
    built: dict[int, tuple[typer.Typer, Any]] = {}

    def get_command(app: typer.Typer) -> Any:
        # Keyed by identity, and the app kept with its command so the id is not reused.
        if id(app) not in built:
            built[id(app)] = (app, original(app))
        return built[id(app)][1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", get_command)
        yield


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "in_process_only(reason): the test changes the code the CLI calls (monkeypatching), "
        "which a warm server cannot see; skipped when TRACKER_TEST_CLI=warm",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not warm_mode():
        return
    for item in items:
        marker = item.get_closest_marker("in_process_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "in-process only"
            item.add_marker(pytest.mark.skip(reason=f"TRACKER_TEST_CLI=warm: {reason}"))


@pytest.fixture(scope="session", autouse=True)
def _cli_runs_warm_when_asked() -> Iterator[None]:
    """With TRACKER_TEST_CLI=warm, every `CliRunner.invoke(tracker.cli.app, …)` goes
    through a warm server of this test process's own (tests/warm_runner.py)."""
    if not warm_mode():
        yield
        return
    from tests.warm_helpers import runtime_dir
    from tests.warm_runner import make_invoke
    from tracker.cli import app as cli_app
    from tracker.warm import protocol

    with runtime_dir() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_RUNTIME_DIR", str(folder))
        private = protocol.runtime_dir()
        assert private is not None
        path = protocol.socket_path(private, os.environ)
        original = typer.testing.CliRunner.invoke
        patch.setattr(typer.testing.CliRunner, "invoke", make_invoke(original, cli_app, path))
        yield
