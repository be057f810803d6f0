"""Gathering the audit entries of what a flush wrote, while SQLAlchemy still knows the old
values (`gather`; tracker.services.audit writes them when the transaction commits):

* inserted History rows (status, auto_status, note, seed, village; "event" and "extension"
  History rows are left to the Event and Extension rows they repeat), Event rows (with the
  Evidence files added with them), Account, AccountUnit and Extension rows;
* changed columns: a Commitment's status, due, extended_due, unit and title; an Account's
  role, whether it is disabled and that its password was set (never the hash); an
  Extension's state; an Event's void; and deleted Account and AccountUnit rows.

Who acted is taken from the row (History.changed_by, Event.recorded_by, Account.created_by,
Extension.requested_by / decided_by); a change whose row does not say is left for the writer
to name (`Pending.actor` is None).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, inspect
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import col

from tracker.models import (
    Account,
    AccountUnit,
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
from tracker.services.audit_chain import account_target, commitment_target, plain, village_target

# The actor of a change nobody can be named for.
UNKNOWN_ACTOR = "?"
# The Commitment columns whose changes are audited ("unit" is unit_id, told by name).
COMMITMENT_FIELDS = ("status", "due", "extended_due", "unit_id", "title")
# History kinds that repeat a row audited on its own (Event, Extension), which says more.
REPEATED_KINDS = frozenset({HistoryKind.EVENT, HistoryKind.EXTENSION})
EXTENSION_ACTIONS: dict[str, str] = {
    ExtensionState.APPROVED: "extension.approve",
    ExtensionState.REFUSED: "extension.refuse",
}
# Ids per IN (...) when looking up targets: well below SQLite's limit on parameters.
CHUNK = 500


@dataclass
class Pending:
    """A change gathered at flush time and not yet written."""

    action: str
    target: str
    detail: dict[str, Any]
    actor: str | None  # None: named when written (tracker.services.audit)
    savepoint: SessionTransaction | None = None


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
    return (plain(old), plain(new)) if old != new else None


def _non_empty(**values: Any) -> dict[str, Any]:
    return {key: plain(value) for key, value in values.items() if value not in (None, "")}


def _history(row: History, lookups: _Lookups) -> Pending | None:
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
        detail["effective"] = plain(row.effective_on)
    return Pending(str(row.kind), target, detail, row.changed_by)


def _event(row: Event, lookups: _Lookups) -> Pending:
    detail = {"event": row.id, **_non_empty(date=row.happened_on, note=row.note, value=row.value)}
    return Pending("event", lookups.commitment(row.commitment_id), detail, row.recorded_by)


def _evidence(row: Evidence, lookups: _Lookups) -> Pending:
    commitment, recorder = lookups.events.get(row.event_id, (0, UNKNOWN_ACTOR))
    detail = {
        "event": row.event_id,
        "evidence": row.id,
        "path": row.path,
        "sha256": row.sha256,
        "size": row.size,
    }
    return Pending("evidence", lookups.commitment(commitment), detail, recorder)


def _inserted(obj: Any, lookups: _Lookups) -> Pending | None:
    """The entry of a newly inserted row, or None for rows that are not audited."""
    if isinstance(obj, History):
        return _history(obj, lookups)
    if isinstance(obj, Event):
        return _event(obj, lookups)
    if isinstance(obj, Evidence):
        return _evidence(obj, lookups)
    if isinstance(obj, Account):
        detail = {"account": obj.id, "role": plain(obj.role)}
        return Pending("account.add", account_target(obj.name), detail, obj.created_by)
    if isinstance(obj, AccountUnit):
        detail = {"unit": lookups.units.get(obj.unit_id, str(obj.unit_id))}
        return Pending("account.unit", lookups.account(obj.account_id), detail, None)
    if isinstance(obj, Extension):
        detail = {
            "extension": obj.id,
            **_non_empty(old_due=obj.old_due, new_due=obj.new_due, reason=obj.reason),
        }
        target = lookups.commitment(obj.commitment_id)
        return Pending("extension.request", target, detail, obj.requested_by)
    return None


def _edited(obj: Any, lookups: _Lookups) -> Pending | None:
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
        return Pending("commitment.edit", lookups.commitment(obj.id), detail, None)
    if isinstance(obj, Event):
        voided = _change(obj, "voided_on")
        if voided is None:
            return None
        detail = {"event": obj.id, **_non_empty(date=voided[1], reason=obj.void_reason)}
        target = lookups.commitment(obj.commitment_id)
        return Pending("event.void", target, detail, obj.voided_by)
    if isinstance(obj, Account):
        disabled = _change(obj, "disabled_at")
        if disabled is not None:
            action = "account.disable" if disabled[1] is not None else "account.enable"
            detail = {"account": obj.id, **_non_empty(reason=obj.disabled_reason)}
            # Enabling clears disabled_by: the session's actor names who enabled it.
            return Pending(action, account_target(obj.name), detail, obj.disabled_by)
        role = _change(obj, "role")
        if role is not None:
            detail = {"account": obj.id, "old": role[0], "new": role[1]}
            return Pending("account.role", account_target(obj.name), detail, None)
        # A new sign-in password (services.passwords, which flushes it alone): its hash
        # changes even when set twice in a second, but is never told, as every reader of
        # the audit would see it.
        if _change(obj, "password_hash") is None:
            return None
        return Pending("account.password", account_target(obj.name), {"account": obj.id}, None)
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
        return Pending(action, lookups.commitment(obj.commitment_id), detail, obj.decided_by)
    return None


def _deleted(obj: Any, lookups: _Lookups) -> Pending | None:
    if isinstance(obj, AccountUnit):
        unit = {"unit": lookups.units.get(obj.unit_id, str(obj.unit_id))}
        return Pending("account.unit.remove", lookups.account(obj.account_id), unit, None)
    if isinstance(obj, Account):
        detail = {"account": obj.id, "role": plain(obj.role)}
        return Pending("account.remove", account_target(obj.name), detail, None)
    return None


_INSERTED = (History, Event, Evidence, Account, AccountUnit, Extension)
# The columns whose changes are audited, per table.
_EDITED: dict[type, tuple[str, ...]] = {
    Commitment: COMMITMENT_FIELDS,
    Account: ("role", "disabled_at", "password_hash"),
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


def gather(session: OrmSession) -> list[Pending]:
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
