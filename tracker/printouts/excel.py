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

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from tracker.i18n import t
from tracker.printouts.layout import (
    Align,
    Block,
    Document,
    Page,
    Paragraph,
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
MAX_WIDTH = 60  # wider text wraps instead of pushing the page off the paper
# Excel refuses these in sheet names, and names longer than 31 characters.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
HEADER_ROW = 3  # a sheet's first table: under the title and the heading line
HEADER_STYLE = "tracker-header"


def render_xlsx(document: Document) -> bytes:
    """The printout as the bytes of an .xlsx file: a sheet per part (per notice), each
    opening with the printout's title and heading line, set up to print on A4."""
    book = Workbook()
    _add_styles(book)
    book.remove(book.worksheets[0])  # every sheet is named after its part, none is "Sheet"
    for page in document.pages:
        for name, blocks in _sheets(page):
            sheet = book.create_sheet(sheet_name(name, book.sheetnames))
            _fill(sheet, [*page.head, *blocks])
            _print_setup(sheet, document.landscape)
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


def _fill(sheet: Worksheet, blocks: list[Block]) -> None:
    """Write the blocks down the sheet, a blank row after each table."""
    columns = max((len(b.headers) for b in blocks if isinstance(b, Table)), default=1)
    row = 1
    for block in blocks:
        if isinstance(block, Table):
            row = _table(sheet, row, block) + 1
        elif isinstance(block, Signature):
            for line in block.seal:
                row = _line(sheet, row, line, columns, align="right")
            if block.maker:
                row = _line(sheet, row, block.maker, columns)
        elif isinstance(block, Title):
            row = _line(sheet, row, block.text, columns, font=Font(bold=True, size=14))
            sheet.row_dimensions[row - 1].height = 24
        elif isinstance(block, Part):
            row = _line(sheet, row, block.title, columns, font=Font(bold=True, size=12))
        else:
            row = _paragraph(sheet, row, block, columns)


def _line(
    sheet: Worksheet,
    row: int,
    text: str,
    columns: int,
    *,
    font: Font | None = None,
    align: str = "left",
) -> int:
    """One line of text across the table's width; returns the next row."""
    cell = sheet.cell(row=row, column=1, value=text)
    if font is not None:
        cell.font = font
    cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=True)
    if columns > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    return row + 1


_HORIZONTAL = {Align.LEFT: "left", Align.CENTRE: "center", Align.RIGHT: "right"}


def _paragraph(sheet: Worksheet, row: int, block: Paragraph, columns: int) -> int:
    font = Font(bold=block.bold, size=10 if block.small else 11)
    text = ("\u3000\u3000" if block.indent else "") + block.text
    after = _line(sheet, row, text, columns, font=font, align=_HORIZONTAL[block.align])
    if text_width(text) > 100:  # a long paragraph (a notice's body) wraps: give it the rows
        sheet.row_dimensions[row].height = 15 * (text_width(text) // 100 + 1)
    return after


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
    if sheet.freeze_panes:
        header = sheet[sheet.freeze_panes].row - 1
        sheet.print_title_rows = f"{header}:{header}"
    last = get_column_letter(max(sheet.max_column, 1))
    sheet.print_area = f"A1:{last}{max(sheet.max_row, 1)}"


def _add_styles(book: Workbook) -> None:
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
                name=_style_name(light, is_date),
                border=BORDER,
                alignment=Alignment(vertical="top", wrap_text=True),
                number_format=DATE_FORMAT if is_date else "General",
            )
            if light is not None:
                style.fill = LIGHT_FILL[light]
            book.add_named_style(style)


def _style_name(light: Light | None, is_date: bool) -> str:
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


def _table(sheet: Worksheet, start: int, table: Table) -> int:
    """A bordered table with its header on row `start`; returns the next free row.

    The sheet's main table gets the frozen header and the auto filter.
    """
    for column, label in enumerate(table.headers, start=1):
        sheet.cell(row=start, column=column, value=label).style = HEADER_STYLE
    for offset, row in enumerate(table.rows, start=1):
        for column, value in enumerate(row.cells, start=1):
            cell = sheet.cell(row=start + offset, column=column, value=value.typed)
            light = value.light or row.light
            cell.style = _style_name(
                light if light in LIGHT_FILL else None, isinstance(value.value, date)
            )
            if value.number_format:
                cell.number_format = value.number_format
    end = start + len(table.rows)
    if table.main and not sheet.freeze_panes:
        sheet.freeze_panes = sheet.cell(row=start + 1, column=1).coordinate
        last = get_column_letter(max(len(table.headers), 1))
        sheet.auto_filter.ref = f"A{start}:{last}{max(end, start)}"
    _widen(sheet, table.headers, [[cell.typed for cell in row.cells] for row in table.rows])
    return end + 1


def _widen(sheet: Worksheet, header: list[str], rows: Sequence[Sequence[Value]]) -> None:
    """Grow each column to its widest text (never shrink what an earlier table needed)."""
    for column, label in enumerate(header, start=1):
        texts = [label] + [_shown(values[column - 1]) for values in rows if column <= len(values)]
        wanted = min(MAX_WIDTH, max(text_width(text) for text in texts) + 2)
        letter = get_column_letter(column)
        current = sheet.column_dimensions[letter].width or 0
        sheet.column_dimensions[letter].width = max(current, wanted, 6)


def _shown(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return "0000-00-00"
    return str(value)
