"""`tracker db`: the schema's version, and upgrading it (a shared database on purpose)."""

from __future__ import annotations

import typer

from tracker.cli.context import AppState, out
from tracker.db import database_url, make_engine
from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.schema import (
    HEAD,
    REVISIONS,
    backup_before_upgrade,
    current_revision,
    sqlite_file,
    upgrade,
)
from tracker.services.lookup import now

db_app = typer.Typer(help="数据库结构版本 / the database schema", add_completion=False)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """升级数据库结构（SQLite 先备份）/ upgrade the schema (SQLite is backed up first)."""
    state: AppState = ctx.obj
    engine = make_engine(database_url(state.settings.db))
    try:
        revision = current_revision(engine)
        if revision is None:
            raise TrackerError("db_not_initialized", db=state.settings.db)
        if revision not in REVISIONS:
            raise TrackerError("db_newer", db=state.settings.db, revision=revision, head=HEAD)
        if revision == HEAD:
            out().print(t("db_up_to_date", revision=revision))
            return
        path = sqlite_file(engine)
        backup = backup_before_upgrade(path, revision, now()) if path is not None else None
        upgrade(engine)
    finally:
        engine.dispose()
    out().print(t("db_upgraded", old=revision, new=HEAD, backup=str(backup or "-")))


@db_app.command("version")
def db_version(ctx: typer.Context) -> None:
    """显示数据库结构版本 / show the schema's version."""
    state: AppState = ctx.obj
    engine = make_engine(database_url(state.settings.db))
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision is None:
        raise TrackerError("db_not_initialized", db=state.settings.db)
    out().print(t("db_revision", revision=revision, head=HEAD))


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
