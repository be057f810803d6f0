"""Pieces of the overview and the overdue review: progress bars, lines of cells that fit the
width they are drawn at, and a list of such lines that opens the one chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import OptionList

from tracker.i18n import t

GAP = 1  # cells between two columns


@dataclass(frozen=True)
class Cell:
    """One column of a line: `width` cells (0: as wide as the text), or the flexible column
    that takes what the others leave; optional columns go first when the line is narrow."""

    text: Text | str
    width: int = 0
    flex: bool = False
    optional: bool = False
    right: bool = False

    def natural(self) -> int:
        return self.width or cell_len(str(self.text))


@dataclass(frozen=True)
class FittedLine:
    """A single line of cells fitted to the width it is drawn at, so that the same lines stay
    aligned in a narrow and a wide terminal (CJK characters count two cells)."""

    cells: Sequence[Cell]
    min_flex: int = 12

    def fit(self, width: int) -> Text:
        """The line as exactly `width` cells."""
        cells = list(self.cells)

        def fixed(chosen: list[Cell]) -> int:
            gaps = GAP * max(len(chosen) - 1, 0)
            return sum(c.natural() for c in chosen if not c.flex) + gaps

        # Drop optional columns from the right until the flexible one has room to be read.
        while fixed(cells) + self.min_flex > width and any(c.optional for c in cells):
            last = max(i for i, c in enumerate(cells) if c.optional)
            del cells[last]
        rest = max(width - fixed(cells), 0)
        line = Text(no_wrap=True, overflow="ellipsis")
        for index, cell in enumerate(cells):
            if index:
                line.append(" " * GAP)
            size = rest if cell.flex else cell.natural()
            line.append_text(_pad(cell.text, size, right=cell.right))
        line.truncate(width, overflow="ellipsis", pad=True)
        return line

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.fit(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        natural = sum(c.natural() for c in self.cells) + GAP * max(len(self.cells) - 1, 0)
        return Measurement(min(natural, options.max_width), options.max_width)


def _pad(text: Text | str, width: int, *, right: bool = False) -> Text:
    """`text` cut with an ellipsis or padded to exactly `width` cells."""
    cell = text.copy() if isinstance(text, Text) else Text(text)
    cell.no_wrap = True
    if right and cell.cell_len < width:
        cell.pad_left(width - cell.cell_len)
    cell.truncate(width, overflow="ellipsis", pad=True)
    return cell


@dataclass(frozen=True)
class BarRow:
    """One bar: what it measures, how much is done of how much."""

    label: str
    done: int
    total: int
    detail: str = ""  # figures beside the count, e.g. the periods behind commitments


class ProgressBars(Widget):
    """Labelled progress bars, one a line, with labels, bars and counts in aligned columns."""

    DEFAULT_CSS = """
    ProgressBars { height: auto; }
    ProgressBars > .progress-bars--done { color: $success; }
    ProgressBars > .progress-bars--rest { color: $foreground 15%; }
    ProgressBars > .progress-bars--count { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "progress-bars--done",
        "progress-bars--rest",
        "progress-bars--count",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[BarRow] = []

    def show(self, rows: list[BarRow]) -> None:
        """Draw these bars instead of the ones shown."""
        self.rows = rows
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows)

    def render(self) -> Text:
        width = self.content_region.width or self.size.width
        if not self.rows:
            return Text()
        counts = [f"{row.done}/{row.total}" for row in self.rows]
        count_width = max(cell_len(c) for c in counts)
        percent_width = 4  # "100%"
        detail_width = max(cell_len(row.detail) for row in self.rows)
        detail_space = detail_width + GAP if detail_width else 0
        label_width = min(max(cell_len(row.label) for row in self.rows), max(width * 2 // 5, 12))
        bar_width = max(
            width - label_width - count_width - percent_width - 3 * GAP - detail_space, 4
        )
        done_style = self._style("progress-bars--done")
        rest_style = self._style("progress-bars--rest")
        count_style = self._style("progress-bars--count")
        lines = Text(end="")
        for index, (row, count) in enumerate(zip(self.rows, counts, strict=True)):
            if index:
                lines.append("\n")
            share = row.done / row.total if row.total else 0.0
            filled = round(bar_width * share)
            lines.append_text(_pad(row.label, label_width))
            lines.append(" " * GAP)
            lines.append("━" * filled, style=done_style)
            lines.append("━" * (bar_width - filled), style=rest_style)
            lines.append(" " * GAP)
            lines.append(count.rjust(count_width), style=count_style)
            lines.append(" " * GAP)
            lines.append(f"{round(share * 100)}%".rjust(percent_width), style=count_style)
            if detail_width:
                lines.append(" " * GAP)
                lines.append(_pad(Text(row.detail, style=count_style), detail_width))
        return lines

    def _style(self, component: str) -> Style:
        return self.get_visual_style(component).rich_style


class LineList(OptionList):
    """Lines of an overview: arrows move between the ones that open, Enter or a click opens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", t("key.open"), id="open"),
    ]
