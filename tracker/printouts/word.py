"""The printouts as a Word document (.docx), with python-docx, laid out like a 公文.

A4 with the margins of the national standard for official papers (GB/T 9704), a centred
title in 宋体, the body in 仿宋, section headings in 黑体 and tables with borders. The East
Asian font has to be named on its own (`w:eastAsia`): python-docx's `font.name` names only
the Latin one, and Word would then set Chinese text in whatever its default is.
"""

from __future__ import annotations

import re
from copy import deepcopy
from io import BytesIO
from typing import cast
from zipfile import ZIP_DEFLATED, ZipFile

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
from docx.shared import Cm, Emu, Length, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.run import Run
from lxml import etree  # type: ignore[import-untyped]

from tracker.printouts.columns import fit_columns, needed_cells
from tracker.printouts.layout import (
    Align,
    Block,
    Paragraph,
    Part,
    Row,
    Signature,
    Title,
)
from tracker.printouts.layout import (
    Document as Printout,
)
from tracker.printouts.layout import Table as BlockTable
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


def render_docx(document: Printout, *, stream: bool = True) -> bytes:
    """The printout as the bytes of a .docx file; each page of it starts a new sheet.

    `stream`: each table row is written out as XML text as soon as it is made, and the
    texts are put in document.xml when it is saved, instead of every row staying in the
    document's tree until then. The tree costs ~15 bytes of memory for each byte of XML
    (a district's ledger: 100 MiB for 7 MB); the document is the same either way (a test
    compares them)."""
    doc = Document()
    page_setup(doc)
    if document.landscape:
        _landscape(doc)  # eight columns: a 台账 is printed across the page
    doc.core_properties.title = document.title
    rows = _Rows() if stream else None
    for number, page in enumerate(document.pages):
        if number:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for block in (*page.head, *page.body):
            _draw(doc, block, rows)
    out = BytesIO()
    doc.save(out)
    return rows.put_in(out.getvalue()) if rows is not None else out.getvalue()


class _Rows:
    """Table rows kept as XML text until the document is saved (see render_docx): each
    table's rows stand in the tree as a comment naming them, replaced in the saved file."""

    def __init__(self) -> None:
        self._tables: list[list[bytes]] = []

    def hold(self, tbl: BaseOxmlElement) -> list[bytes]:
        """A place for the rows of `tbl`, marked at the end of it."""
        self._tables.append([])
        tbl.append(etree.Comment(self._mark(len(self._tables) - 1)))
        return self._tables[-1]

    @staticmethod
    def _mark(number: int) -> str:
        return f"tracker-rows-{number}"

    def put_in(self, docx: bytes) -> bytes:
        """The saved .docx with each table's rows in place of its mark."""
        if not self._tables:
            return docx
        out = BytesIO()
        with ZipFile(BytesIO(docx)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == _DOCUMENT_XML:
                    for number, rows in enumerate(self._tables):
                        mark = f"<!--{self._mark(number)}-->".encode()
                        data = data.replace(mark, b"".join(rows), 1)
                target.writestr(info, data)
        return out.getvalue()


_DOCUMENT_XML = "word/document.xml"
# The namespace declarations a row serialized on its own carries on its first tag; in the
# document they are the root's, and a row in its place must not repeat them.
_DECLARATION = re.compile(rb'\s+xmlns(?::\w+)?="[^"]*"')


def _row_xml(tr: CT_Row) -> bytes:
    text = cast(bytes, etree.tostring(tr, encoding="UTF-8"))
    end = text.index(b">")
    return _DECLARATION.sub(b"", text[:end]) + text[end:]


_ALIGN = {
    Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
    Align.CENTRE: WD_ALIGN_PARAGRAPH.CENTER,
    Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
}


def _draw(doc: DocumentObject, block: Block, rows: _Rows | None = None) -> None:
    if isinstance(block, Title):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        styled_run(para.add_run(block.text), TITLE_FONT, TITLE_SIZE, bold=True)
    elif isinstance(block, Part):
        # Word's heading style, so the parts show in its navigation pane; in black, as a 公文.
        para = doc.add_paragraph(style="Heading 2")
        run = styled_run(para.add_run(block.title), HEADING_FONT, HEADING_SIZE)
        run.font.color.rgb = RGBColor(0, 0, 0)
    elif isinstance(block, Paragraph):
        para = doc.add_paragraph()
        para.alignment = _ALIGN[block.align]
        if block.indent:
            para.paragraph_format.first_line_indent = Pt(BODY_SIZE.pt * 2)  # two characters
        size = Pt(10.5) if block.small else BODY_SIZE
        styled_run(para.add_run(block.text), BODY_FONT, size, bold=block.bold)
    elif isinstance(block, Signature):
        _signature(doc, block)
    else:
        _table(doc, block, rows)


def page_setup(doc: DocumentObject, *, body_size: Length = BODY_SIZE) -> None:
    """A4 portrait with the 公文 margins; body text in 仿宋 at `body_size` (the printouts'
    四号 by default; the annual draft, which has no tables to fit, takes the standard's 三号)."""
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = body_size
    east_asian(normal.element.get_or_add_rPr(), BODY_FONT)


def _landscape(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.5)


def east_asian(r_pr: CT_RPr, name: str) -> None:
    """Name the font Word uses for Chinese characters (w:rFonts/@w:eastAsia)."""
    fonts = r_pr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def styled_run(run: Run, font: str, size: Length, *, bold: bool = False) -> Run:
    """`run` in `font` (named for Chinese and Latin text alike) at `size`."""
    run.font.name = LATIN_FONT
    run.font.size = size
    run.bold = bold
    east_asian(run._element.get_or_add_rPr(), font)
    return run


def _shade(cell: _Cell, color: str) -> None:
    _shade_tc(cell._tc, color)


def _shade_tc(tc: CT_Tc, color: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), color)
    tc.get_or_add_tcPr().append(shading)


def _table(doc: DocumentObject, block: BlockTable, held: _Rows | None = None) -> None:
    """A bordered table ("Table Grid") as wide as the page, columns as wide as their text
    needs, header in bold and repeated on every page, late rows (and cells) shaded."""
    texts = block.texts()
    table: Table = doc.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, _widths(doc, block.headers, texts), strict=True):
        column.width = width  # the grid; each row added below takes its cells' widths from it
        column.cells[0].width = width
    for cell, label in zip(table.rows[0].cells, block.headers, strict=True):
        styled_run(cell.paragraphs[0].add_run(label), BODY_FONT, TABLE_SIZE, bold=True)
    _repeat_on_every_page(table.rows[0]._tr)
    _add_rows(table, block.rows, texts, held)
    doc.add_paragraph()


def _add_rows(
    table: Table, rows: list[Row], texts: list[list[str]], held: _Rows | None = None
) -> None:
    """Append `rows`, each a copy of one formatted row with its texts put in.

    Formatting every run through python-docx costs about a millisecond a cell (each property
    searches the run's XML for where to insert itself): 15 s for a district's ledger. So one
    row is formatted that way, shaded copies of it are made once, and each row is a copy of
    the right one; the result is the same XML. With `held`, each row is kept as its XML
    text rather than in the tree.
    """
    if not rows:
        return
    model = table.add_row()  # type: ignore[no-untyped-call]
    for cell in model.cells:
        styled_run(cell.paragraphs[0].add_run("-"), BODY_FONT, TABLE_SIZE)
    models: dict[Light | None, CT_Row] = {None: model._tr}
    for shade_light, color in LIGHT_SHADE.items():
        shaded = deepcopy(model._tr)
        for tc in shaded.tc_lst:
            _shade_tc(tc, color)
        models[shade_light] = shaded
    tbl = table._tbl
    tbl.remove(model._tr)
    written = held.hold(tbl) if held is not None else None
    for row, values in zip(rows, texts, strict=True):
        tr = deepcopy(models.get(row.light, model._tr))
        # A list first: _set_text may add w:t elements, which a live iterator would visit.
        for text_element, value in zip(list(tr.iter(qn("w:t"))), values, strict=True):
            _set_text(text_element, value)
        for tc, cell in zip(tr.tc_lst, row.cells, strict=True):
            if cell.light in LIGHT_SHADE and cell.light != row.light:
                _shade_tc(tc, LIGHT_SHADE[cell.light])  # one village late on one item
        if written is not None:
            written.append(_row_xml(tr))
        else:
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


def _widths(doc: DocumentObject, header: list[str], rows: list[list[str]]) -> list[Length]:
    """Column widths filling the text width of the page (see `columns`)."""
    section = doc.sections[-1]
    # Always set by page_setup or _landscape; python-docx types them optional.
    usable = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    cells = needed_cells(header, rows)
    return [Emu(int(w)) for w in fit_columns(cells, usable, CELL_WIDTH, CELL_PADDING)]


def _signature(doc: DocumentObject, block: Signature) -> None:
    """The seal line and the date right-aligned at the foot, as an official paper ends; then
    who made the table (the same lines as every other format)."""
    doc.add_paragraph()
    for text in block.seal:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        styled_run(para.add_run(text), BODY_FONT, BODY_SIZE)
    if block.maker:
        styled_run(doc.add_paragraph().add_run(block.maker), BODY_FONT, BODY_SIZE)
