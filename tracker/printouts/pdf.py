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

from tracker.errors import TrackerError
from tracker.printouts.assembly import LedgerData, Printout
from tracker.printouts.columns import fit_columns, needed_cells
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

    def __init__(self, footer: str, orientation: str) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self._footer_text = footer

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 5, f"{self._footer_text}  {self.page_no()}", align="C")


def render_pdf(data: Printout, *, font: Path | None = None) -> bytes:
    """The printout as an A4 PDF with an embedded CJK font."""
    # Eight columns of the 台账 are printed across the page, as in the Word ledger.
    orientation = "landscape" if isinstance(data, LedgerData) else "portrait"
    document = _Document(title_of(data), orientation)
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


# Table text: 8 pt on 4.5 mm lines, a little padding inside each cell.
TABLE_FONT_SIZE = 8
LINE_HEIGHT = 4.5
PAD_X, PAD_Y = 1.0, 0.8
BASELINE = 3.3  # from the top of a line to its baseline at 8 pt
HEADER_FILL = (230, 230, 230)
# A line never begins with these (避头): they stay at the end of the line before.
NO_BREAK_BEFORE = frozenset("。，、；：？！”’）》」』】,.;:?!)")


def _table(document: FPDF, table: Table) -> None:
    """A bordered table, header repeated on every page, late rows filled red or yellow.

    Drawn here rather than with fpdf2's `table()`, which lays each cell out twice through
    its general text engine: 15 s for a district's ledger. Cells here are wrapped once with
    cached character widths and drawn as rectangles and lines of text.
    """
    document.set_font(FONT, size=TABLE_FONT_SIZE)
    document.set_draw_color(0, 0, 0)
    document.set_line_width(0.2)
    need = needed_cells(table.headers, table.rows)
    widths = fit_columns(need, document.epw, document.get_string_width("0"), 2 * PAD_X + 0.4)
    wrap = _Wrapper(document)
    header = [
        wrap(text, width - 2 * PAD_X) for text, width in zip(table.headers, widths, strict=True)
    ]
    _row(document, widths, header, HEADER_FILL)
    for index, cells in enumerate(table.rows):
        light = table.lights[index] if index < len(table.lights) else None
        lines = [wrap(text, width - 2 * PAD_X) for text, width in zip(cells, widths, strict=True)]
        if document.get_y() + _height(lines) > document.page_break_trigger:
            document.add_page()
            _row(document, widths, header, HEADER_FILL)
        _row(document, widths, lines, FILLS.get(light) if light is not None else None)
    document.set_x(document.l_margin)
    document.ln(3)


def _height(lines: list[list[str]]) -> float:
    return max(len(cell) for cell in lines) * LINE_HEIGHT + 2 * PAD_Y


def _row(
    document: FPDF, widths: list[float], lines: list[list[str]], fill: tuple[int, int, int] | None
) -> None:
    """One row at the current position; the position moves below it."""
    # A row never runs past the foot of a page: what does not fit is cut with an ellipsis.
    room = int((document.page_break_trigger - document.t_margin - 2 * PAD_Y) // LINE_HEIGHT)
    lines = [cell if len(cell) <= room else [*cell[: room - 1], "…"] for cell in lines]
    height = _height(lines)
    top, x = document.get_y(), document.l_margin
    if fill is not None:
        document.set_fill_color(*fill)
    for width, cell in zip(widths, lines, strict=True):
        document.rect(x, top, width, height, style="DF" if fill is not None else "D")
        for number, text in enumerate(cell):
            document.text(x + PAD_X, top + PAD_Y + number * LINE_HEIGHT + BASELINE, text)
        x += width
    document.set_xy(document.l_margin, top + height)


class _Wrapper:
    """Breaks a cell's text into lines that fit a width, measuring each character once."""

    def __init__(self, document: FPDF) -> None:
        self._document = document
        self._widths: dict[str, float] = {}

    def _width(self, char: str) -> float:
        width = self._widths.get(char)
        if width is None:
            width = self._widths[char] = self._document.get_string_width(char)
        return width

    def __call__(self, text: str, width: float) -> list[str]:
        """Lines of `text` no wider than `width`. Chinese breaks between any two characters,
        but never before closing punctuation (it may stand a little into the padding); a
        Latin word is moved whole to the next line."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for char in paragraph:
                char_width = self._width(char)
                if used + char_width > width and line and char not in NO_BREAK_BEFORE:
                    line = self._break(line, char, lines)
                    used = sum(self._width(c) for c in line)
                    if char == " " and not line:
                        continue
                line += char
                used += char_width
            lines.append(line)
        return lines

    @staticmethod
    def _break(line: str, char: str, lines: list[str]) -> str:
        """End `line` before `char`; return what carries over to the next line."""
        cut = line.rfind(" ")
        tail = line[cut + 1 :]
        if char.isascii() and char != " " and cut > 0 and tail.isascii():
            lines.append(line[:cut])  # inside a Latin word: carry the word over
            return tail
        lines.append(line)
        return ""
