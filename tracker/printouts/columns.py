"""Column widths for printed tables (Word and PDF): as wide as the text needs, within the page.

Widths are counted in display cells (a Chinese character is two, as in a terminal). Short
columns (numbers, dates, units) get what they need; long ones (titles, notes) share what is
left of the page in proportion, so they wrap instead of the short ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len

# A column never asks for more than this many display cells: long notes wrap.
MAX_CELLS = 40
# A table needing less than this share of the page keeps its natural widths.
NARROW = 0.6
# Columns up to this many cells are never squeezed to wrap.
SHORT_CELLS = 14


def needed_cells(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's longest text in display cells (the longest line of a multi-line text),
    at least two and at most MAX_CELLS."""
    return [
        min(
            max(
                _widest_line(label),
                *(_widest_line(row[i]) for row in rows if i < len(row)),
                2,
            ),
            MAX_CELLS,
        )
        for i, label in enumerate(header)
    ]


def _widest_line(text: str) -> int:
    return max(cell_len(line) for line in text.split("\n"))


def fit_columns(cells: Sequence[int], usable: float, cell: float, padding: float) -> list[float]:
    """Widths (in the unit of `usable`) filling `usable` exactly, for columns needing `cells`
    display cells of width `cell` plus `padding` each; a narrow table keeps what it needs."""
    need = [n * cell + padding for n in cells]
    if sum(need) <= usable * NARROW:  # a small table (two columns of counts) stays small
        return need
    short = [n <= SHORT_CELLS for n in cells]
    short_need = sum(w for w, is_short in zip(need, short, strict=True) if is_short)
    long_need = sum(need) - short_need
    left = usable - short_need
    if sum(need) <= usable or left < long_need / 3:  # it fits, or squeezing would not help
        return [usable * w / sum(need) for w in need]
    return [
        w if is_short else left * w / long_need for w, is_short in zip(need, short, strict=True)
    ]
