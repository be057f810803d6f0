"""What every format of the annual draft writes alike: a sentence's text on one line (a gap
in 【】), its trailing marker of codes, and a figure as a comment states it.

The formats differ only in how they draw these, so a txt line, a Markdown paragraph, an HTML
paragraph and a Word paragraph of the same draft read the same words.
"""

from __future__ import annotations

from collections.abc import Iterator

from tracker.annual.model import AnnualDraft, Figure, Paragraph, Sentence
from tracker.i18n import get_language, t

GAP_OPEN, GAP_CLOSE = "【", "】"
MARK_OPEN, MARK_CLOSE = "〔", "〕"
CODE_SEPARATOR = "；"
INDENT = "\u3000\u3000"  # two ideographic spaces: a paragraph's first line, as typed in a 公文


def one_line(text: str) -> str:
    """`text` with its line breaks made single spaces: a paragraph is one line in every
    format, even where an officer's note was typed over several."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


# Characters of the 22 pt title across the 156 mm text width of a 公文 page.
TITLE_CHARS = 20


def title_lines(draft: AnnualDraft) -> list[str]:
    """The title as a page sets it: a title too long for one line breaks after the issuer
    (资阳市雁江区保和镇人民政府 / 2022年法治政府建设年度报告), where a reader pauses, rather
    than wherever the line runs out (…法治政 / 府建设…)."""
    title, issuer = one_line(draft.title), one_line(draft.issuer)
    if len(title) > TITLE_CHARS and issuer and title.startswith(issuer) and title != issuer:
        return [issuer, title.removeprefix(issuer)]
    return [title]


def note_line(draft: AnnualDraft, *, plain: bool) -> str:
    """The line under a draft's title (empty for the clean copy, or a note of blanks)."""
    return "" if plain else one_line(draft.note)


def sentence_text(sentence: Sentence) -> str:
    """The sentence as drawn: a gap in 【】 (in the clean copy too: the officer must fill it)."""
    text = one_line(sentence.text)
    return f"{GAP_OPEN}{text}{GAP_CLOSE}" if sentence.gap else text


def codes_text(sentence: Sentence) -> str:
    """The cited codes joined: 1.1a；3.2-D (empty when it cites none)."""
    return CODE_SEPARATOR.join(sentence.codes)


def marker(sentence: Sentence) -> str:
    """〔1.1a；3.2-D〕 after a sentence that cites codes; empty for one that cites none."""
    return f"{MARK_OPEN}{codes_text(sentence)}{MARK_CLOSE}" if sentence.codes else ""


def separated(paragraph: Paragraph) -> Iterator[tuple[str, Sentence]]:
    """Each sentence of the paragraph and what goes before it: nothing in Chinese, whose
    sentences run on after their 。; a space in English."""
    join = "" if get_language() == "zh" else " "
    for number, sentence in enumerate(paragraph.sentences):
        yield (join if number else ""), sentence


def paragraph_text(paragraph: Paragraph, *, plain: bool) -> str:
    """The paragraph's sentences run on, each with its marker unless `plain`."""
    return "".join(
        before + sentence_text(s) + ("" if plain else marker(s))
        for before, s in separated(paragraph)
    )


def number_text(value: float) -> str:
    """2 for 2.0, 98.1 for 98.1: a query's value as a person reads it."""
    number = float(value)  # a composer may hand over an int, which has no is_integer() before 3.12
    return str(int(number)) if number.is_integer() else format(number, ".10g")


def figure_line(figure: Figure) -> str:
    """5.5a：events = 2 — the commitment a number was counted on, its query and its value."""
    where = figure.code or t("annual.comment.town")
    return f"{where}：{figure.query.value} = {number_text(figure.value)}"


def comment_text(sentence: Sentence) -> str:
    """A Word comment on a sentence: the codes it cites, then one line per figure."""
    lines = [t("annual.comment.codes", codes=codes_text(sentence))]
    lines.extend(figure_line(figure) for figure in sentence.figures)
    return "\n".join(lines)
