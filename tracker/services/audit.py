"""The tamper-evident audit log (留痕): every change to the ledger, kept as a hash chain.

On SQLite this module writes the chain. On PostgreSQL the database writes it itself, from
the same rows and in the same form, keyed with a secret only the owner of the tables can
read (tracker/db_guard.sql); here it then only tells the database who acts and asks it to
verify. `tracker.services.audit_ledger` compares the ledger with the chain.

Nothing has to remember to call this module. Importing it registers listeners on SQLAlchemy's
`Session` class (`tracker.db.new_session` imports it), which turn the rows every change
already writes into audit entries:

* inserted History rows (status, auto_status, note, seed, village; "event" and "extension"
  History rows are left to the Event and Extension rows they repeat), Event rows (with the
  Evidence files added with them), Account, AccountUnit and Extension rows;
* changed columns: a Commitment's status, due, extended_due, unit and title (a status or
  extended date another entry of the transaction already states is not repeated); an
  Account's role and whether it is disabled; an Extension's state; an Event's void; and
  deleted Account and AccountUnit rows.

Changes are gathered after each flush, while SQLAlchemy still knows the old values, and
written when the transaction commits (see `write_pending`).

Each entry's hash is SHA-256 over the previous entry's hash, a newline, and the canonical
JSON of the entry's id, time (ISO, UTC), actor, action, target and detail text; the first
entry follows 64 zeros. Editing, deleting or reordering any entry breaks the chain at that
entry, which `verify_chain` names. Deleting the newest entries cannot be seen from the chain
alone: an anchor noted earlier tells (services.audit_ledger).

Who acted is taken from the row (History.changed_by, Event.recorded_by, Account.created_by,
Extension.requested_by / decided_by). A change whose row does not say (a Commitment edit, a
role change) takes the actor of another change to the same target in the transaction, else
`session.info["actor"]` (see `set_actor`), else "?".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import Executable, event, insert, inspect, text
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction, UOWTransaction
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import (
    Account,
    AccountUnit,
    AuditEntry,
    Commitment,
    Event,
    Evidence,
    Extension,
    ExtensionState,
    History,
    HistoryKind,
    Report,
    Unit,
    Village,
)

# The prev_hash of the first entry.
GENESIS = "0" * 64
# Where a session keeps what it has gathered, and who is acting in it.
PENDING_KEY = "tracker.audit.pending"
ACTOR_KEY = "actor"
UNKNOWN_ACTOR = "?"
# The Commitment columns whose changes are audited ("unit" is unit_id, told by name).
COMMITMENT_FIELDS = ("status", "due", "extended_due", "unit_id", "title")
# History kinds whose entry already says a commitment's new status.
STATUS_ACTIONS = frozenset({HistoryKind.SEED, HistoryKind.STATUS, HistoryKind.AUTO_STATUS})
# History kinds that repeat a row audited on its own (Event, Extension), which says more.
REPEATED_KINDS = frozenset({HistoryKind.EVENT, HistoryKind.EXTENSION})
EXTENSION_ACTIONS: dict[str, str] = {
    ExtensionState.APPROVED: "extension.approve",
    ExtensionState.REFUSED: "extension.refuse",
}
# Ids per IN (...) when looking up targets: well below SQLite's limit on parameters.
CHUNK = 500


class BreakReason(StrEnum):
    """Why a link of the chain is broken."""

    GAP = "gap"  # ids not consecutive: an entry is missing (or was renumbered)
    LINK = "link"  # prev_hash does not match the entry before
    HASH = "hash"  # hash does not match the entry's content


@dataclass(frozen=True)
class Break:
    """The first broken link: its position in the chain (1-based), id and why."""

    position: int
    id: int
    reason: BreakReason


@dataclass(frozen=True)
class VerifyResult:
    """What `verify_chain` found: how many entries are sound, and the first break if any."""

    checked: int
    broken: Break | None
    last_hash: str

    @property
    def intact(self) -> bool:
        return self.broken is None


@dataclass(frozen=True)
class AuditRecord:
    """One entry as read back, its time aware and in UTC and its detail parsed."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


@dataclass
class _Pending:
    """A change gathered at flush time and not yet written."""

    action: str
    target: str
    detail: dict[str, Any]
    actor: str | None  # None: resolved when written (see the module's docstring)
    savepoint: SessionTransaction | None = None


# --- Targets and canonical forms ---------------------------------------------------------


def commitment_target(slug: str, code: str) -> str:
    """The target of a commitment's or instance's entries: "baohe-2021:5.5a/2026"."""
    return f"{slug}:{code}"


def account_target(name: str) -> str:
    return f"account:{name}"


def village_target(town: str, number: int) -> str:
    return f"village:{town}:{number}"


def _plain(value: Any) -> Any:
    """A JSON value for a column's value: dates as ISO text, enums as their value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def canonical_json(value: Any) -> str:
    """The one text of `value` that is hashed: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
    )


def utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive one (SQLite stores no zone) is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@lru_cache(maxsize=64)
def _utc_iso(moment: datetime) -> str:
    # Cached: the entries of one transaction share their time, and verifying 200,000 entries
    # would otherwise spend a fifth of its time here.
    return utc(moment).isoformat()


def entry_hash(
    prev_hash: str, *, id: int, at: datetime, actor: str, action: str, target: str, detail: str
) -> str:
    """SHA-256 of the previous hash, a newline and the entry's canonical content.

    The id is part of it so that an entry cannot be moved; the time is hashed as UTC ISO
    text so that SQLite (naive) and PostgreSQL (aware, in the session's zone) agree.
    """
    content = {
        "id": id,
        "at": _utc_iso(at),
        "actor": actor,
        "action": action,
        "target": target,
        "detail": detail,
    }
    message = f"{prev_hash}\n{canonical_json(content)}"
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def set_actor(session: OrmSession, user: str) -> None:
    """Name who is acting in `session`, for changes whose rows do not say."""
    session.info[ACTOR_KEY] = user


# --- Gathering changes at flush time -----------------------------------------------------


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


class _Lookups:
    """Names the flushed rows refer to by id, each kind fetched in one query per CHUNK ids.

    Plain column queries on the flushing connection: rows inserted by this transaction are
    visible, and nothing is loaded into the session while it flushes.
    """

    def __init__(self, session: OrmSession) -> None:
        self.session = session
        self.commitments: dict[int, str] = {}
        self.villages: dict[int, str] = {}
        self.accounts: dict[int, str] = {}
        self.units: dict[int, str] = {}
        self.events: dict[int, tuple[int, str]] = {}  # event id -> (commitment id, recorder)

    def _rows(self, statement: Executable) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.session.execute(statement)]

    def load(
        self,
        *,
        commitments: set[int],
        villages: set[int],
        accounts: set[int],
        units: set[int],
        events: set[int],
    ) -> None:
        for chunk in _chunks(events):
            by_event = sa_select(col(Event.id), col(Event.commitment_id), col(Event.recorded_by))
            rows = self._rows(by_event.where(col(Event.id).in_(chunk)))
            self.events.update({i: (c, by) for i, c, by in rows})
        commitments |= {commitment for commitment, _ in self.events.values()}
        for chunk in _chunks(commitments):
            codes = sa_select(col(Commitment.id), col(Commitment.code), col(Report.slug))
            codes = codes.join(Report, col(Report.id) == Commitment.report_id)
            rows = self._rows(codes.where(col(Commitment.id).in_(chunk)))
            self.commitments.update({i: commitment_target(s, c) for i, c, s in rows})
        for chunk in _chunks(villages):
            numbers = sa_select(col(Village.id), col(Village.town), col(Village.number))
            rows = self._rows(numbers.where(col(Village.id).in_(chunk)))
            self.villages.update({i: village_target(t, n) for i, t, n in rows})
        for chunk in _chunks(accounts):
            names = sa_select(col(Account.id), col(Account.name))
            rows = self._rows(names.where(col(Account.id).in_(chunk)))
            self.accounts.update({i: account_target(n) for i, n in rows})
        for chunk in _chunks(units):
            units_q = sa_select(col(Unit.id), col(Unit.name))
            self.units.update(dict(self._rows(units_q.where(col(Unit.id).in_(chunk)))))

    def commitment(self, commitment_id: int | None) -> str:
        return self.commitments.get(commitment_id or 0, f"commitment:{commitment_id}")

    def account(self, account_id: int) -> str:
        return self.accounts.get(account_id, f"account:#{account_id}")


def _change(obj: Any, name: str) -> tuple[Any, Any] | None:
    """(old, new) of an attribute changed since the object was loaded, or None."""
    history = inspect(obj).attrs[name].history
    if not history.has_changes():
        return None
    old = history.deleted[0] if history.deleted else None
    new = history.added[0] if history.added else None
    return (_plain(old), _plain(new)) if old != new else None


def _non_empty(**values: Any) -> dict[str, Any]:
    return {key: _plain(value) for key, value in values.items() if value not in (None, "")}


def _history(row: History, lookups: _Lookups) -> _Pending | None:
    if row.kind in REPEATED_KINDS:
        return None
    if row.commitment_id is not None:
        target = lookups.commitment(row.commitment_id)
    elif row.village_id is not None:
        target = lookups.villages.get(row.village_id, f"village:#{row.village_id}")
    else:
        target = "ledger"
    detail = {"history": row.id, **_non_empty(old=row.old, new=row.new, note=row.note)}
    if row.effective_on != row.changed_at.date():  # a late entry (补录) says which day
        detail["effective"] = _plain(row.effective_on)
    return _Pending(str(row.kind), target, detail, row.changed_by)


def _event(row: Event, lookups: _Lookups) -> _Pending:
    detail = {"event": row.id, **_non_empty(date=row.happened_on, note=row.note, value=row.value)}
    return _Pending("event", lookups.commitment(row.commitment_id), detail, row.recorded_by)


def _evidence(row: Evidence, lookups: _Lookups) -> _Pending:
    commitment, recorder = lookups.events.get(row.event_id, (0, UNKNOWN_ACTOR))
    detail = {
        "event": row.event_id,
        "evidence": row.id,
        "path": row.path,
        "sha256": row.sha256,
        "size": row.size,
    }
    return _Pending("evidence", lookups.commitment(commitment), detail, recorder)


def _inserted(obj: Any, lookups: _Lookups) -> _Pending | None:
    """The entry of a newly inserted row, or None for rows that are not audited."""
    if isinstance(obj, History):
        return _history(obj, lookups)
    if isinstance(obj, Event):
        return _event(obj, lookups)
    if isinstance(obj, Evidence):
        return _evidence(obj, lookups)
    if isinstance(obj, Account):
        detail = {"account": obj.id, "role": _plain(obj.role)}
        return _Pending("account.add", account_target(obj.name), detail, obj.created_by)
    if isinstance(obj, AccountUnit):
        detail = {"unit": lookups.units.get(obj.unit_id, str(obj.unit_id))}
        return _Pending("account.unit", lookups.account(obj.account_id), detail, None)
    if isinstance(obj, Extension):
        detail = {
            "extension": obj.id,
            **_non_empty(old_due=obj.old_due, new_due=obj.new_due, reason=obj.reason),
        }
        target = lookups.commitment(obj.commitment_id)
        return _Pending("extension.request", target, detail, obj.requested_by)
    return None


def _edited(obj: Any, lookups: _Lookups) -> _Pending | None:
    """The entry of an audited column's change, or None."""
    if isinstance(obj, Commitment):
        changes: dict[str, dict[str, Any]] = {}
        for name in COMMITMENT_FIELDS:
            change = _change(obj, name)
            if change is None:
                continue
            old, new = change
            if name == "unit_id":
                name, old, new = "unit", lookups.units.get(old, old), lookups.units.get(new, new)
            changes[name] = {"old": old, "new": new}
        if not changes:
            return None
        detail = {"commitment": obj.id, "changes": changes}
        return _Pending("commitment.edit", lookups.commitment(obj.id), detail, None)
    if isinstance(obj, Event):
        voided = _change(obj, "voided_on")
        if voided is None:
            return None
        detail = {"event": obj.id, **_non_empty(date=voided[1], reason=obj.void_reason)}
        target = lookups.commitment(obj.commitment_id)
        return _Pending("event.void", target, detail, obj.voided_by)
    if isinstance(obj, Account):
        disabled = _change(obj, "disabled_at")
        if disabled is not None:
            action = "account.disable" if disabled[1] is not None else "account.enable"
            detail = {"account": obj.id, **_non_empty(reason=obj.disabled_reason)}
            # Enabling clears disabled_by: the session's actor names who enabled it.
            return _Pending(action, account_target(obj.name), detail, obj.disabled_by)
        role = _change(obj, "role")
        if role is None:
            return None
        detail = {"account": obj.id, "old": role[0], "new": role[1]}
        return _Pending("account.role", account_target(obj.name), detail, None)
    if isinstance(obj, Extension):
        state = _change(obj, "state")
        if state is None:
            return None
        action = EXTENSION_ACTIONS.get(state[1], f"extension.{state[1]}")
        detail = {
            "extension": obj.id,
            "old": state[0],
            "new": state[1],
            **_non_empty(new_due=obj.new_due, note=obj.decision_note),
        }
        return _Pending(action, lookups.commitment(obj.commitment_id), detail, obj.decided_by)
    return None


def _deleted(obj: Any, lookups: _Lookups) -> _Pending | None:
    if isinstance(obj, AccountUnit):
        unit = {"unit": lookups.units.get(obj.unit_id, str(obj.unit_id))}
        return _Pending("account.unit.remove", lookups.account(obj.account_id), unit, None)
    if isinstance(obj, Account):
        detail = {"account": obj.id, "role": _plain(obj.role)}
        return _Pending("account.remove", account_target(obj.name), detail, None)
    return None


_INSERTED = (History, Event, Evidence, Account, AccountUnit, Extension)
# The columns whose changes are audited, per table.
_EDITED: dict[type, tuple[str, ...]] = {
    Commitment: COMMITMENT_FIELDS,
    Account: ("role", "disabled_at"),
    Extension: ("state",),
    Event: ("voided_on",),
}
_DELETED = (Account, AccountUnit)
# Within one flush: accounts before their units, events before their evidence.
_ORDER: dict[type, int] = {t: rank for rank, t in enumerate(_INSERTED)}


def _order(obj: Any) -> tuple[int, int, int]:
    if isinstance(obj, AccountUnit):
        return _ORDER[AccountUnit], obj.account_id, obj.unit_id
    return _ORDER.get(type(obj), len(_ORDER)), obj.id or 0, 0


def _needed(
    inserted: Sequence[Any], edited: Sequence[Any], deleted: Sequence[Any]
) -> dict[str, set[int]]:
    """The ids `_Lookups.load` fetches for these rows."""
    ids: dict[str, set[int]] = {k: set() for k in ("commitments", "villages", "accounts")}
    ids |= {"units": set(), "events": set()}
    for obj in [*inserted, *edited, *deleted]:
        if isinstance(obj, History | Event | Extension) and obj.commitment_id is not None:
            ids["commitments"].add(obj.commitment_id)
        if isinstance(obj, History) and obj.village_id is not None:
            ids["villages"].add(obj.village_id)
        if isinstance(obj, Evidence):
            ids["events"].add(obj.event_id)
        if isinstance(obj, AccountUnit):
            ids["accounts"].add(obj.account_id)
            ids["units"].add(obj.unit_id)
        if isinstance(obj, Commitment) and obj.id is not None:
            ids["commitments"].add(obj.id)
            unit = _change(obj, "unit_id")
            ids["units"] |= {u for u in unit or () if isinstance(u, int)}
    return ids


def _audited_change(obj: Any) -> bool:
    """Whether a changed row changed an audited column (not only, say, its version)."""
    columns = _EDITED.get(type(obj), ())
    return any(_change(obj, name) is not None for name in columns)


def _gather(session: OrmSession) -> list[_Pending]:
    """The entries of what this flush wrote."""
    # A row without its id was left out of a partial flush; a later flush brings it.
    inserted = sorted(
        (o for o in session.new if isinstance(o, _INSERTED) and getattr(o, "id", 1) is not None),
        key=_order,
    )
    edited = sorted((o for o in session.dirty if _audited_change(o)), key=_order)
    deleted = sorted((o for o in session.deleted if isinstance(o, _DELETED)), key=_order)
    if not (inserted or edited or deleted):
        return []
    lookups = _Lookups(session)
    lookups.load(**_needed(inserted, edited, deleted))
    entries = [_inserted(o, lookups) for o in inserted]
    entries += [_edited(o, lookups) for o in edited]
    entries += [_deleted(o, lookups) for o in deleted]
    return [entry for entry in entries if entry is not None]


def _pending(session: OrmSession) -> list[_Pending]:
    pending: list[_Pending] = session.info.setdefault(PENDING_KEY, [])
    return pending


def _database_keeps_chain(session: OrmSession) -> bool:
    """On PostgreSQL the database writes the chain itself (tracker.db_guard)."""
    return session.get_bind().dialect.name == "postgresql"


def _after_flush(session: OrmSession, _context: UOWTransaction) -> None:
    if _database_keeps_chain(session):
        return
    gathered = _gather(session)
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
    entry = _Pending(action, target, detail, actor, session.get_nested_transaction())
    _pending(session).append(entry)


# --- Writing ---------------------------------------------------------------------------


def _tells(entry: _Pending) -> Iterator[tuple[str, str, Any]]:
    """The (target, column, new value) facts about a commitment that `entry` states."""
    if entry.action in STATUS_ACTIONS:
        yield entry.target, "status", entry.detail.get("new")
    elif entry.action == EXTENSION_ACTIONS[ExtensionState.APPROVED]:
        yield entry.target, "extended_due", entry.detail.get("new_due")


def _consolidate(pending: list[_Pending], session_actor: str | None) -> list[_Pending]:
    """One entry per change: evidence joins the entry of the event it was logged with, a
    column change another entry already tells (a status by its history row, an extended date
    by the approval) is not told again, and every actor is named."""
    events = {entry.detail["event"]: entry for entry in pending if entry.action == "event"}
    told = {fact for entry in pending for fact in _tells(entry)}
    entries: list[_Pending] = []
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
    count = text("SELECT count(*) FROM audit")
    before = session.execute(count).scalar_one()
    session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    session.execute(text("SET CONSTRAINTS ALL DEFERRED"))
    return int(session.execute(count).scalar_one()) - int(before)


def write_pending(session: OrmSession) -> int:
    """Flush, then append what this transaction changed to the chain; how many entries.

    Runs by itself before every commit; call it to see this transaction's entries sooner.
    On PostgreSQL the database writes them, at commit or, asked here, at once.
    """
    session.flush()
    if _database_keeps_chain(session):
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


# --- Reading ---------------------------------------------------------------------------


_COLUMNS = (
    col(AuditEntry.id),
    col(AuditEntry.at),
    col(AuditEntry.actor),
    col(AuditEntry.action),
    col(AuditEntry.target),
    col(AuditEntry.detail),
    col(AuditEntry.prev_hash),
    col(AuditEntry.hash),
)


def verify_chain(session: Session, *, batch: int = 2000) -> VerifyResult:
    """Check every entry in id order; stop at the first broken link.

    On PostgreSQL the database checks its keyed entries itself (only it holds the key); the
    SHA-256 of entries written before it kept the chain are checked here. Entries this
    session has not written yet are not part of the chain.
    """
    if _database_keeps_chain(session):
        return _verify_in_database(session, batch=batch)
    return _verify_sha256(session, batch=batch)


def _verify_in_database(session: Session, *, batch: int) -> VerifyResult:
    row = session.execute(text("SELECT * FROM tracker_audit_verify()")).mappings().one()
    keyed_from = int(row["keyed_from"])
    if keyed_from > 1:  # written by tracker before the database kept the chain
        before = _verify_sha256(session, batch=batch, stop_before=keyed_from)
        if not before.intact:
            return before
    if row["reason"] is not None:
        reason = BreakReason(row["reason"])
        broken = Break(int(row["broken_position"]), int(row["broken_id"]), reason)
        return VerifyResult(int(row["checked"]), broken, str(row["last_hash"]))
    return VerifyResult(int(row["checked"]), None, str(row["last_hash"]))


def _verify_sha256(session: Session, *, batch: int, stop_before: int | None = None) -> VerifyResult:
    """Check the SHA-256 chain, streaming `batch` entries at a time (a server-side cursor on
    PostgreSQL), so memory stays flat however long the chain is; up to `stop_before`."""
    query = sa_select(*_COLUMNS).order_by(col(AuditEntry.id)).execution_options(yield_per=batch)
    if stop_before is not None:
        query = query.where(col(AuditEntry.id) < stop_before)
    prev_hash, checked = GENESIS, 0
    result = session.execute(query)
    try:
        for position, row in enumerate(result, start=1):
            entry_id, at, actor, action, target, detail, stored_prev, stored_hash = row
            reason: BreakReason | None = None
            if entry_id != position:
                reason = BreakReason.GAP
            elif stored_prev != prev_hash:
                reason = BreakReason.LINK
            elif stored_hash != entry_hash(
                prev_hash,
                id=entry_id,
                at=at,
                actor=actor,
                action=action,
                target=target,
                detail=detail,
            ):
                reason = BreakReason.HASH
            if reason is not None:
                return VerifyResult(checked, Break(position, entry_id, reason), prev_hash)
            prev_hash, checked = stored_hash, position
    finally:
        result.close()
    return VerifyResult(checked, None, prev_hash)


def _parse(detail: str) -> dict[str, Any]:
    """An entry's detail; a tampered one that is no longer a JSON object is shown as is."""
    try:
        value = json.loads(detail)
    except ValueError:
        return {"text": detail}
    return value if isinstance(value, dict) else {"text": detail}


def item_history(*, session: Session, report: Report, code: str) -> list[AuditRecord]:
    """The audit entries of one commitment or instance (5.5a, 5.5a/2026, 3.3a-V07), oldest
    first; an unknown code is an error."""
    found = session.exec(
        select(Commitment.code).where(
            col(Commitment.report_id) == report.id, col(Commitment.code) == code.strip()
        )
    ).first()
    if found is None:
        raise TrackerError("code_unknown", code=code)
    query = (
        sa_select(*_COLUMNS[:6])
        .where(col(AuditEntry.target) == commitment_target(report.slug, found))
        .order_by(col(AuditEntry.id))
    )
    return [
        AuditRecord(
            id=entry_id,
            at=utc(at),
            actor=actor,
            action=action,
            target=target,
            detail=_parse(detail),
        )
        for entry_id, at, actor, action, target, detail in session.execute(query)
    ]
