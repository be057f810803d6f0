"""`tracker list --format json|csv|xlsx [--out FILE]`: the list written for machines and for
Excel (tracker.printouts.listing builds the CSV and the workbook).

The rows are written as they are read (services.listing.stream_items), a batch at a time, so
a district's million rows take the memory of one batch. A file named by --out is written
under a temporary name beside it and renamed when complete: a failure half-way leaves the
file as it was, never half a list."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from json.encoder import encode_basestring
from math import isfinite
from pathlib import Path
from typing import Any, BinaryIO

from tracker.errors import TrackerError, printable, printable_json
from tracker.i18n import t
from tracker.services.listing import ItemRow, Renderer

# The printouts (openpyxl among them) are imported by the functions that write a file, not
# by every command that loads this module.

# Rows joined into one write: a write per row would cost a system call each.
WRITE_BATCH = 1000
# The same for the text rows of `write_texts`: about 64 KiB a write (a JSON row is ~700
# bytes, a CSV line ~170). Larger strings are memory the allocator maps and unmaps afresh
# each time: at 700 KiB a write, that was half of a JSON export's system time.
JSON_WRITE_BATCH = 100
CSV_WRITE_BATCH = 400


def check_list_out(fmt: str, out_path: Path | None) -> None:
    """Before any work: a workbook needs a file to go to (bytes are never written to the
    terminal), a table goes to the terminal only, and the file's folder must exist."""
    if fmt == "xlsx" and out_path is None:
        raise TrackerError("print_needs_out", format=fmt)
    if out_path is None:
        return
    if fmt == "table":
        raise TrackerError("list_out_table")
    from tracker.printouts.make import check_out_path

    check_out_path(out_path)


def write_listing(fmt: str, rows: Iterable[ItemRow], out_path: Path | None) -> None:
    """Write `rows` as json, csv or xlsx to `out_path`, else (json, csv) to stdout, each
    row as it comes."""
    from tracker.files import replacing

    if out_path is None:
        _to_stdout(_encoded(fmt, rows))
        return
    with replacing(out_path) as handle:
        if fmt == "xlsx":
            from tracker.printouts.listing import write_xlsx

            write_xlsx(rows, t("export.sheet"), handle)
        else:
            for chunk in _encoded(fmt, rows):
                handle.write(chunk)
    sys.stdout.write(printable(t("print.written", path=str(out_path))) + "\n")


def text_renderer(fmt: str) -> Renderer | None:
    """What writes each row of a json or csv export as text straight from the database's
    tuples (tracker.services.export_text); None for a workbook, which takes ItemRows."""
    from tracker.services.export_text import CsvRows, JsonRows

    if fmt == "json":
        return JsonRows()
    if fmt == "csv":
        return CsvRows()
    return None


def write_texts(fmt: str, batches: Iterable[list[bytes]], out_path: Path | None) -> None:
    """Write the rows' texts (`batches` of them, from `text_renderer(fmt)`) as the json or
    csv export to `out_path`, else to stdout, as they come: the same bytes as
    `write_listing`."""
    from tracker.files import replacing

    chunks = json_text_chunks(batches) if fmt == "json" else _csv_chunks(batches)
    if out_path is None:
        _to_stdout(chunks)
        return
    with replacing(out_path) as handle:
        for chunk in chunks:
            handle.write(chunk)
    sys.stdout.write(printable(t("print.written", path=str(out_path))) + "\n")


def _csv_chunks(batches: Iterable[list[bytes]]) -> Iterator[bytes]:
    """The CSV's byte-order mark and header, then the lines of the rows' `batches` (UTF-8)."""
    from tracker.printouts.listing import csv_lines

    yield next(csv_lines([])).encode("utf-8")
    for lines in batches:
        for start in range(0, len(lines), CSV_WRITE_BATCH):
            yield b"".join(lines[start : start + CSV_WRITE_BATCH])


def json_text_chunks(batches: Iterable[list[bytes]]) -> Iterator[bytes]:
    """The JSON array of the rows' objects, `batches` of them (JsonRows: each as json.dumps
    writes it inside the indented list, printable, in UTF-8), as `json_chunks` writes it."""
    opening = b"[\n  "
    for objects in batches:
        for start in range(0, len(objects), JSON_WRITE_BATCH):
            yield opening + b",\n  ".join(objects[start : start + JSON_WRITE_BATCH])
            opening = b",\n  "
    yield b"\n]\n" if opening != b"[\n  " else b"[]\n"


def _encoded(fmt: str, rows: Iterable[ItemRow]) -> Iterator[bytes]:
    """The json or csv text as UTF-8 bytes, a batch of rows at a time. Bytes, so that a
    CSV file is UTF-8 with its byte-order mark on every system, and its line ends are CSV's
    own \\r\\n (the JSON's are \\n, as json.dumps writes them)."""
    if fmt == "json":
        yield from json_chunks(rows)
        return
    from tracker.printouts.listing import csv_lines

    for text in _joined(csv_lines(rows)):
        yield text.encode("utf-8")


def _joined(lines: Iterable[str], size: int = WRITE_BATCH) -> Iterator[str]:
    it = iter(lines)
    while batch := "".join(islice(it, size)):
        yield batch


def json_chunks(rows: Iterable[ItemRow]) -> Iterator[bytes]:
    """`rows` as the JSON array that `json.dumps([row.as_json() …], ensure_ascii=False,
    indent=2)` writes, made printable (errors.printable_json), byte for byte, with a final
    line break: UTF-8, a batch of rows at a time.

    json.dumps with an indent runs Python's own encoder (43% of an export's time). Every row
    is one flat object with the same keys, so each is written into a template of its keys,
    with its values encoded one by one by json's own C functions."""
    it = iter(rows)
    opening = "[\n  "
    while batch := list(islice(it, WRITE_BATCH)):
        yield _inert_utf8(opening + ",\n  ".join(_object_text(row.as_json()) for row in batch))
        opening = ",\n  "
    yield b"\n]\n" if opening != "[\n  " else b"[]\n"


# A JSON value's text by its exact type (so a bool is not taken for an int), as json.dumps
# writes it; built-in callables all but the rare float, so a row costs no Python frame per
# value. A type not here (none today) sends its row to json.dumps value by value.
_VALUE_TEXT: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    bool: ("false", "true").__getitem__,
    type(None): "null".format,
    float: lambda value: float.__repr__(value) if isfinite(value) else json.dumps(value),
}
_TEMPLATES: dict[tuple[str, ...], str] = {}


def _object_text(data: dict[str, Any]) -> str:
    """One row's object as json.dumps(indent=2) writes it inside the array: its members on
    lines of their own, four spaces in, its closing brace two."""
    keys = tuple(data)
    template = _TEMPLATES.get(keys)
    if template is None:
        members = (encode_basestring(key).replace("%", "%%") + ": %s" for key in keys)
        template = _TEMPLATES[keys] = "{\n    " + ",\n    ".join(members) + "\n  }"
    try:
        texts = tuple([_VALUE_TEXT[type(value)](value) for value in data.values()])
    except KeyError:
        texts = tuple(json.dumps(value, ensure_ascii=False) for value in data.values())
    return template % texts


def _inert_utf8(text: str) -> bytes:
    """`printable_json(text)` as UTF-8. Its pattern costs a second a district's 100k rows,
    where such characters hardly ever are, so the encoded text is searched first for the
    bytes they can begin with (fast searches of bytes); only a batch holding one, or a lone
    surrogate (which UTF-8 cannot hold), goes through the pattern."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return printable_json(text).encode("utf-8")
    if data.translate(None, _PLAIN_BYTES) or any(p.search(data) for p in _SUSPECT_SEQUENCES):
        return printable_json(text).encode("utf-8")
    return data


# What errors.printable escapes, in UTF-8: the C0 and C1 controls and DEL, and the Unicode
# format characters and line separators. A byte that begins one of them (a lead byte of
# U+0080–00BF, U+0600–07FF, U+0800–08FF, U+1800–1FFF, or any four-byte character) sends its
# batch through the pattern; so do the three-byte sequences of U+200B–200F, U+2028–202E,
# U+2060–206F, U+FEF9–FEFF and U+FFF9–FFFF (the common “”—… start with E2 80 as well).
# tests/test_exports_stream.py checks every character the pattern escapes is caught here.
_SUSPICIOUS_LEAD = bytes(
    [*range(0x09), *range(0x0B, 0x20), 0x7F, 0xC2, 0xD8, 0xDB, 0xDC, 0xE0, 0xE1, *range(0xF0, 0xF5)]
)
_PLAIN_BYTES = bytes(b for b in range(256) if b not in _SUSPICIOUS_LEAD)
_SUSPECT_SEQUENCES = (
    re.compile(rb"\xe2\x80[\x8b-\x8f\xa8-\xae]"),
    re.compile(rb"\xe2\x81[\xa0-\xaf]"),
    re.compile(rb"\xef[\xbb\xbf][\xb9-\xbf]"),
)


def _to_stdout(chunks: Iterable[bytes]) -> None:
    """Bytes to stdout whatever the terminal's or the system's encoding: `tracker list
    --format csv > 清单.csv` is then a file Excel reads."""
    sys.stdout.flush()
    buffer: BinaryIO | None = getattr(sys.stdout, "buffer", None)
    for chunk in chunks:
        if buffer is None:  # a stream without bytes (some test runners): text it is
            sys.stdout.write(chunk.decode("utf-8"))
        else:
            buffer.write(chunk)
    if buffer is not None:
        buffer.flush()
