"""Printouts as Markdown: GitHub-style tables, one heading per part."""

from __future__ import annotations

from tracker.printouts.layout import Block, Document, Paragraph, Part, Signature, Table, Title


def _cell(text: str) -> str:
    """A cell on one line, its pipes escaped so they do not split the column."""
    return " ".join(text.split()).replace("|", "\\|") or " "


def _table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in table.headers) + " |"]
    lines.append("|" + "|".join(" --- " for _ in table.headers) + "|")
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in table.texts())
    return lines


def _lines(block: Block) -> list[str]:
    if isinstance(block, Title):
        return ["# " + _cell(block.text), ""]
    if isinstance(block, Part):
        return ["## " + _cell(block.title), ""]
    if isinstance(block, Paragraph):
        text = _cell(block.text)
        return [f"**{text}**" if block.bold else text, ""]
    if isinstance(block, Signature):
        # Two trailing spaces keep the seal and the date on lines of their own.
        lines = [_cell(line) + "  " for line in block.seal]
        return [*lines, *([_cell(block.maker)] if block.maker else []), ""]
    return [*_table(block), ""]


def render_md(document: Document) -> str:
    """The printout as Markdown; pages are separated by a horizontal rule."""
    pages = [
        "\n".join(line for block in (*page.head, *page.body) for line in _lines(block)).strip()
        for page in document.pages
    ]
    return "\n\n---\n\n".join(pages) + "\n"
