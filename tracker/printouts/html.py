"""Printouts as one self-contained HTML file, laid out for A4 paper.

No scripts, fonts or images are fetched: the file opens the same on an office PC without a
network, and the browser's print dialog gives A4 pages with a break between notices.
"""

from __future__ import annotations

from html import escape

from tracker.i18n import get_language
from tracker.printouts.columns import NARROW, fit_columns, needed_cells
from tracker.printouts.layout import (
    Align,
    Block,
    Cell,
    Document,
    Paragraph,
    Part,
    Signature,
    Table,
    Title,
)
from tracker.schedule import Light

# 仿宋 and 宋体 as in official documents, with fallbacks found on Linux and macOS.
_CSS = """
@page { size: A4 {orientation}; margin: 25mm 20mm 20mm 20mm; }
body { font-family: "FangSong", "仿宋", "STFangsong", "SimSun", "宋体", "Noto Serif CJK SC",
  serif; font-size: 12pt; line-height: 1.5; color: #000; margin: 0 auto; max-width: 180mm; }
h1 { font-family: "SimSun", "宋体", "Noto Serif CJK SC", serif; font-size: 18pt;
  text-align: center; margin: 0.5em 0; }
h2 { font-size: 14pt; margin: 1em 0 0.4em; }
p { margin: 0.3em 0; }
p.centre { text-align: center; }
p.right { text-align: right; }
p.small { font-size: 10pt; }
p.indent { text-indent: 2em; }
p.bold { font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; font-size: 10.5pt; }
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: top; text-align: left; }
th { background: #eee; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
tr.red td, td.red { background: #f4b6b6; }
tr.yellow td, td.yellow { background: #fbe7a1; }
div.page-break { page-break-after: always; break-after: page; }
@media print { body { max-width: none; } th, td.red, td.yellow, tr.red td, tr.yellow td {
  -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""

# Display cells across a page (at the tables' 10.5 pt): what the column widths are shared of.
PAGE_CELLS = 110

# Rows of these lights are filled, as on the officers' paper ledgers.
_ROW_CLASS = {Light.RED: "red", Light.YELLOW: "yellow"}


def _cell(cell: Cell) -> str:
    css = _ROW_CLASS.get(cell.light) if cell.light is not None else None
    opening = f'<td class="{css}">' if css else "<td>"
    return f"{opening}{escape(cell.text)}</td>"


def _table(table: Table) -> list[str]:
    """A table with its columns sized as in Word and PDF: short ones (序号, dates) as wide as
    their text, long ones sharing the rest; a narrow table only as wide as it needs."""
    need = needed_cells(table.headers, table.texts())
    if sum(need) <= NARROW * PAGE_CELLS:
        lines = [f'<table class="{escape(table.kind)}" style="width: auto">', "<thead><tr>"]
    else:
        widths = fit_columns(need, 100.0, 100.0 / PAGE_CELLS, 1.0)  # 1%: the cell padding
        lines = [f'<table class="{escape(table.kind)}">', "<colgroup>"]
        lines.extend(f'<col style="width: {width:.1f}%">' for width in widths)
        lines.extend(["</colgroup>", "<thead><tr>"])
    lines.extend(f"<th>{escape(h)}</th>" for h in table.headers)
    lines.extend(["</tr></thead>", "<tbody>"])
    for row in table.rows:
        css = _ROW_CLASS.get(row.light) if row.light is not None else None
        lines.append(f'<tr class="{css}">' if css else "<tr>")
        lines.append("".join(_cell(cell) for cell in row.cells))
        lines.append("</tr>")
    lines.extend(["</tbody>", "</table>"])
    return lines


def _paragraph(text: str, classes: list[str]) -> str:
    css = f' class="{" ".join(classes)}"' if classes else ""
    return f"<p{css}>{escape(text)}</p>"


def _lines(block: Block) -> list[str]:
    if isinstance(block, Title):
        return [f"<h1>{escape(block.text)}</h1>"]
    if isinstance(block, Part):
        return [f"<h2>{escape(block.title)}</h2>"]
    if isinstance(block, Paragraph):
        classes = [block.align.value] if block.align is not Align.LEFT else []
        classes += [name for name in ("bold", "indent", "small") if getattr(block, name)]
        return [_paragraph(block.text, classes)]
    if isinstance(block, Signature):
        lines = [_paragraph(line, ["right"]) for line in block.seal]
        return lines + ([_paragraph(block.maker, [])] if block.maker else [])
    return _table(block)


def render_html(document: Document) -> str:
    """The printout as an HTML document with A4 print CSS (landscape for the ledger); each
    page of the printout (a notice) starts a new sheet of paper."""
    lang = "zh-CN" if get_language() == "zh" else "en"
    css = _CSS.replace("{orientation}", "landscape" if document.landscape else "portrait")
    if document.landscape:
        css = css.replace("max-width: 180mm", "max-width: 257mm")
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(document.title)}</title>",
        f"<style>{css}</style>",
        "</head>",
        "<body>",
    ]
    for number, page in enumerate(document.pages):
        if number:
            lines.append('<div class="page-break"></div>')
        for block in (*page.head, *page.body):
            lines.extend(_lines(block))
    lines.extend(["</body>", "</html>"])
    return "\n".join(lines) + "\n"
