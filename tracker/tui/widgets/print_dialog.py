"""The print dialog (`p`): which printout, in which format, for which unit and section, as
of which day, to which file — the choices of `tracker report`; or the year's 年度报告草稿, of
which year, in which format, marked or clean, to which file — those of `tracker draft-report`.

The rows of the kind not chosen are hidden (the draft has no section, as-of day, xlsx or pdf;
a printout no year or clean copy), so that what the dialog returns is what it showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.widgets import Button, Checkbox, Input, Select, Static

from tracker.annual.render import DraftFormat
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


# The kind of the year's 年度报告草稿 in the dialog's list, after the printouts' PrintKind.
ANNUAL = "annual"
# The years a draft may be of (as `tracker draft-report --year`).
FIRST_YEAR, LAST_YEAR = 1900, 2999


@dataclass(frozen=True)
class DraftChoice:
    """年度报告草稿: the year, the format, the clean copy (清稿: no codes, no draft's note) or
    not, one unit or the whole town, and the file."""

    year: int
    fmt: DraftFormat
    plain: bool
    unit: str | None
    path: Path
    typed_year: str = ""  # as typed, to show again when the dialog comes back


def default_path(kind: PrintKind, fmt: PrintFormat, as_of: str, folder: Path) -> Path:
    """A file in `folder` named for the printout and the day, such as
    承诺事项台账-2026-11-26.xlsx."""
    return folder / f"{t(f'print.title.{kind.value}')}-{as_of}.{fmt.value}"


def draft_path(year: int | str, fmt: DraftFormat, plain: bool, folder: Path) -> Path:
    """A file in `folder` named for the draft's year, such as
    2022年法治政府建设年度报告（草稿）.docx (（清稿） for the clean copy, so that both can be
    kept side by side)."""
    name = t("tui.annual.file_plain" if plain else "tui.annual.file", year=year)
    return folder / f"{name}.{fmt.value}"


def read_year(typed: str) -> int | None:
    """The year typed (2022, 2022年, or in full-width digits from a Chinese input method);
    None when it is no year a report could be of."""
    text = typed.strip().removesuffix("年").strip()
    if not text.isdigit():  # int() would also take "+2022" and "2_022"
        return None
    try:
        year = int(text)
    except ValueError:  # a digit that is no decimal digit (²)
        return None
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


class PrintDialog(EditDialog[PrintChoice | DraftChoice]):
    """The same choices as `tracker report` (and `tracker draft-report`); the file's folder
    is checked before printing, and an existing file is overwritten only when the officer
    says so (tracker.tui.printing, tracker.tui.annual)."""

    def __init__(
        self,
        *,
        as_of: str,
        report_title: str,
        units: list[tuple[str, str]],
        sections: list[tuple[str, int]],
        choice: PrintChoice | DraftChoice | None = None,
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
        printed = choice if isinstance(choice, PrintChoice) else None
        drafted = choice if isinstance(choice, DraftChoice) else None
        # The day the suggested file is named for (the as-of field's, as last read).
        self._named_for = (printed.typed_as_of if printed else "") or as_of
        # The year the app is viewing: the draft's unless another is typed.
        self.year = date.fromisoformat(as_of).year
        # The year the suggested draft's file is named for (the year field's, as last read).
        self._year_named_for = str(drafted.year if drafted else self.year)

    # One line a choice, a blank line between (as the filter dialog): the whole form fits an
    # 80×24 screen unscrolled, and a third of the widgets' lines are drawn. The rows of the
    # kind not chosen are not drawn at all (`-annual` on the dialog says which kind it is).
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
    PrintDialog .year-field {
        width: 1fr;
        height: 1;
    }
    PrintDialog #draft-year {
        width: 10;
    }
    PrintDialog .year-hint {
        width: 1fr;
        padding-left: 2;
        color: $text-muted;
    }
    PrintDialog .-annual-only {
        display: none;
    }
    PrintDialog.-annual .-annual-only {
        display: block;
    }
    PrintDialog.-annual .-print-only {
        display: none;
    }
    """

    def fields(self) -> ComposeResult:
        choice = self.choice
        printed = choice if isinstance(choice, PrintChoice) else None
        drafted = choice if isinstance(choice, DraftChoice) else None
        kind: str = ANNUAL if drafted else (printed.kind if printed else PrintKind.LEDGER)
        kinds: list[tuple[str, str]] = [(t(f"print.title.{k.value}"), k) for k in PrintKind]
        yield self.field(
            t("tui.print.kind"),
            Select(
                [*kinds, (t("tui.annual.kind"), ANNUAL)],
                value=kind,
                allow_blank=False,
                id="print-kind",
                compact=True,
            ),
        )
        typed_year = drafted.typed_year if drafted else str(self.year)
        hint = t("tui.annual.year_hint", year=self.year, last=self.year - 1)
        year_row = Horizontal(
            Input(typed_year, id="draft-year", compact=True),
            Static(hint, classes="year-hint", markup=False),
            classes="year-field",
        )
        yield self._only(ANNUAL, self.field(t("tui.annual.year"), year_row))
        yield self._only(
            "print",
            self.field(
                t("tui.print.format"),
                Select(
                    [(f.value, f) for f in PrintFormat],
                    value=printed.fmt if printed else PrintFormat.XLSX,
                    allow_blank=False,
                    id="print-format",
                    compact=True,
                ),
            ),
        )
        yield self._only(
            ANNUAL,
            self.field(
                t("tui.print.format"),
                Select(
                    [(f.value, f) for f in DraftFormat],
                    value=drafted.fmt if drafted else DraftFormat.DOCX,
                    allow_blank=False,
                    id="draft-format",
                    compact=True,
                ),
            ),
        )
        plain = Checkbox(
            t("tui.annual.plain_box"), drafted.plain if drafted else False, id="draft-plain",
            compact=True,
        )  # fmt: skip
        yield self._only(ANNUAL, self.field(t("tui.annual.plain"), plain))
        unit = choice.unit if choice else None
        yield self.field(
            t("col.unit"),
            Select(
                self.units,
                value=unit if unit else Select.NULL,
                prompt=t("tui.filter_any"),
                id="print-unit",
                compact=True,
            ),
        )
        yield self._only(
            "print",
            self.field(
                t("tui.print.section"),
                Select(
                    self.sections,
                    value=printed.section if printed and printed.section else Select.NULL,
                    prompt=t("tui.print.all_sections"),
                    id="print-section",
                    compact=True,
                ),
            ),
        )
        typed = printed.typed_as_of if printed else self.as_of
        label = t("tui.print.as_of")
        day = DateField(typed, input_id="print-as-of", label=label, year=self.year, compact=True)
        yield self._only("print", self.field(label, day))
        if choice is not None:
            path = choice.path
        else:
            path = default_path(PrintKind.LEDGER, PrintFormat.XLSX, self.as_of, self.folder)
        yield self.field(t("tui.print.file"), Input(str(path), id="print-path", compact=True))

    @staticmethod
    def _only(kind: str, row: Horizontal) -> Horizontal:
        """A row shown for the draft only (`ANNUAL`) or for the printouts only."""
        row.add_class("-annual-only" if kind == ANNUAL else "-print-only")
        return row

    def buttons(self) -> ComposeResult:
        yield Button(t("tui.cancel") + " Esc", id="cancel", compact=True)
        yield Button(
            self._save_label(self._chosen_kind()), variant="primary", id="save", compact=True
        )

    def on_mount(self) -> None:
        self._show_kind()

    def _chosen_kind(self) -> str:
        """The kind chosen: ANNUAL or a PrintKind's value (before mounting, the choice's)."""
        try:
            return str(self.query_one("#print-kind", Select).value)
        except NoMatches:
            if isinstance(self.choice, DraftChoice):
                return ANNUAL
            return str(self.choice.kind if self.choice else PrintKind.LEDGER)

    @staticmethod
    def _save_label(kind: str) -> str:
        # The draft is shown before anything is written: its button says so (预览).
        return t("tui.annual.preview_button" if kind == ANNUAL else "key.print") + " Ctrl+S"

    def _show_kind(self) -> None:
        """Show the rows of the kind chosen, and name the button for what it does."""
        kind = self._chosen_kind()
        self.set_class(kind == ANNUAL, "-annual")
        self.query_one("#save", Button).label = self._save_label(kind)
        self.call_after_refresh(self._fit)  # the draft's rows are fewer than a printout's

    def on_select_changed(self, event: Select.Changed) -> None:
        # A new kind or format renames the suggested file, unless the officer typed their own.
        if event.select.id == "print-kind":
            self._show_kind()
        if event.select.id in {"print-kind", "print-format", "draft-format"}:
            self._rename_suggested()

    def on_input_changed(self, event: Input.Changed) -> None:
        # So does a new day or year: the file is named for the day (or year) it is of.
        if event.input.id in {"print-as-of", "draft-year"}:
            self._rename_suggested()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        # And the clean copy: （清稿） rather than （草稿）.
        if event.checkbox.id == "draft-plain":
            self._rename_suggested()

    def _suggestions(self) -> set[str]:
        """Every name the dialog may have suggested: a path that is none of them is the
        officer's own, and stays."""
        days = {self.as_of, self._named_for}
        years = {str(self.year), self._year_named_for}
        printouts = {
            str(default_path(k, f, d, self.folder))
            for k in PrintKind
            for f in PrintFormat
            for d in days
        }
        drafts = {
            str(draft_path(y, f, p, self.folder))
            for y in years
            for f in DraftFormat
            for p in (False, True)
        }
        return printouts | drafts

    def _rename_suggested(self) -> None:
        path_input = self.query_one("#print-path", Input)
        suggested = self._suggestions()
        # The day as read (2022年5月10日 names the file 2022-05-10); as typed while unreadable.
        field = self.query_one("#print-as-of-field", DateField)
        read = field.read_or_none()
        self._named_for = (read.isoformat() if read else field.typed) or self.as_of
        # The year as read; while it is being typed (2, 20, 202), the last year read.
        year = read_year(self.query_one("#draft-year", Input).value)
        self._year_named_for = str(year) if year else self._year_named_for
        if path_input.value not in suggested:
            return
        kind = self._chosen_kind()
        if kind == ANNUAL:
            fmt = DraftFormat(str(self.query_one("#draft-format", Select).value))
            plain = self.query_one("#draft-plain", Checkbox).value
            path = draft_path(self._year_named_for, fmt, plain, self.folder)
        else:
            print_fmt = PrintFormat(str(self.query_one("#print-format", Select).value))
            path = default_path(PrintKind(kind), print_fmt, self._named_for, self.folder)
        path_input.value = str(path)

    def _checked_path(self) -> Path | None:
        """The file typed, in a folder that exists; None after saying what is wrong."""
        path_input = self.query_one("#print-path", Input)
        path = Path(path_input.value.strip()).expanduser()
        if not path_input.value.strip() or not path.parent.is_dir():
            self.show_error(t("print_out_dir_missing", path=str(path.parent)), path_input)
            return None
        return path

    def _unit(self) -> str | None:
        unit = self.query_one("#print-unit", Select).value
        return None if unit is Select.NULL else str(unit)

    def collect(self) -> PrintChoice | DraftChoice | None:
        if self._chosen_kind() == ANNUAL:
            return self._collect_draft()
        day_input = self.query_one("#print-as-of", Input)
        typed_day = day_input.value.strip()
        try:
            label = t("tui.print.as_of")
            today = now().date()
            as_of = (
                parse_view_day(typed_day, field=label, today=today, year=self.year)
                if typed_day
                else None
            )
        except TrackerError as exc:
            self.show_error(exc.message(), day_input)
            return None
        path = self._checked_path()
        if path is None:
            return None
        section = self.query_one("#print-section", Select).value
        return PrintChoice(
            kind=PrintKind(self._chosen_kind()),
            fmt=PrintFormat(str(self.query_one("#print-format", Select).value)),
            unit=self._unit(),
            path=path,
            section=None if section is Select.NULL else int(str(section)),
            as_of=None if as_of is None or as_of.isoformat() == self.as_of else as_of,
            typed_as_of=typed_day,
        )

    def _collect_draft(self) -> DraftChoice | None:
        year_input = self.query_one("#draft-year", Input)
        typed = year_input.value.strip()
        year = read_year(typed)
        if year is None:
            self.show_error(t("tui.annual.bad_year", value=typed, year=self.year), year_input)
            return None
        path = self._checked_path()
        if path is None:
            return None
        return DraftChoice(
            year=year,
            fmt=DraftFormat(str(self.query_one("#draft-format", Select).value)),
            plain=self.query_one("#draft-plain", Checkbox).value,
            unit=self._unit(),
            path=path,
            typed_year=typed,
        )
