"""Commands that set the ledger up: init and the village roster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tracker.cli.context import (
    DATE_METAVAR,
    AppState,
    EffectiveDate,
    date_help,
    late_text,
    ledger,
    open_engine,
    out,
    parse_as_of,
    parse_effective,
    seed_database,
)
from tracker.config import DEFAULT_SEED
from tracker.i18n import t
from tracker.labels import village_label
from tracker.services.lookup import now, require_report
from tracker.services.villages import (
    import_roster,
    list_villages,
    rename_village,
    retire_village,
)

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", metavar=DATE_METAVAR, help=date_help("按此日期查看 / view as of")),
]


def _set_as_of(state: AppState, as_of: str | None) -> None:
    if as_of is not None:
        state.as_of = parse_as_of(as_of)


def init_command(
    ctx: typer.Context,
    seed: Annotated[
        Path | None, typer.Option("--seed", metavar="FILE", help="种子文件（YAML）/ seed file")
    ] = None,
) -> None:
    """创建数据库并导入报告及其承诺事项（重复执行不会改变已有数据）/ create and seed."""
    state: AppState = ctx.obj
    path = seed or DEFAULT_SEED
    from tracker.services.seed_file import load_seed_file
    from tracker.services.seeding import require_reviewed

    # Refuse a bad file, or a draft not yet reviewed, before creating anything.
    require_reviewed(load_seed_file(path))
    engine = open_engine(state, create=True)
    try:
        result = seed_database(state, engine, path)
    finally:
        engine.dispose()
    console = out()
    if result.commitments or result.instances or result.villages:
        console.print(
            t(
                "init_done",
                db=state.settings.db,
                report=result.report,
                commitments=result.commitments,
                instances=result.instances,
                villages=result.villages,
            )
        )
    else:
        console.print(t("init_unchanged", db=state.settings.db, report=result.report))


villages_app = typer.Typer(
    help="村(社区)名册 / the village roster", no_args_is_help=False, add_completion=False
)


@villages_app.callback(invoke_without_command=True)
def villages_default(ctx: typer.Context, as_of: AsOf = None) -> None:
    """村(社区)名册：list、import FILE、rename N NAME、retire N --reason TEXT。"""
    _set_as_of(ctx.obj, as_of)
    if ctx.invoked_subcommand is None:
        villages_list(ctx)


@villages_app.command("list")
def villages_list(ctx: typer.Context, as_of: AsOf = None) -> None:
    """列出村(社区) / list the villages."""
    state: AppState = ctx.obj
    _set_as_of(state, as_of)
    with ledger(state) as led:
        report = require_report(session=led.session, slug=led.report)
        villages = list_villages(session=led.session, town=report.town)
        town = report.town
    table = Table(title=t("villages_title", town=town), title_justify="left", pad_edge=False)
    table.add_column(t("col.number"), justify="right")
    table.add_column(t("col.village"))
    for village in villages:
        label = village_label(village.number, village.name)
        if village.retired_on is not None:
            label += t("village_retired_mark", date=village.retired_on.isoformat())
        table.add_row(f"{village.number:02d}", label)
    out().print(table)


@villages_app.command("import")
def villages_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV：编号,名称 / number,name")],
    effective: EffectiveDate = None,
    as_of: AsOf = None,
) -> None:
    """从 CSV 导入村(社区)名称（列：编号,名称）/ import names from a CSV file."""
    state: AppState = ctx.obj
    _set_as_of(state, as_of)
    day = parse_effective(effective, state.as_of)
    with ledger(state) as led:
        report = require_report(session=led.session, slug=led.report)
        when = led.effective_on(day)
        change = import_roster(
            session=led.session,
            report=report,
            path=file,
            user=led.user,
            now=now(),
            effective_on=when,
        )
    out().print(
        t("villages_imported", renamed=change.renamed, added=change.added, items=change.instances),
        late_text(when, typed=day is not None),
    )


@villages_app.command("rename")
def villages_rename(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help="编号 / number")],
    name: Annotated[str, typer.Argument(help="新名称 / new name")],
    effective: EffectiveDate = None,
    as_of: AsOf = None,
) -> None:
    """给一个村(社区)命名 / name one village."""
    state: AppState = ctx.obj
    _set_as_of(state, as_of)
    day = parse_effective(effective, state.as_of)
    with ledger(state) as led:
        report = require_report(session=led.session, slug=led.report)
        when = led.effective_on(day)
        rename_village(
            session=led.session,
            report=report,
            number=number,
            name=name,
            user=led.user,
            now=now(),
            effective_on=when,
        )
    out().print(
        t("village_renamed", number=f"{number:02d}", name=name.strip()),
        late_text(when, typed=day is not None),
    )


@villages_app.command("retire")
def villages_retire(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help="编号 / number")],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="原因 / why")],
    effective: EffectiveDate = None,
    as_of: AsOf = None,
) -> None:
    """撤销一个村(社区)：取消其未完成事项，保留历史（管理员）/ retire a village (admin)."""
    state: AppState = ctx.obj
    _set_as_of(state, as_of)
    day = parse_effective(effective, state.as_of)
    with ledger(state) as led:
        report = require_report(session=led.session, slug=led.report)
        when = led.effective_on(day)
        retired = retire_village(
            session=led.session,
            report=report,
            number=number,
            reason=reason,
            user=led.user,
            now=now(),
            effective_on=when,
        )
    retired_line = t("village_retired", number=f"{number:02d}", count=len(retired.cancelled))
    out().print(retired_line, late_text(when, typed=day is not None))


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
    app.add_typer(villages_app, name="villages")
