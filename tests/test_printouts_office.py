"""The Excel and Word printouts, read back with openpyxl and python-docx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm
from openpyxl import load_workbook
from sqlmodel import Session, select

from tracker.i18n import set_language, t
from tracker.models import Commitment
from tracker.printouts.assembly import Printout, Scope, ledger_data, notice_data, summary_data
from tracker.printouts.excel import HEADER_ROW, render_xlsx, sheet_name, text_width
from tracker.printouts.layout import Cell, Page, Paragraph, Row, Table
from tracker.printouts.layout import Document as LaidOut
from tracker.printouts.office_text import (
    item_text,
    ledger_header,
    maker_line,
    notice_header,
    numbered,
    seal_lines,
)
from tracker.printouts.pages import lay_out
from tracker.printouts.text import render_txt
from tracker.printouts.word import render_docx
from tracker.schedule import Light
from tracker.services.deadlines import Deadlines
from tracker.services.events import log_event
from tracker.services.overdue import overdue_by_unit

NOW = datetime(2026, 11, 26, 9, 30)
UNIT = "镇党委"
RED, YELLOW = "FFC7CE", "FFEB9C"


def _fill(cell: object) -> str:
    fill = cell.fill  # type: ignore[attr-defined]
    return str(fill.fgColor.rgb)[-6:] if fill.fill_type == "solid" else ""


def test_ledger_sheet_rows_fills_and_layout(session: Session, deadlines: Deadlines) -> None:
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    book = load_workbook(BytesIO(render_xlsx(lay_out(data))))
    assert book.sheetnames == ["台账"]
    sheet = book["台账"]
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header == [
        "序号",
        "事项",
        "责任单位",
        "分管领导",
        "时限",
        "状态/进展",
        "完成情况",
        "佐证材料",
    ]
    numbers = [sheet.cell(row=HEADER_ROW + n, column=1).value for n in range(1, sheet.max_row)]
    assert numbers[: len(data.rows)] == [row.number for row in data.rows]
    assert not isinstance(numbers[len(data.rows)], int)  # nothing after the last row but the end
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:H{HEADER_ROW + len(data.rows)}"

    red = next(r for r in data.rows if r.item.light is Light.RED)
    green = next(r for r in data.rows if r.item.light is Light.GREEN)
    yellow = next(r for r in data.rows if r.item.light is Light.YELLOW)
    for row, colour in ((red, RED), (yellow, YELLOW), (green, "")):
        line = HEADER_ROW + row.number
        assert sheet.cell(row=line, column=1).value == row.number
        assert str(sheet.cell(row=line, column=2).value).startswith(row.item.code)
        assert {_fill(c) for c in sheet[line]} == {colour}
    # Due dates are real Excel dates, not text.
    due = sheet.cell(row=HEADER_ROW + red.number, column=5)
    assert due.is_date and red.item.due is not None and due.value.date() == red.item.due
    # CJK text counts double in the widths.
    assert sheet.column_dimensions["B"].width >= text_width("事项") + 2


def test_ledger_sheet_in_english(session: Session, deadlines: Deadlines) -> None:
    set_language("en")
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    sheet = load_workbook(BytesIO(render_xlsx(lay_out(data))))["Ledger"]
    assert [c.value for c in sheet[HEADER_ROW]] == ledger_header()
    assert sheet.cell(row=HEADER_ROW, column=8).value == "Evidence"


def test_summary_workbook_has_a_sheet_per_part(session: Session, deadlines: Deadlines) -> None:
    data = summary_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    book = load_workbook(BytesIO(render_xlsx(lay_out(data))))
    assert book.sheetnames == ["进度", "定量", "亮灯", "逾期", "村居", "指标"]
    progress = book["进度"]
    top = _header_row(progress, "部分")
    numbers = [progress.cell(row=top + i, column=1).value for i in range(1, 1 + len(data.sections))]
    assert numbers == [s.number for s in data.sections]
    # Each section's commitments, and beside them the periods and village items due.
    items = [progress.cell(row=top + i, column=6).value for i in range(1, 1 + len(data.sections))]
    assert items == [f"{s.periods_done}/{s.periods_total}" for s in data.sections]
    # The rate is a number Excel shows as a percentage.
    rate = progress.cell(row=top + 1, column=5)
    assert isinstance(rate.value, float) and rate.number_format == "0%"
    overdue = book["逾期"]
    assert _codes(overdue, _header_row(overdue, "责任单位")) == [
        e.code for g in data.overdue for e in g.entries
    ]


def _header_row(sheet: object, first: str) -> int:
    """The row of a sheet whose first cell is `first` (a table's header)."""
    return next(
        r
        for r in range(1, 20)
        if sheet.cell(row=r, column=1).value == first  # type: ignore[attr-defined]
    )


def _codes(sheet: object, header_row: int) -> list[str]:
    codes = []
    row = header_row + 1
    while (value := sheet.cell(row=row, column=2).value) is not None:  # type: ignore[attr-defined]
        codes.append(str(value))
        row += 1
    return codes


def test_notice_workbook_lists_exactly_the_units_late_items(
    session: Session, deadlines: Deadlines
) -> None:
    data = notice_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    (group,) = overdue_by_unit(session=session, deadlines=deadlines, unit=UNIT)
    book = load_workbook(BytesIO(render_xlsx(lay_out(data))))
    assert book.sheetnames == [sheet_name(n.unit) for n in data.notices]
    sheet = book[UNIT]
    header_row = next(r for r in range(1, 10) if sheet.cell(row=r, column=1).value == "序号")
    assert [c.value for c in sheet[header_row]] == notice_header()
    assert _codes(sheet, header_row) == [e.code for e in group.entries]
    assert sheet.freeze_panes == f"A{header_row + 1}"


def test_sheet_names_are_ones_excel_accepts() -> None:
    name = sheet_name("a/b[c]:d*e?f\\g" + "长" * 40, taken=())
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert sheet_name("台账", taken=["台账"]) == "台账(2)"


def _east_asia(element: object) -> str | None:
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts"))  # type: ignore[attr-defined]
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _page_cm(doc: DocumentObject) -> list[float]:
    """Width, height, top, bottom, left and right margins of the first section, in cm."""
    section = doc.sections[0]
    values = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    return [round((value or 0) / Cm(1), 2) for value in values]


def test_notice_document_is_a4_portrait_with_official_margins(
    session: Session, deadlines: Deadlines
) -> None:
    data = notice_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    doc = Document(BytesIO(render_docx(lay_out(data))))
    assert _page_cm(doc) == [21, 29.7, 3.7, 3.5, 2.8, 2.6]  # GB/T 9704


def test_ledger_document_is_a4_landscape_with_fonts_grid_and_shading(
    session: Session, deadlines: Deadlines
) -> None:
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    doc = Document(BytesIO(render_docx(lay_out(data))))
    assert doc.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert _page_cm(doc)[:2] == [29.7, 21]
    title = doc.paragraphs[0]
    assert title.text == t("print.title.ledger")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].bold
    assert _east_asia(title.runs[0]._element) == "宋体"
    assert _east_asia(doc.styles["Normal"].element) == "仿宋"
    (table,) = doc.tables
    assert table.style is not None and table.style.name == "Table Grid"
    assert [c.text for c in table.rows[0].cells] == ledger_header()
    assert len(table.rows) - 1 == len(data.rows)
    red = next(r for r in data.rows if r.item.light is Light.RED)
    shading = table.rows[red.number].cells[0]._tc.find(qn("w:tcPr") + "/" + qn("w:shd"))
    assert shading is not None and shading.get(qn("w:fill")) == RED
    done = next(r for r in data.rows if r.item.light is Light.NONE)
    assert table.rows[done.number].cells[0]._tc.find(qn("w:tcPr") + "/" + qn("w:shd")) is None
    cell = table.rows[red.number].cells[1]
    assert cell.text == item_text(red)
    assert _east_asia(cell.paragraphs[0].runs[0]._element) == "仿宋"
    # The header row is repeated on every page the ledger runs onto.
    assert table.rows[0]._tr.find(qn("w:trPr") + "/" + qn("w:tblHeader")) is not None
    # The columns fill the page's text width, and the title column is wider than 序号.
    widths = [column.width or 0 for column in table.columns]
    assert abs(sum(widths) - Cm(29.7 - 2.5 - 2.5)) < Cm(0.05)
    assert widths[1] > 3 * widths[0]


def test_a_note_of_several_lines_keeps_its_lines_in_a_word_cell(
    session: Session, deadlines: Deadlines
) -> None:
    item = session.exec(select(Commitment).where(Commitment.code == "5.5a")).one()
    log_event(
        session=session,
        item=item,
        day=date(2026, 9, 8),
        note="民法典讲座\n主讲：司法所 李所长",
        evidence=[],
        user="t",
        now=NOW.replace(tzinfo=UTC),
        calendar=deadlines.calendar,
    )
    session.flush()
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    (row,) = [r for r in data.rows if r.item.code == "5.5a/2026"]
    (table,) = Document(BytesIO(render_docx(lay_out(data)))).tables
    cell = table.rows[row.number].cells[6]
    assert cell.text == "2026-09-08 民法典讲座\n主讲：司法所 李所长"


def test_notice_document_one_page_per_unit(session: Session, deadlines: Deadlines) -> None:
    data = notice_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    doc = Document(BytesIO(render_docx(lay_out(data))))
    assert len(doc.tables) == len(data.notices)
    breaks = doc.element.body.findall(".//" + qn("w:br"))
    assert sum(b.get(qn("w:type")) == "page" for b in breaks) == len(data.notices) - 1
    (group,) = overdue_by_unit(session=session, deadlines=deadlines, unit=UNIT)
    index = [n.unit for n in data.notices].index(UNIT)
    table = doc.tables[index]
    assert [row.cells[1].text for row in table.rows[1:]] == [e.code for e in group.entries]
    texts = [p.text for p in doc.paragraphs]
    assert t("print.notice.to", unit=UNIT) in texts
    reply = data.notices[index].reply_by
    assert any(str(reply.year) in p and "反馈" in p for p in texts)


def test_notice_document_for_one_unit(session: Session, deadlines: Deadlines) -> None:
    scope = Scope(unit=UNIT)
    data = notice_data(session=session, scope=scope, deadlines=deadlines, user="t", now=NOW)
    (group,) = overdue_by_unit(session=session, deadlines=deadlines, unit=UNIT)
    (table,) = Document(BytesIO(render_docx(lay_out(data)))).tables
    assert [row.cells[1].text for row in table.rows[1:]] == [e.code for e in group.entries]
    book = load_workbook(BytesIO(render_xlsx(lay_out(data))))
    assert book.sheetnames == [UNIT]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_summary_document_has_every_section(
    session: Session, deadlines: Deadlines, language: str
) -> None:
    set_language(language)
    data = summary_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    doc = Document(BytesIO(render_docx(lay_out(data))))
    texts = [p.text for p in doc.paragraphs]
    # Every part is printed (an empty one says so), in the order of every other format.
    parts = ["progress", "quotas", "lights", "overdue", "villages", "indicators"]
    for number, part in enumerate(parts, start=1):
        assert numbered(number, t(f"print.section.{part}")) in texts
    # The lights count commitments; the total and the periods behind them say so.
    assert t("overview_total", total=data.total, items=data.items_total) in texts
    assert data.total == 66
    assert t("print.signature_unit", town=data.heading.town) in texts
    assert all(table.style is not None and table.style.name == "Table Grid" for table in doc.tables)


@pytest.mark.parametrize("gather", [summary_data, ledger_data, notice_data])
def test_word_and_text_printouts_end_with_the_same_seal_and_maker_lines(
    session: Session, deadlines: Deadlines, gather: Callable[..., Printout]
) -> None:
    data = gather(session=session, scope=Scope(), deadlines=deadlines, user="王科员", now=NOW)
    maker = maker_line(data.heading)
    ending = seal_lines(data.heading) + ([maker] if maker else [])
    assert ending  # every printout is signed somehow
    paragraphs = [
        p.text for p in Document(BytesIO(render_docx(lay_out(data)))).paragraphs if p.text
    ]
    lines = [line.strip() for line in render_txt(lay_out(data)).splitlines() if line.strip()]
    assert paragraphs[-len(ending) :] == ending
    assert lines[-len(ending) :] == ending


def test_the_ledger_workbook_prints_on_a4_landscape_one_page_wide_with_its_header_repeated(
    session: Session, deadlines: Deadlines
) -> None:
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    sheet = load_workbook(BytesIO(render_xlsx(lay_out(data))))["台账"]
    setup = sheet.page_setup
    assert (int(setup.paperSize), setup.orientation) == (int(sheet.PAPERSIZE_A4), "landscape")
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr is not None
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.print_area == f"'台账'!$A$1:$H${sheet.max_row}"
    footer = sheet.oddFooter.center.text
    assert "&P" in footer and "&N" in footer  # 第 N 页 共 M 页
    # The columns add up to what a landscape page holds, so one page wide is still legible.
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGH"]
    assert sum(widths) <= 151
    # A row of long text is given the height its wrapped lines need.
    tallest = max(sheet.row_dimensions[r].height or 0 for r in range(HEADER_ROW, sheet.max_row))
    assert tallest >= 30


def test_text_beginning_with_an_equals_sign_stays_text_in_the_workbook() -> None:
    """A note typed "=HYPERLINK(…)" prints as typed: openpyxl would write it as a formula
    that Excel runs when the workbook opens."""
    typed = '=HYPERLINK("http://example.com","点此查看")'
    table = Table("ledger", ["事项", "完成情况"], [Row([Cell("5.5a"), Cell(typed)])], main=True)
    page = Page("台账", head=[Paragraph(typed)], body=[table])
    document = LaidOut("台账", landscape=True, pages=[page])
    sheet = load_workbook(BytesIO(render_xlsx(document))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == typed]
    assert len(cells) == 2  # the line above the table and the table's cell
    assert {cell.data_type for cell in cells} == {"s"}
