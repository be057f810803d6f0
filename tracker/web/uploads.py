"""Evidence files an officer sends from their own PC to a served app.

The app attaches evidence by a path on the machine it runs on, which in a browser is the
server. So the page uploads the officer's files to the server first, into a folder of their
own, and tells them the path to paste into the dialog's 佐证材料 field; the app then copies
the file into the evidence store as it does any other (and the uploaded copy may go).

A file's name is the officer's to choose, not its place: only its last part is kept, without
control characters or a leading dot, and a file already there is never overwritten.
"""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from tracker.files import MB

# The largest file taken (a scanned sign-in sheet, a photo of a lecture; not a video).
MAX_FILE = 50 * MB
# Characters no file name keeps: path separators, control characters, and those Windows
# refuses when an officer later copies the folder to their PC.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def safe_name(name: str) -> str:
    """The last part of `name` with nothing that could make it a path or hide it. A name as
    a form sends it is decoded first (browsers write " and line breaks as %22, %0A; some
    clients encode every character that is not ASCII)."""
    last = re.split(r"[/\\]", unquote(name))[-1]
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", last)).strip().lstrip(".")
    return cleaned[:120] or "file"


def officer_folder(root: Path, officer: str) -> Path:
    """The officer's own folder under `root` (their name made safe the same way)."""
    return root / safe_name(officer)


def place_for(folder: Path, name: str) -> Path:
    """A new path in `folder` for a file called `name`: the time first, so that the
    officer's uploads sort by when they came, and a number if that is taken."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-{safe_name(name)}"
    candidate = folder / base
    counter = 2
    while candidate.exists():
        stem, dot, suffix = base.rpartition(".")
        candidate = folder / (f"{stem}-{counter}.{suffix}" if dot else f"{base}-{counter}")
        counter += 1
    return candidate
