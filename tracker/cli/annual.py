"""`tracker draft-report`: the year's 法治政府建设年度报告 drafted from the ledger.

The facts are read inside one session; the draft is drawn after it is closed, as printouts
are (tracker.cli.report).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from tracker.annual.render import BINARY_DRAFT, DraftFormat, render_draft
from tracker.cli.context import AppState, ledger
from tracker.errors import TrackerError, printable
from tracker.i18n import t
from tracker.printouts.make import check_out_path, write
from tracker.services.lookup import now


def draft_report_command(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Option(
            "--year", min=1900, max=2999, metavar="YEAR", help="报告年度（默认今年）/ the year"
        ),
    ] = None,
    fmt: Annotated[
        DraftFormat, typer.Option("--format", help="txt | md | html | docx")
    ] = DraftFormat.TXT,
    out_path: Annotated[
        Path | None, typer.Option("--out", metavar="PATH", help="写入文件 / file to write")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", metavar="UNIT", help="只写此单位 / one unit only")
    ] = None,
    plain: Annotated[
        bool,
        typer.Option("--plain", help="清稿：不标事项编号 / the clean copy, without codes"),
    ] = False,
) -> None:
    """起草年度报告：由台账写出本年度法治政府建设年度报告草稿 / draft the year's report."""
    from tracker.annual.draft import annual_draft, town_of, view_day

    state: AppState = ctx.obj
    if fmt in BINARY_DRAFT and out_path is None:
        raise TrackerError("print_needs_out", format=fmt.value)
    if out_path is not None:
        check_out_path(out_path)  # before any work, so a typo in the folder costs nothing
    today = now().date()
    chosen = year if year is not None else (state.as_of or today).year
    day = view_day(chosen, state.as_of, today)
    # Opened as the officer asked (--as-of checked as every command checks it), then read on
    # the year's view day: a year before the town's first report is said as such.
    with ledger(state) as led:
        town = town_of(led.session, state.report)
        draft = annual_draft(
            session=led.session,
            town=town,
            year=chosen,
            deadlines=replace(led.deadlines, as_of=day),
            unit=unit,
            today=today,
        )
    content = render_draft(draft, fmt, plain=plain)
    if out_path is not None:
        write(out_path, content)
        sys.stdout.write(printable(t("print.written", path=str(out_path))) + "\n")
    elif isinstance(content, str):
        sys.stdout.write(content)


def register(app: typer.Typer) -> None:
    app.command("draft-report")(draft_report_command)
