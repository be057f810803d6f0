"""Printouts as Markdown: GitHub-style tables, one heading per part."""

from __future__ import annotations

from tracker.printouts.assembly import Printout
from tracker.printouts.text import Line, PageBreak, Table, Title, blocks


def _cell(text: str) -> str:
    """A cell on one line, its pipes escaped so they do not split the column."""
    return " ".join(text.split()).replace("|", "\\|") or " "


def _table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in table.headers) + " |"]
    lines.append("|" + "|".join(" --- " for _ in table.headers) + "|")
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows)
    return lines


def render_md(data: Printout) -> str:
    """The printout as Markdown; notices are separated by a horizontal rule."""
    lines: list[str] = []
    for block in blocks(data):
        if isinstance(block, PageBreak):
            lines.extend(["", "---", ""])
        elif isinstance(block, Title):
            lines.extend(["#" * block.level + " " + _cell(block.text), ""])
        elif isinstance(block, Line):
            lines.extend([_cell(block.text), ""])
        else:
            lines.extend([*_table(block), ""])
    return "\n".join(lines).rstrip("\n") + "\n"
