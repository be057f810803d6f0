"""Keeping the ledger safe: `tracker backup`, `tracker restore`, `tracker evidence verify`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from tracker.cli.audit import disagreement_line
from tracker.cli.context import AppState, err, open_engine, out
from tracker.db import database_url, new_session
from tracker.errors import TrackerError
from tracker.failures import reason_of
from tracker.files import resolved
from tracker.i18n import t
from tracker.models import Role
from tracker.schema import HEAD
from tracker.services.access import acting_user, has_accounts, require_role
from tracker.services.audit_ledger import evidence_disagreements
from tracker.services.backup import backup_sqlite, holds_ledger, is_damage
from tracker.services.evidence_store import (
    EvidenceProblem,
    ProblemKind,
    evidence_count,
    evidence_root,
    verify_store,
)
from tracker.services.pg_commands import pg_dump_command, pg_restore_command
from tracker.services.restore import restore_sqlite


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
    """用备份替换数据库（仅限管理员，记入审计日志）/ restore the ledger from a backup (admins).

    先核对备份：须是完好的台账数据库、结构版本已知（较旧的会升级）、审计链完整，否则不作任何修改。
    恢复时独占数据库：先等正在进行的写入完成，在同一把锁内把当前数据库完整另存为
    <数据库>.before-restore-<时间>（输出中给出路径），再写入备份，写完才放开。
    因此已确认的修改不会丢失：恢复开始前已确认的，都在那份另存的数据库里（不在恢复后的数据库里，
    需要时请据此补录）；恢复期间提交的，等恢复完成后写入恢复后的数据库，写入后才确认。

    The backup must be a sound ledger of a known schema (an older one is upgraded) whose audit
    chain verifies; otherwise nothing is changed. The restore takes the ledger exclusively: it
    waits for writes in progress, keeps the current ledger as <db>.before-restore-<time>
    (named in the output) under the same lock, writes the backup in, then lets go. So no
    acknowledged change is lost: one acknowledged before the restore is in that kept copy (not
    in the restored ledger: re-enter it from there if needed); one made during the restore
    waits, and is acknowledged only once it is in the restored ledger.
    """
    state: AppState = ctx.obj
    url = database_url(state.settings.db)
    db_file = _sqlite_file(url)
    if db_file is None:
        err().print(t("restore_postgres"), markup=False)
        _say(pg_restore_command(url, resolved(path)))
        return
    user = _restorer(state, db_file)
    store = evidence_root(url, state.settings.evidence_dir)
    result = restore_sqlite(path, db_file, actor=user, store=store)
    _say(t("restore_done", backup=str(resolved(path)), db=str(result.db_path)))
    if result.previous is not None:
        _say(t("restore_previous", path=str(result.previous)))
    else:
        _say(t("restore_no_previous", db=str(result.db_path)))
    if result.revision != HEAD:
        _say(t("restore_upgraded", old=result.revision, new=HEAD))
    _say(t("restore_audited", user=user, count=result.audit_entries, sha256=result.sha256))
    if result.evidence is not None:
        _say(t("restore_evidence", count=result.evidence_files, path=str(result.evidence)))


def _restorer(state: AppState, db_file: Path) -> str:
    """Who restores: an admin of the live ledger, as for every command that changes the
    ledger as a whole. A ledger without accounts may be restored by whoever may use it, and
    so may a file that holds no readable ledger (there is no one to ask; it is kept as it
    is). The live ledger is opened as any command opens it (an older one is upgraded)."""
    if not holds_ledger(db_file):
        return state.settings.user
    try:
        engine = open_engine(state)
        try:
            with new_session(engine) as session:
                user = acting_user(session, state.settings.user)
                if has_accounts(session):
                    require_role(session, user, Role.ADMIN)
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        if is_damage(exc):  # its accounts cannot be read: it has to be moved aside first
            reason = reason_of(exc)
            raise TrackerError("restore_live_damaged", db=str(db_file), reason=reason) from exc
        raise
    return user


evidence_app = typer.Typer(
    help="佐证材料 / evidence files", no_args_is_help=False, add_completion=False
)


@evidence_app.callback(invoke_without_command=True)
def evidence_default(ctx: typer.Context) -> None:
    """佐证材料：verify（核对每份文件）、get（按原文件名取回）。"""
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
            # A file swapped and re-pointed in the database agrees with its row, not with
            # the fingerprint the audit chain recorded when it was logged.
            repointed = evidence_disagreements(session)
    finally:
        engine.dispose()
    if not problems and not repointed:
        _say(t("evidence_ok", count=count))
        return
    for problem in problems:
        for line in _problem_lines(problem):
            _say(line)
    for found in repointed:
        _say(disagreement_line(found))
    missing = sum(problem.kind is ProblemKind.MISSING for problem in problems)
    changed = len(problems) - missing + len(repointed)
    err().print(
        t("evidence_problems", missing=missing, changed=changed, store=str(root)),
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
