"""PDF printouts: Chinese text that can be extracted again, from an embedded font.

CI installs a Chinese font (.ci/run); elsewhere these tests are skipped when the machine has
none, since the PDF renderer then refuses (that refusal is tested on its own).
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.models import Commitment
from tracker.printouts import pdf
from tracker.printouts.assembly import Scope, ledger_data, notice_data
from tracker.printouts.pages import lay_out
from tracker.schedule import Light
from tracker.services.deadlines import Deadlines
from tracker.services.overdue import overdue_by_unit
from tracker.services.updates import add_note

RGB_FILL = re.compile(r"([\d.]+ [\d.]+ [\d.]+) rg")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def _has_font() -> bool:
    try:
        pdf.find_font()
    except TrackerError:
        return False
    return True


needs_font = pytest.mark.skipif(
    not _has_font() and not os.environ.get("CI"),
    reason="no Chinese font on this machine (CI installs one)",
)


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _embedded_fonts(content: bytes) -> list[Any]:
    reader = PdfReader(io.BytesIO(content))
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
                    found.append(descriptor["/FontName"])
    return found


@needs_font
def test_a_notice_pdf_holds_the_units_late_items_in_chinese_with_an_embedded_font(
    session: Session, deadlines: Deadlines
) -> None:
    data = notice_data(
        session=session, scope=Scope(unit="镇党委"), deadlines=deadlines, user="王科员", now=NOW
    )
    content = pdf.render_pdf(lay_out(data))
    assert content.startswith(b"%PDF")
    text = _text(content)
    assert "催办通知单" in text and "镇党委" in text
    late = overdue_by_unit(session=session, deadlines=deadlines, unit="镇党委")
    for entry in (e for g in late for e in g.entries):
        assert entry.code in text
    assert _embedded_fonts(content)


@needs_font
def test_a_ledger_pdf_has_every_row_number(session: Session, deadlines: Deadlines) -> None:
    data = ledger_data(
        session=session, scope=Scope(section=7), deadlines=deadlines, user="王科员", now=NOW
    )
    text = _text(pdf.render_pdf(lay_out(data)))
    assert "承诺事项台账" in text or "台账" in text
    for row in data.rows:
        assert row.item.code in text


def test_without_a_chinese_font_the_pdf_is_refused_with_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf, "KNOWN_FONTS", ())
    monkeypatch.setattr(pdf.shutil, "which", lambda _name: None)
    with pytest.raises(TrackerError) as caught:
        pdf.find_font()
    assert caught.value.key == "pdf_no_font"
    assert "apt-get install" in caught.value.message()


def test_a_font_given_that_does_not_exist_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "simsun.ttc"
    with pytest.raises(TrackerError) as caught:
        pdf.find_font(missing)
    assert caught.value.key == "pdf_font_missing"
    assert caught.value.params["path"] == str(missing)


@pytest.mark.parametrize("name", ["notes.ttf", "notes"])
def test_a_file_given_as_the_font_that_is_not_one_is_refused_in_one_line(
    session: Session, deadlines: Deadlines, tmp_path: Path, name: str
) -> None:
    not_a_font = tmp_path / name
    not_a_font.write_text("会议纪要，不是字体文件", encoding="utf-8")
    data = notice_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    with pytest.raises(TrackerError) as caught:
        pdf.render_pdf(lay_out(data), font=not_a_font)
    assert caught.value.key == "pdf_font_unreadable"
    assert str(not_a_font) in caught.value.message()
    assert t("pdf_font_not_a_font") in caught.value.message()  # not the library's words


@needs_font
def test_a_ledger_pdf_is_landscape_with_its_header_on_every_page_and_late_rows_red(
    session: Session, deadlines: Deadlines
) -> None:
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user="王科员", now=NOW)
    reader = PdfReader(io.BytesIO(pdf.render_pdf(lay_out(data))))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert page.mediabox.width > page.mediabox.height
        assert "完成情况" in page.extract_text()
    # The fill colours set in the pages' drawing operators ("r g b rg", 0..1).
    streams = [page.get_contents().get_data().decode("latin-1") for page in reader.pages]
    operands = [found for stream in streams for found in RGB_FILL.findall(stream)]
    fills = {tuple(round(float(v) * 255) for v in found.split()) for found in operands}
    assert pdf.FILLS[Light.RED] in fills


def _wrapper() -> Any:
    document = pdf.FPDF()
    document.add_font(pdf.FONT, fname=str(pdf.find_font()))
    document.set_font(pdf.FONT, size=pdf.TABLE_FONT_SIZE)
    return document, pdf._Wrapper(document)


@needs_font
def test_cell_text_wraps_within_its_width_and_keeps_every_character() -> None:
    document, wrap = _wrapper()
    text = "报告称“全镇各普法责任部门认真履行‘谁执法谁普法’工作责任”，并列出了2021年的普法数字。"
    lines = wrap(text, 30)
    assert len(lines) > 1
    assert "".join(lines) == text
    # Nothing stands past the cell's edge, not even a closing mark: the character before it
    # goes down to the next line with it (避头).
    assert all(document.get_string_width(line) <= 30 for line in lines)
    assert not any(line[0] in pdf.NO_BREAK_BEFORE for line in lines[1:])


@needs_font
def test_a_run_of_closing_marks_goes_down_with_the_character_before_it() -> None:
    document, wrap = _wrapper()
    text = "未开始、逾期 1430 天（972 个工作日）。"
    for width in range(12, 60, 3):  # from three characters wide
        lines = wrap(text, width)
        assert "".join(lines) == text.replace(" ", "") or " ".join(lines).count("9") == 1
        assert all(document.get_string_width(line) <= width for line in lines), lines
        assert not any(line and line[0] in pdf.NO_BREAK_BEFORE for line in lines[1:]), lines


@needs_font
def test_every_character_of_every_ledger_cell_is_on_the_pages(
    session: Session, deadlines: Deadlines
) -> None:
    """Nothing is clipped or cut short: a note longer than a page still prints whole."""
    item = session.exec(select(Commitment).where(Commitment.code == "7.1a")).one()
    long_note = "以考促学，" + "组织全镇干部参加法治理论知识考试并通报成绩，" * 60 + "完。"
    add_note(session=session, item=item, text=long_note, user="王科员", now=NOW)
    session.flush()
    data = ledger_data(
        session=session, scope=Scope(section=7), deadlines=deadlines, user="王科员", now=NOW
    )
    document = lay_out(data)
    printed = Counter(re.sub(r"\s+", "", _text(pdf.render_pdf(document))))
    for table in document.tables():
        for row in table.texts():
            wanted = Counter(re.sub(r"\s+", "", "".join(row)))
            assert not wanted - printed, row[:2]
    assert any(long_note.strip() in cell for row in data.rows for cell in [row.progress])


@needs_font
def test_a_latin_word_is_carried_to_the_next_line_whole() -> None:
    _document, wrap = _wrapper()
    lines = wrap("minutes of the lecture on the Civil Code", 25)
    assert " ".join(lines) == "minutes of the lecture on the Civil Code"


@needs_font
def test_a_new_line_in_a_note_starts_a_new_line_in_its_cell() -> None:
    _document, wrap = _wrapper()
    assert wrap("民法典讲座\n主讲：李所长", 200) == ["民法典讲座", "主讲：李所长"]
