"""Keeping the ledger safe: `tracker backup`, `tracker restore`, `tracker evidence verify`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from tracker.cli.context import AppState, err, open_engine, out
from tracker.db import database_url, new_session
from tracker.errors import TrackerError
from tracker.files import resolved
from tracker.i18n import t
from tracker.services.backup import (
    backup_sqlite,
    pg_dump_command,
    pg_restore_command,
    restore_sqlite,
)
from tracker.services.evidence_store import (
    EvidenceProblem,
    ProblemKind,
    evidence_count,
    evidence_root,
    verify_store,
)


def _sqlite_file(url: str) -> Path | None:
    """The SQLite file of `url`; None for a server database (PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise TrackerError("db_missing", path=parsed.database or ":memory:")
    return Path(parsed.database)


def _say(message: str) -> None:
    """A result line that holds paths: never wrapped or read as markup."""
    out().print(message, markup=False, soft_wrap=True)


def backup_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="PATH", help="备份文件（新文件）/ new file")],
) -> None:
    """备份数据库及佐证材料（SQLite 在线备份，不影响他人使用）/ back up the ledger."""
    state: AppState = ctx.obj
    url = database_url(state.settings.db)
    db_file = _sqlite_file(url)
    if db_file is None:
        err().print(t("backup_postgres"), markup=False)
        _say(pg_dump_command(url, resolved(path)))
        if state.settings.evidence_dir is not None:
            folder = str(resolved(state.settings.evidence_dir))
            err().print(t("backup_postgres_evidence", path=folder), markup=False)
        return
    store = evidence_root(url, state.settings.evidence_dir)
    result = backup_sqlite(db_file, path, store=store)
    _say(t("backup_done", path=str(result.target)))
    if result.evidence is not None:
        _say(t("backup_evidence", count=result.evidence_files, path=str(result.evidence)))
    if result.evidence_damaged:
        err().print(t("backup_evidence_damaged", count=result.evidence_damaged), style="yellow")


def restore_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="PATH", help="备份文件 / backup file")],
) -> None:
    """用备份替换数据库（原数据库另存，不会丢失）/ restore the ledger from a backup."""
    state: AppState = ctx.obj
    url = database_url(state.settings.db)
    db_file = _sqlite_file(url)
    if db_file is None:
        err().print(t("restore_postgres"), markup=False)
        _say(pg_restore_command(url, resolved(path)))
        return
    store = evidence_root(url, state.settings.evidence_dir)
    result = restore_sqlite(path, db_file, store=store)
    _say(t("restore_done", backup=str(resolved(path)), db=str(result.db_path)))
    if result.previous is not None:
        _say(t("restore_previous", path=str(result.previous)))
    else:
        _say(t("restore_no_previous", db=str(result.db_path)))
    if result.evidence is not None:
        _say(t("restore_evidence", count=result.evidence_files, path=str(result.evidence)))


evidence_app = typer.Typer(
    help="佐证材料 / evidence files", no_args_is_help=False, add_completion=False
)


@evidence_app.callback(invoke_without_command=True)
def evidence_default(ctx: typer.Context) -> None:
    """佐证材料：verify（核对每份文件）。"""
    if ctx.invoked_subcommand is None:
        evidence_verify(ctx)


@evidence_app.command("verify")
def evidence_verify(ctx: typer.Context) -> None:
    """重新计算每份佐证材料的指纹，列出缺失或被改动的 / check every stored file."""
    state: AppState = ctx.obj
    root = evidence_root(database_url(state.settings.db), state.settings.evidence_dir)
    engine = open_engine(state)
    try:
        with new_session(engine) as session:
            problems = verify_store(session, root)
            count = evidence_count(session)
    finally:
        engine.dispose()
    if not problems:
        _say(t("evidence_ok", count=count))
        return
    for problem in problems:
        for line in _problem_lines(problem):
            _say(line)
    missing = sum(problem.kind is ProblemKind.MISSING for problem in problems)
    err().print(
        t("evidence_problems", missing=missing, changed=len(problems) - missing, store=str(root)),
        style="red",
        markup=False,
    )
    raise typer.Exit(1)


def _problem_lines(problem: EvidenceProblem) -> list[str]:
    """One line for each item that relies on the missing or changed file."""
    state = t(f"evidence_state.{problem.kind.value}")
    return [
        t("evidence_problem", state=state, name=use.name, report=use.report, code=use.code)
        for use in problem.uses
    ]


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.add_typer(evidence_app, name="evidence")
