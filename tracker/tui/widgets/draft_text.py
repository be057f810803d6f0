"""The annual draft as it will read, in one widget: the title, the draft's note, the opening,
the five parts with their sub-part headings and paragraphs, the issuer and the date.

The words are the renderers' own (tracker.annual.marks): a gap in 【】, drawn in the warning
colour so that the officer sees what is left to write; each sentence's 〔codes〕 dim after it,
or none in the clean copy, which has no note either. A draft is a few hundred sentences at
most, so it is drawn whole as Rich text (no Markdown: an officer's `*` or `#` stays as typed)
and scrolled by its container.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from tracker.annual.marks import (
    INDENT,
    marker,
    note_line,
    one_line,
    sentence_text,
    separated,
)
from tracker.annual.model import AnnualDraft, Heading, Paragraph

StyleOf = Callable[[str], Style]

# Chinese is set to break between any two characters, except that a line never starts with
# closing punctuation (避头) nor ends with opening punctuation (避尾); Rich breaks at spaces
# only, which puts a sentence's start after a date (2022-12-31 的情况…) on a line of its own.
_NO_LINE_START = frozenset("，。、；：？！）】〕」』”’》…%,.;:?!)]")
_NO_LINE_END = frozenset("（【〔「『“‘《([")


def _in_word(before: str, after: str) -> bool:
    """Whether a break between `before` and `after` would split a number or a code
    (2021, 98.1, 3.2-N1), which stays whole where it fits on a line."""

    def part(char: str) -> bool:
        return char.isascii() and (char.isalnum() or char in ".-/")

    return part(before) and part(after)


def _break_before(text: str, start: int, full: int) -> int:
    """Where the line that began at `start` breaks, the character at `full` no longer
    fitting: there, or a little earlier to keep to the rules above."""
    at = full
    while at > start + 1 and (
        text[at] in _NO_LINE_START
        or text[at - 1] in _NO_LINE_END
        or _in_word(text[at - 1], text[at])
    ):
        at -= 1
    at = at if at > start + 1 else full  # a line of nothing else: break where it is full
    # English breaks at its spaces: the space ends the line rather than starting the next.
    return at + 1 if text[at] == " " else at


def break_offsets(text: str, width: int) -> list[int]:
    """The offsets at which `text` is broken into lines of at most `width` cells."""
    breaks: list[int] = []
    start = cells = 0
    for index, char in enumerate(text):
        cells += cell_len(char)
        if cells > width and index > start:
            start = _break_before(text, start, index)
            breaks.append(start)
            cells = cell_len(text[start : index + 1])
    return breaks


class Folded:
    """Blocks of text folded to the width given as Chinese is set (a Rich renderable)."""

    def __init__(self, blocks: list[Text]) -> None:
        self.blocks = blocks

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = max(options.max_width, 2)
        for block in self.blocks:
            for line in block.divide(break_offsets(block.plain, width)):
                line.justify = block.justify
                line.no_wrap = True  # folded already: Rich's own wrapping would undo it
                yield line


def draft_blocks(draft: AnnualDraft, *, plain: bool, style: StyleOf) -> list[Text]:
    """The draft's lines and paragraphs, a blank between blocks; `style` gives the style of a
    component ("title", "note", "part", "heading", "marker", "gap")."""
    # One line, as the text file has it: a terminal is wider than a page's 20 characters of
    # title (the Word and HTML files break it after the issuer), and wraps it if not.
    blocks = [Text(one_line(draft.title), style=style("title"), justify="center")]
    if note := note_line(draft, plain=plain):
        blocks.append(Text(note, style=style("note")))
    blocks.append(Text())
    blocks.append(paragraph_text(draft.opening, plain=plain, style=style))
    for part in draft.parts:
        blocks.extend([Text(), Text(one_line(part.title), style=style("part"))])
        for block in part.blocks:
            if isinstance(block, Heading):
                blocks.append(Text(one_line(block.text), style=style("heading")))
            else:
                blocks.append(paragraph_text(block, plain=plain, style=style))
    blocks.extend(
        [
            Text(),
            Text(one_line(draft.issuer), justify="right"),
            Text(one_line(draft.signed), justify="right"),
        ]
    )
    return blocks


def paragraph_text(paragraph: Paragraph, *, plain: bool, style: StyleOf) -> Text:
    """One paragraph, indented as a 公文's: its sentences run on, each gap in the gap's
    style, each sentence's marker after it (not in the clean copy)."""
    text = Text(INDENT)
    for before, sentence in separated(paragraph):
        text.append(before)
        text.append(sentence_text(sentence), style=style("gap") if sentence.gap else "")
        if not plain and (mark := marker(sentence)):
            text.append(mark, style=style("marker"))
    return text


class DraftText(Widget):
    """The draft as it will be written (`plain`: the clean copy), as tall as it needs."""

    DEFAULT_CSS = """
    DraftText { height: auto; padding: 1 2; }
    DraftText > .draft-text--title { text-style: bold; }
    DraftText > .draft-text--note { color: $text-muted; text-style: italic; }
    DraftText > .draft-text--part { text-style: bold; color: $text-primary; }
    DraftText > .draft-text--heading { text-style: bold; }
    DraftText > .draft-text--marker { color: $text-muted; }
    DraftText > .draft-text--gap { color: $text-warning; text-style: bold; }
    """
    COMPONENT_CLASSES = {
        "draft-text--title",
        "draft-text--note",
        "draft-text--part",
        "draft-text--heading",
        "draft-text--marker",
        "draft-text--gap",
    }

    def __init__(self, draft: AnnualDraft, *, plain: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draft = draft
        self.plain = plain

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(f"draft-text--{component}")

    def blocks(self) -> list[Text]:
        """The draft as drawn, in the theme's colours of the moment."""
        return draft_blocks(self.draft, plain=self.plain, style=self._style)

    def render(self) -> RenderableType:
        # Built at each render (a theme's colours are read then); the widget's strips are
        # cached until it is refreshed or resized, so scrolling does not rebuild it.
        return Folded(self.blocks())

    @property
    def text(self) -> str:
        """The draft's words as shown, one line a block (for tests and copying)."""
        return "\n".join(block.plain for block in self.blocks())
