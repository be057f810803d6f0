"""`tracker report`: the printouts (summary, ledger, reminder notices) in a chosen format.

The data are gathered inside one session; the renderer runs after it is closed, so that
drawing a document never holds the database open and never queries it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.context import DATE_METAVAR, AppState, date_help, err, ledger, parse_as_of
from tracker.cli.progress import DelayedProgress
from tracker.errors import TrackerError, printable
from tracker.i18n import t
from tracker.printouts.assembly import PrintKind, Scope
from tracker.printouts.make import BINARY, PrintFormat, check_out_path, gather, render, write
from tracker.services.lookup import now


def report_command(
    ctx: typer.Context,
    kind: Annotated[
        PrintKind, typer.Option("--kind", help="summary | ledger | notice")
    ] = PrintKind.SUMMARY,
    fmt: Annotated[
        PrintFormat, typer.Option("--format", help="txt | md | html | docx | xlsx | pdf")
    ] = PrintFormat.TXT,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar=DATE_METAVAR, help=date_help("按此日期查看 / view as of")),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", metavar="UNIT", help="责任单位 / responsible unit")
    ] = None,
    section: Annotated[
        int | None, typer.Option("--section", metavar="N", help="部分 1–7 / section")
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", metavar="PATH", help="写入文件 / file to write")
    ] = None,
    font: Annotated[
        Path | None,
        typer.Option("--font", metavar="PATH", help="PDF 用的中文字体 / a CJK font for PDF"),
    ] = None,
) -> None:
    """打印汇总、台账或催办通知单 / print the summary, the ledger or reminder notices."""
    state: AppState = ctx.obj
    if fmt in BINARY and out_path is None:
        raise TrackerError("print_needs_out", format=fmt.value)
    if fmt is PrintFormat.PDF:
        from tracker.printouts.pdf import find_font

        font = find_font(font)  # no Chinese font: say how to get one before any work
    if out_path is not None:
        check_out_path(out_path)  # before any work, so a typo in the folder costs nothing
    day = parse_as_of(as_of) if as_of is not None else state.as_of
    scope = Scope(report=state.report, unit=unit, section=section)
    steps = 3 if out_path is not None else 2
    with DelayedProgress(steps, console=err()) as progress:
        progress.step(t("print.step.gather"))
        with ledger(state, day) as led:
            data = gather(
                session=led.session,
                kind=kind,
                scope=scope,
                deadlines=led.deadlines,
                user=led.user,
                now=now(),
            )
        progress.step(t("print.step.render", format=fmt.value.upper()))
        content = render(data, fmt, font)
        if out_path is not None:
            progress.step(t("print.step.write", path=str(out_path)))
            write(out_path, content)
    if out_path is not None:
        sys.stdout.write(printable(t("print.written", path=str(out_path))) + "\n")
    elif isinstance(content, bytes):  # refused above already; kept off the terminal regardless
        raise TrackerError("print_needs_out", format=fmt.value)
    else:
        sys.stdout.write(content)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
