"""What the database refused, told in the officer's words.

The database's guards (tracker.db_guard) refuse with SQLSTATE 42501 and a message
"tracker:<reason>"; privileges refuse with 42501 too. A wait for a lock past `lock_timeout`
(55P03) or a statement past `statement_timeout` (57014) says who holds the ledger, found
from what the server reports about the other sessions. Anything else is not this module's.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from tracker.errors import TrackerError
from tracker.i18n import t

INSUFFICIENT_PRIVILEGE = "42501"
LOCK_NOT_AVAILABLE = "55P03"
QUERY_CANCELED = "57014"
# The reasons db_guard.sql gives, each with a message of its own.
GUARD_REASONS = frozenset(
    {
        "no_account",
        "needs_admin",
        "needs_supervisor",
        "not_your_unit",
        "not_you",
        "recorded",
        "no_audit_key",
    }
)
# Locks that writing takes (a reader's AccessShareLock is left out).
WRITE_LOCKS = (
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (psycopg's), if it has one."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return next(iter(str(orig).splitlines()), "")


def holders(engine: Engine) -> list[str]:
    """The logins holding write locks on the ledger's tables now, oldest first. Asked on
    a connection of its own (the one that waited is done). pg_locks and the login of every
    session are visible to everyone; when their transactions began is not."""
    # Locks on the ledger's own tables (its schema's): a database may hold other schemas,
    # other ledgers, whose writers are not in this one's way.
    query = text(
        "SELECT a.usename FROM pg_stat_activity a "
        "WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND EXISTS ("
        "  SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "  WHERE l.pid = a.pid AND l.granted AND l.mode = ANY(:modes) "
        "  AND c.relnamespace = current_schema()::regnamespace) "
        "ORDER BY a.backend_start"
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query, {"modes": list(WRITE_LOCKS)}).scalars().all()
    except DBAPIError:
        return []
    return list(dict.fromkeys(str(name) for name in rows))


def explain(exc: DBAPIError, engine: Engine | None = None) -> TrackerError | None:
    """The refusal to show for `exc`, or None when it is not one this module knows."""
    state = sqlstate(exc)
    if state == INSUFFICIENT_PRIVILEGE:
        line = _first_line(exc)
        if line.startswith("tracker:"):
            reason = line.removeprefix("tracker:").strip()
            if reason in GUARD_REASONS:
                return TrackerError(f"db_refused_{reason}")
        # PostgreSQL's own words ("permission denied for table commitment") are English.
        return TrackerError("db_refused_privilege", reason=t("reason.permission_denied"))
    if state in (LOCK_NOT_AVAILABLE, QUERY_CANCELED):
        found = holders(engine) if engine is not None else []
        if found:
            return TrackerError("db_held_by", user="、".join(found[:3]))
        return TrackerError("db_busy")
    return None
