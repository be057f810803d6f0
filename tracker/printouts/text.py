"""Printouts as plain text, columns aligned for Chinese in a terminal or on `lp`."""

from __future__ import annotations

from rich.cells import cell_len

from tracker.printouts.layout import (
    Align,
    Block,
    Document,
    Paragraph,
    Part,
    Signature,
    Table,
    Title,
)

# Columns of a text table are separated by this much space.
GAP = "  "
# Titles are centred on the widest table, within what a landscape page holds.
MIN_WIDTH, MAX_WIDTH = 60, 100


def one_line(text: str) -> str:
    """Cells stay on one line: a newline inside a note would break the columns."""
    return " ".join(text.split())


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` terminal cells (a Chinese character is two)."""
    return text + " " * max(0, width - cell_len(text))


def text_table(table: Table) -> list[str]:
    """A table's lines with every column starting at the same display column."""
    cells = [[one_line(c) for c in table.headers]] + [
        [one_line(c) for c in row] for row in table.texts()
    ]
    widths = [max(cell_len(row[i]) for row in cells) for i in range(len(table.headers))]
    lines = [
        GAP.join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    rule = GAP.join("-" * w for w in widths)
    return [lines[0], rule, *lines[1:]]


def _placed(text: str, align: Align, width: int) -> str:
    text = one_line(text)
    room = width - cell_len(text)
    if align is Align.CENTRE:
        return " " * max(0, room // 2) + text
    if align is Align.RIGHT:
        return " " * max(0, room) + text
    return text


def _lines(block: Block, width: int, tables: dict[int, list[str]]) -> list[str]:
    if isinstance(block, Title):
        return [_placed(block.text, Align.CENTRE, width)]
    if isinstance(block, Part):
        return ["", block.title]
    if isinstance(block, Paragraph):
        text = ("　　" if block.indent else "") + block.text
        return [_placed(text, block.align, width)]
    if isinstance(block, Signature):
        seal = [_placed(line, Align.RIGHT, width) for line in block.seal]
        return ["", *seal, *([block.maker] if block.maker else [])]
    return ["", *tables[id(block)], ""]


def render_txt(document: Document) -> str:
    """The printout as plain text; pages are separated by a form feed (a new page on `lp`)."""
    tables = {id(table): text_table(table) for table in document.tables()}  # laid out once
    widest = max((cell_len(line) for lines in tables.values() for line in lines), default=0)
    width = min(max(widest, MIN_WIDTH), MAX_WIDTH)
    pages = []
    for page in document.pages:
        lines: list[str] = []
        for block in (*page.head, *page.body):
            for line in _lines(block, width, tables):
                if line or (lines and lines[-1]):  # one blank line between blocks, not two
                    lines.append(line)
        pages.append("\n".join(lines).strip("\n"))
    return "\n\f".join(pages) + "\n"
