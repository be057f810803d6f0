"""Read a report file into text: plain text (UTF-8 or GBK), a saved web page, a Word file
or a PDF with a text layer.

What cannot be read as a report is refused in one line (TrackerError): an empty or binary
file, text in neither UTF-8 nor GB18030, a PDF without a text layer. The encoding is never
guessed silently: the one found is returned, and shown to the officer.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from tracker.errors import TrackerError, hidden_character
from tracker.files import MB, read_limited
from tracker.services.report_text import report_shown_parts

# The same limit as a seed file and its text: a report is tens of kilobytes.
MAX_REPORT_BYTES = 5 * MB


@dataclass(frozen=True)
class ReadReport:
    """A report's text (line ends \\n, lines stripped) and how it was read."""

    text: str
    source: str  # "text" | "html" | "docx" | "pdf"
    encoding: str | None = None  # for text and web pages: "UTF-8" or "GB18030"


def read_report(path: Path) -> ReadReport:
    """The text of the report file at `path`; anything that is not one is refused."""
    data = read_limited(path, MAX_REPORT_BYTES)
    if not data.strip():
        raise TrackerError("import.empty", path=str(path))
    suffix = path.suffix.lower()
    if suffix == ".pdf" or data.startswith(b"%PDF"):
        return ReadReport(_pdf_text(path, data), "pdf")
    if suffix == ".doc" or data.startswith(b"\xd0\xcf\x11\xe0"):  # Word 97–2003: say so
        raise TrackerError("import.bad_docx", path=str(path))
    if suffix == ".docx" or data.startswith(b"PK\x03\x04"):
        return ReadReport(_docx_text(path, data), "docx")
    text, encoding = _decoded(path, data)
    if suffix in (".html", ".htm", ".xhtml") or _looks_like_html(text):
        return ReadReport(_page_text(text), "html", encoding)
    return ReadReport(_tidy(text), "text", encoding)


def _decoded(path: Path, data: bytes) -> tuple[str, str]:
    """`data` as UTF-8 (with or without its byte-order mark), else as GB18030 (which GBK
    and GB2312 are part of); binary, or text in neither, is refused."""
    if b"\x00" in data:
        raise TrackerError("import.binary", path=str(path))
    for codec, name in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        # GB18030 maps almost any bytes to some character: what it read must read as text.
        if not _CONTROL_RE.search(text) and _mostly_text(text):
            return text, name
    raise TrackerError("import.not_text", path=str(path))


# Control characters no text file has (a form feed, which pdftotext writes between pages,
# and the line ends and tab aside): bytes decoded as the wrong encoding, or not text at all.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _mostly_text(text: str) -> bool:
    usual = sum(1 for ch in text if ch.isprintable() or ch.isspace())  # \u3000 indents
    private = sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff")
    return usual >= 0.95 * len(text) and private == 0


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def _tidy(text: str) -> str:
    """Line ends made \\n, each line stripped (a heading indented with full-width spaces
    is still a heading), runs of blank lines made one, and the characters that show nothing
    dropped (a zero-width space or soft hyphen from Word, a byte-order mark: the seed
    loader refuses them, and they are no part of the report's words)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    hidden = hidden_character(text, keep_lines=True)
    while hidden is not None:
        text = text.replace(hidden, "")
        hidden = hidden_character(text, keep_lines=True)
    lines = [line.strip() for line in text.split("\n")]
    tidied = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return tidied + "\n" if tidied else ""


# --- Web pages ------------------------------------------------------------------------

_SKIPPED = {"script", "style", "nav", "noscript", "template", "head", "iframe", "svg", "select"}
_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "pre", "hr", "dd", "dt", "td", "th",
}  # fmt: skip


class _PageText(HTMLParser):
    """The text of a page, a line per block, without its scripts, styles and navigation."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            # Inside a block, the page's own line breaks are only layout.
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def _page_text(html: str) -> str:
    parser = _PageText()
    parser.feed(html)
    parser.close()
    text = _tidy("".join(parser.parts).replace("\xa0", " "))
    # The report from its title to its signature, less the portal's buttons under it.
    kept = "".join(text[start:end] for start, end in report_shown_parts(text))
    return _tidy(kept)


# --- Word -----------------------------------------------------------------------------


def _docx_text(path: Path, data: bytes) -> str:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile, lxml and its own errors alike
        raise TrackerError("import.bad_docx", path=str(path)) from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # a merged cell repeats: once is enough
                    if not cells or cells[-1] != cell.text.strip():
                        cells.append(cell.text.strip())
                lines.append("\t".join(cells))
        else:
            lines.append(block.text)
    return _tidy("\n".join(lines))


# --- PDF ------------------------------------------------------------------------------

# A page's number in its footer (- 3 -, — 3 —, 第3页, 3/12): no part of the text, and
# dropped so that a paragraph running on to the next page is joined again.
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–·\s]*\d{1,4}[-—–·\s]*|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})$"
)
# A line that starts a part or sub-part: never the continuation of the line before.
_HEADING_START = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")


def _pdf_text(path: Path, data: bytes) -> str:
    from pypdf import PdfReader

    # pypdf logs what it repairs ("EOF marker not found"); unconfigured, Python prints such
    # warnings on stderr, and the officer's one line would not be one. Quiet while reading.
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # a damaged file fails anywhere in pypdf, in any exception
        raise TrackerError("import.bad_pdf", path=str(path)) from exc
    finally:
        log.setLevel(level)
    if not "".join(pages).strip():
        raise TrackerError("import.image_pdf", path=str(path), pages=len(pages))
    return _tidy(_paragraphs("\n".join(pages)))


def _paragraphs(text: str) -> str:
    """A PDF's lines joined back into paragraphs: a line as wide as the page's widest ones
    goes on in the next line; a shorter one, or a heading after it, ends a paragraph."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if not _PAGE_NUMBER.match(line)]
    widest = max((len(line) for line in lines), default=0)
    out: list[str] = []
    last_width = 0  # the width of the last line read, not of the paragraph it joined
    for line in lines:
        if out and out[-1] and line and last_width >= 0.85 * widest:
            if not _HEADING_START.match(line):
                out[-1] += line
                last_width = len(line)
                continue
        out.append(line)
        last_width = len(line)
    return "\n".join(out)
