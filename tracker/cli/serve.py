"""`tracker serve`: the app in a browser (tracker.web)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from tracker.cli.context import AppState, fail, open_engine
from tracker.config import documents_folder
from tracker.db import database_url, new_session
from tracker.i18n import t


def serve_command(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="监听地址；本机以外的地址须登录 / address to listen on (beyond this machine: "
            "sign-in)",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", min=1, max=65535, help="端口 / port")
    ] = 8000,
    sign_in: Annotated[
        bool,
        typer.Option("--sign-in", help="本机也要求登录 / ask for sign-in on 127.0.0.1 too"),
    ] = False,
    max_sessions: Annotated[
        int,
        typer.Option(
            "--max-sessions",
            metavar="N",
            min=1,
            max=500,
            help="同时打开的台账上限 / apps open at once",
        ),
    ] = 10,
    idle_minutes: Annotated[
        float,
        typer.Option(
            "--idle-minutes",
            metavar="MINUTES",
            min=1,
            help="无操作多久关闭 / minutes idle before closing",
        ),
    ] = 30.0,
    uploads: Annotated[
        Path | None,
        typer.Option(
            "--uploads",
            metavar="DIR",
            help="浏览器上传的佐证材料存放处（默认：文档/tracker-uploads）/ where evidence "
            "uploaded from browsers goes",
        ),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            metavar="URL",
            help="经反向代理访问时的地址，如 https://taizhang.example.gov.cn / the address "
            "behind a reverse proxy",
        ),
    ] = None,
) -> None:
    """在浏览器中使用台账（登录、会话与人数上限）。/ Serve the app to browsers."""
    from tracker.web.server import Limits, TrackerWeb, is_loopback_address
    from tracker.web.signin import sign_in_for

    state: AppState = ctx.obj
    url = database_url(state.settings.db)
    loopback = is_loopback_address(host)
    # Behind a reverse proxy (a public URL) the server is reached from other machines even
    # though it listens on 127.0.0.1: sign-in then, as on any other address.
    local_user = state.settings.user if loopback and not sign_in and not public_url else None
    engine = open_engine(state)  # the ledger exists and is up to date before anyone signs in
    try:
        if local_user is None and url.startswith("sqlite") and not _has_passwords(engine):
            fail(t("serve.no_passwords"))
    finally:
        engine.dispose()
    web = TrackerWeb(
        sign_in_for(url, local_user=local_user),
        limits=Limits(max_sessions=max_sessions, idle_minutes=idle_minutes),
        language=state.settings.lang,
        loopback=loopback,
        public_url=public_url,
        uploads=uploads or documents_folder() / "tracker-uploads",
    )
    shown_url = public_url or f"http://{_bracketed(host)}:{port}"
    who = t("serve.who_local", user=local_user) if local_user else t("serve.who_signin")
    typer.echo(t("serve.listening", url=shown_url, db=state.settings.db, who=who), err=True)
    _run(web, host, port)


def _has_passwords(engine: Engine) -> bool:
    from tracker.services.passwords import has_passwords

    with new_session(engine) as session:
        return has_passwords(session)


def _run(web: object, host: str, port: int) -> None:
    import logging

    from aiohttp import web as aiohttp_web

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        aiohttp_web.run_app(
            web.make_app(),  # type: ignore[attr-defined]
            host=host,
            port=port,
            print=None,
            access_log=None,
        )
    except OSError as exc:
        fail(t("serve.port_taken", port=port, reason=exc.strerror or str(exc)))


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def app_command(ctx: typer.Context) -> None:
    """What each browser tab of `tracker serve` runs: the app, on the officer's ledger and as
    that officer (tracker.web gives both in the environment), drawn through Textual's web
    driver. Hidden: in a terminal, `tracker` alone opens the app."""
    from tracker.cli.context import open_app

    open_app(ctx.obj)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("app", hidden=True)(app_command)
