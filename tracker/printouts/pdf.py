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
from tracker.failures import reason_of
from tracker.i18n import t
from tracker.printouts.columns import fit_columns, needed_cells
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
        page = t("print.page_of", page=self.page_no(), pages=self.str_alias_nb_pages)
        self.cell(0, 5, f"{self._footer_text}\u3000{page}", align="C")


def render_pdf(document: Document, *, font: Path | None = None) -> bytes:
    """The printout as an A4 PDF with an embedded CJK font."""
    pdf = _Document(document.title, "landscape" if document.landscape else "portrait")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=16)
    try:
        pdf.add_font(FONT, fname=str(find_font(font)))
    except TrackerError:
        raise
    except OSError as exc:
        raise TrackerError(
            "pdf_font_unreadable", path=str(font or ""), reason=reason_of(exc)
        ) from exc
    except Exception as exc:  # fpdf2 and fontTools each refuse a file that is no font their own way
        reason = t("pdf_font_not_a_font")
        raise TrackerError("pdf_font_unreadable", path=str(font or ""), reason=reason) from exc
    pdf.set_title(document.title)
    for page in document.pages:
        pdf.add_page()
        for block in (*page.head, *page.body):
            _draw(pdf, block)
    return bytes(pdf.output())


_ALIGN = {Align.LEFT: "L", Align.CENTRE: "C", Align.RIGHT: "R"}


def _text(pdf: FPDF, text: str, size: float, height: float, align: str = "L") -> None:
    pdf.set_font(FONT, size=size)
    pdf.multi_cell(pdf.epw, height, text or " ", align=align, new_x="LMARGIN", new_y="NEXT")


def _draw(pdf: FPDF, block: Block) -> None:
    if isinstance(block, Title):
        _text(pdf, block.text, 18, 9, "C")
        pdf.ln(1)
    elif isinstance(block, Part):
        _text(pdf, block.title, 12, 7)
        pdf.ln(1)
    elif isinstance(block, Paragraph):
        text = ("\u3000\u3000" if block.indent else "") + block.text
        _text(pdf, text, 9 if block.small else 10, 5.5, _ALIGN[block.align])
    elif isinstance(block, Signature):
        pdf.ln(4)
        for line in block.seal:
            _text(pdf, line, 10, 5.5, "R")
        if block.maker:
            _text(pdf, block.maker, 10, 5.5)
    else:
        _table(pdf, block)


# Table text: 8 pt on 4.5 mm lines, a little padding inside each cell.
TABLE_FONT_SIZE = 8
LINE_HEIGHT = 4.5
PAD_X, PAD_Y = 1.0, 0.8
BASELINE = 3.3  # from the top of a line to its baseline at 8 pt
HEADER_FILL = (230, 230, 230)
# A line never begins with these (避头): the character before them goes down with them.
NO_BREAK_BEFORE = frozenset("。，、；：？！”’）》」』】,.;:?!)")


def _table(pdf: FPDF, table: Table) -> None:
    """A bordered table, header repeated on every page, late rows (and cells) filled.

    Drawn here rather than with fpdf2's `table()`, which lays each cell out twice through
    its general text engine: 15 s for a district's ledger. Cells here are wrapped once with
    cached character widths and drawn as rectangles and lines of text. Every line fits its
    cell; a row taller than the rest of the page continues on the next one.
    """
    pdf.set_font(FONT, size=TABLE_FONT_SIZE)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    texts = table.texts()
    need = needed_cells(table.headers, texts)
    widths = fit_columns(need, pdf.epw, pdf.get_string_width("0"), 2 * PAD_X + 0.4)
    wrap = _Wrapper(pdf)
    header = [wrap(text, w - 2 * PAD_X) for text, w in zip(table.headers, widths, strict=True)]
    _row(pdf, widths, header, [HEADER_FILL] * len(widths))
    for row, cells in zip(table.rows, texts, strict=True):
        lines = [wrap(text, width - 2 * PAD_X) for text, width in zip(cells, widths, strict=True)]
        fills = [_fill(cell.light or row.light) for cell in row.cells]
        if pdf.get_y() + _height(lines) > pdf.page_break_trigger:
            _new_page(pdf, widths, header)
        while True:
            room = int((pdf.page_break_trigger - pdf.get_y() - 2 * PAD_Y) // LINE_HEIGHT)
            if max(len(cell) for cell in lines) <= room:
                break
            # Taller than a whole page: draw what fits, go on with the rest on the next.
            _row(pdf, widths, [cell[:room] for cell in lines], fills)
            lines = [cell[room:] for cell in lines]
            _new_page(pdf, widths, header)
        _row(pdf, widths, lines, fills)
    pdf.set_x(pdf.l_margin)
    pdf.ln(3)


def _fill(light: Light | None) -> tuple[int, int, int] | None:
    return FILLS.get(light) if light is not None else None


def _new_page(pdf: FPDF, widths: list[float], header: list[list[str]]) -> None:
    pdf.add_page()
    _row(pdf, widths, header, [HEADER_FILL] * len(widths))


def _height(lines: list[list[str]]) -> float:
    return max(1, *(len(cell) for cell in lines)) * LINE_HEIGHT + 2 * PAD_Y


def _row(
    pdf: FPDF,
    widths: list[float],
    lines: list[list[str]],
    fills: list[tuple[int, int, int] | None],
) -> None:
    """One row at the current position; the position moves below it."""
    height = _height(lines)
    top, x = pdf.get_y(), pdf.l_margin
    for width, cell, fill in zip(widths, lines, fills, strict=True):
        if fill is not None:
            pdf.set_fill_color(*fill)
        pdf.rect(x, top, width, height, style="DF" if fill is not None else "D")
        for number, text in enumerate(cell):
            pdf.text(x + PAD_X, top + PAD_Y + number * LINE_HEIGHT + BASELINE, text)
        x += width
    pdf.set_xy(pdf.l_margin, top + height)


class _Wrapper:
    """Breaks a cell's text into lines that fit a width, measuring each character once."""

    def __init__(self, pdf: FPDF) -> None:
        self._pdf = pdf
        self._widths: dict[str, float] = {}

    def width(self, text: str) -> float:
        total = 0.0
        for char in text:
            found = self._widths.get(char)
            if found is None:
                found = self._widths[char] = self._pdf.get_string_width(char)
            total += found
        return total

    def __call__(self, text: str, width: float) -> list[str]:
        """Lines of `text` no wider than `width`. Chinese breaks between any two characters,
        but never before closing punctuation: the character before it goes down with it. A
        Latin word is moved whole to the next line, or broken if it is wider than the cell."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for char in paragraph:
                char_width = self.width(char)
                if line and used + char_width > width:
                    line = self._break(line, char, width, lines)
                    used = self.width(line)
                    if char == " " and not line:
                        continue
                line += char
                used += char_width
            lines.append(line)
        return lines

    def _break(self, line: str, char: str, width: float, lines: list[str]) -> str:
        """End `line` before `char`; return what carries over to the next line."""
        if char in NO_BREAK_BEFORE:
            # 避头: closing marks go down with the character before them (工作日）。).
            keep = len(line) - 1
            while keep > 0 and line[keep] in NO_BREAK_BEFORE:
                keep -= 1
            if keep > 0:
                lines.append(line[:keep])
                return line[keep:]
        cut = line.rfind(" ")
        tail = line[cut + 1 :]
        if char.isascii() and char != " " and cut > 0 and tail.isascii():
            if self.width(tail + char) <= width:
                lines.append(line[:cut])  # inside a Latin word: carry the word over
                return tail
        lines.append(line)
        return ""
