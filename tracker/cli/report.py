"""`tracker report`: the printouts (summary, ledger, reminder notices) in a chosen format.

The data are gathered inside one session; the renderer runs after it is closed, so that
drawing a document never holds the database open and never queries it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from importlib import import_module
from pathlib import Path
from typing import Annotated, Protocol, cast

import typer
from sqlmodel import Session

from tracker.cli.context import AppState, ledger, parse_date
from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.printouts.assembly import (
    PrintKind,
    Printout,
    Scope,
    ledger_data,
    notice_data,
    summary_data,
)
from tracker.services.deadlines import Deadlines
from tracker.services.lookup import now


class PrintFormat(StrEnum):
    TXT = "txt"
    MD = "md"
    HTML = "html"
    DOCX = "docx"
    XLSX = "xlsx"
    PDF = "pdf"


# Formats that are bytes, not text: they cannot go to a terminal.
BINARY = frozenset({PrintFormat.DOCX, PrintFormat.XLSX, PrintFormat.PDF})


class _Gather(Protocol):
    def __call__(
        self, *, session: Session, scope: Scope, deadlines: Deadlines, user: str, now: datetime
    ) -> Printout: ...


# The assembly of each printout; all three take the same arguments.
_GATHER: dict[PrintKind, _Gather] = {
    PrintKind.SUMMARY: summary_data,
    PrintKind.LEDGER: ledger_data,
    PrintKind.NOTICE: notice_data,
}


def _render(data: Printout, fmt: PrintFormat, font: Path | None = None) -> str | bytes:
    """The printout in `fmt`. Each renderer is imported only when asked for, so a text
    printout does not load python-docx or openpyxl."""
    if fmt is PrintFormat.TXT:
        from tracker.printouts.text import render_txt

        return render_txt(data)
    if fmt is PrintFormat.MD:
        from tracker.printouts.markdown import render_md

        return render_md(data)
    if fmt is PrintFormat.HTML:
        from tracker.printouts.html import render_html

        return render_html(data)
    if fmt is PrintFormat.PDF:
        from tracker.printouts.pdf import render_pdf

        return render_pdf(data, font=font)
    # Word and Excel are written by modules of their own, imported by name: they load
    # python-docx or openpyxl, which no other command should pay for.
    module = "word" if fmt is PrintFormat.DOCX else "excel"
    render = cast(
        Callable[[Printout], bytes],
        getattr(import_module(f"tracker.printouts.{module}"), f"render_{fmt.value}"),
    )
    return render(data)


def _write(path: Path, content: str | bytes) -> None:
    """Write the file; a folder that does not exist is the user's to create, not ours."""
    if not path.parent.is_dir():
        raise TrackerError("print_out_dir_missing", path=str(path.parent))
    try:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise TrackerError("print_out_failed", path=str(path), reason=exc.strerror) from exc


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
        typer.Option("--as-of", metavar="YYYY-MM-DD", help="按此日期查看 / view as of YYYY-MM-DD"),
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
    if out_path is not None and not out_path.parent.is_dir():
        # Said before any work, so a typo in the folder costs nothing.
        raise TrackerError("print_out_dir_missing", path=str(out_path.parent))
    day = parse_date(as_of, "--as-of") if as_of is not None else state.as_of
    scope = Scope(report=state.report, unit=unit, section=section)
    with ledger(state, day) as led:
        gather = _GATHER[kind]
        data = gather(
            session=led.session, scope=scope, deadlines=led.deadlines, user=led.user, now=now()
        )
    content = _render(data, fmt, font)
    if out_path is not None:
        _write(out_path, content)
        sys.stdout.write(t("print.written", path=str(out_path)) + "\n")
    elif isinstance(content, bytes):  # refused above already; kept off the terminal regardless
        raise TrackerError("print_needs_out", format=fmt.value)
    else:
        sys.stdout.write(content)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
