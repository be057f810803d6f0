"""The PostgreSQL client commands that back up and restore a shared ledger.

A PostgreSQL ledger is the database administrator's to back up and restore: the commands are
given, nothing is run.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from sqlalchemy.engine import URL, make_url

# `options=-csearch_path=a,b` in a PostgreSQL URL: the schemas the ledger lives in.
SEARCH_PATH = re.compile(r"(?:^|\s)-c\s*search_path\s*=\s*(\S+)")


def _pg_connection(url: URL) -> list[str]:
    """The host, port, user and database options of the PostgreSQL client tools."""
    args: list[str] = []
    host = url.host or url.query.get("host")
    if host:
        args += ["-h", str(host)]
    if url.port:
        args += ["-p", str(url.port)]
    if url.username:
        args += ["-U", url.username]
    if url.database:
        args += ["-d", url.database]
    return args


def _pg_schemas(url: URL) -> list[str]:
    """The schemas of `options=-csearch_path=…` (the ledger's tables are there), if given."""
    options = url.query.get("options")
    text = " ".join(options) if isinstance(options, tuple) else options or ""
    match = SEARCH_PATH.search(text)
    if match is None:
        return []
    names = (name.strip().strip('"') for name in match.group(1).split(","))
    return [name for name in names if name and name != "$user"]


def pg_dump_command(url: str | URL, target: Path) -> str:
    """The pg_dump command that backs up the ledger at `url` into `target` (custom format).

    The password is left out: pg_dump asks for it, or reads PGPASSWORD or ~/.pgpass.
    """
    parsed = make_url(url)
    schemas = [arg for name in _pg_schemas(parsed) for arg in ("-n", name)]
    return shlex.join(["pg_dump", *_pg_connection(parsed), *schemas, "-Fc", "-f", str(target)])


def pg_restore_command(url: str | URL, backup: Path) -> str:
    """The pg_restore command that puts the dump `backup` back into the database at `url`:
    the ledger's tables are dropped and recreated in one transaction."""
    parsed = make_url(url)
    options = ["--clean", "--if-exists", "--single-transaction"]
    return shlex.join(["pg_restore", *_pg_connection(parsed), *options, str(backup)])
