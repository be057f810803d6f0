"""`tracker import REPORT`: a report file read into a draft seed file for review; and
`tracker import --apply DRAFT`: the reviewed draft's accepted commitments seeded as a new report.

Reading a report touches no database: it reads one file and writes two new ones. Applying
goes through the path `tracker init --seed` takes (tracker.work.write_seed). The importing
package is imported inside the command, so that starting the command line stays light.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.context import (
    DATE_METAVAR,
    AppState,
    date_help,
    fail,
    open_engine,
    parse_date,
)
from tracker.errors import printable
from tracker.i18n import t

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.importing.run import Imported
    from tracker.importing.structure import Fact


def import_command(
    ctx: typer.Context,
    report: Annotated[
        Path | None, typer.Argument(metavar="REPORT", help="报告文件 / report file")
    ] = None,
    apply: Annotated[
        Path | None,
        typer.Option(
            "--apply",
            metavar="DRAFT",
            help="把审核过的草稿中已接受的事项导入数据库 / seed a reviewed draft's accepted ones",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="写入的文件夹（默认：文档）/ folder"),
    ] = None,
    slug: Annotated[
        str | None, typer.Option("--slug", metavar="S", help="报告标识 / report slug")
    ] = None,
    town: Annotated[str | None, typer.Option("--town", metavar="T", help="镇 / town")] = None,
    issuer: Annotated[
        str | None, typer.Option("--issuer", metavar="I", help="发布单位 / issuer")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", metavar="Y", help="年度 / year")] = None,
    published: Annotated[
        str | None,
        typer.Option("--published", metavar=DATE_METAVAR, help=date_help("发布日期 / published")),
    ] = None,
) -> None:
    """读取报告文件，写出待审核的承诺事项草稿（不改动数据库）；--apply 导入审核过的草稿
    / draft a report's commitments; --apply seeds a reviewed draft."""
    drafting = (out_dir, slug, town, issuer, year, published)
    if apply is not None:
        if report is not None or any(value is not None for value in drafting):
            fail(t("import.apply.usage"), 2)  # a usage error, said as what to type instead
        _apply(ctx.obj, apply)
        return
    if report is None:
        fail(t("usage_missing", param="REPORT"), 2)
        return
    from tracker.config import documents_folder
    from tracker.importing.run import Overrides, import_report

    given = Overrides(
        slug=slug,
        town=town.strip() or None if town else None,
        issuer=issuer.strip() or None if issuer else None,
        year=year,
        published=parse_date(published, "--published") if published is not None else None,
    )
    folder = out_dir.expanduser() if out_dir is not None else documents_folder()
    ledger, unread = _ledger(ctx.obj)
    try:
        done = import_report(report, folder, given, ledger=ledger)
    finally:
        if ledger is not None:
            ledger.dispose()
    for line in [*_summary(done), *([unread] if unread else [])]:
        sys.stdout.write(printable(line) + "\n")


def _summary(done: Imported) -> list[str]:
    found, meta = done.found, done.meta
    kind = done.read.source
    source = t(f"import.read.{kind}", encoding=done.read.encoding or "-")

    def shown(fact: Fact | None, value: object) -> str:
        if value is None:
            return t("import.found.none")
        return (
            f"{value}"
            if fact is not None and fact.value == value
            else f"{value}" + t("import.found.given")
        )

    return [
        t("import.found.file", path=str(done.path), source=source),
        t("import.found.title", value=meta.title),
        t("import.found.town", value=shown(found.town, meta.town)),
        t("import.found.issuer", value=shown(found.issuer, meta.issuer)),
        t("import.found.year", value=shown(found.year, meta.year)),
        t("import.found.published", value=shown(found.published, meta.published)),
        t(
            "import.found.counts",
            parts=len(found.sections),
            subparts=sum(len(section.subparts) for section in found.sections),
            items=found.item_count,
            drafts=done.drafts,
        ),
        *_links(done),
        t("import.written", seed=str(done.seed_path), text=str(done.text_path)),
    ]


def _links(done: Imported) -> list[str]:
    if done.compared is None:
        return []
    if done.compared == 0:
        return [t("import.found.no_earlier", town=done.meta.town, year=done.meta.year)]
    counts = {"continues": done.continues, "closes": done.closes}
    return [t("import.found.links", compared=done.compared, **counts)]


def _ledger(state: AppState) -> tuple[Engine | None, str | None]:
    """The chosen database, to compare the drafts with the town's earlier reports, when it
    is a ledger this tracker reads as it is: never created, seeded or upgraded by reading a
    report. None when there is none; with the line to say when there is one that could not
    be read (the report is drafted all the same, without comparing)."""
    from tracker.db import database_url, make_engine
    from tracker.failures import reason_of
    from tracker.schema import HEAD, current_revision, has_schema
    from tracker.work import sqlite_path

    url = database_url(state.settings.db)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        return None, None
    engine = make_engine(url)
    try:
        if not has_schema(engine):
            engine.dispose()
            return None, None
        if current_revision(engine) == HEAD:
            return engine, None
        reason = t("import.found.ledger_old")
    except Exception as exc:  # noqa: BLE001 - a database out of reach: drafted all the same
        reason = reason_of(exc)
    engine.dispose()
    return None, t("import.found.ledger_unread", db=state.settings.db, reason=reason)


def _apply(state: AppState, path: Path) -> None:
    """Seed the accepted commitments of the draft at `path` as a new report, in one
    transaction; a draft with any undecided is refused before a database is opened."""
    from tracker.importing.applying import apply_draft
    from tracker.services.seed_file import load_seed_file
    from tracker.services.seeding import require_reviewed

    require_reviewed(load_seed_file(path))  # refused before a database is opened or made
    engine = open_engine(state, create=True)
    try:
        applied = apply_draft(state, engine, path)
    finally:
        engine.dispose()
    for line in applied.lines(state.settings.db):
        sys.stdout.write(printable(line) + "\n")


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
