"""Printouts as one self-contained HTML file, laid out for A4 paper.

No scripts, fonts or images are fetched: the file opens the same on an office PC without a
network, and the browser's print dialog gives A4 pages with a break between notices.
"""

from __future__ import annotations

from html import escape

from tracker.i18n import get_language
from tracker.printouts.assembly import Printout
from tracker.printouts.text import Line, PageBreak, Table, Title, blocks, title_of
from tracker.schedule import Light

# 仿宋 and 宋体 as in official documents, with fallbacks found on Linux and macOS.
_CSS = """
@page { size: A4; margin: 25mm 20mm 20mm 20mm; }
body { font-family: "FangSong", "仿宋", "STFangsong", "SimSun", "宋体", "Noto Serif CJK SC",
  serif; font-size: 12pt; line-height: 1.5; color: #000; margin: 0 auto; max-width: 180mm; }
h1 { font-family: "SimSun", "宋体", "Noto Serif CJK SC", serif; font-size: 18pt;
  text-align: center; margin: 0.5em 0; }
h2 { font-size: 14pt; margin: 1em 0 0.4em; }
p { margin: 0.3em 0; }
p.centred { text-align: center; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; font-size: 10.5pt; }
th, td { border: 1px solid #000; padding: 2px 4px; vertical-align: top; text-align: left; }
th { background: #eee; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
tr.red td { background: #f4b6b6; }
tr.yellow td { background: #fbe7a1; }
div.page-break { page-break-after: always; break-after: page; }
@media print { body { max-width: none; } th, tr.red td, tr.yellow td {
  -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""

# Rows of these lights are filled, as on the officers' paper ledgers.
_ROW_CLASS = {Light.RED: "red", Light.YELLOW: "yellow"}


def _table(table: Table) -> list[str]:
    lines = [f'<table class="{escape(table.kind)}">', "<thead><tr>"]
    lines.extend(f"<th>{escape(h)}</th>" for h in table.headers)
    lines.extend(["</tr></thead>", "<tbody>"])
    for index, row in enumerate(table.rows):
        light = table.lights[index] if index < len(table.lights) else None
        css = _ROW_CLASS.get(light) if light is not None else None
        lines.append(f'<tr class="{css}">' if css else "<tr>")
        lines.append("".join(f"<td>{escape(cell)}</td>" for cell in row))
        lines.append("</tr>")
    lines.extend(["</tbody>", "</table>"])
    return lines


def render_html(data: Printout) -> str:
    """The printout as an HTML document with A4 print CSS; each notice on its own page."""
    lang = "zh-CN" if get_language() == "zh" else "en"
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(title_of(data))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
    ]
    for block in blocks(data):
        if isinstance(block, PageBreak):
            lines.append('<div class="page-break"></div>')
        elif isinstance(block, Title):
            tag = f"h{block.level}"
            lines.append(f"<{tag}>{escape(block.text)}</{tag}>")
        elif isinstance(block, Line):
            css = ' class="centred"' if block.centred else ""
            lines.append(f"<p{css}>{escape(block.text)}</p>")
        else:
            lines.extend(_table(block))
    lines.extend(["</body>", "</html>"])
    return "\n".join(lines) + "\n"
