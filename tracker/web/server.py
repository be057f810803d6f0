"""The web server of `tracker serve`: sign-in pages, the app page and, per browser tab, a
websocket driving one app process (textual-serve's AppService runs the process and speaks
Textual's web driver protocol; this module decides who may start one, and as whom).

Rules kept here, each with a test in tests/test_web_server.py:
- Without a live session (a cookie's token) nothing but the sign-in page and the static files
  is served, and no app process starts. The process is given the officer the session
  names; nothing the browser sends chooses the ledger or the user.
- Wrong passwords are slowed down per name and per address (sessions.Throttle).
- At most `max_sessions` app processes run at once; past that a page says so (503).
- An app nobody has touched for `idle_minutes` is closed; a session expires after as long
  without use, or after `session_hours` in all.
- The websocket and every page must come from this server's own origin (a page elsewhere
  cannot drive an officer's app through their browser), and on the loopback address the
  Host must be a loopback name (no DNS rebinding).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import shlex
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp_jinja2
import jinja2
import textual_serve
from aiohttp import BodyPartReader, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from tracker.errors import TrackerError
from tracker.files import MB
from tracker.i18n import CATALOGS, normalize_language
from tracker.web.sessions import BrowserSession, Officer, Sessions, Throttle
from tracker.web.signin import SignIn
from tracker.web.uploads import MAX_FILE, officer_folder, place_for

log = logging.getLogger("tracker.web")

COOKIE = "tracker_session"
TEMPLATES = Path(__file__).parent / "templates"
# The terminal's page scripts, styles and fonts come with textual-serve.
STATIC = Path(textual_serve.__file__).parent / "static"
# Each tab's process: `tracker app`, the app as the signed-in officer. Through the installed
# `tracker` script it is forked from the warm background process (tracker.warm) when one
# can be had: it starts in a fraction of a second and shares that process's memory.
_SCRIPT = Path(sys.executable).parent / "tracker"
# (textual-serve runs it through a shell: `exec`, so that the process it ends is the app's.)
APP_COMMAND = (
    f"exec {shlex.quote(str(_SCRIPT))} app"
    if _SCRIPT.exists()
    else f"exec {shlex.quote(sys.executable)} -m tracker app"
)
# What of the server's own environment never reaches an officer's process: who the server's
# user is, and their database credentials.
NOT_PASSED_ON = ("TRACKER_USER", "TRACKER_DB", "PGUSER", "PGPASSWORD", "PGPASSFILE", "PGSERVICE")
# How often idle apps and expired sessions are looked for.
SWEEP_SECONDS = 15.0


@dataclass(frozen=True)
class Limits:
    max_sessions: int = 10
    idle_minutes: float = 30.0
    session_hours: float = 12.0


class OfficerAppService(AppService):
    """textual-serve's app process, with the officer's environment instead of the server's
    credentials. (`_build_environment` is textual-serve's own hook; the version range in
    pyproject.toml is the one this was tested with.)"""

    def __init__(self, *args: Any, officer: Officer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officer = officer

    async def end(self, timeout: float = 10.0) -> None:
        """Ask the app to quit, and wait for its process to end (killed past `timeout`):
        a process left behind would hold the officer's session open, and its pipes the
        server's event loop."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.stop(), timeout)
        process = self._process
        if process is None:
            return
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
        if process.stdin is not None:  # the last pipe open: its transport can now close
            process.stdin.close()
            with contextlib.suppress(Exception):
                await process.stdin.wait_closed()

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        for name in NOT_PASSED_ON:
            environment.pop(name, None)
        environment.update(self.officer.environment)
        return environment


@dataclass
class RunningApp:
    service: OfficerAppService
    websocket: web.WebSocketResponse
    token: str | None  # the session it belongs to (None: the local officer's)
    last_input: float


class TrackerWeb:
    def __init__(
        self,
        sign_in: SignIn,
        *,
        limits: Limits,
        language: str = "zh",
        loopback: bool = True,
        public_url: str | None = None,
        uploads: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sign_in = sign_in
        self.uploads = uploads  # where officers' evidence files arrive (tracker.web.uploads)
        self.limits = limits
        self.language = language
        self.loopback = loopback
        self.public_url = public_url.rstrip("/") if public_url else None
        self.clock = clock
        self.sessions = Sessions(
            idle=limits.idle_minutes * 60, longest=limits.session_hours * 3600, clock=clock
        )
        self.throttle = Throttle(clock)
        self.running: dict[str, RunningApp] = {}
        self.downloads = DownloadManager()
        self._sweeper: asyncio.Task[None] | None = None
        self._ending: set[asyncio.Future[None]] = set()

    # --- the application ----------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        aiohttp_jinja2.setup(
            app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape()
        )
        app.add_routes(
            [
                web.get("/", self.index, name="index"),
                web.get("/signin", self.signin_page, name="signin"),
                web.post("/signin", self.signin_submit),
                web.post("/signout", self.signout),
                web.post("/upload", self.upload),
                web.get("/ws", self.websocket, name="websocket"),
                web.get("/download/{key}", self.download, name="download"),
                web.static("/static", STATIC, name="static"),
            ]
        )
        app.on_startup.append(self._start_sweeping)
        app.on_shutdown.append(self._close_everything)
        app.on_cleanup.append(self._wait_for_ended)
        return app

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if self.loopback and not (_loopback_host(request.host) or self._public(request.host)):
            raise web.HTTPForbidden(text="not a loopback host name")
        response = await handler(request)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        response.headers["Referrer-Policy"] = "no-referrer"
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    # --- pages --------------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.StreamResponse:
        lang = self._language(request)
        officer = self._officer(request)
        if officer is None:
            raise web.HTTPSeeOther(self._url(request, "/signin"))
        if len(self.running) >= self.limits.max_sessions:
            return self._notice(request, "web.busy", 503, limit=self.limits.max_sessions)
        context = {
            "lang": lang,
            "text": _texts(lang),
            "officer": officer.name,
            "signed_in": self.sign_in.required,
            "websocket_url": self._websocket_url(request),
            "static_url": "/static/",
            "uploads": self.uploads is not None,
        }
        return aiohttp_jinja2.render_template("app.html", request, context)

    async def signin_page(self, request: web.Request) -> web.StreamResponse:
        if not self.sign_in.required:
            raise web.HTTPSeeOther("/")
        response = self._signin_form(request, None, 200)
        chosen = normalize_language(request.query.get("lang"))
        if chosen:  # kept for the form's answer and the pages after it
            response.set_cookie("tracker_lang", chosen, samesite="Strict", path="/")
        return response

    async def signin_submit(self, request: web.Request) -> web.StreamResponse:
        if not self.sign_in.required:
            raise web.HTTPSeeOther("/")
        form = await request.post()
        name = str(form.get("name", "")).strip()
        password = str(form.get("password", ""))
        keys = [f"name:{name}", f"address:{request.remote}"]
        wait = self.throttle.wait(keys)
        if wait > 0:
            return self._signin_form(
                request, ("web.wait", {"seconds": int(wait) + 1}), 429, name=name
            )
        loop = asyncio.get_running_loop()
        try:
            officer = await loop.run_in_executor(None, self.sign_in.check, name, password)
        except TrackerError as exc:
            return self._signin_form(request, (exc.key, exc.params), 503, name=name)
        if officer is None:
            self.throttle.failed(keys)
            log.info("sign-in refused for %r from %s", name, request.remote)
            return self._signin_form(request, ("web.wrong_password", {}), 401, name=name)
        self.throttle.succeeded(keys)
        session = self.sessions.open(officer)
        log.info("%s signed in from %s", officer.name, request.remote)
        response = _see_other(self._url(request, "/"))
        response.set_cookie(
            COOKIE,
            session.token,
            httponly=True,
            samesite="Strict",
            secure=self._secure(request),
            path="/",
        )
        return response

    async def signout(self, request: web.Request) -> web.StreamResponse:
        token = request.cookies.get(COOKIE)
        if token:
            session = self.sessions.close(token)
            await self._close_apps_of(token)
            if session is not None:
                log.info("%s signed out", session.officer.name)
        response = _see_other(self._url(request, "/signin"))
        response.del_cookie(COOKIE, path="/")
        return response

    async def upload(self, request: web.Request) -> web.StreamResponse:
        """Evidence files from the officer's PC, into their own folder on the server: the
        paths to paste into the app's 佐证材料 field (tracker.web.uploads)."""
        lang = self._language(request)
        officer = self._officer(request)
        if officer is None or not self._same_origin(request) or self.uploads is None:
            raise web.HTTPForbidden()
        folder = officer_folder(self.uploads, officer.name)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        saved: list[str] = []
        if not request.content_type.startswith("multipart/"):  # not the page's form
            message = _text(lang, "web.upload_failed")
            return web.json_response({"paths": [], "message": message}, status=400)
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or not part.filename:
                continue
            target = place_for(folder, part.filename)
            if not await _receive(part, target):
                most = MAX_FILE // MB
                message = _text(lang, "web.upload_too_large", name=part.filename, most=most)
                return web.json_response({"paths": saved, "message": message}, status=413)
            saved.append(str(target))
            log.info("%s uploaded %s", officer.name, target)
        message = _text(lang, "web.uploaded", paths="\n".join(saved)) if saved else ""
        return web.json_response({"paths": saved, "message": message})

    async def download(self, request: web.Request) -> web.StreamResponse:
        """A file the app delivers (a printout), to the session whose app made it."""
        officer_token = request.cookies.get(COOKIE) if self.sign_in.required else None
        if self._officer(request) is None:
            raise web.HTTPForbidden()
        try:
            delivery = await self.downloads.get_download_metadata(request.match_info["key"])
        except KeyError:
            raise web.HTTPNotFound() from None
        running = self.running.get(delivery.app_service.app_service_id)
        if running is None or running.token != officer_token:
            raise web.HTTPNotFound()
        response = web.StreamResponse()
        content_type = delivery.mime_type
        if delivery.encoding:
            content_type += f"; charset={delivery.encoding}"
        response.headers["Content-Type"] = content_type
        how = "inline" if delivery.open_method == "browser" else "attachment"
        # RFC 6266: a Chinese file name travels as UTF-8, percent-encoded.
        response.headers["Content-Disposition"] = (
            f"{how}; filename*=UTF-8''{quote(delivery.file_name)}"
        )
        await response.prepare(request)
        async for chunk in self.downloads.download(delivery.delivery_key):
            await response.write(chunk)
        await response.write_eof()
        return response

    # --- the app's websocket ------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        if not self._same_origin(request):
            raise web.HTTPForbidden(text="cross-origin")
        officer = self._officer(request)
        if officer is None:
            raise web.HTTPForbidden()
        if len(self.running) >= self.limits.max_sessions:
            raise web.HTTPServiceUnavailable()
        token = request.cookies.get(COOKIE) if self.sign_in.required else None
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        service = OfficerAppService(
            APP_COMMAND,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.downloads,
            officer=officer,
        )
        running = RunningApp(service, websocket, token, self.clock())
        self.running[service.app_service_id] = running
        log.info("app started for %s (%d running)", officer.name, len(self.running))
        try:
            width = _int(request.query.get("width"), 80)
            height = _int(request.query.get("height"), 24)
            await service.start(width, height)
            await self._relay(running)
        except asyncio.CancelledError:
            pass
        finally:
            self.running.pop(service.app_service_id, None)
            # Shielded: a server shutting down cancels this handler, but the process must
            # still be waited for (_wait_for_ended).
            ending = asyncio.ensure_future(service.end())
            self._ending.add(ending)
            ending.add_done_callback(self._ending.discard)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(ending)
            await websocket.close()
            log.info("app ended for %s (%d running)", officer.name, len(self.running))
        return websocket

    async def _relay(self, running: RunningApp) -> None:
        """What the browser sends, to the app; anything but a ping counts as the officer
        using it (the session is kept alive)."""
        service, websocket = running.service, running.websocket
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, data = message.json()[:2]
            except (ValueError, TypeError):
                continue
            if kind == "ping":
                await websocket.send_json(["pong", data])
                continue
            running.last_input = self.clock()
            if running.token is not None:
                session = self.sessions.get(running.token)
                if session is None:  # expired or signed out meanwhile
                    return
                self.sessions.touch(session)
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(
                    _int(data.get("width"), 80), _int(data.get("height"), 24)
                )
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    # --- limits -------------------------------------------------------------------------

    async def _start_sweeping(self, _app: web.Application) -> None:
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            await self.sweep()

    async def sweep(self) -> None:
        """Close apps idle too long and the apps of sessions that have expired."""
        idle = self.limits.idle_minutes * 60
        now = self.clock()
        for session in self.sessions.expired_ones():
            await self._close_apps_of(session.token)
        for running in list(self.running.values()):
            expired = running.token is not None and self.sessions.get(running.token) is None
            if expired or now - running.last_input > idle:
                await _close(running)

    async def _close_apps_of(self, token: str) -> None:
        for running in list(self.running.values()):
            if running.token == token:
                await _close(running)

    async def _close_everything(self, _app: web.Application) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for running in list(self.running.values()):
            await _close(running)

    async def _wait_for_ended(self, _app: web.Application) -> None:
        if self._ending:
            await asyncio.gather(*self._ending, return_exceptions=True)

    # --- helpers ------------------------------------------------------------------------

    def _officer(self, request: web.Request) -> Officer | None:
        if not self.sign_in.required:
            return self.sign_in.check("", "")
        session: BrowserSession | None = self.sessions.get(request.cookies.get(COOKIE))
        if session is None:
            return None
        self.sessions.touch(session)
        return session.officer

    def _language(self, request: web.Request) -> str:
        asked = request.query.get("lang") or request.cookies.get("tracker_lang")
        return normalize_language(asked) or self.language

    def _signin_form(
        self,
        request: web.Request,
        message: tuple[str, Mapping[str, Any]] | None,
        status: int,
        name: str = "",
    ) -> web.Response:
        lang = self._language(request)
        context = {
            "lang": lang,
            "text": _texts(lang),
            "message": _text(lang, message[0], **message[1]) if message else "",
            "name": name,  # typed again only if wrong: the password never is
        }
        return aiohttp_jinja2.render_template("signin.html", request, context, status=status)

    def _notice(self, request: web.Request, key: str, status: int, **params: Any) -> web.Response:
        lang = self._language(request)
        context = {"lang": lang, "text": _texts(lang), "message": _text(lang, key, **params)}
        return aiohttp_jinja2.render_template("notice.html", request, context, status=status)

    def _secure(self, request: web.Request) -> bool:
        return request.secure or bool(self.public_url and self.public_url.startswith("https"))

    def _url(self, request: web.Request, path: str) -> str:
        return f"{self.public_url}{path}" if self.public_url else path

    def _websocket_url(self, request: web.Request) -> str:
        if self.public_url:
            base = urlsplit(self.public_url)
            scheme = "wss" if base.scheme == "https" else "ws"
            return f"{scheme}://{base.netloc}{base.path}/ws"
        return f"{'wss' if request.secure else 'ws'}://{request.host}/ws"

    def _public(self, host: str) -> bool:
        """Whether `host` is the public URL's (the reverse proxy passes it on)."""
        return bool(self.public_url) and urlsplit(self.public_url).netloc == host

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser: it has the cookie or it gets nothing
        allowed = {f"http://{request.host}", f"https://{request.host}"}
        if self.public_url:
            parts = urlsplit(self.public_url)
            allowed.add(f"{parts.scheme}://{parts.netloc}")
        return origin in allowed


async def _receive(part: BodyPartReader, target: Path) -> bool:
    """Write one uploaded file to `target` (new); False, and nothing kept, past MAX_FILE."""
    size = 0
    with target.open("xb") as out:
        while chunk := await part.read_chunk(64 * 1024):
            size += len(chunk)
            if size > MAX_FILE:
                break
            out.write(chunk)
    if size > MAX_FILE:
        target.unlink()
        return False
    return True


def _see_other(location: str) -> web.Response:
    """A redirect that carries a cookie (aiohttp's HTTPSeeOther is raised, not returned)."""
    return web.Response(status=303, headers={"Location": location})


async def _close(running: RunningApp) -> None:
    """End an app and its websocket (the browser then shows that the ledger was closed)."""
    await running.service.end()
    with contextlib.suppress(Exception):
        await running.websocket.close()


def _texts(lang: str) -> dict[str, str]:
    """The pages' words: every `web.` message of the catalog, keyed without the prefix."""
    catalog = CATALOGS.get(lang, CATALOGS["zh"])
    return {key[4:]: value for key, value in catalog.items() if key.startswith("web.")}


def _text(lang: str, key: str, **params: Any) -> str:
    template = CATALOGS.get(lang, CATALOGS["zh"]).get(key) or CATALOGS["zh"].get(key) or key
    return template.format(**params) if params else template


def _int(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return min(max(number, 10), 1000)


def _loopback_host(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_loopback_address(host: str) -> bool:
    """Whether serving on `host` keeps the server to this machine."""
    return _loopback_host(host) or host in ("localhost", "")
