"""Printouts as PDF (A4), for the archive: the same blocks as text and HTML, in a CJK font.

The font is embedded (subset), so the file reads the same on any machine. A PDF without a
Chinese font would print boxes instead of characters, so when none is found the officer is
told how to install one, or to name one with --font.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from tracker.errors import TrackerError
from tracker.printouts.assembly import Printout
from tracker.printouts.text import Line, PageBreak, Table, Title, blocks, title_of
from tracker.schedule import Light

# Where Linux, Windows and macOS keep a font that has Chinese characters, most usual first.
KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)
FONT = "cjk"
FILLS = {Light.RED: (255, 199, 206), Light.YELLOW: (255, 235, 156)}  # as in the Excel ledger


def find_font(given: Path | None = None) -> Path:
    """A font file with Chinese characters: `given`, a known place, or what fontconfig knows."""
    if given is not None:
        if not given.is_file():
            raise TrackerError("pdf_font_missing", path=str(given))
        return given
    for known in KNOWN_FONTS:
        if Path(known).is_file():
            return Path(known)
    if shutil.which("fc-list"):
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
        ).stdout
        for line in listed.splitlines():
            path = Path(line.split(":", 1)[0].strip())
            if path.suffix.lower() in {".ttf", ".ttc", ".otf"} and path.is_file():
                return path
    raise TrackerError("pdf_no_font")


class _Document(FPDF):
    """An A4 page with the printout's title in its footer and the page number."""

    def __init__(self, footer: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = footer

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 5, f"{self._footer_text}  {self.page_no()}", align="C")


def render_pdf(data: Printout, *, font: Path | None = None) -> bytes:
    """The printout as an A4 PDF with an embedded CJK font."""
    document = _Document(title_of(data))
    document.set_margins(18, 18, 18)
    document.set_auto_page_break(auto=True, margin=16)
    try:
        document.add_font(FONT, fname=str(find_font(font)))
    except (OSError, RuntimeError) as exc:  # fpdf2 cannot read the font file
        raise TrackerError("pdf_font_unreadable", path=str(font or ""), reason=str(exc)) from exc
    document.set_title(title_of(data))
    document.add_page()
    for block in blocks(data):
        _draw(document, block)
    return bytes(document.output())


def _draw(document: FPDF, block: Title | Line | Table | PageBreak) -> None:
    width = document.epw
    if isinstance(block, PageBreak):
        document.add_page()
    elif isinstance(block, Title):
        document.set_font(FONT, size=18 if block.level == 1 else 12)
        document.multi_cell(width, 9 if block.level == 1 else 7, block.text,
                            align="C" if block.level == 1 else "L",
                            new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        document.ln(1)
    elif isinstance(block, Line):
        document.set_font(FONT, size=10)
        document.multi_cell(width, 5.5, block.text or " ", align="C" if block.centred else "L",
                            new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    else:
        _table(document, block)


def _table(document: FPDF, table: Table) -> None:
    document.set_font(FONT, size=8)
    headings = FontFace(emphasis="NONE", fill_color=(230, 230, 230))
    with document.table(
        headings_style=headings,
        line_height=4.5,
        text_align="LEFT",
        col_widths=_widths(table),
        repeat_headings=1,
    ) as grid:
        row = grid.row()
        for heading in table.headers:
            row.cell(heading)
        for index, cells in enumerate(table.rows):
            light = table.lights[index] if index < len(table.lights) else None
            style = FontFace(fill_color=FILLS[light]) if light in FILLS else None
            row = grid.row(style=style)
            for cell in cells:
                row.cell(cell)
    document.ln(3)


def _widths(table: Table) -> tuple[float, ...]:
    """Column widths in proportion to their longest text (capped, so notes wrap)."""
    longest = [
        max([len(table.headers[i]), *(len(row[i]) for row in table.rows if i < len(row))])
        for i in range(len(table.headers))
    ]
    return tuple(min(max(n, 4), 24) for n in longest)  # at least two Chinese characters wide
