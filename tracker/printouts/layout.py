"""A printout laid out once, as format-neutral blocks that every renderer only draws.

`pages.lay_out` decides what a printout says: its title, heading lines, numbered parts,
paragraphs and tables of typed cells, the seal and the signature block. The six renderers
(txt, md, html, xlsx, docx, pdf) decide only how a block looks on their medium: a part is a
numbered heading in Word, HTML, text and PDF and a sheet of its own in Excel; a page is a
new sheet of paper (a form feed in text, a new sheet in Excel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from tracker.schedule import Light

# What a cell holds for a spreadsheet: a number stays a number, a date a date.
Value = str | int | float | date | None


class Align(StrEnum):
    LEFT = "left"
    CENTRE = "centre"
    RIGHT = "right"


@dataclass(frozen=True)
class Cell:
    """One table cell: the text as it reads on paper, the typed value behind it (for Excel),
    and its own light where a row's cells differ (a village grid)."""

    text: str
    value: Value = None  # None: the cell is its text
    light: Light | None = None
    number_format: str | None = None  # Excel's, e.g. "0%" for a rate stored as 0.5

    @property
    def typed(self) -> Value:
        """What a spreadsheet stores: the value if there is one, else the text."""
        return self.text if self.value is None else self.value


@dataclass(frozen=True)
class Row:
    cells: list[Cell]
    light: Light | None = None  # red and yellow rows are filled, as on a paper 台账


@dataclass(frozen=True)
class Table:
    """A table with one header row. `kind` names it (a CSS class in HTML, a test's handle)."""

    kind: str
    headers: list[str]
    rows: list[Row]
    # The page's main table: Excel freezes its header and puts a filter on it.
    main: bool = False

    def texts(self) -> list[list[str]]:
        """Every row's cells as text (header not included)."""
        return [[cell.text for cell in row.cells] for row in self.rows]


@dataclass(frozen=True)
class Title:
    """The printout's title, centred at the top of a page."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    align: Align = Align.LEFT
    bold: bool = False
    indent: bool = False  # a first-line indent of two characters, as a paper's body text
    small: bool = False  # the heading line under a title


@dataclass(frozen=True)
class Part:
    """A numbered part (一、各部分进展情况): a heading, or a sheet named `sheet` in Excel."""

    number: int
    title: str  # already numbered: 一、各部分进展情况
    sheet: str  # a short name for the Excel sheet: 进度


@dataclass(frozen=True)
class Signature:
    """How a paper ends: the seal and date on the right, then who made it (制表人…)."""

    seal: list[str]
    maker: str | None


Block = Title | Paragraph | Part | Table | Signature


@dataclass(frozen=True)
class Page:
    """What starts on a new sheet of paper. `head` (title, heading lines) opens the page and,
    in Excel, every sheet the page's parts become; `name` names the sheet of a page that has
    no parts (台账, or the unit a notice is sent to)."""

    name: str
    head: list[Block]
    body: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    title: str  # for a file's <title> or a document's properties
    landscape: bool  # the 台账's eight columns are printed across the page
    pages: list[Page]

    def tables(self) -> list[Table]:
        """Every table of every page, in order."""
        return [
            block
            for page in self.pages
            for block in (*page.head, *page.body)
            if isinstance(block, Table)
        ]


def text_cell(text: str, light: Light | None = None) -> Cell:
    return Cell(text=text, light=light)


def number_cell(number: int | float, text: str | None = None) -> Cell:
    return Cell(text=str(number) if text is None else text, value=number)
