"""The annual draft drawn in txt, md, html and docx: the same words in each, the ledger's codes
shown in a draft and left out of the clean copy, the gaps bracketed in both, stored text
printed as typed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from annual_helpers import GAP, ISSUER, NOTE, ODD, SIGNED, TITLE, sample_draft
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph
from markdown_it import MarkdownIt

from tracker.annual.marks import marker, sentence_text, title_lines
from tracker.annual.model import Heading, Paragraph, Sentence
from tracker.annual.render import BINARY_DRAFT, DraftFormat, render_draft, render_draft_md
from tracker.i18n import set_language
from tracker.importing.reading import read_report
from tracker.importing.structure import outline

MARKER_RE = re.compile(r"〔[^〔〕]+〕")
INDENT = "\u3000\u3000"


def txt(*, plain: bool, note: str = NOTE) -> str:
    text = render_draft(sample_draft(note=note), DraftFormat.TXT, plain=plain)
    assert isinstance(text, str)
    return text


def docx(*, plain: bool) -> DocumentObject:
    data = render_draft(sample_draft(), DraftFormat.DOCX, plain=plain)
    assert isinstance(data, bytes)
    return Document(BytesIO(data))


def cited(draft_sentences: list[Sentence]) -> list[Sentence]:
    return [s for s in draft_sentences if s.codes]


# --- txt ---------------------------------------------------------------------------------


def test_the_marked_txt_has_every_sentence_with_the_codes_it_cites_after_it() -> None:
    text = txt(plain=False)
    for sentence in sample_draft().sentences():
        assert sentence_text(sentence) + marker(sentence) in text
    assert "一是优化领导小组。〔1.1a〕镇党委书记" in text
    assert "研究推进依法行政工作。〔1.1a；1.2a〕二是" in text


def test_the_plain_txt_has_every_sentence_and_no_marker_and_no_note() -> None:
    text = txt(plain=True)
    for sentence in sample_draft().sentences():
        assert sentence_text(sentence) in text
    assert "〔" not in text and "〕" not in text
    assert NOTE not in text


def test_a_gap_is_bracketed_for_the_officer_in_the_draft_and_the_clean_copy() -> None:
    for plain in (False, True):
        assert f"{INDENT}【{GAP}】\n" in txt(plain=plain)


def test_the_clean_copy_is_the_draft_without_its_note_line_and_markers() -> None:
    marked = txt(plain=False).split("\n")
    assert marked[1] == NOTE
    assert txt(plain=True) == MARKER_RE.sub("", "\n".join([marked[0], *marked[2:]]))


def test_the_txt_puts_each_block_on_one_line_with_a_blank_line_between() -> None:
    lines = txt(plain=True).rstrip("\n").split("\n")
    draft = sample_draft()
    assert lines[0] == TITLE
    assert lines[-2:] == [ISSUER, SIGNED]
    blocks = lines[2:-3:2]  # the title, then a block on every other line
    assert all(line == "" for line in lines[1:-2:2])
    expected: list[str] = [INDENT + "".join(map(sentence_text, draft.opening.sentences))]
    for part in draft.parts:
        expected.append(part.title)
        for block in part.blocks:
            if isinstance(block, Heading):
                expected.append(block.text)
            else:
                expected.append(INDENT + "".join(map(sentence_text, block.sentences)))
    assert blocks == expected
    assert "一、主要举措和成效" in lines and "（一）健全决策机制，提升行政水平" in lines


def test_text_typed_over_several_lines_stays_on_its_paragraphs_line() -> None:
    text = txt(plain=False, note="请核对\n第三部分的数字\r\n")
    assert text.split("\n")[1] == "请核对 第三部分的数字"


def test_a_note_of_blanks_draws_no_note_line() -> None:
    draft, bare = sample_draft(note=" \n\u3000"), sample_draft(note="")
    for fmt in (DraftFormat.TXT, DraftFormat.MD, DraftFormat.HTML):
        assert render_draft(draft, fmt) == render_draft(bare, fmt)
    assert 'class="note"' not in str(render_draft(draft, DraftFormat.HTML))


def test_the_clean_txt_reads_back_as_a_report_of_five_parts(tmp_path: Path) -> None:
    path = tmp_path / "保和镇2022.txt"
    path.write_text(txt(plain=True), encoding="utf-8")
    found = outline(read_report(path).text)
    assert found.title == TITLE
    assert found.town is not None and found.town.value == "保和镇"
    assert found.year is not None and found.year.value == 2022
    assert [s.heading for s in found.sections] == [
        part.title.split("、", 1)[1] for part in sample_draft().parts
    ]
    assert len(found.sections[0].subparts) == 3
    assert found.item_count >= 10  # the 一是…二是… items of parts one to four


# --- md ----------------------------------------------------------------------------------


def md(*, plain: bool) -> str:
    text = render_draft(sample_draft(), DraftFormat.MD, plain=plain)
    assert isinstance(text, str)
    return text


def md_html(text: str) -> str:
    page: str = MarkdownIt("commonmark").render(text)
    return page


def test_markdown_characters_in_stored_text_print_as_typed() -> None:
    page = md_html(md(plain=False))
    assert f"<p><em>{_html_text(NOTE)}</em></p>" in page
    assert _html_text(ODD) in page
    assert "<script>" not in page and "<h1># 草稿" not in page
    assert page.count("<em>") == 1 and "<code>" not in page and "<a " not in page


def test_markdown_draws_title_parts_headings_and_a_bold_gap() -> None:
    text = md(plain=False)
    assert text.startswith(f"# {TITLE}\n")
    assert "\n## 一、主要举措和成效\n" in text
    assert "\n### （一）健全决策机制，提升行政水平\n" in text
    assert f"【**{GAP}**】" in text
    assert f"<strong>{GAP}</strong>" in md_html(text)
    assert "〔1.1a；1.2a〕" in text


def test_the_plain_markdown_leaves_out_the_note_and_the_markers() -> None:
    text = md(plain=True)
    assert "草稿" not in text and "〔" not in text
    assert f"【**{GAP}**】" in text


def test_a_paragraph_that_opens_like_a_list_is_still_a_paragraph() -> None:
    opening = Paragraph((Sentence("1. 全年开展活动。"), Sentence("- 另注。")))
    page = md_html(render_draft_md(replace(sample_draft(), opening=opening)))
    assert "<ol>" not in page and "<ul>" not in page
    assert "<p>1. 全年开展活动。- 另注。</p>" in page


# --- html --------------------------------------------------------------------------------


class _Spans(HTMLParser):
    """The text of each span.sentence, with its data-codes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.sentences: list[tuple[str, str | None]] = []
        self.gaps: list[str] = []
        self._depth = 0
        self._in_gap = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "span" and values.get("class") == "sentence":
            self.sentences.append(("", values.get("data-codes")))
            self._depth = 1
        elif tag == "span" and self._depth:
            self._depth += 1
            self._in_gap = values.get("class") == "gap"

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._depth:
            self._depth -= 1
            self._in_gap = False

    def handle_data(self, data: str) -> None:
        if self._depth:
            text, codes = self.sentences[-1]
            self.sentences[-1] = (text + data, codes)
        if self._in_gap:
            self.gaps.append(data)


def html(*, plain: bool) -> str:
    text = render_draft(sample_draft(), DraftFormat.HTML, plain=plain)
    assert isinstance(text, str)
    return text


def test_html_has_each_sentence_in_a_span_with_the_codes_it_cites() -> None:
    parser = _Spans()
    parser.feed(html(plain=False))
    sentences = sample_draft().sentences()
    assert parser.sentences == [
        (sentence_text(s), " ".join(s.codes) if s.codes else None) for s in sentences
    ]
    assert parser.gaps == [f"【{GAP}】"]


def test_html_shows_the_codes_as_a_marker_and_escapes_what_was_typed() -> None:
    page = html(plain=False)
    assert '<sup class="codes">〔1.1a；1.2a〕</sup>' in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;见聘用合同&gt;" in page
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert "size: A4" in page
    assert f"<h1>{ISSUER}<br>2022年法治政府建设年度报告</h1>" in page


def test_the_plain_html_has_no_codes_and_no_note_but_keeps_the_gap() -> None:
    page = html(plain=True)
    assert "data-codes" not in page and 'class="codes"' not in page and "〔" not in page
    assert "alert(1)" not in page
    assert f'<span class="gap">【{GAP}】</span>' in page


def test_html_is_in_english_when_the_language_is() -> None:
    set_language("en")
    assert '<html lang="en">' in html(plain=False)


def test_a_title_that_fits_one_line_is_not_broken() -> None:
    short = replace(sample_draft(), title="保和镇2022年法治政府建设年度报告")
    assert title_lines(short) == ["保和镇2022年法治政府建设年度报告"]
    assert title_lines(sample_draft()) == [ISSUER, "2022年法治政府建设年度报告"]


# --- docx --------------------------------------------------------------------------------


def _east_asia(paragraph: DocxParagraph) -> set[str | None]:
    """The East Asian fonts of the paragraph's runs of text (not its comment references)."""
    fonts = set()
    for run in paragraph.runs:
        if run.text:
            r_fonts = run._element.rPr.rFonts if run._element.rPr is not None else None
            fonts.add(r_fonts.get(qn("w:eastAsia")) if r_fonts is not None else None)
    return fonts


def _texts(doc: DocumentObject) -> list[str]:
    """The text of each paragraph, a line break inside it (the title's) read as none."""
    return [p.text.replace("\n", "") for p in doc.paragraphs if p.text]


def test_the_word_draft_is_a4_with_the_standards_fonts() -> None:
    doc = docx(plain=False)
    section = doc.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21, 29.7)
    by_text = {p.text.replace("\n", ""): p for p in doc.paragraphs if p.text}
    title = by_text[TITLE]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert _east_asia(title) == {"宋体"}
    assert title.runs[0].font.size is not None and title.runs[0].font.size.pt == 22
    assert _east_asia(by_text["一、主要举措和成效"]) == {"黑体"}
    assert _east_asia(by_text["（一）健全决策机制，提升行政水平"]) == {"楷体"}
    body = next(p for p in doc.paragraphs if p.text.startswith("一是优化领导小组"))
    assert _east_asia(body) == {"仿宋"}
    assert {run.font.size.pt for run in body.runs if run.font.size} == {16}
    assert body.paragraph_format.first_line_indent is not None
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters of 16 pt
    normal = doc.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.line_spacing.pt == 28
    assert doc.core_properties.title == TITLE
    assert title.text == f"{ISSUER}\n2022年法治政府建设年度报告"  # broken where a reader pauses
    for text in (ISSUER, SIGNED):
        assert by_text[text].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_each_sentence_is_one_run_and_a_gap_is_highlighted() -> None:
    doc = docx(plain=True)
    runs = [
        run.text
        for p in doc.paragraphs
        if p.paragraph_format.first_line_indent and p.text not in _headings()
        for run in p.runs
    ]
    assert runs == [sentence_text(s) for s in sample_draft().sentences()]
    gap = next(r for p in doc.paragraphs for r in p.runs if r.text == f"【{GAP}】")
    assert gap.font.highlight_color == WD_COLOR_INDEX.YELLOW


def _headings() -> set[str]:
    draft = sample_draft()
    return {part.title for part in draft.parts} | {
        block.text for part in draft.parts for block in part.blocks if isinstance(block, Heading)
    }


def test_the_word_draft_comments_each_cited_sentence_with_its_codes_and_figures() -> None:
    doc = docx(plain=False)
    comments = [comment.text for comment in doc.comments]
    expected = cited(sample_draft().sentences())
    assert len(comments) == len(expected)
    for comment, sentence in zip(comments, expected, strict=True):
        assert "；".join(sentence.codes) in comment
    assert "依据台账：1.1a；1.2a\n1.2a：events = 4" in comments
    assert (
        "依据台账：3.1a；3.2a\n全镇：villages = 23\n3.2a：indicator = 98.1\n3.2a：change = 0.3"
        in (comments)
    )
    # Each comment covers its own sentence: the range ends right after that sentence's run.
    body = next(p for p in doc.paragraphs if p.text.startswith("一是优化领导小组"))
    ends = body._p.findall(qn("w:commentRangeEnd"))
    assert len(ends) == 4
    assert ends[0].getprevious().findtext(qn("w:t")) == "一是优化领导小组。"


def test_the_clean_word_copy_has_no_comments_and_no_note() -> None:
    doc = docx(plain=True)
    assert len(list(doc.comments)) == 0
    assert not any("alert" in text for text in _texts(doc))


@pytest.mark.parametrize("plain", [False, True])
def test_the_word_paragraphs_read_as_the_txt_lines(plain: bool) -> None:
    lines = [MARKER_RE.sub("", line).removeprefix(INDENT) for line in txt(plain=plain).split("\n")]
    assert _texts(docx(plain=plain)) == [line for line in lines if line]


def test_render_draft_gives_bytes_for_binary_formats_and_text_for_the_others() -> None:
    for fmt in DraftFormat:
        out = render_draft(sample_draft(), fmt)
        assert isinstance(out, bytes if fmt in BINARY_DRAFT else str)
        as_typed = render_draft(sample_draft(), fmt.value)  # type: ignore[arg-type]
        assert type(as_typed) is type(out)  # "docx" as typed is the docx, not a fallback
    with pytest.raises(ValueError):
        render_draft(sample_draft(), "pdf")  # type: ignore[arg-type]


# --- python-docx only for docx -----------------------------------------------------------

RENDER_IN_FRESH = """
import json, sys
sys.path.insert(0, sys.argv[1])
from annual_helpers import sample_draft
from tracker.annual.render import DraftFormat, render_draft
loaded = {}
for fmt in sys.argv[2:]:
    render_draft(sample_draft(), DraftFormat(fmt))
    loaded[fmt] = "docx" in sys.modules
print(json.dumps(loaded))
"""


def test_a_text_draft_does_not_load_python_docx() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RENDER_IN_FRESH,
            str(Path(__file__).parent),
            "txt",
            "md",
            "html",
            "docx",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"txt": False, "md": False, "html": False, "docx": True}


# --- helpers -----------------------------------------------------------------------------


def _html_text(text: str) -> str:
    """`text` as markdown-it writes it into HTML (its <, >, & and " escaped)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
