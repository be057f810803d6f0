"""Files an officer names: found without a traceback, opened without hanging, and read whole
only up to a limit.

A path given on the command line may be a symbolic link loop (on Python 3.11 `Path.resolve`
raises RuntimeError for one), a named pipe (opening a FIFO waits for a writer, reading it
waits for data that may never come) or a device (/dev/zero never ends, /dev/stdin waits for
the keyboard). Only regular files are read or written here, and they are opened without
waiting (O_NONBLOCK) and checked on the open descriptor, so a file swapped for a pipe
between a check and the open cannot hang the command either. A file read whole into memory
(a seed, a roster) is read no further than its limit.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from tracker.errors import TrackerError
from tracker.failures import reason_of

MB = 1 << 20
# Opening a FIFO with O_NONBLOCK returns at once (for reading) or fails with ENXIO (for
# writing, with no reader) instead of waiting for its other end. Regular files ignore it.
_NO_WAIT = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def size_text(size: int) -> str:
    """A limit as it is stated: 5 MB, 512 KB."""
    return f"{size // MB} MB" if size >= MB and size % MB == 0 else f"{max(size // 1024, 1)} KB"


def path_error(
    path: Path | str, exc: OSError | ValueError | RuntimeError, *, write: bool = False
) -> TrackerError:
    """The one-line refusal for a path the system could not follow or open (to write)."""
    if isinstance(exc, RuntimeError):  # Python 3.11 and 3.12: "Symlink loop from ..."
        return TrackerError("path_loop", path=str(path))
    if isinstance(exc, ValueError):  # a NUL character in the path
        key = "file_unwritable" if write else "file_unreadable"
        return TrackerError(key, path=str(path), reason=reason_of(exc))
    if exc.errno == errno.ENOENT:
        return TrackerError("file_missing", path=str(path))
    if exc.errno == errno.ELOOP:
        return TrackerError("path_loop", path=str(path))
    if exc.errno in (errno.EISDIR, errno.ENXIO, errno.ENODEV):
        # A folder; a FIFO with nobody reading it, opened to write; a device with no driver.
        return TrackerError("file_not_regular", path=str(path))
    key = "file_unwritable" if write else "file_unreadable"
    return TrackerError(key, path=str(path), reason=reason_of(exc))


def resolved(path: Path) -> Path:
    """`path` with ~ expanded, absolute and with its links followed: a symbolic link loop
    is a one-line refusal, not a traceback."""
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError) as exc:  # OSError(ELOOP) from Python 3.13 on
        raise path_error(path, exc) from exc


def require_not_special(path: Path) -> None:
    """Refuse `path` when it exists and is not a regular file (a folder, pipe or device) or
    cannot be followed (a link loop); a path that does not exist yet passes."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise path_error(path, exc) from exc
    if not stat.S_ISREG(mode):
        raise TrackerError("file_not_regular", path=str(path))


def open_regular(path: Path, *, write: bool = False) -> BinaryIO:
    """`path` opened to read (or to write, created or emptied), if it is a regular file;
    anything else is refused before a byte is read or written."""
    flags = (os.O_WRONLY | os.O_CREAT) if write else os.O_RDONLY
    try:
        descriptor = os.open(path, flags | _NO_WAIT, 0o666)
    except (OSError, ValueError) as exc:
        raise path_error(path, exc, write=write) from exc
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise TrackerError("file_not_regular", path=str(path))
        if write:
            os.ftruncate(descriptor, 0)  # only now: a pipe or device is never truncated
    except OSError as exc:
        os.close(descriptor)
        raise path_error(path, exc, write=write) from exc
    except TrackerError:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "wb" if write else "rb")


def read_limited(path: Path, limit: int) -> bytes:
    """The whole content of the regular file `path`, refused when it is over `limit` bytes
    (checked on its size first, and again on what is read: a file may grow meanwhile)."""
    with open_regular(path) as handle:
        if os.fstat(handle.fileno()).st_size > limit:
            raise TrackerError("file_too_large", path=str(path), limit=size_text(limit))
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise path_error(path, exc) from exc
    if len(data) > limit:
        raise TrackerError("file_too_large", path=str(path), limit=size_text(limit))
    return data


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """A file to write that becomes `path` only when the block ends without an error: it is
    written under a temporary name in the same folder and renamed over `path` (atomic on
    one file system), so a failure half-way (a full disk, a database error, Ctrl-C) leaves
    `path` as it was and no half-written file. As with `open_regular`, a folder, pipe or
    device at `path` is refused before anything is written, and a link is written through.
    A new file gets the usual permissions (0666 less the umask), a replaced one keeps its."""
    require_not_special(path)
    target = Path(os.path.realpath(path))
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = None
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_WAIT, 0o666)
    except (OSError, ValueError) as exc:
        raise path_error(path, exc, write=True) from exc
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:  # a full disk, a folder made read-only meanwhile
        temporary.unlink(missing_ok=True)
        raise TrackerError("print_out_failed", path=str(path), reason=reason_of(exc)) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
