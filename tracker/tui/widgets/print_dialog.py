"""The print dialog (`p`): which printout, in which format, for which unit, to which file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, Select

from tracker.i18n import t
from tracker.printouts.assembly import PrintKind
from tracker.printouts.make import PrintFormat
from tracker.tui.widgets.edit_dialog import EditDialog


@dataclass(frozen=True)
class PrintChoice:
    kind: PrintKind
    fmt: PrintFormat
    unit: str | None
    path: Path


def default_path(kind: PrintKind, fmt: PrintFormat, as_of: str) -> Path:
    """A file in the current folder named for the printout and the day, such as
    承诺事项台账-2026-11-26.xlsx."""
    return Path.cwd() / f"{t(f'print.title.{kind.value}')}-{as_of}.{fmt.value}"


class PrintDialog(EditDialog[PrintChoice]):
    """The same choices as `tracker report`; the file's folder is checked before printing."""

    def __init__(
        self,
        *,
        as_of: str,
        report_title: str,
        units: list[tuple[str, str]],
        choice: PrintChoice | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(
            heading=t("tui.print.heading"), code=as_of, title=report_title, error=error
        )
        self.as_of = as_of
        self.units = units
        self.choice = choice

    def fields(self) -> ComposeResult:
        kind = self.choice.kind if self.choice else PrintKind.LEDGER
        fmt = self.choice.fmt if self.choice else PrintFormat.XLSX
        yield self.field(
            t("tui.print.kind"),
            Select(
                [(t(f"print.title.{k.value}"), k) for k in PrintKind],
                value=kind,
                allow_blank=False,
                id="print-kind",
            ),
        )
        yield self.field(
            t("tui.print.format"),
            Select(
                [(f.value, f) for f in PrintFormat], value=fmt, allow_blank=False, id="print-format"
            ),
        )
        yield self.field(
            t("col.unit"),
            Select(
                self.units,
                value=self.choice.unit if self.choice and self.choice.unit else Select.NULL,
                prompt=t("tui.filter_any"),
                id="print-unit",
            ),
        )
        path = self.choice.path if self.choice else default_path(kind, fmt, self.as_of)
        yield self.field(t("tui.print.file"), Input(str(path), id="print-path"))

    def on_select_changed(self, event: Select.Changed) -> None:
        # A new kind or format renames the suggested file, unless the officer typed their own.
        if event.select.id not in {"print-kind", "print-format"}:
            return
        path_input = self.query_one("#print-path", Input)
        kind = PrintKind(str(self.query_one("#print-kind", Select).value))
        fmt = PrintFormat(str(self.query_one("#print-format", Select).value))
        suggested = {str(default_path(k, f, self.as_of)) for k in PrintKind for f in PrintFormat}
        if path_input.value in suggested:
            path_input.value = str(default_path(kind, fmt, self.as_of))

    def collect(self) -> PrintChoice | None:
        path_input = self.query_one("#print-path", Input)
        path = Path(path_input.value.strip()).expanduser()
        if not path_input.value.strip() or not path.parent.is_dir():
            self.show_error(t("print_out_dir_missing", path=str(path.parent)), path_input)
            return None
        unit = self.query_one("#print-unit", Select).value
        return PrintChoice(
            kind=PrintKind(str(self.query_one("#print-kind", Select).value)),
            fmt=PrintFormat(str(self.query_one("#print-format", Select).value)),
            unit=None if unit is Select.NULL else str(unit),
            path=path,
        )
