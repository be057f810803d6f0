"""Every printout says the same thing in all six formats.

Each printout is rendered in txt, md, html, xlsx, docx and pdf and read back the way its
reader would (the text as printed, HTML parsed, the workbook with openpyxl, the document
with python-docx, the PDF's text with pypdf). From each, the part headings in order, every
table's header row, and every row's code are taken and compared with the laid-out document.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest
from docx import Document as WordDocument
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph
from openpyxl import load_workbook
from pypdf import PdfReader
from rich.cells import cell_len
from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.i18n import set_language
from tracker.printouts import pdf
from tracker.printouts.assembly import Printout, Scope, ledger_data, notice_data, summary_data
from tracker.printouts.excel import HEADER_STYLE, render_xlsx
from tracker.printouts.html import render_html
from tracker.printouts.layout import Document, Part, Table
from tracker.printouts.markdown import render_md
from tracker.printouts.pages import lay_out
from tracker.printouts.text import render_txt
from tracker.printouts.word import render_docx
from tracker.services.deadlines import Deadlines

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone(timedelta(hours=8)))
# An item's code: 3.3a, 2.1-N1/2022, 3.2-D/2022-01-04; or a section's number.
CODE = re.compile(r"^(\d+(?:\.\d+[a-z]?)?(?:-[A-Z]\d*)?(?:/[\d-]+)?)(?:\s|$)")

Gather = Callable[..., Printout]


def row_code(cells: list[str]) -> str:
    """The code a row is known by: the first cell that starts with one (序号 comes first on
    a ledger or notice row, the code after it)."""
    for cell in cells[:3]:
        found = CODE.match(cell.strip())
        if found and not cell.strip().isdigit():
            return found.group(1)
    return cells[0].strip()


class Seen:
    """What a reader found in one format: part headings, and each table as (header, codes)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.tables: list[tuple[list[str], list[str]]] = []

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.tables.append(([h.strip() for h in header], [row_code(r) for r in rows]))


def expected(document: Document) -> Seen:
    seen = Seen()
    for page in document.pages:
        for block in (*page.head, *page.body):
            if isinstance(block, Part):
                seen.parts.append(block.title)
            elif isinstance(block, Table):
                seen.table(block.headers, block.texts())
    return seen


def read_txt(document: Document) -> Seen:
    """Parts are lines equal to a part's title; a table is a header line over a rule of
    dashes, its columns where the rule's dashes are (counted in display cells)."""
    titles = set(expected(document).parts)
    seen = Seen()
    lines = render_txt(document).replace("\f", "\n").splitlines()
    for index, line in enumerate(lines):
        if line in titles:
            seen.parts.append(line)
        if index and re.fullmatch(r"-+(  -+)*", line):
            spans = [(m.start(), m.end()) for m in re.finditer(r"-+", line)]
            rows = []
            for text in lines[index + 1 :]:
                if not text.strip():
                    break
                rows.append(_columns(text, spans))
            seen.table(_columns(lines[index - 1], spans), rows)
    return seen


def _columns(line: str, spans: list[tuple[int, int]]) -> list[str]:
    """Cut a line at display-cell positions (a Chinese character takes two)."""
    cells, column, current = [""] * len(spans), 0, 0
    for char in line:
        while current + 1 < len(spans) and column >= spans[current + 1][0]:
            current += 1
        cells[current] += char
        column += cell_len(char)
    return [cell.strip() for cell in cells]


def read_md(document: Document) -> Seen:
    seen = Seen()
    table: list[list[str]] = []
    for line in [*render_md(document).splitlines(), ""]:
        if line.startswith("## "):
            seen.parts.append(line[3:])
        if line.startswith("|"):
            table.append([c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")])
        elif table:
            seen.table(table[0], table[2:])
            table = []
    return seen


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen = Seen()
        self._text: str | None = None
        self._row: list[str] = []
        self._rows: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "th", "td"):
            self._text = ""
        elif tag == "tr":
            self._row = []
        elif tag == "table":
            self._rows = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._text is not None:
            self.seen.parts.append(self._text)
        elif tag in ("th", "td") and self._text is not None:
            self._row.append(self._text)
        elif tag == "tr":
            self._rows.append(self._row)
        elif tag == "table":
            self.seen.table(self._rows[0], self._rows[1:])
        if tag in ("h2", "th", "td"):
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text += data


def read_html(document: Document) -> Seen:
    parser = _Html()
    parser.feed(render_html(document))
    return parser.seen


def read_xlsx(document: Document) -> Seen:
    """A part is its sheet's part line; a table is a row of header-styled cells and the rows
    under it down to the first empty one."""
    titles = set(expected(document).parts)
    seen = Seen()
    book = load_workbook(io.BytesIO(render_xlsx(document)))
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows())
        for index, row in enumerate(rows):
            first = row[0].value
            if isinstance(first, str) and first in titles:
                seen.parts.append(first)
            if row[0].style == HEADER_STYLE:
                header = [str(c.value) for c in row if c.value is not None]
                body = []
                for below in rows[index + 1 :]:
                    if below[0].value is None:
                        break
                    body.append([_xlsx_text(c.value) for c in below[: len(header)]])
                seen.table(header, body)
    return seen


def _xlsx_text(value: object) -> str:
    return "" if value is None else str(value)


def read_docx(document: Document) -> Seen:
    seen = Seen()
    doc = WordDocument(io.BytesIO(render_docx(document)))
    for item in doc.iter_inner_content():
        if isinstance(item, WordParagraph):
            if item.style is not None and item.style.name == "Heading 2":
                seen.parts.append(item.text)
        elif isinstance(item, WordTable):
            rows = [[cell.text for cell in row.cells] for row in item.rows]
            seen.table(rows[0], rows[1:])
    return seen


def read_pdf(document: Document) -> Seen:
    """A PDF keeps no structure to read back: the page text is searched instead, in order,
    for each part heading, each header cell and each row's code (line breaks inside a cell
    taken out)."""
    reader = PdfReader(io.BytesIO(pdf.render_pdf(document)))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    want = expected(document)
    seen = Seen()
    position = 0
    for title in want.parts:
        found = text.find(re.sub(r"\s+", "", title), position)
        if found >= 0:
            seen.parts.append(title)
            position = found
    position = 0
    for header, codes in want.tables:
        found_header = []
        for cell in header:
            found = text.find(re.sub(r"\s+", "", cell), position)
            if found >= 0:
                found_header.append(cell)
                position = found
        found_codes = []
        for code in codes:
            found = text.find(re.sub(r"\s+", "", code), position)
            if found >= 0:
                found_codes.append(code)
                position = found
        seen.tables.append((found_header, found_codes))
    return seen


def _has_font() -> bool:
    try:
        pdf.find_font()
    except TrackerError:
        return False
    return True


READERS: dict[str, Callable[[Document], Seen]] = {
    "txt": read_txt,
    "md": read_md,
    "html": read_html,
    "xlsx": read_xlsx,
    "docx": read_docx,
    "pdf": read_pdf,
}


@pytest.mark.parametrize("gather", [summary_data, ledger_data, notice_data])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_format_carries_the_same_parts_tables_and_rows(
    session: Session, deadlines: Deadlines, gather: Gather, language: str
) -> None:
    set_language(language)
    document = lay_out(
        gather(session=session, scope=Scope(), deadlines=deadlines, user="王科员", now=NOW)
    )
    want = expected(document)
    assert want.tables and all(codes for _, codes in want.tables)  # something to compare
    for name, read in READERS.items():
        if name == "pdf" and not _has_font():
            continue  # CI installs a Chinese font; test_printouts_pdf says so
        seen = read(document)
        assert seen.parts == want.parts, name
        assert [h for h, _ in seen.tables] == [h for h, _ in want.tables], name
        for (header, codes), (_, wanted) in zip(seen.tables, want.tables, strict=True):
            assert codes == wanted, (name, header)


def test_a_village_grid_names_every_column_by_its_title(
    session: Session, deadlines: Deadlines
) -> None:
    data = summary_data(session=session, scope=Scope(), deadlines=deadlines, user="t", now=NOW)
    assert data.villages is not None and data.villages.columns
    (grid,) = [t for t in lay_out(data).tables() if t.kind == "villages"]
    for column, header in zip(data.villages.columns, grid.headers[1:], strict=True):
        assert header == f"{column.code} {column.title}"
