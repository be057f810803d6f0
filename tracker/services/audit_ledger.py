"""Does the ledger say what its audit chain says happened? And is the chain the one anchored?

An intact chain proves that its entries were not edited, but not that the ledger's rows
still agree with them: on SQLite anyone with the file, on PostgreSQL the owner, can change a
row without an entry. `compare_ledger` replays the chain's facts and compares them with the
rows as they stand:

* a commitment's status is the last one the chain states for it (its seed, status and
  auto_status entries, or a status its edits changed); one the chain never mentions is a
  period made since, still 待办 (todo). A counted period's follows its events as every
  list replays it (services.asof): a stated open status gives way to done at the target;
* every event the chain recorded exists with the date, note and value it recorded, and is
  voided if and only if the chain recorded its void; no event exists the chain never saw;
* every evidence row has the path and fingerprint (SHA-256) the chain recorded for it, so a
  swapped file re-pointed in the database is found;
* every account has the role and the enabled or disabled state the chain gives it.

A ledger made before the audit chain existed (upgraded from the first schema) has rows
the chain never saw: its chain does not begin with the seed. There, what the chain never
mentions — an item's status, an event recorded before its first entry, an account — is
not held against the ledger; everything it does mention still is.

Nor can the chain alone show that its newest entries were deleted, or that all of it was
rewritten by someone able to recompute it (anyone, on SQLite). An **anchor** — the number
of entries and the last one's hash, printed on the summary or saved — does: `check_anchor`
finds the entry of that number and compares its hash.

The chain and the tables are read in one pass each, in batches, so memory grows with the
number of commitments and events, not with the chain's length.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from tracker.errors import TrackerError
from tracker.models import (
    Account,
    AuditEntry,
    Commitment,
    Event,
    Evidence,
    Kind,
    Report,
    Status,
)
from tracker.services.asof import COUNTED_KINDS, OPEN_STATES, event_count_at
from tracker.services.audit_chain import GENESIS, account_target, commitment_target

BATCH = 2000
# Actions whose entry states a commitment's new status in detail["new"].
STATUS_ACTIONS = frozenset({"seed", "status", "auto_status"})
# How a printed anchor looks: the number of entries, a colon, and at least 16 hex digits of
# the last entry's hash (a printout shows a prefix; a saved anchor the whole hash).
ANCHOR = re.compile(r"^\s*(?P<count>\d{1,12})\s*:\s*(?P<hash>[0-9a-fA-F]{16,64})\s*$")
ANCHOR_PRINTED_DIGITS = 16


@dataclass(frozen=True)
class Anchor:
    """The chain's head: how many entries, and the last one's hash (or a prefix of it)."""

    count: int
    hash: str

    def __str__(self) -> str:
        return f"{self.count}:{self.hash}"

    def printed(self) -> str:
        """The short form a printout carries."""
        return f"{self.count}:{self.hash[:ANCHOR_PRINTED_DIGITS]}"


@dataclass(frozen=True)
class Disagreement:
    """One way the ledger's rows differ from the chain: which kind, where, and the two."""

    kind: str  # status, event_missing, event_changed, event_unknown, void, evidence, account
    target: str
    ledger: str
    chain: str


@dataclass
class _ChainFacts:
    statuses: dict[str, str] = field(default_factory=dict)
    events: dict[int, tuple[str, str, Any]] = field(default_factory=dict)  # date, note, value
    voided: set[int] = field(default_factory=set)
    evidence: dict[int, tuple[str, str]] = field(default_factory=dict)  # path, sha256
    roles: dict[str, str] = field(default_factory=dict)
    disabled: dict[str, bool] = field(default_factory=dict)
    # When the chain began, if after the ledger did (see the module's docstring).
    began: datetime | None = None


def parse_anchor(text: str) -> Anchor:
    match = ANCHOR.match(text)
    if match is None:
        raise TrackerError("audit_anchor_invalid", value=text.strip())
    return Anchor(int(match["count"]), match["hash"].lower())


def current_anchor(session: Session) -> Anchor:
    """The head of the chain as it stands: the newest entry's id and hash."""
    last = session.execute(
        sa_select(col(AuditEntry.id), col(AuditEntry.hash))
        .order_by(col(AuditEntry.id).desc())
        .limit(1)
    ).first()
    return Anchor(0, GENESIS) if last is None else Anchor(int(last[0]), str(last[1]))


def check_anchor(session: Session, anchor: Anchor) -> TrackerError | None:
    """Why the chain is not the one `anchor` was taken from, or None. With an intact chain,
    the entry `anchor.count` having the anchored hash means that entry and every one
    before it are as they were then."""
    if anchor.count == 0:
        return None
    stored = session.execute(
        sa_select(col(AuditEntry.hash)).where(col(AuditEntry.id) == anchor.count)
    ).scalar()
    if stored is None:
        return TrackerError("audit_anchor_missing", count=anchor.count)
    if not str(stored).startswith(anchor.hash):
        return TrackerError("audit_anchor_changed", count=anchor.count)
    return None


def _detail(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _entries(session: Session) -> Iterator[tuple[str, str, dict[str, Any]]]:
    query = (
        sa_select(col(AuditEntry.action), col(AuditEntry.target), col(AuditEntry.detail))
        .order_by(col(AuditEntry.id))
        .execution_options(yield_per=BATCH)
    )
    result = session.execute(query)
    try:
        for action, target, detail in result:
            yield str(action), str(target), _detail(str(detail))
    finally:
        result.close()


def _evidence_of(facts: _ChainFacts, files: list[dict[str, Any]]) -> None:
    for recorded in files:
        if isinstance(recorded, dict) and isinstance(recorded.get("evidence"), int):
            path, sha256 = str(recorded.get("path")), str(recorded.get("sha256"))
            facts.evidence[recorded["evidence"]] = (path, sha256)


def _read_chain(session: Session) -> _ChainFacts:
    facts = _ChainFacts()
    first = session.execute(
        sa_select(col(AuditEntry.action), col(AuditEntry.at)).order_by(col(AuditEntry.id)).limit(1)
    ).first()
    if first is not None and first[0] != "seed":
        facts.began = first[1]
    for action, target, detail in _entries(session):
        if action in STATUS_ACTIONS and "new" in detail:
            facts.statuses[target] = str(detail["new"])
        elif action == "commitment.edit":
            status = detail.get("changes", {}).get("status")
            if isinstance(status, dict) and "new" in status:
                facts.statuses[target] = str(status["new"])
        elif action == "event" and isinstance(detail.get("event"), int):
            facts.events[detail["event"]] = (
                str(detail.get("date", "")),
                str(detail.get("note", "")),
                detail.get("value"),
            )
            _evidence_of(facts, detail.get("evidence", []))
        elif action == "event.void" and isinstance(detail.get("event"), int):
            facts.voided.add(detail["event"])
        elif action == "evidence":
            _evidence_of(facts, [detail])
        elif action in ("account.add", "account.role"):
            facts.roles[target] = str(detail.get("role", detail.get("new")))
        elif action in ("account.disable", "account.enable"):
            facts.disabled[target] = action == "account.disable"
    return facts


def _rows(session: Session, query: Any) -> Iterator[Any]:
    result = session.execute(query.execution_options(yield_per=BATCH))
    try:
        yield from result
    finally:
        result.close()


def follow_events(stated: str, counted: int, target: int) -> str:
    """A counted period's status given the last one the chain states and the events that
    count (the rule of services.asof.status_at): a stated open status gives way to done once
    the target is met, and todo to in progress at the first event."""
    if stated not in OPEN_STATES:
        return stated
    if counted >= target:
        return Status.DONE.value
    if counted >= 1 and stated == Status.TODO.value:
        return Status.IN_PROGRESS.value
    return stated


def _status_disagreements(
    session: Session, facts: _ChainFacts, today: date
) -> Iterator[Disagreement]:
    follows = and_(col(Commitment.parent_id).is_not(None), col(Commitment.kind).in_(COUNTED_KINDS))
    target = case(
        (col(Commitment.kind) == Kind.QUOTA.value, func.coalesce(col(Commitment.target), 1)),
        else_=1,
    )
    # The events (themselves checked against the chain below) a counted period counts.
    counted = case((follows, event_count_at(Commitment, today)), else_=None)
    query = sa_select(
        col(Report.slug), col(Commitment.code), col(Commitment.status), counted, target
    ).join(Report, col(Report.id) == col(Commitment.report_id))
    for slug, code, status, count, needed in _rows(session, query.order_by(col(Commitment.id))):
        key = commitment_target(slug, code)
        if facts.began is not None and key not in facts.statuses:
            continue
        stated = facts.statuses.get(key, Status.TODO.value)
        if count is not None:
            stated = follow_events(stated, int(count), int(needed))
        if str(status) != stated:
            yield Disagreement("status", key, str(status), stated)


def _event_disagreements(session: Session, facts: _ChainFacts) -> Iterator[Disagreement]:
    query = sa_select(
        col(Event.id),
        col(Event.happened_on),
        col(Event.note),
        col(Event.value),
        col(Event.voided_on),
        col(Event.recorded_at),
    ).order_by(col(Event.id))
    seen: set[int] = set()
    for event_id, day, note, value, voided_on, recorded_at in _rows(session, query):
        seen.add(event_id)
        target = f"event:{event_id}"
        recorded = facts.events.get(event_id)
        if recorded is None and _before_chain(facts, recorded_at):
            continue
        if recorded is None:
            yield Disagreement("event_unknown", target, f"{day} {note}", "-")
            continue
        if recorded[:2] != (day.isoformat(), note or "") or not _same_value(value, recorded[2]):
            shown = f"{recorded[0]} {recorded[1]}"
            yield Disagreement("event_changed", target, f"{day} {note}", shown)
        if (voided_on is not None) != (event_id in facts.voided):
            yield Disagreement("void", target, str(voided_on or "-"), str(event_id in facts.voided))
    for event_id in sorted(set(facts.events) - seen):
        day, note, _ = facts.events[event_id]
        yield Disagreement("event_missing", f"event:{event_id}", "-", f"{day} {note}")


def _before_chain(facts: _ChainFacts, moment: datetime) -> bool:
    """Whether a row recorded at `moment` predates a chain begun after the ledger."""
    if facts.began is None:
        return False
    return moment.replace(tzinfo=None) < facts.began.replace(tzinfo=None)


def _same_value(value: float | None, recorded: Any) -> bool:
    if value is None or recorded is None:
        return value is None and recorded is None
    try:
        return float(recorded) == float(value)
    except (TypeError, ValueError):
        return False


def _evidence_disagreements(session: Session, facts: _ChainFacts) -> Iterator[Disagreement]:
    query = sa_select(col(Evidence.id), col(Evidence.path), col(Evidence.sha256)).order_by(
        col(Evidence.id)
    )
    for evidence_id, path, sha256 in _rows(session, query):
        recorded = facts.evidence.get(evidence_id)
        if recorded is None and facts.began is not None:
            continue  # logged before the chain began, or its event was (unknown either way)
        if recorded is None or recorded[1] != sha256 or recorded[0] != path:
            chain = f"{recorded[0]} {recorded[1][:12]}" if recorded else "-"
            target = f"evidence:{evidence_id}"
            yield Disagreement("evidence", target, f"{path} {sha256[:12]}", chain)


def _account_disagreements(session: Session, facts: _ChainFacts) -> Iterator[Disagreement]:
    query = sa_select(col(Account.name), col(Account.role), col(Account.disabled_at))
    for name, role, disabled_at in _rows(session, query.order_by(col(Account.id))):
        target = account_target(name)
        if facts.began is not None and target not in facts.roles:
            continue
        stated = facts.roles.get(target, "-")
        if str(role) != stated:
            yield Disagreement("account", target, str(role), stated)
        if (disabled_at is not None) != facts.disabled.get(target, False):
            state = "disabled" if disabled_at is not None else "enabled"
            chain = "disabled" if facts.disabled.get(target, False) else "enabled"
            yield Disagreement("account", target, state, chain)


def evidence_disagreements(session: Session) -> list[Disagreement]:
    """The evidence rows whose file or fingerprint is not the one the chain recorded."""
    return list(_evidence_disagreements(session, _read_chain(session)))


def compare_ledger(session: Session, today: date) -> list[Disagreement]:
    """Every way the ledger's rows differ from what the chain says happened, the stored
    statuses being those of `today`."""
    facts = _read_chain(session)
    return [
        *_status_disagreements(session, facts, today),
        *_event_disagreements(session, facts),
        *_evidence_disagreements(session, facts),
        *_account_disagreements(session, facts),
    ]
