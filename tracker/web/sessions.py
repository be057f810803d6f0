"""Who is signed in, until when, and how fast a name may be guessed at.

Sessions live in the server's memory: a restart signs everyone out, which for an office's
one machine is what an officer expects of "the system was restarted". The token is the only
thing the browser holds (an HttpOnly cookie); it says nothing by itself.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass(frozen=True)
class Officer:
    """Someone signed in, and what their app process is given to act as them (the
    account's name on SQLite, the database login and its password on PostgreSQL)."""

    name: str
    environment: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass
class BrowserSession:
    token: str
    officer: Officer
    started: float
    last_active: float


class Sessions:
    """Signed-in browsers by token. A session ends when signed out, after `idle` seconds
    without the officer doing anything, or `longest` seconds after signing in."""

    def __init__(self, *, idle: float, longest: float, clock: Clock = time.monotonic) -> None:
        self.idle = idle
        self.longest = longest
        self.clock = clock
        self._by_token: dict[str, BrowserSession] = {}

    def open(self, officer: Officer) -> BrowserSession:
        now = self.clock()
        session = BrowserSession(secrets.token_urlsafe(32), officer, now, now)
        self._by_token[session.token] = session
        return session

    def get(self, token: str | None) -> BrowserSession | None:
        """The live session of `token`; None if there is none or it has expired (then it
        is forgotten)."""
        if not token:
            return None
        session = self._by_token.get(token)
        if session is None:
            return None
        if self.expired(session):
            del self._by_token[token]
            return None
        return session

    def expired(self, session: BrowserSession) -> bool:
        now = self.clock()
        return now - session.last_active > self.idle or now - session.started > self.longest

    def touch(self, session: BrowserSession) -> None:
        session.last_active = self.clock()

    def close(self, token: str) -> BrowserSession | None:
        return self._by_token.pop(token, None)

    def expired_ones(self) -> list[BrowserSession]:
        """Sessions past their time, forgotten as they are returned."""
        gone = [s for s in self._by_token.values() if self.expired(s)]
        for session in gone:
            del self._by_token[session.token]
        return gone


# After the n-th wrong password in a row for a name (or from an address), the next try is
# refused unheard for 2^(n-1) seconds, up to this: ten wrong guesses cost a guesser about
# ten minutes, an officer who mistyped twice waits two seconds.
LONGEST_WAIT = 60.0


class Throttle:
    """Slows down repeated wrong passwords, per name and per address."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, when the last)

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds before any of `keys` may try again (0: now)."""
        now = self.clock()
        longest = 0.0
        for key in keys:
            count, last = self._failures.get(key, (0, 0.0))
            if count:
                longest = max(longest, last + _delay(count) - now)
        return max(longest, 0.0)

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        for key in keys:
            count, _ = self._failures.get(key, (0, 0.0))
            self._failures[key] = (count + 1, now)

    def succeeded(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)


def _delay(failures: int) -> float:
    return float(min(2 ** (failures - 1), LONGEST_WAIT))
