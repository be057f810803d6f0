"""The printouts as an Excel workbook (.xlsx), with openpyxl.

Every table sits under a title and a heading line, with its header row frozen, an auto filter
over it, columns as wide as their text (CJK characters count double) and red and yellow fills
on late and nearly late rows, as officers colour a 台账 by hand.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from io import BytesIO
from math import ceil

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING, Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from tracker.i18n import t
from tracker.printouts.columns import fit_columns, needed_cells
from tracker.printouts.layout import (
    Align,
    Block,
    Document,
    Page,
    Part,
    Signature,
    Table,
    Title,
    Value,
)
from tracker.schedule import Light

# Excel's own "Bad" and "Neutral" fills: what officers know as red and yellow rows.
LIGHT_FILL = {
    Light.RED: PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE"),
    Light.YELLOW: PatternFill(fill_type="solid", start_color="FFEB9C", end_color="FFEB9C"),
}
HEADER_FILL = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DATE_FORMAT = "yyyy-mm-dd"
# What a printed A4 page holds across, in Excel's width unit (a digit of the default font),
# with the half-inch side margins set below; wider text wraps instead.
LANDSCAPE_WIDTH, PORTRAIT_WIDTH = 150, 100
LINE_POINTS = 15  # the height of one line of 11 pt text
DEFAULT_WIDTH = 8.43  # Excel's width of a column nobody set
# Excel refuses these in sheet names, and names longer than 31 characters.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
HEADER_ROW = 3  # a sheet's first table: under the title and the heading line
HEADER_STYLE = "tracker-header"


def render_xlsx(document: Document) -> bytes:
    """The printout as the bytes of an .xlsx file: a sheet per part (per notice), each
    opening with the printout's title and heading line, set up to print on A4."""
    book = Workbook()
    add_styles(book)
    book.remove(book.worksheets[0])  # every sheet is named after its part, none is "Sheet"
    for page in document.pages:
        for name, blocks in _sheets(page):
            sheet = book.create_sheet(sheet_name(name, book.sheetnames))
            _print_setup(sheet, document.landscape)
            usable = LANDSCAPE_WIDTH if document.landscape else PORTRAIT_WIDTH
            _fill(sheet, [*page.head, *blocks], usable)
            _print_area(sheet)
    book.properties.title = document.title
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _sheets(page: Page) -> list[tuple[str, list[Block]]]:
    """The page's blocks cut at each part: (sheet name, blocks of that sheet)."""
    sheets: list[tuple[str, list[Block]]] = [(page.name, [])]
    for block in page.body:
        if isinstance(block, Part):
            if not sheets[-1][1]:
                sheets.pop()  # nothing before the first part: no sheet of its own
            sheets.append((block.sheet, []))
        sheets[-1][1].append(block)
    return sheets


class _Plan:
    """A sheet's column widths, worked out from all its tables before anything is written
    (openpyxl cannot tell a width that was set from its default), and how many columns a
    line of text spans: at least the page's width, so a title over a narrow table of two
    columns still reads on one line."""

    def __init__(self, tables: list[Table], usable: float) -> None:
        self.widths: list[float] = []
        for table in tables:
            need = needed_cells(table.headers, table.texts())
            widths: list[float] = [n + 2 for n in need]
            if sum(widths) > usable:  # a narrow table keeps its own widths, a wide one fits
                widths = fit_columns(need, usable, 1, 2)
            for column, width in enumerate(widths):
                if column < len(self.widths):
                    self.widths[column] = max(self.widths[column], width)
                else:
                    self.widths.append(max(width, 6))
        while sum(self.widths) + DEFAULT_WIDTH <= usable:
            self.widths.append(DEFAULT_WIDTH)
        self.span = max(len(self.widths), 1)

    def apply(self, sheet: Worksheet) -> None:
        for column, width in enumerate(self.widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = round(width, 1)

    def lines(self, text: str, columns: slice) -> int:
        """How many lines `text` takes across the given columns."""
        room = max(sum(self.widths[columns]) - 1, 1)
        return sum(max(1, ceil(text_width(line) / room)) for line in text.split("\n"))


def _fill(sheet: Worksheet, blocks: list[Block], usable: float) -> None:
    """Write the blocks down the sheet, a blank row after each table."""
    plan = _Plan([b for b in blocks if isinstance(b, Table)], usable)
    plan.apply(sheet)
    row = 1
    for block in blocks:
        if isinstance(block, Table):
            row = _table(sheet, row, block, plan) + 1
        elif isinstance(block, Signature):
            for line in block.seal:
                row = _line(sheet, row, line, plan, align="right")
            if block.maker:
                row = _line(sheet, row, block.maker, plan)
        elif isinstance(block, Title):
            title = Font(bold=True, size=14)
            row = _line(sheet, row, block.text, plan, font=title, align="center")
            sheet.row_dimensions[row - 1].height = 24
        elif isinstance(block, Part):
            row = _line(sheet, row, block.title, plan, font=Font(bold=True, size=12))
        else:
            font = Font(bold=block.bold, size=10 if block.small else 11)
            text = ("\u3000\u3000" if block.indent else "") + block.text
            row = _line(sheet, row, text, plan, font=font, align=_HORIZONTAL[block.align])


def _text_cell(sheet: Worksheet, row: int, column: int, value: Value) -> Cell | MergedCell:
    """A cell holding `value`; text stays text: openpyxl writes a string that begins with
    "=" as a formula, and a note typed "=HYPERLINK(…)" must print as typed, never run."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = TYPE_STRING
    return cell


def _line(
    sheet: Worksheet,
    row: int,
    text: str,
    plan: _Plan,
    *,
    font: Font | None = None,
    align: str = "left",
) -> int:
    """One line of text (wrapped if long) across the page's width; returns the next row."""
    cell = _text_cell(sheet, row, 1, text)
    if font is not None:
        cell.font = font
    cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=True)
    if plan.span > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=plan.span)
    lines = plan.lines(text, slice(0, plan.span))
    if lines > 1:
        sheet.row_dimensions[row].height = LINE_POINTS * lines
    return row + 1


_HORIZONTAL = {Align.LEFT: "left", Align.CENTRE: "center", Align.RIGHT: "right"}


def _print_setup(sheet: Worksheet, landscape: bool) -> None:
    """A4, one page wide, the header row of the main table on every page, page numbers."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    footer = sheet.oddFooter
    if footer is not None:  # openpyxl always makes one; its types allow None
        footer.center.text = t("print.excel_footer")


def _print_area(sheet: Worksheet) -> None:
    """Print what was written, the main table's header row on every page."""
    if sheet.freeze_panes:
        header = sheet[sheet.freeze_panes].row - 1
        sheet.print_title_rows = f"{header}:{header}"
    last = get_column_letter(max(sheet.max_column, 1))
    sheet.print_area = f"A1:{last}{max(sheet.max_row, 1)}"


def add_styles(book: Workbook) -> None:
    """The table cells' looks as named styles, made once per workbook.

    Setting font, fill, border and alignment on each cell makes openpyxl hash and look up
    every one of them: 5 s for a district's ledger. A named style is looked up by name.
    """
    header = NamedStyle(
        name=HEADER_STYLE,
        font=Font(bold=True),
        fill=HEADER_FILL,
        border=BORDER,
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
    )
    book.add_named_style(header)
    for light in (None, *LIGHT_FILL):
        for is_date in (False, True):
            style = NamedStyle(
                name=style_name(light, is_date),
                border=BORDER,
                alignment=Alignment(vertical="top", wrap_text=True),
                number_format=DATE_FORMAT if is_date else "General",
            )
            if light is not None:
                style.fill = LIGHT_FILL[light]
            book.add_named_style(style)


def style_name(light: Light | None, is_date: bool) -> str:
    """tracker-cell, tracker-cell-red, tracker-date-yellow..."""
    name = "tracker-date" if is_date else "tracker-cell"
    return f"{name}-{light.value}" if light is not None else name


def text_width(text: str) -> int:
    """Columns a text takes: wide (CJK) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_name(name: str, taken: Sequence[str] = ()) -> str:
    """A name Excel accepts (≤ 31 characters, none of []:*?/\\) and not yet used."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "_"
    candidate = base[:31]
    number = 2
    while candidate in taken:
        suffix = f"({number})"
        candidate = base[: 31 - len(suffix)] + suffix
        number += 1
    return candidate


def _table(sheet: Worksheet, start: int, table: Table, plan: _Plan) -> int:
    """A bordered table with its header on row `start`; returns the next free row.

    The sheet's main table gets the frozen header and the auto filter.
    """
    for column, label in enumerate(table.headers, start=1):
        sheet.cell(row=start, column=column, value=label).style = HEADER_STYLE
    for offset, row in enumerate(table.rows, start=1):
        for column, value in enumerate(row.cells, start=1):
            cell = _text_cell(sheet, start + offset, column, value.typed)
            light = value.light or row.light
            cell.style = style_name(
                light if light in LIGHT_FILL else None, isinstance(value.value, date)
            )
            if value.number_format:
                cell.number_format = value.number_format
    end = start + len(table.rows)
    if table.main and not sheet.freeze_panes:
        sheet.freeze_panes = sheet.cell(row=start + 1, column=1).coordinate
        last = get_column_letter(max(len(table.headers), 1))
        sheet.auto_filter.ref = f"A{start}:{last}{max(end, start)}"
    _heights(sheet, table, start, plan)
    return end + 1


def _heights(sheet: Worksheet, table: Table, start: int, plan: _Plan) -> None:
    """Each row as tall as its most wrapped cell, which Excel does not work out itself."""
    for offset, row in enumerate([table.headers, *table.texts()]):
        lines = max(plan.lines(text, slice(n, n + 1)) for n, text in enumerate(row))
        if lines > 1:
            sheet.row_dimensions[start + offset].height = LINE_POINTS * lines
