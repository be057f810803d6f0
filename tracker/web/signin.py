"""How `tracker serve` tells who an officer is.

- A SQLite ledger: the account's own password (`tracker users passwd`), hashed with argon2id
  in the ledger (tracker.services.passwords). The app process acts as that account.
- PostgreSQL: the database login. The name and password are tried on the database itself;
  the app process then connects as that login, so the database's own rules (privileges,
  row-level guards) apply to everything it does. A database that lets a login in with any
  password (trust authentication) would let anyone be anyone: sign-in is then refused.
- The local officer: on 127.0.0.1 without --sign-in, nobody signs in and the app acts as the
  terminal app would (--user, TRACKER_USER, the config file, the login name).

Each check blocks (argon2 takes ~50 ms on purpose, a database connection a round trip): the
server runs them in a thread.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from tracker.errors import TrackerError
from tracker.web.sessions import Officer

# Names and passwords longer than these are refused unread (argon2 and the database would
# take them, but nothing legitimate is that long).
MAX_NAME = 100
MAX_PASSWORD = 1024


class SignIn(Protocol):
    """Checks a name and password; None when they are not right."""

    @property
    def required(self) -> bool:
        """False only for the local officer: no sign-in page at all."""

    def check(self, name: str, password: str) -> Officer | None: ...


@dataclass(frozen=True)
class LocalOfficer:
    """No sign-in: everyone who reaches the server is the officer who started it (only on
    the loopback address, where that is this machine's user)."""

    url: str
    user: str
    required: bool = False

    def officer(self) -> Officer:
        return Officer(self.user, {"TRACKER_DB": self.url, "TRACKER_USER": self.user})

    def check(self, name: str, password: str) -> Officer | None:
        return self.officer()


@dataclass(frozen=True)
class SqlitePasswords:
    """Accounts of a SQLite ledger with a password set."""

    url: str
    required: bool = True

    def check(self, name: str, password: str) -> Officer | None:
        from tracker.db import make_engine, new_session
        from tracker.services.passwords import check_password

        if not _plausible(name, password):
            return None
        engine = make_engine(self.url)
        try:
            with new_session(engine) as session:
                if not check_password(session, name, password):
                    return None
        finally:
            engine.dispose()
        return Officer(name, {"TRACKER_DB": self.url, "TRACKER_USER": name})


@dataclass(frozen=True)
class DatabaseLogins:
    """PostgreSQL logins: the database checks the password."""

    url: str
    required: bool = True

    def check(self, name: str, password: str) -> Officer | None:
        if not _plausible(name, password) or not password:
            return None
        if not self._connects(name, password):
            return None
        # A server that also takes a wrong password does not check passwords at all.
        if self._connects(name, secrets.token_urlsafe(24)):
            raise TrackerError("web.db_trusts_anyone")
        as_them = make_url(self.url).set(username=name, password=None)
        return Officer(
            name,
            {
                "TRACKER_DB": as_them.render_as_string(hide_password=False),
                # The password goes to libpq through the environment, not in the URL, which
                # tracker prints in some messages.
                "PGPASSWORD": password,
            },
        )

    def _connects(self, name: str, password: str) -> bool:
        url = make_url(self.url).set(username=name, password=password)
        engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 10})
        try:
            with engine.connect():
                return True
        except OperationalError as exc:
            if _unreachable(exc):
                raise TrackerError("web.db_unreachable") from exc
            return False
        finally:
            engine.dispose()


def sign_in_for(url: str, *, local_user: str | None) -> SignIn:
    """The sign-in of the ledger at `url`; the local officer when `local_user` is given."""
    if local_user is not None:
        return LocalOfficer(url, local_user)
    if url.startswith("sqlite"):
        return SqlitePasswords(url)
    return DatabaseLogins(url)


def _plausible(name: str, password: str) -> bool:
    return 0 < len(name) <= MAX_NAME and len(password) <= MAX_PASSWORD and "\0" not in name


def _unreachable(exc: OperationalError) -> bool:
    """A refusal of the login (wrong password, no such role) rather than no server."""
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    refused_login = ("password authentication failed", "role", "authentication", "pg_hba")
    return not any(word in text for word in refused_login)
