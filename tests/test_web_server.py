"""`tracker serve` over real HTTP on the loopback address (aiohttp's test server), with real
app processes behind the websocket: sign-in, sessions, limits and the rules that keep a page
elsewhere from driving an officer's app. The browser itself: tests/test_web_browser.py."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pyte
import pytest
from aiohttp.test_utils import TestServer
from typer.testing import CliRunner

from tracker.cli import app as cli_app
from tracker.db import make_engine, new_session
from tracker.models import Role
from tracker.services.accounts import add_account
from tracker.services.lookup import now
from tracker.services.passwords import set_password
from tracker.web.server import Limits, TrackerWeb
from tracker.web.signin import LocalOfficer, SqlitePasswords

PASSWORD = "讲座记录2026"

# An app process left running (or its pipes left open) when the server stops shows as an
# unraisable exception at garbage collection: a test fails on it.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def ledger(tmp_path: Path, sqlite_template: Path) -> str:
    """A SQLite ledger with an officer of 镇党委 (吴科员) whose password is set."""
    path = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with new_session(engine) as session:
        add_account(
            session=session,
            actor="seeder",
            name="吴科员",
            role=Role.OFFICER,
            units=["镇党委"],
            now=now(),
        )
        set_password(session=session, actor="seeder", name="吴科员", password=PASSWORD, now=now())
        session.commit()
    engine.dispose()
    return url


class Clock:
    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def serving(web: TrackerWeb) -> AsyncIterator[tuple[TestServer, aiohttp.ClientSession]]:
    server = TestServer(web.make_app(), host="127.0.0.1")
    await server.start_server()
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1, as a browser keeps them
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        try:
            yield server, client
        finally:
            await server.close()


def url_of(server: TestServer, path: str) -> str:
    return str(server.make_url(path))


async def sign_in(
    server: TestServer,
    client: aiohttp.ClientSession,
    password: str = PASSWORD,
    name: str = "吴科员",
) -> aiohttp.ClientResponse:
    return await client.post(
        url_of(server, "/signin"),
        data={"name": name, "password": password},
        allow_redirects=False,
    )


async def screen_of(websocket: aiohttp.ClientWebSocketResponse, until: str) -> str:
    """The app's screen as a terminal shows it, once `until` is on it (60 s at most)."""
    screen = pyte.Screen(100, 30)
    stream = pyte.ByteStream(screen)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        message = await websocket.receive(timeout=deadline - time.monotonic())
        if message.type == aiohttp.WSMsgType.BINARY:
            stream.feed(message.data)
            text = "\n".join(screen.display)
            if until in text:
                return text
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            break
    raise AssertionError(f"{until!r} never shown:\n" + "\n".join(screen.display))


def app_processes() -> dict[int, dict[str, str]]:
    """This test's running app processes (`tracker app`, run in their own process: the
    tests set TRACKER_SERVER=off) and their environments (other tests' run beside it, in
    other workers)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not _descends_from(int(entry.name), os.getpid()):
            continue
        try:
            parts = (entry / "cmdline").read_bytes().split(b"\0")
            if b"app" not in parts or not any(part.endswith(b"tracker") for part in parts):
                continue
            if parts[0].endswith(b"sh"):  # the shell textual-serve starts it with
                continue
            raw = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        found[int(entry.name)] = dict(
            item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item
        )
    return found


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_without_a_session_only_the_sign_in_page_is_served(ledger: str) -> None:
    async def scenario() -> None:
        async with serving(TrackerWeb(SqlitePasswords(ledger), limits=Limits())) as (srv, c):
            page = await c.get(url_of(srv, "/"), allow_redirects=False)
            assert (page.status, page.headers["Location"]) == (303, "/signin")
            form = await c.get(url_of(srv, "/signin"))
            assert form.status == 200 and "登录" in await form.text()
            refused = await c.get(url_of(srv, "/ws"))
            assert refused.status == 403
            assert app_processes() == {}

    run(scenario())


def test_a_wrong_password_is_refused_and_the_next_try_must_wait(ledger: str) -> None:
    async def scenario() -> None:
        async with serving(TrackerWeb(SqlitePasswords(ledger), limits=Limits())) as (srv, c):
            wrong = await sign_in(srv, c, "不是这个密码")
            assert wrong.status == 401
            answer = await wrong.text()
            assert "账户名或密码不对" in answer
            assert 'value="吴科员"' in answer and "不是这个密码" not in answer
            assert "tracker_session" not in wrong.cookies
            # Even the right password is not heard during the wait.
            at_once = await sign_in(srv, c)
            assert at_once.status == 429
            assert "秒后再试" in await at_once.text()
            await asyncio.sleep(1.1)
            right = await sign_in(srv, c)
            assert right.status == 303

    run(scenario())


def test_the_sign_in_pages_speak_english_when_asked(ledger: str) -> None:
    async def scenario() -> None:
        async with serving(TrackerWeb(SqlitePasswords(ledger), limits=Limits())) as (srv, c):
            form = await c.get(url_of(srv, "/signin?lang=en"))
            assert "Sign in" in await form.text()
            wrong = await sign_in(srv, c, "not the password")  # the choice is remembered
            assert "Wrong account name or password" in await wrong.text()

    run(scenario())


def test_the_app_runs_as_the_officer_who_signed_in_and_in_chinese(ledger: str) -> None:
    async def scenario() -> None:
        async with serving(TrackerWeb(SqlitePasswords(ledger), limits=Limits())) as (srv, c):
            signed = await sign_in(srv, c)
            assert signed.status == 303
            cookie = signed.cookies["tracker_session"]
            assert cookie["httponly"] and cookie["samesite"] == "Strict"
            page = await c.get(url_of(srv, "/"))
            assert page.status == 200 and "textual-terminal" in await page.text()
            async with c.ws_connect(url_of(srv, "/ws?width=100&height=30")) as websocket:
                shown = await screen_of(websocket, "亮灯")
                assert "法治政府建设承诺事项台账" in shown
                (environment,) = app_processes().values()
                assert environment["TRACKER_USER"] == "吴科员"
                assert environment["TRACKER_DB"] == ledger

    run(scenario())


def test_too_many_apps_at_once_get_a_page_saying_so(ledger: str) -> None:
    async def scenario() -> None:
        web = TrackerWeb(SqlitePasswords(ledger), limits=Limits(max_sessions=1))
        async with serving(web) as (srv, c):
            await sign_in(srv, c)
            async with c.ws_connect(url_of(srv, "/ws")) as websocket:
                await screen_of(websocket, "亮灯")
                busy = await c.get(url_of(srv, "/"))
                assert busy.status == 503
                assert "上限（1 人）" in await busy.text()
                second = await c.get(url_of(srv, "/ws"))
                assert second.status == 503
            await _until(lambda: not web.running)
            again = await c.get(url_of(srv, "/"))
            assert again.status == 200

    run(scenario())


def test_an_app_left_idle_is_closed_and_its_process_ends(ledger: str) -> None:
    async def scenario() -> None:
        clock = Clock()
        web = TrackerWeb(SqlitePasswords(ledger), limits=Limits(idle_minutes=10), clock=clock)
        async with serving(web) as (srv, c):
            await sign_in(srv, c)
            async with c.ws_connect(url_of(srv, "/ws")) as websocket:
                await screen_of(websocket, "亮灯")
                (pid,) = app_processes()
                clock.now += 9 * 60
                await web.sweep()
                assert web.running  # not yet
                clock.now += 2 * 60
                await web.sweep()
                assert not web.running
                closed = await websocket.receive(timeout=30)
                while closed.type == aiohttp.WSMsgType.BINARY:
                    closed = await websocket.receive(timeout=30)
                assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            await _until(lambda: pid not in app_processes())
            # The session expired with the app (10 idle minutes): sign in again.
            page = await c.get(url_of(srv, "/"), allow_redirects=False)
            assert page.status == 303

    run(scenario())


def test_an_expired_session_must_sign_in_again(ledger: str) -> None:
    async def scenario() -> None:
        clock = Clock()
        limits = Limits(idle_minutes=30, session_hours=8)
        web = TrackerWeb(SqlitePasswords(ledger), limits=limits, clock=clock)
        async with serving(web) as (srv, c):
            await sign_in(srv, c)
            for _ in range(20):  # used every 25 minutes: alive until 8 hours are up
                clock.now += 25 * 60
                page = await c.get(url_of(srv, "/"), allow_redirects=False)
                if page.status != 200:
                    break
            assert page.status == 303 and page.headers["Location"] == "/signin"
            assert 8 * 3600 <= 25 * 60 * (_ + 1) < 8 * 3600 + 25 * 60
            assert (await c.get(url_of(srv, "/ws"))).status == 403

    run(scenario())


def test_signing_out_ends_the_session_and_closes_its_app(ledger: str) -> None:
    async def scenario() -> None:
        web = TrackerWeb(SqlitePasswords(ledger), limits=Limits())
        async with serving(web) as (srv, c):
            await sign_in(srv, c)
            async with c.ws_connect(url_of(srv, "/ws")) as websocket:
                await screen_of(websocket, "亮灯")
                out = await c.post(url_of(srv, "/signout"), allow_redirects=False)
                assert (out.status, out.headers["Location"]) == (303, "/signin")
                await _until(lambda: not web.running)
            page = await c.get(url_of(srv, "/"), allow_redirects=False)
            assert page.status == 303

    run(scenario())


def test_a_page_elsewhere_cannot_open_the_app_nor_a_foreign_host_name_reach_it(
    ledger: str,
) -> None:
    async def scenario() -> None:
        web = TrackerWeb(LocalOfficer(ledger, "张科员"), limits=Limits())
        async with serving(web) as (srv, c):
            foreign = await c.get(url_of(srv, "/ws"), headers={"Origin": "http://evil.example"})
            assert foreign.status == 403
            rebound = await c.get(url_of(srv, "/"), headers={"Host": "evil.example"})
            assert rebound.status == 403
            assert not web.running

    run(scenario())


def test_the_local_officer_needs_no_sign_in(ledger: str) -> None:
    async def scenario() -> None:
        web = TrackerWeb(LocalOfficer(ledger, "张科员"), limits=Limits())
        async with serving(web) as (srv, c):
            page = await c.get(url_of(srv, "/"))
            assert page.status == 200 and 'id="signout"' not in await page.text()
            async with c.ws_connect(url_of(srv, "/ws")) as websocket:
                await screen_of(websocket, "亮灯")
                (environment,) = app_processes().values()
                assert environment["TRACKER_USER"] == "张科员"

    run(scenario())


def test_the_app_runs_forked_from_the_warm_process(
    ledger: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the warm background process allowed (the default), a tab's app is forked from
    it: what the tab shows is the same, and its process is a child of that server. The
    server was started by an ordinary command, before any browser: the app still draws
    for the browser (Textual's settings are read from each command's environment)."""
    from tests.warm_helpers import children_of, runtime_dir, server_pids
    from tests.warm_helpers import run as run_tracker

    async def scenario(folder: Path) -> None:
        async with serving(TrackerWeb(SqlitePasswords(ledger), limits=Limits())) as (srv, c):
            await sign_in(srv, c)
            async with c.ws_connect(url_of(srv, "/ws?width=100&height=30")) as websocket:
                shown = await screen_of(websocket, "亮灯")
                assert "法治政府建设承诺事项台账" in shown
                (server,) = server_pids(folder)
                assert children_of(server)  # the app (and perhaps the ledger's process)

    with runtime_dir() as folder:
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
        monkeypatch.delenv("TRACKER_SERVER")
        plain = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
        first = run_tracker(["--db", ledger, "list", "--limit", "1"], plain, warm=True)
        assert first.returncode == 0, first.stderr.decode()
        run(scenario(folder))


def test_a_port_out_of_range_is_a_usage_error_in_one_line(ledger: str) -> None:
    result = CliRunner().invoke(cli_app, ["--db", ledger, "serve", "--port", "99999"])
    assert result.exit_code == 2
    assert "参数 --port 最大为 65535" in result.output
    assert "Traceback" not in result.output


def test_serving_beyond_this_machine_without_passwords_is_refused(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, path)
    before = path.read_bytes()
    result = CliRunner().invoke(cli_app, ["--db", str(path), "serve", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "tracker users passwd" in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == before


def test_behind_a_reverse_proxy_sign_in_is_required_and_its_host_name_served(
    ledger: str, tmp_path: Path, sqlite_template: Path
) -> None:
    """`--public-url`: others reach the server through the proxy even though it listens on
    127.0.0.1, so it will not serve the local officer unsigned; the proxy's host name is
    let through."""
    path = tmp_path / "plain.db"
    shutil.copy(sqlite_template, path)
    refused = CliRunner().invoke(
        cli_app, ["--db", str(path), "serve", "--public-url", "https://taizhang.example.gov.cn"]
    )
    assert refused.exit_code == 1 and "tracker users passwd" in refused.output

    async def scenario() -> None:
        public = "https://taizhang.example.gov.cn"
        web = TrackerWeb(SqlitePasswords(ledger), limits=Limits(), public_url=public)
        async with serving(web) as (srv, c):
            host = {"Host": "taizhang.example.gov.cn"}
            page = await c.get(url_of(srv, "/"), headers=host, allow_redirects=False)
            assert (page.status, page.headers["Location"]) == (303, public + "/signin")
            other = await c.get(url_of(srv, "/"), headers={"Host": "evil.example"})
            assert other.status == 403

    run(scenario())


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid == ancestor:
            return True
    return False


async def _until(condition: Callable[[], object], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.1)


@pytest.fixture(autouse=True)
def no_app_left_behind(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each app in a process of its own (not forked from a warm background process, see
    test_the_app_runs_forked_from_the_warm_process), killed if a test leaves one."""
    monkeypatch.setenv("TRACKER_SERVER", "off")
    yield
    for pid in app_processes():
        try:
            os.kill(pid, 9)
        except OSError:
            pass
