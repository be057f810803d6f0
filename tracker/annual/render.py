"""The annual draft drawn as text, Markdown, HTML or Word; renderers never query.

Each format shows the same words (tracker.annual.marks). A draft cites its ledger rows as a
trailing marker 〔1.1a；3.2-D〕 after each sentence (a Word comment in .docx); the clean copy
(`plain`) leaves the markers and the draft's note out and keeps the gaps in 【】, which the
officer has to fill before it is sent.
"""

from __future__ import annotations

import re
from enum import StrEnum

from tracker.annual.html import render_draft_html
from tracker.annual.marks import INDENT, marker, note_line, one_line, paragraph_text
from tracker.annual.model import AnnualDraft, Heading, Paragraph


class DraftFormat(StrEnum):
    """The formats a draft is written in."""

    TXT = "txt"
    MD = "md"
    HTML = "html"
    DOCX = "docx"


BINARY_DRAFT = frozenset({DraftFormat.DOCX})  # written as bytes; the others as UTF-8 text


def render_draft(draft: AnnualDraft, fmt: DraftFormat, *, plain: bool = False) -> str | bytes:
    """The draft in `fmt`: bytes for the formats of BINARY_DRAFT, text for the others."""
    fmt = DraftFormat(fmt)  # "docx" as typed compares `is` to no member; an unknown one raises
    if fmt is DraftFormat.DOCX:
        # Imported here: python-docx takes a while to load, and a text draft needs none of it.
        from tracker.annual.word import render_draft_docx

        return render_draft_docx(draft, plain)
    if fmt is DraftFormat.HTML:
        return render_draft_html(draft, plain=plain)
    if fmt is DraftFormat.MD:
        return render_draft_md(draft, plain=plain)
    return render_draft_txt(draft, plain=plain)


def render_draft_txt(draft: AnnualDraft, *, plain: bool = False) -> str:
    """The draft as plain text: one line a paragraph (indented with two ideographic spaces),
    a blank line between blocks, the issuer and the date last. The clean copy reads back
    with `tracker import` as any town's report does."""
    head = [one_line(draft.title)]
    if note := note_line(draft, plain=plain):
        head.append(note)
    blocks = ["\n".join(head), INDENT + paragraph_text(draft.opening, plain=plain)]
    for part in draft.parts:
        blocks.append(one_line(part.title))
        for block in part.blocks:
            if isinstance(block, Heading):
                blocks.append(one_line(block.text))
            else:
                blocks.append(INDENT + paragraph_text(block, plain=plain))
    blocks.append(f"{one_line(draft.issuer)}\n{one_line(draft.signed)}")
    return "\n\n".join(blocks) + "\n"


# Characters that start Markdown syntax anywhere in a line; a backslash makes each literal.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~#!])")
# …and at a line's start only: a list item (- + 1. 1)) or a heading's underline (=).
_MD_LINE_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")


def md_escape(text: str) -> str:
    """`text` on one line with every Markdown character escaped, so that an officer's
    `*`, `_`, `#`, `[`, `<`, `|` or backtick prints as typed."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def _md_line(text: str) -> str:
    """An escaped line made safe at its start too (where `-` or `1.` would open a list)."""
    found = _MD_LINE_START.match(text)
    if found is None:
        return text
    if found.group(1):
        return "\\" + text
    return f"{found.group(2)}\\{text[found.end(2) :]}"


def _md_paragraph(paragraph: Paragraph, *, plain: bool) -> str:
    pieces = []
    for sentence in paragraph.sentences:
        text = md_escape(sentence.text)
        # Bold inside the brackets: CommonMark does not open ** between 。 and 【.
        pieces.append(f"【**{text}**】" if sentence.gap else text)
        if not plain:
            pieces.append(md_escape(marker(sentence)))
    return _md_line("".join(pieces))


def render_draft_md(draft: AnnualDraft, *, plain: bool = False) -> str:
    """The draft as Markdown: `#` title, the note in italics, `##` parts, `###` headings."""
    lines = [f"# {md_escape(draft.title)}", ""]
    if note := note_line(draft, plain=plain):
        lines.extend([f"*{md_escape(note)}*", ""])
    lines.extend([_md_paragraph(draft.opening, plain=plain), ""])
    for part in draft.parts:
        lines.extend([f"## {md_escape(part.title)}", ""])
        for block in part.blocks:
            if isinstance(block, Heading):
                lines.extend([f"### {md_escape(block.text)}", ""])
            else:
                lines.extend([_md_paragraph(block, plain=plain), ""])
    # Two trailing spaces: the date on a line of its own under the issuer.
    lines.extend([_md_line(md_escape(draft.issuer)) + "  ", _md_line(md_escape(draft.signed))])
    return "\n".join(lines) + "\n"
