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
from openpyxl.worksheet.worksheet import Worksheet

from tracker.i18n import t
from tracker.labels import light_label, localized, status_label, village_label
from tracker.printouts.assembly import (
    Heading,
    LedgerData,
    NoticeData,
    Printout,
    SummaryData,
)
from tracker.printouts.office_text import (
    evidence_text,
    heading_line,
    item_text,
    ledger_header,
    long_date,
    notice_header,
    overdue_cells,
    status_progress,
    title,
)
from tracker.schedule import Light

Cell = str | int | float | date | None

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
HEADER_ROW = 3  # under the title and the heading line
HEADER_STYLE = "tracker-header"


def render_xlsx(data: Printout) -> bytes:
    """The printout as the bytes of an .xlsx file: one workbook, a sheet per part."""
    book = Workbook()
    _add_styles(book)
    book.remove(book.worksheets[0])  # every sheet is named after its part, none is "Sheet"
    if isinstance(data, LedgerData):
        _ledger(book, data)
    elif isinstance(data, SummaryData):
        _summary(book, data)
    else:
        _notices(book, data)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


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


def _new_sheet(book: Workbook, name: str) -> Worksheet:
    sheet: Worksheet = book.create_sheet(sheet_name(name, book.sheetnames))
    return sheet


def _top(sheet: Worksheet, heading: Heading, text: str, columns: int) -> None:
    """Title on row 1, the heading line on row 2, each across the table's width."""
    sheet.cell(row=1, column=1, value=text).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=1, value=heading_line(heading)).font = Font(size=10)
    for row in (1, 2):
        if columns > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    sheet.row_dimensions[1].height = 24


def _table(
    sheet: Worksheet,
    start: int,
    header: list[str],
    rows: Sequence[Sequence[Cell]],
    lights: Sequence[Light] = (),
    *,
    main: bool = True,
) -> int:
    """Write a bordered table with its header on row `start`; return the next free row.

    The main table of a sheet gets the frozen header and the auto filter.
    """
    for column, label in enumerate(header, start=1):
        sheet.cell(row=start, column=column, value=label).style = HEADER_STYLE
    for offset, values in enumerate(rows, start=1):
        light = lights[offset - 1] if offset <= len(lights) else None
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=start + offset, column=column, value=value)
            cell.style = _style_name(
                light if light in LIGHT_FILL else None, isinstance(value, date)
            )
    end = start + len(rows)
    if main:
        sheet.freeze_panes = sheet.cell(row=start + 1, column=1).coordinate
        last = get_column_letter(max(len(header), 1))
        sheet.auto_filter.ref = f"A{start}:{last}{max(end, start)}"
    _widen(sheet, header, rows)
    return end + 2


def _widen(sheet: Worksheet, header: list[str], rows: Sequence[Sequence[Cell]]) -> None:
    """Grow each column to its widest text (never shrink what an earlier table needed)."""
    for column, label in enumerate(header, start=1):
        texts = [label] + [_shown(values[column - 1]) for values in rows if column <= len(values)]
        wanted = min(MAX_WIDTH, max(text_width(text) for text in texts) + 2)
        letter = get_column_letter(column)
        current = sheet.column_dimensions[letter].width or 0
        sheet.column_dimensions[letter].width = max(current, wanted, 6)


def _shown(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return "0000-00-00"
    return str(value)


def _ledger(book: Workbook, data: LedgerData) -> None:
    sheet = _new_sheet(book, t("print.sheet.ledger"))
    header = ledger_header()
    _top(sheet, data.heading, title(data.heading.kind), len(header))
    rows: list[list[Cell]] = [
        [
            row.number,
            item_text(row),
            localized(row.item.unit, row.item.unit_en) if row.item.unit else "",
            row.leader or "",
            row.item.due,
            status_progress(row),
            row.progress,
            evidence_text(row),
        ]
        for row in data.rows
    ]
    _table(sheet, HEADER_ROW, header, rows, [row.item.light for row in data.rows])


def _summary(book: Workbook, data: SummaryData) -> None:
    heading = data.heading
    page = title(heading.kind)

    sheet = _new_sheet(book, t("print.sheet.progress"))
    header = [t("col.section"), t("col.title"), t("print.col.done"), t("print.col.total")]
    header += [t("print.col.rate"), t("col.items")]
    _top(sheet, heading, page, len(header))
    rows: list[list[Cell]] = [
        [
            s.number,
            localized(s.heading, s.heading_en),
            s.done,
            s.total,
            round(s.done / s.total, 4) if s.total else None,
            f"{s.periods_done}/{s.periods_total}",
        ]
        for s in data.sections
    ]
    after = _table(sheet, HEADER_ROW, header, rows)
    for row in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(rows)):
        sheet.cell(row=row, column=5).number_format = "0.0%"
    lights = [light for light in Light if data.by_light.get(light)]
    after = _table(
        sheet,
        after,
        [t("col.light"), t("print.col.count")],
        [[light_label(light), data.by_light[light]] for light in lights],
        lights,
        main=False,
    )
    statuses = [status for status, count in data.by_status.items() if count]
    _table(
        sheet,
        after,
        [t("col.status"), t("print.col.count")],
        [[status_label(status.value), data.by_status[status]] for status in statuses],
        main=False,
    )

    sheet = _new_sheet(book, t("print.sheet.quotas"))
    header = [t("col.code"), t("col.title"), t("col.unit"), t("col.period")]
    header += [t("print.col.done"), t("print.col.target"), t("col.due"), t("col.light")]
    _top(sheet, heading, page, len(header))
    rows = [
        [
            q.code,
            localized(q.title, q.title_en),
            localized(q.unit, q.unit_en) if q.unit else "",
            q.period or "",
            q.done_count or 0,
            q.target,
            q.due,
            light_label(q.light),
        ]
        for q in data.quotas
    ]
    _table(sheet, HEADER_ROW, header, rows, [q.light for q in data.quotas])

    sheet = _new_sheet(book, t("print.sheet.overdue"))
    header = [t("col.unit"), *notice_header()[1:]]
    _top(sheet, heading, page, len(header))
    entries = [entry for group in data.overdue for entry in group.entries]
    rows = [[localized(e.unit, e.unit_en), *overdue_cells(e)] for e in entries]
    _table(sheet, HEADER_ROW, header, rows, [e.light for e in entries])

    if data.villages is not None:
        grid = data.villages
        sheet = _new_sheet(book, t("print.sheet.villages"))
        header = [t("col.village")]
        header += [f"{c.code} {localized(c.title, c.title_en)}" for c in grid.columns]
        _top(sheet, heading, page, len(header))
        rows = [
            [
                village_label(r.number, r.name),
                *(status_label(c.status.value) if c else "" for c in r.cells),
            ]
            for r in grid.rows
        ]
        _table(sheet, HEADER_ROW, header, rows)
        # A village's cells are coloured one by one: one village may be late on one item only.
        for offset, grid_row in enumerate(grid.rows, start=1):
            for column, item in enumerate(grid_row.cells, start=2):
                fill = LIGHT_FILL.get(item.light) if item else None
                if fill is not None:
                    sheet.cell(row=HEADER_ROW + offset, column=column).fill = fill

    sheet = _new_sheet(book, t("print.sheet.indicators"))
    years = sorted({year for line in data.indicators for year in line.values})
    header = [t("col.code"), t("col.title"), t("col.baseline"), t("print.col.measure")]
    header += [str(year) for year in years]
    _top(sheet, heading, page, len(header))
    rows = [
        [
            line.code,
            localized(line.title, line.title_en),
            line.baseline if line.baseline is not None else (line.baseline_text or ""),
            line.measure or "",
            *[line.values.get(year) for year in years],
        ]
        for line in data.indicators
    ]
    _table(sheet, HEADER_ROW, header, rows)


def _notices(book: Workbook, data: NoticeData) -> None:
    heading = data.heading
    if not data.notices:
        sheet = _new_sheet(book, title(heading.kind))
        _top(sheet, heading, title(heading.kind), 1)
        sheet.cell(row=HEADER_ROW, column=1, value=t("overdue_none"))
        return
    header = notice_header()
    for notice in data.notices:
        unit = localized(notice.unit, notice.unit_en)
        sheet = _new_sheet(book, unit)
        _top(sheet, heading, title(heading.kind), len(header))
        group = notice.group
        body = t(
            "print.notice.body",
            as_of=long_date(heading.as_of),
            red=group.red,
            yellow=group.yellow,
            reply_by=long_date(notice.reply_by),
        )
        sheet.cell(row=3, column=1, value=t("print.notice.to", unit=unit)).font = Font(bold=True)
        sheet.cell(row=4, column=1, value=body).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
        sheet.merge_cells(start_row=4, start_column=1, end_row=4, end_column=len(header))
        sheet.row_dimensions[4].height = 60
        rows: list[list[Cell]] = [
            [number, *overdue_cells(e)] for number, e in enumerate(group.entries, start=1)
        ]
        after = _table(sheet, 6, header, rows, [e.light for e in group.entries])
        reply = sheet.cell(row=after, column=1, value=t("print.notice.reply_by", date=""))
        reply.font = Font(bold=True)
        sheet.cell(row=after, column=2, value=notice.reply_by).number_format = DATE_FORMAT
