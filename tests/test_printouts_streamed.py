"""Printouts made in less memory and time are the same printouts: the Word table rows written
out as XML text as they are made (render_docx's `stream`), the printable copy that keeps what
it need not copy, and SQLite's page cache."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zipfile import ZipFile

import pytest
from docx import Document
from sqlmodel import Session

from tracker.db import SQLITE_CACHE_KIB, database_url, make_engine
from tracker.errors import printable_copy
from tracker.printouts.assembly import PrintKind, Scope
from tracker.printouts.layout import Cell, Page, Row, Table
from tracker.printouts.layout import Document as LaidOut
from tracker.printouts.make import gather
from tracker.printouts.pages import lay_out
from tracker.printouts.word import render_docx
from tracker.schedule import Light
from tracker.services.deadlines import Deadlines

NOW = datetime(2026, 11, 26, 9, 30)


def _members(docx: bytes) -> dict[str, bytes]:
    with ZipFile(BytesIO(docx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("kind", list(PrintKind))
def test_a_streamed_word_printout_is_the_document_built_as_one_tree(
    session: Session, deadlines: Deadlines, kind: PrintKind
) -> None:
    data = gather(session=session, kind=kind, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    document = lay_out(printable_copy(data))
    streamed = _members(render_docx(document))
    tree = _members(render_docx(document, stream=False))
    assert list(streamed) == list(tree)
    for name, content in tree.items():
        assert streamed[name] == content, name
    rows = sum(len(table.rows) for table in Document(BytesIO(render_docx(document))).tables)
    assert rows == sum(len(table.rows) + 1 for table in document.tables())  # and the headers


def test_streamed_rows_keep_their_lines_shading_and_order() -> None:
    table = Table(
        kind="t",
        headers=["事项", "村居"],
        rows=[
            Row([Cell("第一行\n第二行"), Cell("一村")], light=Light.RED),
            Row([Cell("绿"), Cell("二村", light=Light.YELLOW)]),
            Row([Cell("<&>"), Cell("三")]),
        ],
    )
    document = LaidOut(title="测试", landscape=False, pages=[Page(name="p", head=[table])])
    streamed = render_docx(document)
    assert _members(streamed) == _members(render_docx(document, stream=False))
    (read,) = Document(BytesIO(streamed)).tables
    assert [[cell.text for cell in row.cells] for row in read.rows] == [
        ["事项", "村居"],
        ["第一行\n第二行", "一村"],
        ["绿", "二村"],
        ["<&>", "三"],
    ]
    xml = _members(streamed)["word/document.xml"].decode()
    assert "tracker-rows" not in xml  # the mark is gone, the rows are in its place
    assert xml.count('w:fill="FFC7CE"') == 2  # the red row's two cells
    assert xml.count('w:fill="FFEB9C"') == 1  # one late village's cell


@dataclass(frozen=True)
class _Frozen:
    text: str
    number: int


@dataclass
class _Open:
    text: str


def test_printable_copy_escapes_and_shares_only_what_cannot_change() -> None:
    clean = _Frozen("正常", 1)
    assert printable_copy(clean) is clean  # frozen, nothing to escape: kept
    dirty = printable_copy(_Frozen("a\x1b[31mb\u202e", 2))
    assert dirty == _Frozen("a\\x1b[31mb\\u202e", 2)
    kept_lines = printable_copy(_Frozen("一\n二\t三", 3))
    assert kept_lines.text == "一\n二\t三"
    items = [clean]
    copied = printable_copy(items)
    assert copied == items and copied is not items  # a list is always new
    mutable = _Open("正常")
    assert printable_copy(mutable) == mutable and printable_copy(mutable) is not mutable
    assert printable_copy({"键\x07": Light.RED}) == {"键\\x07": Light.RED}
    assert printable_copy(Light.RED) is Light.RED  # a member is kept, though it is a str


def test_a_sqlite_connection_keeps_16_mib_of_pages(tmp_path: Path) -> None:
    # A district's printouts read the same index pages again and again: with SQLite's
    # default 2 MiB cache they were read from the file each time.
    engine = make_engine(database_url(str(tmp_path / "cache.db")))
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_CACHE_KIB
    engine.dispose()
