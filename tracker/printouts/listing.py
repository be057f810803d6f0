"""The item list (`tracker list`) as a spreadsheet an officer opens in Excel: CSV and .xlsx.

Both carry the same columns, named and filled in the interface language (编号, 事项, 状态
未开始…, 亮灯 红…; English with --lang en), built once here. JSON is the machine's format and
keeps its English keys and raw values; these are for people.

CSV is UTF-8 with a byte-order mark: without it Chinese Excel reads a double-clicked file as
GBK and shows it garbled. The .xlsx has real dates and numbers, every text as text (a code
such as 1.10 stays 1.10, a title starting with = is never a formula), the header row bold
and frozen with a filter, and red and yellow rows filled as on the printed ledger.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from io import StringIO
from itertools import islice
from typing import Any, BinaryIO, cast

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING, Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from tracker.errors import printable
from tracker.i18n import t
from tracker.labels import (
    baseline_label,
    figure,
    kind_label,
    light_label,
    localized,
    progress_label,
    status_label,
)
from tracker.models import Kind
from tracker.printouts.excel import (
    HEADER_STYLE,
    LIGHT_FILL,
    add_styles,
    style_name,
    text_width,
)
from tracker.services.listing import ItemRow

BOM = "\ufeff"
# Excel reads a CSV cell starting with one of these as a formula (CSV injection): such text
# is written with a leading apostrophe, which Excel shows as text and does not display.
FORMULA_START = ("=", "+", "-", "@")
# The widest a column opens (Excel's unit, a digit's width); longer text wraps.
MAX_WIDTH = 60

Value = str | int | float | date | None


@dataclass(frozen=True)
class Column:
    """A column of the exported list: its header's message key and how a row fills it."""

    header: str
    value: Callable[[ItemRow], Value]


def _progress(row: ItemRow) -> Value:
    """The progress as the list shows it; empty for an indicator with no figure yet, whose
    数值 column is empty and whose baseline has a column of its own: "- / 2021年基数 15场次"
    would open in Excel behind the apostrophe that keeps a leading "-" from being a formula."""
    if row.kind is Kind.INDICATOR and row.value is None:
        return None
    return progress_label(row) or None


def _village(row: ItemRow) -> Value:
    if row.village is None:
        return None
    return row.village_name or t("village_placeholder", number=row.village)


def _baseline(row: ItemRow) -> Value:
    if row.baseline is None and not row.baseline_text:
        return None
    return baseline_label(row.baseline, row.baseline_text, row.measure)


COLUMNS: tuple[Column, ...] = (
    Column("col.code", lambda row: row.code),
    Column("col.title", lambda row: localized(row.title, row.title_en)),
    Column("col.unit", lambda row: localized(row.unit, row.unit_en) if row.unit else None),
    Column("col.due", lambda row: row.due),
    Column("col.status", lambda row: status_label(row.status)),
    Column("col.light", lambda row: light_label(row.light)),
    Column("col.progress", lambda row: _progress(row)),
    Column("export.days_overdue", lambda row: row.days_overdue),
    Column("export.workdays_overdue", lambda row: row.workdays_overdue),
    Column("col.section", lambda row: row.section),
    Column("col.kind", lambda row: kind_label(row.kind)),
    Column("col.period", lambda row: row.period),
    Column("col.village", _village),
    Column("export.target", lambda row: row.target),
    Column("export.done_count", lambda row: row.done_count),
    Column("export.value", lambda row: row.value),
    Column("col.baseline", _baseline),
    Column("export.parent", lambda row: row.parent),
    Column("export.report", lambda row: row.report),
)


def headers() -> list[str]:
    """The column names in the current language."""
    return [t(column.header) for column in COLUMNS]


def values(row: ItemRow) -> list[Value]:
    """A row's cells, typed: text in the current language, dates, numbers, None for none."""
    return [column.value(row) for column in COLUMNS]


def _csv_text(value: Value) -> str:
    """A CSV cell as Excel should show it: a date as 2022-05-10, a whole figure without .0,
    stored text with its control characters escaped and no way to run as a formula."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return figure(value)
    if isinstance(value, int):
        return str(value)
    # Nearly every text is printable as it is; only the others pay for printable's pattern.
    text = value if value.isprintable() else printable(value, keep_lines=True)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_lines(rows: Iterable[ItemRow]) -> Iterator[str]:
    """The CSV text, a line at a time (a row may hold a quoted line break): the byte-order
    mark and the header first, so the rows can be written as they are read."""
    buffer = StringIO()
    writer = csv.writer(buffer)  # \r\n between rows, as Excel writes CSV
    writer.writerow(headers())
    yield BOM + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_text(value) for value in values(row)])
        yield buffer.getvalue()


def write_xlsx(rows: Iterable[ItemRow], sheet_title: str, out: BinaryIO) -> None:
    """The list as an .xlsx workbook of one sheet named `sheet_title`, written to `out` as
    the rows come: openpyxl's write-only mode keeps the sheet in a temporary file, not in
    memory. Its cells are in the printouts' named styles (tracker.printouts.excel: a style
    set cell by cell costs openpyxl a lookup per cell).

    Column widths are written before the first row, so they are fitted to the first
    `WIDTH_SAMPLE` rows (all of a town's list; a district's first towns)."""
    book = Workbook(write_only=True)
    add_styles(book)
    sheet = book.create_sheet(sheet_title)
    names = headers()
    widths = [text_width(name) for name in names]
    stream = iter(rows)
    first = list(islice(stream, WIDTH_SAMPLE))
    lines = [_xlsx_line(sheet, row) for row in first]
    for line in lines:
        for column, (_cell, shown) in enumerate(line):
            widths[column] = max(widths[column], shown)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, name) for name in names])
    count = 0
    for line in lines:
        sheet.append([cell for cell, _shown in line])
        count += 1
    del first, lines
    for row in stream:
        sheet.append([cell for cell, _shown in _xlsx_line(sheet, row)])
        count += 1
    # The filter is written after the rows (openpyxl writes a sheet's tail on saving).
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{count + 1}"
    book.save(out)


# Rows whose text the column widths are fitted to (widths precede the rows in the file).
WIDTH_SAMPLE = 5000


def _header_cell(sheet: WriteOnlyWorksheet, name: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=name)
    cell.style = HEADER_STYLE
    return cell


def _xlsx_line(sheet: WriteOnlyWorksheet, row: ItemRow) -> list[tuple[Cell, int]]:
    """A row's cells, typed and styled, each with the width its text takes."""
    light = row.light if row.light in LIGHT_FILL else None
    line = []
    for value in values(row):
        if isinstance(value, str):
            text = printable(value, keep_lines=True)
            cell = WriteOnlyCell(sheet, value=text)
            cell.data_type = TYPE_STRING  # "=…" stays text, never a formula
            shown = max((text_width(part) for part in text.split("\n")), default=0)
        else:
            cell = WriteOnlyCell(sheet, value=cast(Any, value))  # a date is a cell value too
            shown = len(_csv_text(value))
        cell.style = style_name(light, isinstance(value, date))
        line.append((cell, shown))
    return line
