"""`tracker list --format json|csv|xlsx [--out FILE]`: the list written for machines and for
Excel (tracker.printouts.listing builds the CSV and the workbook)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

from tracker.errors import TrackerError, printable, printable_json
from tracker.i18n import t
from tracker.services.listing import ItemRow

# The printouts (openpyxl among them) are imported by the functions that write a file, not
# by every command that loads this module.


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


def write_listing(fmt: str, rows: list[ItemRow], out_path: Path | None) -> None:
    """Write `rows` as json, csv or xlsx to `out_path`, else (json, csv) to stdout."""
    from tracker.printouts.listing import csv_lines, render_xlsx
    from tracker.printouts.make import write

    if fmt == "xlsx":
        assert out_path is not None  # check_list_out refused it
        content: str | bytes = render_xlsx(rows, t("export.sheet"))
    elif fmt == "json":
        data = [row.as_json() for row in rows]
        content = printable_json(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
    else:
        if out_path is None:
            _to_stdout(csv_lines(rows))
            return
        # Bytes, so that the file is UTF-8 with its byte-order mark on every system, and
        # its line ends are CSV's own \r\n.
        content = "".join(csv_lines(rows)).encode("utf-8")
    if out_path is None:
        sys.stdout.write(str(content))
        return
    write(out_path, content)
    sys.stdout.write(printable(t("print.written", path=str(out_path))) + "\n")


def _to_stdout(lines: Iterable[str]) -> None:
    """CSV to stdout as UTF-8 bytes, byte-order mark first, whatever the terminal's or the
    system's encoding: `tracker list --format csv > 清单.csv` is then a file Excel reads."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    for line in lines:
        if buffer is None:  # a stream without bytes (some test runners): text it is
            sys.stdout.write(line)
        else:
            buffer.write(line.encode("utf-8"))
    if buffer is not None:
        buffer.flush()
