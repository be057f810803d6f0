"""The printouts as a Word document (.docx), with python-docx, laid out like a 公文.

A4 with the margins of the national standard for official papers (GB/T 9704), a centred
title in 宋体, the body in 仿宋, section headings in 黑体 and tables with borders. The East
Asian font has to be named on its own (`w:eastAsia`): python-docx's `font.name` names only
the Latin one, and Word would then set Chinese text in whatever its default is.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from datetime import date
from io import BytesIO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row, CT_Tc
from docx.oxml.text.font import CT_RPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Emu, Length, Pt
from docx.table import Table, _Cell
from docx.text.run import Run

from tracker.i18n import t
from tracker.labels import items_text, light_label, localized, status_label, village_label
from tracker.printouts.assembly import (
    Heading,
    LedgerData,
    Notice,
    NoticeData,
    Printout,
    SummaryData,
)
from tracker.printouts.columns import fit_columns, needed_cells
from tracker.printouts.office_text import (
    evidence_text,
    heading_line,
    item_text,
    ledger_header,
    long_date,
    maker_line,
    notice_header,
    numbered,
    overdue_cells,
    seal_lines,
    status_progress,
    title,
)
from tracker.schedule import Light

TITLE_FONT = "宋体"  # 方正小标宋 is the standard's face, but few office PCs have it installed
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
HEADING_SIZE = Pt(16)  # 三号
BODY_SIZE = Pt(14)  # 四号: a little under the standard's 三号 so that tables still fit
TABLE_SIZE = Pt(10.5)  # 五号
CELL_WIDTH = TABLE_SIZE.emu // 2  # a display cell is half a Chinese character
CELL_PADDING = Cm(0.4)  # Word's default left and right cell margins, with a little room
# The same red and yellow as the Excel ledger, so both printouts mark a late row alike.
LIGHT_SHADE = {Light.RED: "FFC7CE", Light.YELLOW: "FFEB9C"}


def render_docx(data: Printout) -> bytes:
    """The printout as the bytes of a .docx file."""
    doc = Document()
    _page(doc)
    if isinstance(data, LedgerData):
        _ledger(doc, data)
    elif isinstance(data, SummaryData):
        _summary(doc, data)
    else:
        _notices(doc, data)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(doc: DocumentObject) -> None:
    """A4 portrait with the 公文 margins; body text in 仿宋."""
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    _east_asian(normal.element.get_or_add_rPr(), BODY_FONT)


def _landscape(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.5)


def _east_asian(r_pr: CT_RPr, name: str) -> None:
    """Name the font Word uses for Chinese characters (w:rFonts/@w:eastAsia)."""
    fonts = r_pr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _run(run: Run, font: str, size: Pt, *, bold: bool = False) -> Run:
    run.font.name = LATIN_FONT
    run.font.size = size
    run.bold = bold
    _east_asian(run._element.get_or_add_rPr(), font)
    return run


def _title(doc: DocumentObject, text: str, heading: Heading) -> None:
    """The centred title and, under it, the line saying what, as of when, printed by whom."""
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(para.add_run(text), TITLE_FONT, TITLE_SIZE, bold=True)
    line = doc.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(line.add_run(heading_line(heading)), BODY_FONT, Pt(10.5))


def _section_heading(doc: DocumentObject, index: int, text: str) -> None:
    para = doc.add_paragraph()
    _run(para.add_run(numbered(index, text)), HEADING_FONT, HEADING_SIZE)


def _text(doc: DocumentObject, text: str, *, indent: bool = False, bold: bool = False) -> None:
    para = doc.add_paragraph()
    if indent:
        para.paragraph_format.first_line_indent = Pt(BODY_SIZE.pt * 2)  # two characters
    _run(para.add_run(text), BODY_FONT, BODY_SIZE, bold=bold)


def _shade(cell: _Cell, color: str) -> None:
    _shade_tc(cell._tc, color)


def _shade_tc(tc: CT_Tc, color: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), color)
    tc.get_or_add_tcPr().append(shading)


def _table(
    doc: DocumentObject,
    header: list[str],
    rows: Sequence[Sequence[object]],
    lights: Sequence[Light | None] = (),
) -> Table:
    """A bordered table ("Table Grid") as wide as the page, columns as wide as their text
    needs, header in bold, late rows shaded red or yellow."""
    table: Table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, _widths(doc, header, rows), strict=True):
        column.width = width  # the grid; each row added below takes its cells' widths from it
        column.cells[0].width = width
    for cell, label in zip(table.rows[0].cells, header, strict=True):
        _run(cell.paragraphs[0].add_run(label), BODY_FONT, TABLE_SIZE, bold=True)
    _repeat_on_every_page(table.rows[0]._tr)
    _add_rows(table, [[_shown(value) for value in values] for values in rows], lights)
    doc.add_paragraph()
    return table


def _add_rows(table: Table, rows: list[list[str]], lights: Sequence[Light | None]) -> None:
    """Append `rows`, each a copy of one formatted row with its texts put in.

    Formatting every run through python-docx costs about a millisecond a cell (each property
    searches the run's XML for where to insert itself): 15 s for a district's ledger. So one
    row is formatted that way, shaded copies of it are made once, and each row is a copy of
    the right one; the result is the same XML.
    """
    if not rows:
        return
    model = table.add_row()  # type: ignore[no-untyped-call]
    for cell in model.cells:
        _run(cell.paragraphs[0].add_run("-"), BODY_FONT, TABLE_SIZE)
    models: dict[Light | None, CT_Row] = {None: model._tr}
    for shade_light, color in LIGHT_SHADE.items():
        shaded = deepcopy(model._tr)
        for tc in shaded.tc_lst:
            _shade_tc(tc, color)
        models[shade_light] = shaded
    tbl = table._tbl
    tbl.remove(model._tr)
    for index, values in enumerate(rows):
        light = lights[index] if index < len(lights) else None
        tr = deepcopy(models[light] if light in models else model._tr)
        # A list first: _set_text may add w:t elements, which a live iterator would visit.
        for text_element, value in zip(list(tr.iter(qn("w:t"))), values, strict=True):
            _set_text(text_element, value)
        tbl.append(tr)


def _set_text(text_element: BaseOxmlElement, value: str) -> None:
    """Put `value` in a w:t; each further line goes after a line break (w:br), as Word keeps
    a new line inside a cell."""
    lines = value.split("\n")
    text_element.text = lines[0]
    text_element.set(qn("xml:space"), "preserve")
    anchor = text_element
    for line in lines[1:]:
        brk = OxmlElement("w:br")
        more = OxmlElement("w:t")
        more.text = line
        more.set(qn("xml:space"), "preserve")
        anchor.addnext(brk)
        brk.addnext(more)
        anchor = more


def _repeat_on_every_page(tr: CT_Row) -> None:
    """Mark a header row to be repeated at the top of every page the table runs onto."""
    header = OxmlElement("w:tblHeader")
    tr.get_or_add_trPr().append(header)


def _widths(
    doc: DocumentObject, header: list[str], rows: Sequence[Sequence[object]]
) -> list[Length]:
    """Column widths filling the text width of the page (see `columns`)."""
    section = doc.sections[-1]
    # Always set by _page or _landscape; python-docx types them optional.
    usable = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    cells = needed_cells(header, [[_shown(value) for value in row] for row in rows])
    return [Emu(int(w)) for w in fit_columns(cells, usable, CELL_WIDTH, CELL_PADDING)]


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _ledger(doc: DocumentObject, data: LedgerData) -> None:
    _landscape(doc)  # eight columns: a 台账 is printed across the page
    _title(doc, title(data.heading.kind), data.heading)
    rows = [
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
    _table(doc, ledger_header(), rows, [row.item.light for row in data.rows])
    _signature(doc, data.heading)


def _summary(doc: DocumentObject, data: SummaryData) -> None:
    heading = data.heading
    _title(doc, title(heading.kind), heading)
    index = 1

    _section_heading(doc, index, t("print.section.progress"))
    header = [t("col.section"), t("col.title"), t("print.col.done"), t("print.col.total")]
    header += [t("print.col.rate"), t("col.items")]
    rows: list[list[object]] = [
        [
            s.number,
            localized(s.heading, s.heading_en),
            s.done,
            s.total,
            f"{s.done / s.total:.0%}" if s.total else "-",
            f"{s.periods_done}/{s.periods_total}",
        ]
        for s in data.sections
    ]
    _table(doc, header, rows)

    index += 1
    _section_heading(doc, index, t("print.section.lights"))
    lights = [light for light in Light if data.by_light.get(light)]
    counts: list[list[object]] = [[light_label(x), data.by_light[x]] for x in lights]
    _table(doc, [t("col.light"), t("print.col.count")], counts, lights)
    counts = [[status_label(s.value), n] for s, n in data.by_status.items() if n]
    _table(doc, [t("col.status"), t("print.col.count")], counts)
    doc.add_paragraph(t("overview_total", total=data.total, items=data.items_total))
    doc.add_paragraph(items_text(data.items_by_light))

    index += 1
    _section_heading(doc, index, t("print.section.quotas"))
    if data.quotas:
        header = [t("col.code"), t("col.title"), t("col.unit"), t("col.period")]
        header += [t("col.progress"), t("col.due"), t("col.light")]
        rows = [
            [
                q.code,
                localized(q.title, q.title_en),
                localized(q.unit, q.unit_en) if q.unit else "",
                q.period or "",
                f"{q.done_count or 0}/{q.target}",
                q.due,
                light_label(q.light),
            ]
            for q in data.quotas
        ]
        _table(doc, header, rows, [q.light for q in data.quotas])
    else:
        _text(doc, t("print.none"), indent=True)

    index += 1
    _section_heading(doc, index, t("print.section.overdue"))
    entries = [entry for group in data.overdue for entry in group.entries]
    if entries:
        header = [t("col.unit"), *notice_header()[1:]]
        rows = [[localized(e.unit, e.unit_en), *overdue_cells(e)] for e in entries]
        _table(doc, header, rows, [e.light for e in entries])
    else:
        _text(doc, t("overdue_none"), indent=True)

    if data.villages is not None:
        index += 1
        _section_heading(doc, index, t("print.section.villages"))
        grid = data.villages
        header = [t("col.village"), *(c.code for c in grid.columns)]
        rows = [
            [
                village_label(r.number, r.name),
                *(status_label(c.status.value) if c else "" for c in r.cells),
            ]
            for r in grid.rows
        ]
        table = _table(doc, header, rows)
        for grid_row, table_row in zip(grid.rows, table.rows[1:], strict=True):
            for item, cell in zip(grid_row.cells, table_row.cells[1:], strict=True):
                if item is not None and item.light in LIGHT_SHADE:
                    _shade(cell, LIGHT_SHADE[item.light])

    index += 1
    _section_heading(doc, index, t("print.section.indicators"))
    years = sorted({year for line in data.indicators for year in line.values})
    if data.indicators:
        header = [t("col.code"), t("col.title"), t("col.baseline"), t("print.col.measure")]
        header += [str(year) for year in years]
        rows = [
            [
                line.code,
                localized(line.title, line.title_en),
                line.baseline if line.baseline is not None else (line.baseline_text or ""),
                line.measure or "",
                *(line.values.get(year) for year in years),
            ]
            for line in data.indicators
        ]
        _table(doc, header, rows)
    else:
        _text(doc, t("print.none"), indent=True)

    _signature(doc, heading)


def _signature(doc: DocumentObject, heading: Heading) -> None:
    """The seal line and the date right-aligned at the foot, as an official paper ends; then
    who made the table (the same lines as every other format)."""
    doc.add_paragraph()
    for text in seal_lines(heading):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(para.add_run(text), BODY_FONT, BODY_SIZE)
    maker = maker_line(heading)
    if maker:
        _text(doc, maker)


def _notices(doc: DocumentObject, data: NoticeData) -> None:
    heading = data.heading
    if not data.notices:
        _title(doc, title(heading.kind), heading)
        _text(doc, t("overdue_none"), indent=True)
        return
    for number, notice in enumerate(data.notices):
        if number:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _notice(doc, heading, notice)


def _notice(doc: DocumentObject, heading: Heading, notice: Notice) -> None:
    """One unit's page: to whom, what is late, by when to answer; sealed and dated."""
    _title(doc, title(heading.kind), heading)
    unit = localized(notice.unit, notice.unit_en)
    _text(doc, t("print.notice.to", unit=unit), bold=True)
    group = notice.group
    body = t(
        "print.notice.body",
        as_of=long_date(heading.as_of),
        red=group.red,
        yellow=group.yellow,
        reply_by=long_date(notice.reply_by),
    )
    _text(doc, body, indent=True)
    rows = [[index, *overdue_cells(e)] for index, e in enumerate(group.entries, start=1)]
    _table(doc, notice_header(), rows, [e.light for e in group.entries])
    _text(doc, t("print.notice.reply_by", date=long_date(notice.reply_by)), bold=True)
    _signature(doc, heading)
