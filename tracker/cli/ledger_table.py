"""The command line's ledger tables (`list`, `overdue`, an item's periods), drawn as
rich.table.Table draws them with a heavy head and no padding at the edges, in a fifth of
its time.

Rich lays out and wraps every cell of a table twice over (measured, then rendered), each
through several layers of renderables: 40 ms for a page of 50 rows, more than half of a
warm `list --overdue` on a town's ledger. A ledger page repeats itself (one title on each
of a commitment's periods, a few units, statuses, lights and dates), so here each distinct
cell is measured and laid out once, by Rich itself, and its lines reused. The column widths
are worked out by Rich's own rules (rich.table.Table._calculate_column_widths, which this
follows step by step), and the borders are Rich's box: the output is the same, segment for
segment (tests/test_ledger_table.py draws both at many widths)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, JustifyMethod, OverflowMethod, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

Cell = str | Text


@dataclass(frozen=True)
class Column:
    header: str
    justify: JustifyMethod = "left"
    overflow: OverflowMethod = "ellipsis"
    no_wrap: bool = False
    min_width: int | None = None


class LedgerTable:
    """A table of `columns` and rows of text cells, with an optional title over it."""

    def __init__(self, *columns: Column, title: str | None = None) -> None:
        self.columns = columns
        self.title = title
        self.rows: list[Sequence[Cell]] = []

    def add_row(self, *cells: Cell) -> None:
        self.rows.append(cells)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        layout = _Layout(self, console, options)
        widths = layout.column_widths(max(0, options.max_width - self._extra_width))
        table_width = sum(widths) + self._extra_width
        render_options = options.update(width=table_width, highlight=False, height=None)
        if self.title:
            title = console.render_str(self.title, style="table.title", highlight=False)
            yield from console.render(title, render_options.update(justify="left"))
        yield from layout.draw(render_options, widths)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        # As rich.table.Table measures itself: its columns at the widths it would draw.
        if options.max_width < 0:
            return Measurement(0, 0)
        layout = _Layout(self, console, options)
        widths = layout.column_widths(max(0, options.max_width - self._extra_width))
        ranges = [layout.measure(index, sum(widths)) for index in range(len(self.columns))]
        minimum = sum(found.minimum for found in ranges) + self._extra_width
        return Measurement(minimum, sum(found.maximum for found in ranges) + self._extra_width)

    @property
    def _extra_width(self) -> int:
        """The borders' width: an edge each side and a line between columns."""
        return len(self.columns) + 1


class _Layout:
    """One drawing of a table: each distinct cell's measure and lines, kept."""

    def __init__(self, table: LedgerTable, console: Console, options: ConsoleOptions) -> None:
        self.table = table
        self.console = console
        self.options = options
        self.header_style = console.get_style("bold")
        self.measures: dict[tuple[Any, ...], Measurement] = {}
        self.lines: dict[tuple[Any, ...], list[list[Segment]]] = {}
        self.blocks: dict[tuple[Any, ...], list[list[Segment]]] = {}

    def padding(self, index: int) -> tuple[int, int, int, int]:
        """A cell's padding: a space each side, none at the table's edges."""
        last = len(self.table.columns) - 1
        return (0, 0 if index == last else 1, 0, 0 if index == 0 else 1)

    def cells(self, index: int) -> Iterable[Cell]:
        yield self.table.columns[index].header
        for row in self.table.rows:
            yield row[index]

    def measure(self, index: int, max_width: int) -> Measurement:
        """The least and most width column `index` takes (Table._measure_column)."""
        if max_width < 1:
            return Measurement(0, 0)
        column = self.table.columns[index]
        padding = self.padding(index)
        options = self.options.update_width(max_width)
        least = most = 0
        for cell in self.cells(index):  # the header and every row: never none
            key = (_key(cell), index, max_width)
            found = self.measures.get(key)
            if found is None:
                found = Measurement.get(self.console, options, Padding(cell, padding))
                self.measures[key] = found
            least, most = max(least, found.minimum), max(most, found.maximum)
        measurement = Measurement(least, most).with_maximum(max_width)
        pad = padding[1] + padding[3]
        return measurement.clamp(None if column.min_width is None else column.min_width + pad)

    def column_widths(self, max_width: int) -> list[int]:
        """Each column's width with its padding (Table._calculate_column_widths, for a
        table that is not expanded and has no fixed widths)."""
        count = len(self.table.columns)
        widths = [self.measure(index, max_width).maximum or 1 for index in range(count)]
        if sum(widths) <= max_width:
            return widths
        wrapable = [not column.no_wrap for column in self.table.columns]
        widths = _collapse(widths, wrapable, max_width)
        if sum(widths) > max_width:
            widths = _reduce(sum(widths) - max_width, [1] * count, widths, widths)
        return [self.measure(index, width).maximum or 0 for index, width in enumerate(widths)]

    def cell_lines(
        self, cell: Cell, index: int, width: int, options: ConsoleOptions, header: bool
    ) -> list[list[Segment]]:
        """The lines of `cell` laid out in column `index`, `width` wide (by Rich, once)."""
        key = (_key(cell), index, width, header)
        lines = self.lines.get(key)
        if lines is None:
            column = self.table.columns[index]
            cell_options = options.update(
                width=width,
                justify=column.justify,
                no_wrap=column.no_wrap,
                overflow=column.overflow,
                height=None,
                highlight=False,
            )
            style = self.header_style if header else Style.null()
            padded = Padding(cell, self.padding(index))
            lines = self.lines[key] = self.console.render_lines(padded, cell_options, style=style)
        return lines

    def block(
        self,
        cell: Cell,
        index: int,
        width: int,
        options: ConsoleOptions,
        header: bool,
        lines: int,
    ) -> list[list[Segment]]:
        """`cell`'s lines in a row of `lines` lines (at least one): aligned to its top (a
        header to its bottom) and filled out to the column's width, made once."""
        key = (_key(cell), index, width, header, lines)
        shaped = self.blocks.get(key)
        if shaped is None:
            laid_out = self.cell_lines(cell, index, width, options, header)
            style = self.header_style if header else Style.null()
            align = Segment.align_bottom if header else Segment.align_top
            aligned = align(laid_out, width, lines, style)
            shaped = self.blocks[key] = Segment.set_shape(aligned, width, max(1, lines))
        return shaped

    def draw(self, options: ConsoleOptions, widths: list[int]) -> Iterable[Segment]:
        """The table's lines (Table._render, for a table of plain rows with a header)."""
        console = self.console
        border = console.get_style("none")
        edges = box.HEAVY_HEAD.substitute(options, safe=console.safe_box)
        new_line = Segment.line()
        yield Segment(edges.get_top(widths), border)
        yield new_line
        rows: list[tuple[bool, Sequence[Cell]]] = [
            (True, [column.header for column in self.table.columns])
        ]
        rows += [(False, row) for row in self.table.rows]
        for number, (header, row) in enumerate(rows):
            first, last = number == 0, number == len(rows) - 1
            cells = list(enumerate(zip(row, widths, strict=True)))
            # A column 0 wide has no lines; the row still has one (the borders).
            lines = max(
                len(self.cell_lines(cell, index, width, options, header))
                for index, (cell, width) in cells
            )
            blocks = [
                self.block(cell, index, width, options, header, lines)
                for index, (cell, width) in cells
            ]
            if first:
                left, right, divider = edges.head_left, edges.head_right, edges.head_vertical
            elif last:
                left, right, divider = edges.foot_left, edges.foot_right, edges.foot_vertical
            else:
                left, right, divider = edges.mid_left, edges.mid_right, edges.mid_vertical
            between = Segment(divider, border)
            for line in range(max(1, lines)):
                segments = [Segment(left, border)]
                for index, block in enumerate(blocks):
                    if index:
                        segments.append(between)
                    segments += block[line]
                segments.append(Segment(right, border))
                yield from _plain_runs_joined(segments)
                yield new_line
            if header:
                yield Segment(edges.get_row(widths, "head", edge=True), border)
                yield new_line
        yield Segment(edges.get_bottom(widths), border)
        yield new_line


def _plain_runs_joined(segments: list[Segment]) -> list[Segment]:
    """`segments` with each run of unstyled ones made one: the same text, written the same
    way, in a few segments a line instead of a dozen (every segment is escaped on its
    way out, StoredTextConsole)."""
    joined: list[Segment] = []
    run: list[str] = []
    for segment in segments:
        if segment.style or segment.control:
            if run:
                joined.append(Segment("".join(run)))
                run = []
            joined.append(segment)
        else:
            run.append(segment.text)
    if run:
        joined.append(Segment("".join(run)))
    return joined


def _key(cell: Cell) -> tuple[Any, ...]:
    """What a cell's layout depends on: its text, and a Text's styles."""
    if isinstance(cell, str):
        return (cell,)
    spans = tuple((span.start, span.end, str(span.style)) for span in cell.spans)
    return (cell.plain, str(cell.style), spans, cell.justify, cell.overflow, cell.no_wrap)


def _collapse(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """Narrow the widest wrapable columns, a step at a time, until the widths fit
    `max_width` or no wrapable column is wider than the rest (Table._collapse_widths)."""
    excess = sum(widths) - max_width
    if not any(wrapable):
        return widths
    while sum(widths) and excess > 0:
        widest = max(width for width, can in zip(widths, wrapable, strict=True) if can)
        next_widest = max(
            width if can and width != widest else 0
            for width, can in zip(widths, wrapable, strict=True)
        )
        step = widest - next_widest
        ratios = [int(width == widest and can) for width, can in zip(widths, wrapable, strict=True)]
        if not any(ratios) or not step:
            break
        widths = _reduce(excess, ratios, [min(excess, step)] * len(widths), widths)
        excess = sum(widths) - max_width
    return widths


def _reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """Take `total` off `values` in proportion to `ratios`, at most `maximums` each, with
    the rounding of rich's ratio_reduce."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums, strict=True)]
    ratio_total = sum(ratios)
    if not ratio_total:
        return values[:]
    remaining = total
    result = []
    for ratio, most, value in zip(ratios, maximums, values, strict=True):
        if ratio and ratio_total > 0:
            distributed = min(most, round(ratio * remaining / ratio_total))
            result.append(value - distributed)
            remaining -= distributed
            ratio_total -= ratio
        else:
            result.append(value)
    return result
