"""`tracker serve` on PostgreSQL: an officer signs in with their database login and
password, checked by the database itself, and their app connects as that login, so the
database's own rules apply. A database that takes any password (trust authentication) is
refused for sign-in, and one that cannot be reached says so.

Needs a server that asks the logins of the group tracker_signin for a password (.ci/run
adds that line to pg_hba.conf and sets TRACKER_TEST_PG_PASSWORDS).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import aiohttp
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.test_web_server import app_processes, screen_of, serving, sign_in, url_of
from tracker.cli import app
from tracker.errors import TrackerError
from tracker.web.server import Limits, TrackerWeb
from tracker.web.signin import DatabaseLogins

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
OWN_UNIT = "镇党委"

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set"),
    pytest.mark.skipif(
        not os.environ.get("TRACKER_TEST_PG_PASSWORDS"),
        reason="the server does not ask tracker_signin logins for passwords (.ci/run does)",
    ),
    pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning"),
]


@dataclass(frozen=True)
class Shared:
    url: str  # the ledger, with no login in it (as `tracker serve --db` is given it)
    admin: str  # a login the server trusts (as every login of the test server)
    officer: str  # a login that must give its password
    password: str


@pytest.fixture(autouse=True)
def apps_in_their_own_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Their environment is then what /proc shows (see tests/test_web_server.py)."""
    monkeypatch.setenv("TRACKER_SERVER", "off")


@pytest.fixture
def shared() -> Iterator[Shared]:
    assert PG_URL is not None
    tag = uuid.uuid4().hex[:8]
    admin, officer, schema = f"t16a_{tag}", f"t16o_{tag}", f"t_serve_{tag}"
    password = f"密码-{tag}"
    superuser = create_engine(PG_URL)
    with superuser.begin() as connection:
        connection.execute(
            text(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                "'tracker_signin') THEN CREATE ROLE tracker_signin NOLOGIN; END IF; END $$"
            )
        )
        connection.execute(text(f"CREATE ROLE {admin} LOGIN"))
        connection.execute(
            text(f"CREATE ROLE {officer} LOGIN IN ROLE tracker_signin PASSWORD '{password}'")
        )
        connection.execute(text(f"CREATE SCHEMA {schema} AUTHORIZATION {admin}"))
    base = make_url(PG_URL).set(username=None, password=None)
    base = base.update_query_dict({"options": f"-csearch_path={schema}"})
    ledger = base.render_as_string(hide_password=False)
    as_admin = make_url(ledger).set(username=admin).render_as_string(hide_password=False)
    runner = CliRunner()
    for args in (
        ["init"],
        ["users", "add", officer, "--role", "officer", "--unit", OWN_UNIT],
    ):
        result = runner.invoke(app, ["--db", as_admin, *args])
        assert result.exit_code == 0, result.output
    try:
        yield Shared(ledger, admin, officer, password)
    finally:
        with superuser.begin() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE usename IN (:a, :o)"
                ),
                {"a": admin, "o": officer},
            )
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            for login in (admin, officer):
                connection.execute(text(f"DROP OWNED BY {login}"))
                connection.execute(text(f"DROP ROLE {login}"))
        superuser.dispose()


def test_the_database_checks_the_password_of_a_login(shared: Shared) -> None:
    logins = DatabaseLogins(shared.url)
    assert logins.check(shared.officer, "不是这个密码") is None
    assert logins.check(shared.officer, "") is None
    officer = logins.check(shared.officer, shared.password)
    assert officer is not None and officer.name == shared.officer
    given = make_url(officer.environment["TRACKER_DB"])
    assert (given.username, given.password) == (shared.officer, None)
    assert officer.environment["PGPASSWORD"] == shared.password


def test_a_database_that_takes_any_password_is_refused_for_sign_in(shared: Shared) -> None:
    with pytest.raises(TrackerError) as refused:
        DatabaseLogins(shared.url).check(shared.admin, "随便什么")
    assert refused.value.key == "web.db_trusts_anyone"


def test_an_unreachable_database_says_so() -> None:
    nowhere = "postgresql+psycopg://127.0.0.1:1/test"
    with pytest.raises(TrackerError) as refused:
        DatabaseLogins(nowhere).check("王科员", "密码密码密码")
    assert refused.value.key == "web.db_unreachable"


def test_the_officers_app_connects_as_their_login(shared: Shared) -> None:
    async def scenario() -> None:
        web = TrackerWeb(DatabaseLogins(shared.url), limits=Limits())
        async with serving(web) as (srv, client):
            signed = await sign_in(srv, client, shared.password, name=shared.officer)
            assert signed.status == 303
            async with client.ws_connect(url_of(srv, "/ws?width=100&height=30")) as websocket:
                shown = await screen_of(websocket, "亮灯")
                assert "法治政府建设承诺事项台账" in shown
                (environment,) = app_processes().values()
                assert "TRACKER_USER" not in environment
                assert environment["PGPASSWORD"] == shared.password
                assert PG_URL is not None
                superuser = create_engine(PG_URL)
                with superuser.connect() as connection:
                    connected = connection.execute(
                        text("SELECT count(*) FROM pg_stat_activity WHERE usename = :o"),
                        {"o": shared.officer},
                    ).scalar_one()
                superuser.dispose()
                assert connected >= 1
            await asyncio.sleep(0)

    asyncio.run(scenario())


def test_a_wrong_database_password_is_refused_on_the_sign_in_page(shared: Shared) -> None:
    async def scenario() -> None:
        web = TrackerWeb(DatabaseLogins(shared.url), limits=Limits())
        async with serving(web) as (srv, client):
            wrong = await sign_in(srv, client, "不是这个密码", name=shared.officer)
            assert wrong.status == 401
            assert "账户名或密码不对" in await wrong.text()
            page = await client.get(url_of(srv, "/"), allow_redirects=False)
            assert page.status == 303
            assert isinstance(client, aiohttp.ClientSession)

    asyncio.run(scenario())
