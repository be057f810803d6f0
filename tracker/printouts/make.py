"""Making a printout file: gather, render, write. Shared by `tracker report` and the app."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from importlib import import_module
from pathlib import Path
from typing import Protocol, cast

from sqlmodel import Session

from tracker.errors import TrackerError, printable_copy
from tracker.failures import reason_of
from tracker.files import open_regular, require_not_special
from tracker.printouts.assembly import (
    PrintKind,
    Printout,
    Scope,
    ledger_data,
    notice_data,
    summary_data,
)
from tracker.printouts.layout import Document
from tracker.printouts.pages import lay_out
from tracker.services.deadlines import Deadlines


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


def gather(
    *,
    session: Session,
    kind: PrintKind,
    scope: Scope,
    deadlines: Deadlines,
    user: str,
    now: datetime,
) -> Printout:
    """The data of printout `kind` (inside a session; rendering comes after it)."""
    return _GATHER[kind](session=session, scope=scope, deadlines=deadlines, user=user, now=now)


def render(data: Printout, fmt: PrintFormat, font: Path | None = None) -> str | bytes:
    """The printout in `fmt`, its stored text made printable first, laid out once and drawn
    by the format's renderer. Each renderer is imported only when asked for, so a text
    printout does not load python-docx, openpyxl or fpdf2."""
    document = lay_out(printable_copy(data))
    if fmt is PrintFormat.PDF:
        from tracker.printouts.pdf import render_pdf

        return render_pdf(document, font=font)
    module, function = _RENDERERS[fmt]
    renderer = cast(Callable[[Document], str | bytes], getattr(import_module(module), function))
    return renderer(document)


_RENDERERS = {
    PrintFormat.TXT: ("tracker.printouts.text", "render_txt"),
    PrintFormat.MD: ("tracker.printouts.markdown", "render_md"),
    PrintFormat.HTML: ("tracker.printouts.html", "render_html"),
    PrintFormat.DOCX: ("tracker.printouts.word", "render_docx"),
    PrintFormat.XLSX: ("tracker.printouts.excel", "render_xlsx"),
}


def check_out_path(path: Path) -> None:
    """A folder that does not exist is the user's to create, not ours: said before any work.
    So is a path that is a folder, a pipe (writing would wait for a reader) or a device."""
    if not path.parent.is_dir():
        raise TrackerError("print_out_dir_missing", path=str(path.parent))
    require_not_special(path)


def write(path: Path, content: str | bytes) -> None:
    """Write the printout to `path`, a regular file (made if need be)."""
    check_out_path(path)
    data = content if isinstance(content, bytes) else content.replace("\n", os.linesep).encode()
    # Opened without waiting, and refused unless a regular file: a pipe put there since the
    # check does not hang the command.
    try:
        with open_regular(path, write=True) as handle:
            handle.write(data)
    except OSError as exc:  # a full disk
        raise TrackerError("print_out_failed", path=str(path), reason=reason_of(exc)) from exc
