"""The print dialog (`p`): which printout, in which format, for which unit and section, as
of which day, to which file — the choices of `tracker report`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Button, Input, Select

from tracker.config import documents_folder
from tracker.dates import parse_view_day
from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.printouts.assembly import PrintKind
from tracker.printouts.make import PrintFormat
from tracker.services.lookup import now
from tracker.tui.widgets.date_field import DateField
from tracker.tui.widgets.edit_dialog import EditDialog


@dataclass(frozen=True)
class PrintChoice:
    kind: PrintKind
    fmt: PrintFormat
    unit: str | None
    path: Path
    section: int | None = None  # None: every section
    as_of: date | None = None  # the day the printout is as of; None: the app's day
    typed_as_of: str = ""  # as typed, to show again when the dialog comes back


def default_path(kind: PrintKind, fmt: PrintFormat, as_of: str, folder: Path) -> Path:
    """A file in `folder` named for the printout and the day, such as
    承诺事项台账-2026-11-26.xlsx."""
    return folder / f"{t(f'print.title.{kind.value}')}-{as_of}.{fmt.value}"


class PrintDialog(EditDialog[PrintChoice]):
    """The same choices as `tracker report`; the file's folder is checked before printing,
    and an existing file is overwritten only when the officer says so (tracker.tui.printing)."""

    def __init__(
        self,
        *,
        as_of: str,
        report_title: str,
        units: list[tuple[str, str]],
        sections: list[tuple[str, int]],
        choice: PrintChoice | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(
            heading=t("tui.print.heading"), code=as_of, title=report_title, error=error
        )
        self.as_of = as_of
        self.units = units
        self.sections = sections
        self.choice = choice
        self.folder = documents_folder()
        # The day the suggested file is named for (the as-of field's, as last read).
        self._named_for = (choice.typed_as_of if choice else "") or as_of

    # One line a choice, a blank line between (as the filter dialog): the whole form fits an
    # 80×24 screen unscrolled, and a third of the widgets' lines are drawn.
    DEFAULT_CSS = """
    PrintDialog .field {
        height: 1;
        margin-top: 1;
    }
    PrintDialog .field > Label {
        padding: 0;
    }
    PrintDialog .field > Select, PrintDialog .field > Input {
        width: 1fr;
    }
    """

    def fields(self) -> ComposeResult:
        choice = self.choice
        kind = choice.kind if choice else PrintKind.LEDGER
        fmt = choice.fmt if choice else PrintFormat.XLSX
        yield self.field(
            t("tui.print.kind"),
            Select(
                [(t(f"print.title.{k.value}"), k) for k in PrintKind],
                value=kind,
                allow_blank=False,
                id="print-kind",
                compact=True,
            ),
        )
        yield self.field(
            t("tui.print.format"),
            Select(
                [(f.value, f) for f in PrintFormat],
                value=fmt,
                allow_blank=False,
                id="print-format",
                compact=True,
            ),
        )
        yield self.field(
            t("col.unit"),
            Select(
                self.units,
                value=choice.unit if choice and choice.unit else Select.NULL,
                prompt=t("tui.filter_any"),
                id="print-unit",
                compact=True,
            ),
        )
        yield self.field(
            t("tui.print.section"),
            Select(
                self.sections,
                value=choice.section if choice and choice.section else Select.NULL,
                prompt=t("tui.print.all_sections"),
                id="print-section",
                compact=True,
            ),
        )
        typed = choice.typed_as_of if choice else self.as_of
        label = t("tui.print.as_of")
        year = date.fromisoformat(self.as_of).year
        yield self.field(
            label, DateField(typed, input_id="print-as-of", label=label, year=year, compact=True)
        )
        path = choice.path if choice else self._suggested(kind, fmt, self.as_of)
        yield self.field(t("tui.print.file"), Input(str(path), id="print-path", compact=True))

    def buttons(self) -> ComposeResult:
        yield Button(t("tui.cancel") + " Esc", id="cancel", compact=True)
        yield Button(t("key.print") + " Ctrl+S", variant="primary", id="save", compact=True)

    def _suggested(self, kind: PrintKind, fmt: PrintFormat, as_of: str) -> Path:
        return default_path(kind, fmt, as_of, self.folder)

    def on_select_changed(self, event: Select.Changed) -> None:
        # A new kind or format renames the suggested file, unless the officer typed their own.
        if event.select.id not in {"print-kind", "print-format"}:
            return
        self._rename_suggested()

    def on_input_changed(self, event: Input.Changed) -> None:
        # So does a new day: the file is named for the day the printout is as of.
        if event.input.id == "print-as-of":
            self._rename_suggested()

    def _rename_suggested(self) -> None:
        path_input = self.query_one("#print-path", Input)
        kind = PrintKind(str(self.query_one("#print-kind", Select).value))
        fmt = PrintFormat(str(self.query_one("#print-format", Select).value))
        # The day as read (2022年5月10日 names the file 2022-05-10); as typed while unreadable.
        field = self.query_one("#print-as-of-field", DateField)
        read = field.read_or_none()
        day = read.isoformat() if read else field.typed
        suggested = {
            str(self._suggested(k, f, d))
            for k in PrintKind
            for f in PrintFormat
            for d in {self.as_of, self._named_for}
        }
        self._named_for = day or self.as_of
        if path_input.value in suggested:
            path_input.value = str(self._suggested(kind, fmt, self._named_for))

    def collect(self) -> PrintChoice | None:
        day_input = self.query_one("#print-as-of", Input)
        typed_day = day_input.value.strip()
        try:
            year = date.fromisoformat(self.as_of).year  # of a day typed without one
            label = t("tui.print.as_of")
            today = now().date()
            as_of = (
                parse_view_day(typed_day, field=label, today=today, year=year)
                if typed_day
                else None
            )
        except TrackerError as exc:
            self.show_error(exc.message(), day_input)
            return None
        path_input = self.query_one("#print-path", Input)
        path = Path(path_input.value.strip()).expanduser()
        if not path_input.value.strip() or not path.parent.is_dir():
            self.show_error(t("print_out_dir_missing", path=str(path.parent)), path_input)
            return None
        unit = self.query_one("#print-unit", Select).value
        section = self.query_one("#print-section", Select).value
        return PrintChoice(
            kind=PrintKind(str(self.query_one("#print-kind", Select).value)),
            fmt=PrintFormat(str(self.query_one("#print-format", Select).value)),
            unit=None if unit is Select.NULL else str(unit),
            path=path,
            section=None if section is Select.NULL else int(str(section)),
            as_of=None if as_of is None or as_of.isoformat() == self.as_of else as_of,
            typed_as_of=typed_day,
        )
