"""A unit of work that lost a race with another writer: rerun it, or refuse it in one line.

Two officers changing the same item at once collide in one of three ways. The second's
UPDATE finds the item's version changed since it read it (the mapper's version_id_col, see
models.Commitment): SQLAlchemy raises StaleDataError. PostgreSQL may also abort a transaction
as a serialization failure (SQLSTATE 40001) or pick it as a deadlock's victim (40P01). In
each case nothing of the transaction is kept, and running it again from scratch, in a fresh
session that reads the item as it now is, is what the officer would have done by hand.

Whether to rerun is the caller's call, since it depends on what the officer saw:

* an append (an event, a note), or any change typed at the command line, does not depend on
  a version the officer read: rerunning it re-checks everything against the item as it is
  now, so it is rerun (`retrying`), a few times, after a random pause (so that colliding
  writers spread out rather than collide again in step);
* a change made from a screen that showed an earlier version (the app's dialogs) is refused
  (`conflicts_refused`), so that the officer decides again on what is there now.

Either way the refusal is the one line `item_changed_now`, never the driver's message.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from tracker.errors import TrackerError

T = TypeVar("T")

# How many times a unit of work is tried before the conflict is reported. Each rerun reads
# the item afresh, so a rerun fails only if yet another writer commits within its few
# milliseconds; five tries with growing pauses outlast 16 writers on one item (see
# benchmarks/race_appends.py).
ATTEMPTS = 5
# The pause before the n-th rerun is random in [0, min(PAUSE_CAP, PAUSE_BASE * 2**n)]
# seconds ("full jitter"): writers that collided once do not wake up together.
PAUSE_BASE = 0.025
PAUSE_CAP = 1.0
# PostgreSQL's SQLSTATEs for a transaction it aborted because of another one.
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
CONFLICT_STATES = frozenset({SERIALIZATION_FAILURE, DEADLOCK_DETECTED})
# SQLite's primary result codes for a write lock another connection held longer than the
# busy timeout (db.SQLITE_BUSY_TIMEOUT_MS) let us wait: SQLITE_BUSY, SQLITE_LOCKED.
SQLITE_BUSY_CODES = frozenset({5, 6})


def is_conflict(exc: BaseException) -> bool:
    """Whether `exc` says the transaction lost a race with another writer (and so may
    succeed when run again), rather than that something is wrong."""
    return isinstance(exc, StaleDataError) or _conflict_state(exc) or _sqlite_busy(exc)


def _conflict_state(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None) if isinstance(exc, DBAPIError) else None
    return getattr(orig, "sqlstate", None) in CONFLICT_STATES


def _sqlite_busy(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None) if isinstance(exc, DBAPIError) else None
    code = getattr(orig, "sqlite_errorcode", None)  # the extended code: its low byte is
    return isinstance(code, int) and code & 0xFF in SQLITE_BUSY_CODES  # the primary one


def refusal(exc: BaseException) -> TrackerError:
    """The one line for a conflict that is not (or no longer) rerun: the item changed at
    the same moment, or (SQLite) another writer kept the ledger locked too long."""
    return TrackerError("db_busy" if _sqlite_busy(exc) else "item_changed_now")


def pause_before(rerun: int) -> float:
    """Seconds to wait before rerun number `rerun` (1 for the first rerun)."""
    return random.uniform(0, min(PAUSE_CAP, PAUSE_BASE * 2**rerun))


@contextmanager
def conflicts_refused() -> Iterator[None]:
    """Within the block, a conflict is refused as `item_changed_now` (the session it broke
    is rolled back by whoever opened it)."""
    try:
        yield
    except (StaleDataError, DBAPIError) as exc:
        if not is_conflict(exc):
            raise
        raise refusal(exc) from exc


def retrying(
    attempt: Callable[[], T],
    *,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `attempt` (a whole unit of work: it opens its session, works, commits) and return
    what it returns. On a conflict, run it again from scratch, at most `attempts` times in
    all; the last one's conflict is refused with the TrackerError of `refusal`. Any other
    error passes through untouched, at once."""
    for number in range(1, attempts):
        try:
            return attempt()
        except (StaleDataError, DBAPIError) as exc:
            if not is_conflict(exc):
                raise
        sleep(pause_before(number))
    with conflicts_refused():
        return attempt()
