"""The annual draft as a Word 公文 draft (.docx), laid out per GB/T 9704.

A4 with the standard's margins (shared with the printouts: tracker.printouts.word), the
title in 宋体 二号, 一、 part titles in 黑体 and （一） headings in 楷体 三号, the body in 仿宋
三号 on lines of exactly 28 pt, each paragraph's first line indented two characters. Each
sentence is one run, so a draft's comment (the codes and figures the sentence was built
from) covers exactly that sentence; a gap is highlighted yellow for the officer to fill.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from tracker.annual.marks import (
    comment_text,
    note_line,
    one_line,
    sentence_text,
    separated,
    title_lines,
)
from tracker.annual.model import AnnualDraft, Heading, Paragraph
from tracker.i18n import t
from tracker.printouts.word import (
    BODY_FONT,
    HEADING_FONT,
    TITLE_FONT,
    TITLE_SIZE,
    page_setup,
    styled_run,
)

SUBHEADING_FONT = "楷体"
BODY_SIZE = Pt(16)  # 三号, the standard's size for the body and its headings
LINE = Pt(28)  # 22 lines a page, as the standard's 版心 holds
TITLE_LINE = Pt(36)  # a 22 pt title on a 28 pt line would lose the tops of its characters
NOTE_SIZE = Pt(12)
INDENT = Pt(BODY_SIZE.pt * 2)  # two characters
NOTE_COLOUR = RGBColor(0x59, 0x59, 0x59)


def render_draft_docx(draft: AnnualDraft, plain: bool = False) -> bytes:
    """The draft as the bytes of a .docx file; unless `plain`, each sentence citing ledger
    rows carries a comment naming them and the figures it states."""
    doc = Document()
    page_setup(doc, body_size=BODY_SIZE)
    _exact_lines(doc)
    _page_numbers(doc)
    doc.core_properties.title = one_line(draft.title)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = TITLE_LINE
    # python-docx makes each "\n" a line break (w:br) inside the title's paragraph.
    styled_run(title.add_run("\n".join(title_lines(draft))), TITLE_FONT, TITLE_SIZE, bold=True)
    if note := note_line(draft, plain=plain):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = styled_run(para.add_run(note), SUBHEADING_FONT, NOTE_SIZE)
        run.font.color.rgb = NOTE_COLOUR
    doc.add_paragraph()  # the standard's blank line under the title

    _body(doc, draft.opening, plain=plain)
    for part in draft.parts:
        _heading(doc, part.title, HEADING_FONT, level=0)
        for block in part.blocks:
            if isinstance(block, Heading):
                _heading(doc, block.text, SUBHEADING_FONT, level=1)
            else:
                _body(doc, block, plain=plain)

    doc.add_paragraph()
    doc.add_paragraph()  # room for the seal above the issuer
    for line in (draft.issuer, draft.signed):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        styled_run(para.add_run(one_line(line)), BODY_FONT, BODY_SIZE)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _exact_lines(doc: DocumentObject) -> None:
    """Every paragraph on lines of exactly 28 pt with no space around it (the Normal style)."""
    fmt = doc.styles["Normal"].paragraph_format
    fmt.line_spacing = LINE
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.space_before = fmt.space_after = Pt(0)


def _body(doc: DocumentObject, paragraph: Paragraph, *, plain: bool) -> None:
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    para.paragraph_format.first_line_indent = INDENT
    author, initials = t("annual.comment.author"), t("annual.comment.initials")
    for before, sentence in separated(paragraph):
        if before:
            styled_run(para.add_run(before), BODY_FONT, BODY_SIZE)
        run = styled_run(para.add_run(sentence_text(sentence)), BODY_FONT, BODY_SIZE)
        if sentence.gap:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        if sentence.codes and not plain:
            doc.add_comment(run, text=comment_text(sentence), author=author, initials=initials)


def _heading(doc: DocumentObject, text: str, font: str, *, level: int) -> None:
    """A part title or a sub-part heading: body size, indented as the body, kept with the
    paragraph after it, and given an outline level so that Word's navigation pane lists
    it. Not Word's Heading styles: they name theme fonts and colours a 公文 has none of."""
    para = doc.add_paragraph()
    para.paragraph_format.first_line_indent = INDENT
    para.paragraph_format.keep_with_next = True
    styled_run(para.add_run(one_line(text)), font, BODY_SIZE)
    _outline_level(para, level)


def _outline_level(para: DocxParagraph, level: int) -> None:
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    para._p.get_or_add_pPr().insert_element_before(
        outline, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
    )


def _page_numbers(doc: DocumentObject) -> None:
    """The page number centred at the foot, — 1 — as official papers print it."""
    para = doc.sections[0].footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled_run(para.add_run("— "), TITLE_FONT, Pt(14))
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = styled_run(para.add_run(), TITLE_FONT, Pt(14))
    number.text = "1"
    field.append(number._r)  # the run moves inside the field: Word puts the page there
    para._p.append(field)
    styled_run(para.add_run(" —"), TITLE_FONT, Pt(14))
