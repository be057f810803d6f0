"""The report's text from its title to its end (the portal's page around it hidden), wrapped
to the width, with every tracked excerpt highlighted.

The text is wrapped here rather than by Rich, so the line on which each excerpt lands is known
exactly and the view can scroll to it. Chinese has no spaces to break at: lines are folded by
cell width (a CJK character is two cells), without starting a line on closing punctuation or
cutting a number in two. Enumerated items that no commitment covers get a ✗ in front.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from rich.cells import get_character_cell_size
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracker.i18n import t
from tracker.labels import LIGHT_STYLE
from tracker.schedule import Light
from tracker.services.report_view import Highlight, ReportView

UNCOVERED_MARK = "✗ "
# Kinsoku: these do not start a line (they move down with the character before them) …
_NO_LINE_START = set("，。、；：？！）》」』】〕”’…—,.;:?!)]}%")
# … and these do not end one.
_NO_LINE_END = set("（《「『【〔“‘([{")
# A run of Latin letters or digits shorter than this moves to the next line whole.
_WORD = 16


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "._-%")


def wrap_paragraph(text: str, width: int) -> list[tuple[int, int]]:
    """Offsets [start, end) of the lines `text` (one paragraph, no newline) folds into.

    Every character lands on exactly one line, in order, so a character offset always
    maps to one line.
    """
    if not text:
        return [(0, 0)]
    width = max(width, 2)
    lines: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        cells, end = 0, start
        while end < len(text):
            size = get_character_cell_size(text[end])
            if cells + size > width and end > start:
                break
            cells += size
            end += 1
        if end < len(text):
            end = _better_break(text, start, end)
        lines.append((start, end))
        start = end
    return lines


def _better_break(text: str, start: int, end: int) -> int:
    """Move a break at `end` back so punctuation and short words stay with their neighbours."""
    if _is_word_char(text[end]) and _is_word_char(text[end - 1]):
        word = end
        while word > start and _is_word_char(text[word - 1]):
            word -= 1
        if word > start and end - word < _WORD:
            return word
    if text[end] in _NO_LINE_START and end - start > 2:
        end -= 1
    if text[end - 1] in _NO_LINE_END and end - start > 2:
        end -= 1
    return end


@dataclass(frozen=True)
class _Span:
    start: int  # offsets in the displayed text (markers included)
    end: int
    kind: str  # "heading", "uncovered", "mark", "excerpt"
    light: Light = Light.NONE


class ReportText(ScrollView, can_focus=True):
    """The report as it reads, with a cursor on one excerpt at a time (`n`/`N` to move)."""

    BINDINGS = [
        Binding(
            "n",
            "move(1)",
            t("tui.report.next"),
            tooltip=t("tui.report.next_help"),
            id="next_excerpt",
        ),
        Binding(
            "N",
            "move(-1)",
            t("tui.report.previous"),
            tooltip=t("tui.report.previous_help"),
            id="previous_excerpt",
        ),
        Binding("right_square_bracket", "move(1)", show=False),
        Binding("left_square_bracket", "move(-1)", show=False),
        Binding("enter", "open", t("key.open"), id="open"),
    ]

    DEFAULT_CSS = """
    ReportText { height: 1fr; padding: 0 1; overflow-y: scroll; }
    ReportText > .report-text--heading { text-style: bold; color: $text-primary; }
    ReportText > .report-text--excerpt { text-style: underline; }
    ReportText > .report-text--cursor { background: $accent 40%; text-style: bold underline; }
    ReportText > .report-text--uncovered { color: $text-warning; text-style: italic; }
    ReportText > .report-text--mark { color: $text-error; text-style: bold; }
    """
    COMPONENT_CLASSES = {
        "report-text--heading",
        "report-text--excerpt",
        "report-text--cursor",
        "report-text--uncovered",
        "report-text--mark",
    }

    class Selected(Message):
        """The cursor is on another excerpt (the screen says which one)."""

        def __init__(self, index: int, highlight: Highlight) -> None:
            super().__init__()
            self.index = index
            self.highlight = highlight

    class Opened(Message):
        """Enter (or a click on the current excerpt): open its commitment."""

        def __init__(self, highlight: Highlight) -> None:
            super().__init__()
            self.highlight = highlight

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: ReportView | None = None
        self._text = ""
        self._spans: list[_Span] = []
        self._excerpts: list[tuple[int, int]] = []  # display offsets, one per highlight
        self._lines: list[tuple[int, int]] = []
        self._line_starts: list[int] = []
        self._wrapped_at = 0
        self.cursor: int | None = None
        self._reveal_pending = False

    # --- data -------------------------------------------------------------------------

    def show(self, view: ReportView) -> None:
        """Show `view`'s text, keeping the cursor on the same excerpt when it is still there."""
        old = self.current
        self.view = view
        self._layout_text(view)
        self._wrapped_at = 0
        self._wrap()
        if old is not None:
            same = [i for i, h in enumerate(view.highlights) if h.code == old.code]
            self.cursor = same[0] if same else None
        if self.cursor is not None and self.cursor >= len(view.highlights):
            self.cursor = None
        self.refresh()

    @property
    def current(self) -> Highlight | None:
        """The excerpt under the cursor."""
        if self.view is None or self.cursor is None:
            return None
        return self.view.highlights[self.cursor]

    def select(self, index: int, *, center: bool = False) -> None:
        """Put the cursor on excerpt `index` and scroll it into view."""
        if self.view is None or not 0 <= index < len(self.view.highlights):
            return
        self.cursor = index
        self.refresh()
        self._reveal(center=center)
        # Once more after the next refresh: a text shown in this same moment (a jump asked
        # for while the report was loading) has its height given to the scrollbars only
        # then, and a scroll before that can stop at the empty text's top.
        self.call_after_refresh(self._reveal, center=center)
        self.post_message(self.Selected(index, self.view.highlights[index]))

    def line_of(self, index: int) -> int:
        """The line (after wrapping) on which excerpt `index` starts."""
        return self._line_at(self._excerpts[index][0])

    def excerpt(self, index: int) -> str:
        """The text of excerpt `index` as it is shown."""
        start, end = self._excerpts[index]
        return self._text[start:end]

    def lines(self) -> list[str]:
        """The wrapped lines as shown (for tests and for copying)."""
        return [self._text[start:end] for start, end in self._lines]

    def _layout_text(self, view: ReportView) -> None:
        """The displayed text (the shown pieces of the source text, plus ✗ markers) and the
        spans to style in it. Source offsets become display offsets by what is hidden
        before them (the portal's page) and the markers inserted before them."""
        marks = sorted(u.item.start for u in view.uncovered)
        shown = list(view.shown) or [(0, len(view.text))]
        starts = [a for a, _ in shown]
        kept_before = [0]
        for a, b in shown:
            kept_before.append(kept_before[-1] + b - a)

        def kept(offset: int) -> int:
            index = bisect_right(starts, offset) - 1
            if index < 0:
                return 0
            a, b = shown[index]
            return kept_before[index] + min(offset, b) - a

        def at_start(offset: int) -> int:
            return kept(offset) + len(UNCOVERED_MARK) * bisect_right(marks, offset)

        def at_end(offset: int) -> int:
            return kept(offset) + len(UNCOVERED_MARK) * bisect_left(marks, offset)

        pieces: list[str] = []
        for a, b in shown:
            previous = a
            for mark in marks[bisect_left(marks, a) : bisect_left(marks, b)]:
                pieces += [view.text[previous:mark], UNCOVERED_MARK]
                previous = mark
            pieces.append(view.text[previous:b])
        self._text = "".join(pieces)

        spans: list[_Span] = []
        headings = [s.start for s in view.sections]
        title = view.text.find(view.title) if view.title else -1
        if title >= 0:
            headings.insert(0, title)
        for start in headings:
            end = view.text.find("\n", start)
            spans.append(
                _Span(at_start(start), at_end(end if end >= 0 else len(view.text)), "heading")
            )
        for uncovered in view.uncovered:
            item = uncovered.item
            mark = at_start(item.start)
            spans.append(_Span(mark - len(UNCOVERED_MARK), mark, "mark"))
            spans.append(_Span(mark, at_end(item.end), "uncovered"))
        self._excerpts = [(at_start(h.start), at_end(h.end)) for h in view.highlights]
        spans += [
            _Span(start, end, "excerpt", h.light)
            for (start, end), h in zip(self._excerpts, view.highlights, strict=True)
        ]
        self._spans = spans

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._wrapped_at:
            return
        self._wrapped_at = width
        lines: list[tuple[int, int]] = []
        offset = 0
        for paragraph in self._text.split("\n"):
            lines += [(offset + a, offset + b) for a, b in wrap_paragraph(paragraph, width)]
            offset += len(paragraph) + 1
        self._lines = lines
        self._line_starts = [start for start, _ in lines]
        self.virtual_size = Size(width, len(lines))

    def _line_at(self, offset: int) -> int:
        return max(bisect_right(self._line_starts, offset) - 1, 0)

    def _reveal(self, *, center: bool) -> None:
        if self.cursor is None:
            return
        if not self._lines or self._wrapped_at != self.scrollable_content_region.width:
            self._reveal_pending = True  # not laid out yet: scroll once it is
            return
        start, end = self._excerpts[self.cursor]
        top, bottom = self._line_at(start), self._line_at(max(end - 1, start))
        region = Region(0, top, 1, bottom - top + 1)
        self.scroll_to_region(region, animate=False, center=center, force=True)

    def on_resize(self, _event: events.Resize) -> None:
        # Rewrapping moves every line: keep the reader's place (the cursor, else the top line).
        top = round(self.scroll_offset.y)
        first = self._lines[top][0] if self._wrapped_at and top < len(self._lines) else None
        was = self._wrapped_at
        self._wrap()
        if self._reveal_pending:
            self._reveal_pending = False
            self.call_after_refresh(self._reveal, center=True)
        elif was and was != self._wrapped_at:
            if self.cursor is not None:
                self.call_after_refresh(self._reveal, center=False)
            elif first is not None:
                self.scroll_to(y=self._line_at(first), animate=False, force=True)
        self.refresh()

    # --- drawing ----------------------------------------------------------------------

    def _style(self, span: _Span) -> Style:
        if span.kind != "excerpt":
            return self.get_component_rich_style(f"report-text--{span.kind}", partial=True)
        style = self.get_component_rich_style("report-text--excerpt", partial=True)
        if span.light is not Light.NONE:
            style += Style.parse(LIGHT_STYLE[span.light])
        return style

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        start, end = self._lines[index]
        text = Text(self._text[start:end], no_wrap=True, end="")
        for span in self._spans:
            if span.start < end and span.end > start:
                text.stylize(self._style(span), span.start - start, span.end - start)
        if self.cursor is not None:
            c_start, c_end = self._excerpts[self.cursor]
            if c_start < end and c_end > start:
                cursor = self.get_component_rich_style("report-text--cursor", partial=True)
                text.stylize(cursor, c_start - start, c_end - start)
        strip = Strip(list(text.render(self.app.console))).adjust_cell_length(width)
        return strip.apply_style(self.rich_style)

    # --- keys and mouse ---------------------------------------------------------------

    def action_move(self, step: int) -> None:
        """Next (`step` 1) or previous (-1) excerpt; with no cursor yet, start from the view."""
        if self.view is None or not self.view.highlights:
            return
        count = len(self.view.highlights)
        if self.cursor is not None:
            self.select(min(max(self.cursor + step, 0), count - 1))
            return
        top = round(self.scroll_offset.y)
        in_view = next((i for i in range(count) if self.line_of(i) >= top), count - 1)
        self.select(in_view if step > 0 else max(in_view - 1, 0))

    def action_open(self) -> None:
        if (highlight := self.current) is not None:
            self.post_message(self.Opened(highlight))

    def on_click(self, event: events.Click) -> None:
        where = event.get_content_offset(self)
        if where is None:
            return
        offset = self._offset_at(where.x, round(self.scroll_offset.y) + where.y)
        if offset is None:
            return
        hits = [i for i, (a, b) in enumerate(self._excerpts) if a <= offset < b]
        if not hits:
            return
        if self.cursor in hits:
            self.action_open()
        else:
            self.select(hits[0])

    def _offset_at(self, x: int, line: int) -> int | None:
        """The displayed character under cell `x` of `line`."""
        if not 0 <= line < len(self._lines):
            return None
        start, end = self._lines[line]
        cells = 0
        for offset in range(start, end):
            cells += get_character_cell_size(self._text[offset])
            if cells > x:
                return offset
        return None
