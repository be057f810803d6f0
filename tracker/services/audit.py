"""The tamper-evident audit log (留痕): recording every change to the ledger in a hash chain.

On SQLite this module writes the chain. On PostgreSQL the database writes it itself, from
the same rows and in the same form, keyed with a secret only the owner of the tables can
read (tracker/db_guard.sql); here it then only tells the database who acts. The chain's
form and its verifying are `tracker.services.audit_chain`'s; `tracker.services.audit_ledger`
compares the ledger with the chain.

Nothing has to remember to call this module. Importing it registers listeners on SQLAlchemy's
`Session` class (`tracker.db.new_session` imports it), which turn the rows every change
already writes into audit entries (what is gathered: `tracker.services.audit_changes`).
Changes are gathered after each flush, while SQLAlchemy still knows the old values, and
written when the transaction commits (see `write_pending`); a status or extended date
another entry of the transaction already states is not repeated.

Who acted is taken from the row (History.changed_by, Event.recorded_by, Account.created_by,
Extension.requested_by / decided_by). A change whose row does not say (a Commitment edit, a
role change) takes the actor of another change to the same target in the transaction, else
`session.info["actor"]` (see `set_actor`), else "?".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction, UOWTransaction
from sqlmodel import col

from tracker.models import AuditEntry, ExtensionState, HistoryKind
from tracker.services.audit_chain import (
    GENESIS,
    canonical_json,
    database_keeps_chain,
    entry_hash,
)
from tracker.services.audit_changes import EXTENSION_ACTIONS, UNKNOWN_ACTOR, Pending, gather

# Where a session keeps what it has gathered, and who is acting in it.
PENDING_KEY = "tracker.audit.pending"
ACTOR_KEY = "actor"
# History kinds whose entry already says a commitment's new status.
STATUS_ACTIONS = frozenset({HistoryKind.SEED, HistoryKind.STATUS, HistoryKind.AUTO_STATUS})


def set_actor(session: OrmSession, user: str) -> None:
    """Name who is acting in `session`, for changes whose rows do not say."""
    session.info[ACTOR_KEY] = user


def _pending(session: OrmSession) -> list[Pending]:
    pending: list[Pending] = session.info.setdefault(PENDING_KEY, [])
    return pending


def _after_flush(session: OrmSession, _context: UOWTransaction) -> None:
    if database_keeps_chain(session):
        return
    gathered = gather(session)
    if not gathered:
        return
    savepoint = session.get_nested_transaction()
    for entry in gathered:
        entry.savepoint = savepoint
    _pending(session).extend(gathered)


def _inside(savepoint: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is ended:
            return True
        savepoint = savepoint.parent
    return False


def _after_soft_rollback(session: OrmSession, previous: SessionTransaction) -> None:
    """A savepoint rolled back takes the changes gathered inside it with it."""
    if previous.nested and PENDING_KEY in session.info:
        session.info[PENDING_KEY] = [
            entry for entry in _pending(session) if not _inside(entry.savepoint, previous)
        ]


def _after_transaction_end(session: OrmSession, transaction: SessionTransaction) -> None:
    """Whatever ended the transaction (commit, rollback, close), nothing stays pending."""
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def _before_commit(session: OrmSession) -> None:
    write_pending(session)


def add_entry(
    session: OrmSession,
    *,
    action: str,
    target: str,
    detail: dict[str, Any],
    actor: str | None = None,
) -> None:
    """Add an entry that no row change carries (a restore of the whole ledger). It joins the
    entries gathered from the rows: written into the chain when the transaction commits, and
    gone with it if it is rolled back."""
    entry = Pending(action, target, detail, actor, session.get_nested_transaction())
    _pending(session).append(entry)


# --- Writing ---------------------------------------------------------------------------


def _tells(entry: Pending) -> Iterator[tuple[str, str, Any]]:
    """The (target, column, new value) facts about a commitment that `entry` states."""
    if entry.action in STATUS_ACTIONS:
        yield entry.target, "status", entry.detail.get("new")
    elif entry.action == EXTENSION_ACTIONS[ExtensionState.APPROVED]:
        yield entry.target, "extended_due", entry.detail.get("new_due")


def _consolidate(pending: list[Pending], session_actor: str | None) -> list[Pending]:
    """One entry per change: evidence joins the entry of the event it was logged with, a
    column change another entry already tells (a status by its history row, an extended date
    by the approval) is not told again, and every actor is named."""
    events = {entry.detail["event"]: entry for entry in pending if entry.action == "event"}
    told = {fact for entry in pending for fact in _tells(entry)}
    entries: list[Pending] = []
    for entry in pending:
        if entry.action == "evidence" and entry.detail["event"] in events:
            files = events[entry.detail["event"]].detail.setdefault("evidence", [])
            files.append({k: v for k, v in entry.detail.items() if k != "event"})
            continue
        if entry.action == "commitment.edit":
            changes = entry.detail["changes"]
            for name in [n for n, c in changes.items() if (entry.target, n, c["new"]) in told]:
                del changes[name]
            if not changes:
                continue
        entries.append(entry)
    actors: dict[str, str] = {}
    for entry in entries:
        if entry.actor is not None:
            actors.setdefault(entry.target, entry.actor)
    for entry in entries:
        if entry.actor is None:
            entry.actor = actors.get(entry.target) or session_actor or UNKNOWN_ACTOR
    return entries


def _name_actor(session: OrmSession) -> None:
    """Tell the database who acts, for changes whose rows do not say. Only a superuser's
    session is believed (the guards take every other login as who acts)."""
    actor = session.info.get(ACTOR_KEY)
    if actor is not None:
        session.execute(text("SELECT set_config('tracker.actor', :actor, true)"), {"actor": actor})


def _write_in_database(session: OrmSession) -> int:
    """Fire the database's deferred audit triggers now; how many entries they wrote.

    Also done before every commit of the session, so that a session joined to an outer
    transaction (the tests') sees its entries as a committing one would."""
    _name_actor(session)
    # The entries past the last one before: read by the primary key. Counting the whole
    # chain before and after took 0.3 s each at a district's 1.8M entries, on every commit,
    # reads included.
    before = session.execute(text("SELECT coalesce(max(id), 0) FROM audit")).scalar_one()
    session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    session.execute(text("SET CONSTRAINTS ALL DEFERRED"))
    after = text("SELECT count(*) FROM audit WHERE id > :before")
    return int(session.execute(after, {"before": before}).scalar_one())


def write_pending(session: OrmSession) -> int:
    """Flush, then append what this transaction changed to the chain; how many entries.

    Runs by itself before every commit; call it to see this transaction's entries sooner.
    On PostgreSQL the database writes them, at commit or, asked here, at once.
    """
    session.flush()
    if database_keeps_chain(session):
        return _write_in_database(session)
    pending = session.info.pop(PENDING_KEY, [])
    entries = _consolidate(pending, session.info.get(ACTOR_KEY))
    if not entries:
        return 0
    # Only SQLite comes here (PostgreSQL writes its own chain). Entries are pending only
    # after this transaction flushed a write, and from its first one SQLite holds the
    # database's single write lock until commit: nobody can add an entry between our
    # reading the last one and our commit. The ids are a last guard: two writers reading
    # the same last entry would both insert id N+1, and the primary key refuses the second.
    last = session.execute(
        sa_select(col(AuditEntry.id), col(AuditEntry.hash))
        .order_by(col(AuditEntry.id).desc())
        .limit(1)
    ).first()
    next_id, prev_hash = (1, GENESIS) if last is None else (int(last[0] or 0) + 1, last[1])
    at = datetime.now(UTC).replace(microsecond=0)
    rows: list[dict[str, Any]] = []
    for number, entry in enumerate(entries, start=next_id):
        assert entry.actor is not None
        detail = canonical_json(entry.detail)
        digest = entry_hash(
            prev_hash,
            id=number,
            at=at,
            actor=entry.actor,
            action=entry.action,
            target=entry.target,
            detail=detail,
        )
        rows.append(
            {
                "id": number,
                "at": at,
                "actor": entry.actor,
                "action": entry.action,
                "target": entry.target,
                "detail": detail,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    # One executemany for all of them (seeding writes a few hundred at once).
    session.execute(insert(AuditEntry), rows)
    return len(rows)


def _listen() -> None:
    """Register the listeners once, on every Session (SQLModel's is a subclass)."""
    listeners = (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_soft_rollback", _after_soft_rollback),
        ("after_transaction_end", _after_transaction_end),
    )
    for name, listener in listeners:
        if not event.contains(OrmSession, name, listener):
            event.listen(OrmSession, name, listener)


_listen()
