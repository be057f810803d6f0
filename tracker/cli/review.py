"""Commands that review the ledger: the overview and the overdue list."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tracker.cli.context import DATE_METAVAR, AppState, date_help, ledger, out, parse_as_of
from tracker.cli.render import overdue_table, overdue_view, row_table
from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.labels import LIGHT_STYLE, items_text, localized
from tracker.schedule import Light
from tracker.services.dashboard import Dashboard, dashboard
from tracker.services.overdue import overdue_by_unit

BAR_WIDTH = 20
# Lines per unit in `tracker overdue`: a district's unit has hundreds of late commitments
# (one per town and daily duty), and printing them all took most of the command's time at
# a million periods while nobody reads past a screenful. The oldest come first, the unit's
# counts stay complete, and a line says how many more there are (--limit 0 lists them all).
OVERDUE_LIMIT = 20


def _bar(done: int, total: int) -> Text:
    filled = round(BAR_WIDTH * done / total) if total else 0
    bar = Text("█" * filled, style="green")
    bar.append("░" * (BAR_WIDTH - filled), style="dim")
    return bar


def summary_view(board: Dashboard) -> RenderableType:
    """The overview printed by bare `tracker` and `tracker summary`."""
    parts: list[RenderableType] = [
        Text(t("summary_title", date=board.as_of.isoformat()), style="bold")
    ]
    counts = Text()
    for light in Light:
        label = t("light_commitments", light=t("light." + light.value), count=board.by_light[light])
        counts.append(label, style=LIGHT_STYLE[light])
        counts.append("   ")
    parts.append(counts)
    statuses = "   ".join(
        f"{t('status.' + status.value)} {count}" for status, count in board.by_status.items()
    )
    parts.append(Text(statuses))
    parts.append(Text(items_text(board.items_by_light), style="dim"))
    parts.append(Text(t("overview_total", total=board.total, items=board.items_total), style="dim"))
    sections = Table(title=t("summary_sections"), title_justify="left", pad_edge=False)
    sections.add_column(t("col.section"))
    sections.add_column(t("col.progress"))
    sections.add_column(t("col.commitments"), justify="right")
    sections.add_column(t("col.items"), justify="right")
    for section in board.sections:
        heading = localized(section.heading, section.heading_en)
        sections.add_row(
            f"{section.number} {heading}",
            _bar(section.done, section.total),
            f"{section.done}/{section.total}",
            f"{section.periods_done}/{section.periods_total}",
        )
    parts.append(sections)
    if board.quotas:
        parts.append(Text(t("summary_quotas"), style="bold"))
        parts.append(row_table(board.quotas))
    parts.append(Text(t("summary_most_overdue"), style="bold"))
    if board.most_overdue:
        parts.append(overdue_table(board.most_overdue, unit=True))
    else:
        parts.append(Text("-"))
    parts.append(Text(t("summary_next"), style="bold"))
    parts.append(row_table(board.next_deadlines) if board.next_deadlines else Text("-"))
    return Group(*parts)


def show_summary(state: AppState, as_of: date | None) -> None:
    with ledger(state, as_of) as led:
        board = dashboard(session=led.session, deadlines=led.deadlines, report=led.report)
    out().print(summary_view(board))


def summary_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar=DATE_METAVAR, help=date_help("按此日期查看 / view as of")),
    ] = None,
) -> None:
    """总览：各部分进度、红黄绿灯、本期配额、逾期与临近事项 / the overview."""
    state: AppState = ctx.obj
    show_summary(state, parse_as_of(as_of) if as_of else state.as_of)


def overdue_command(
    ctx: typer.Context,
    unit: Annotated[
        str | None, typer.Option("--unit", metavar="UNIT", help="责任单位 / unit")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar=DATE_METAVAR, help=date_help("按此日期查看 / view as of")),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            metavar="N",
            help=f"每个单位最多显示行数（默认 {OVERDUE_LIMIT}，0 为全部）/ lines per unit",
        ),
    ] = OVERDUE_LIMIT,
) -> None:
    """逾期督办：按责任单位列出红灯、黄灯事项 / red then yellow items by unit."""
    state: AppState = ctx.obj
    if limit < 0:
        raise TrackerError("limit_invalid", value=limit)
    day = parse_as_of(as_of) if as_of else state.as_of
    with ledger(state, day) as led:
        groups = overdue_by_unit(
            session=led.session,
            deadlines=led.deadlines,
            unit=unit,
            report=led.report,
            limit=limit or None,
        )
        as_of_day = led.deadlines.as_of
    console = out()
    console.print(Text(t("overdue_title", date=as_of_day.isoformat()), style="bold"))
    console.print(overdue_view(groups, limit or None))


def register(app: typer.Typer) -> None:
    app.command("summary")(summary_command)
    app.command("overdue")(overdue_command)
