"""What a library's failure means, in the officer's words.

A message that says why something failed ("未作任何修改：{reason}") must not quote SQLite,
PostgreSQL or the operating system in English ("file is not a database", "Permission
denied"). `reason_of` turns the failures people meet (a file that is not a database, a full
or read-only disk, a locked database, a missing file or folder, no permission) into a line
of the catalogs, in the current language; anything else becomes a general line, and its
own text goes to the log (tracker's logger, silent unless someone turns it on).
"""

from __future__ import annotations

import csv
import errno
import logging
import sqlite3

from tracker.i18n import t

log = logging.getLogger("tracker")

# errno -> the message key of the catalogs' `reason.*` lines.
_OS_REASONS = {
    errno.ENOENT: "reason.no_such_file",
    errno.ENOTDIR: "reason.not_a_directory",
    errno.EISDIR: "reason.is_a_directory",
    errno.EACCES: "reason.permission_denied",
    errno.EPERM: "reason.permission_denied",
    errno.EROFS: "reason.read_only",
    errno.ENOSPC: "reason.disk_full",
    errno.EDQUOT: "reason.disk_full",
    errno.EEXIST: "reason.exists",
    errno.EBUSY: "reason.busy",
    errno.ETXTBSY: "reason.busy",
    errno.ENAMETOOLONG: "reason.name_too_long",
    errno.ELOOP: "reason.link_loop",
    errno.EIO: "reason.io_error",
    errno.EXDEV: "reason.other_disk",
    errno.EMFILE: "reason.too_many_files",
    errno.ENFILE: "reason.too_many_files",
}

# What SQLite says (lower case, as its messages are) -> the key of the line that explains it.
# Checked in order: the first part found in the message wins.
_SQLITE_REASONS = (
    ("file is not a database", "reason.not_a_database"),
    ("file is encrypted", "reason.not_a_database"),
    ("malformed", "reason.database_damaged"),
    ("database is locked", "reason.locked"),
    ("table is locked", "reason.locked"),
    ("readonly database", "reason.read_only"),
    ("read-only", "reason.read_only"),
    ("database or disk is full", "reason.disk_full"),
    ("disk is full", "reason.disk_full"),
    ("unable to open database file", "reason.cannot_open_database"),
    ("disk i/o error", "reason.io_error"),
    ("no such table", "reason.not_a_ledger"),
    ("no such column", "reason.not_a_ledger"),
    ("integer overflow", "reason.number_too_large"),
    ("too large to convert", "reason.number_too_large"),
    ("string or blob too big", "reason.too_large"),
)

# PostgreSQL's SQLSTATE classes and codes -> the key of the line that explains them.
_SQLSTATE_REASONS = {
    "08": "reason.server_unreachable",  # connection exception
    "28": "reason.login_refused",  # invalid authorization
    "3D": "reason.no_such_database",  # invalid catalog name
    "3F": "reason.not_a_ledger",  # invalid schema name
    "42P01": "reason.not_a_ledger",  # undefined table
    "42703": "reason.not_a_ledger",  # undefined column
    "42501": "reason.permission_denied",
    "53100": "reason.disk_full",
    "53": "reason.server_overloaded",  # insufficient resources
    "57P": "reason.server_unreachable",  # the server shut down
    "25006": "reason.read_only",  # read-only transaction
    "22003": "reason.number_too_large",
    "22008": "reason.value_out_of_range",
    "55P03": "reason.locked",
    "40": "reason.conflict",  # serialization failure, deadlock
}

# What a driver says when it cannot reach the server at all (psycopg, before any SQLSTATE).
_CONNECTION_WORDS = (
    ("password authentication failed", "reason.login_refused"),
    ("no password supplied", "reason.login_refused"),
    ('role "', "reason.login_refused"),  # role "wang" does not exist
    ('database "', "reason.no_such_database"),  # database "ledger" does not exist
    ("connection refused", "reason.server_unreachable"),
    ("could not connect", "reason.server_unreachable"),
    ("could not translate host name", "reason.server_unreachable"),
    ("timeout expired", "reason.server_unreachable"),
    ("server closed the connection", "reason.server_unreachable"),
    ("connection is bad", "reason.server_unreachable"),
)


def reason_of(exc: BaseException) -> str:
    """Why `exc` happened, as one line in the current language, without the library's
    English: known failures each have their line, others a general one."""
    key = reason_key(exc)
    if key in ("reason.unknown", "reason.unknown_database"):
        log.info("unexplained failure: %s", exc, exc_info=exc)
    if key == "reason.os_error":
        return t(key, number=getattr(exc, "errno", None) or "-")
    return t(key)


def reason_key(exc: BaseException) -> str:
    """The catalog key of the line `reason_of` gives for `exc`."""
    # Imported here: tracker.files and tracker.config use this module and stay free of the
    # database stack (tracker.schedule is pure date logic).
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None)
        return _database_key(orig if isinstance(orig, BaseException) else exc)
    if isinstance(exc, sqlite3.Error):
        return _database_key(exc)
    if isinstance(exc, UnicodeError):
        return "reason.not_utf8"
    if isinstance(exc, OverflowError):
        return "reason.number_too_large"
    if isinstance(exc, csv.Error):
        return _csv_key(exc)
    if isinstance(exc, ValueError) and "null" in str(exc).lower():
        return "reason.nul_in_path"  # "embedded null byte": a NUL in a path
    if isinstance(exc, OSError):
        if exc.errno in _OS_REASONS:
            return _OS_REASONS[exc.errno]
        return "reason.os_error" if exc.errno else "reason.unknown"
    return "reason.unknown"


def _database_key(exc: BaseException) -> str:
    state = getattr(exc, "sqlstate", None)
    if isinstance(state, str) and state:
        for prefix in (state, state[:3], state[:2]):
            if prefix in _SQLSTATE_REASONS:
                return _SQLSTATE_REASONS[prefix]
    message = str(exc).lower()
    for words, key in _SQLITE_REASONS:
        if words in message:
            return key
    # A server's words (psycopg's, before any SQLSTATE), never SQLite's: "NOT NULL
    # constraint failed: account.role" is no refused login.
    if state is None and not isinstance(exc, sqlite3.Error):
        for words, key in _CONNECTION_WORDS:
            if words in message:
                return key
    if isinstance(exc, OSError):  # a file the driver could not open
        return reason_key(exc)
    return "reason.unknown_database"


def _csv_key(exc: csv.Error) -> str:
    message = str(exc).lower()
    if "field larger than field limit" in message:
        return "reason.csv_cell_too_long"
    if "nul" in message:
        return "reason.csv_nul"
    if "new-line" in message or "newline" in message:
        return "reason.csv_line_break"
    return "reason.csv_quotes"
