"""The ledger as it stood on a day: statuses, event counts and deadlines from the changes
effective on or before it (`--as-of`).

Every change carries the day it took effect (History.effective_on, Event.happened_on,
Event.voided_on) as well as when it was recorded, so a past day is replayed, not guessed:

* a row's *stated* status on day D is the newest seed or status change effective on or
  before D (newest by effective day, then by the order they were recorded), else 未开始;
* a period instance that counts events (quota, recurring, indicator) follows its events:
  while its stated status is open (todo, in progress, blocked), it is done on D when the
  events counted by D reach its target, and in progress once one is counted (from todo);
* an event counts on D when it happened on or before D and was not voided by D;
* a quota period's deadline is its next checkpoint not yet met by the events counted on D.

The stored `Commitment.status` and `due` are this rule applied to today, kept up to date by
every change (services.updates), so today's views read the columns directly and only a
past day pays for the replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, CompoundSelect, and_, case, literal, or_, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from tracker.models import CLOSED_STATUSES, Commitment, Event, History, HistoryKind, Kind, Status
from tracker.schedule import period_from_key
from tracker.services.deadlines import Deadlines
from tracker.services.instances import frequency_of, instance_due
from tracker.services.voids import counting

# History kinds that state a status; AUTO_STATUS rows only record what events did.
STATED_KINDS = (HistoryKind.SEED.value, HistoryKind.STATUS.value)
# Kinds whose period instances count events toward a target.
COUNTED_KINDS = (Kind.QUOTA.value, Kind.RECURRING.value, Kind.INDICATOR.value)
OPEN_STATES = tuple(s.value for s in Status if s not in CLOSED_STATUSES)

CommitmentTable = Any  # Commitment or an aliased Commitment


def counts_on(as_of: date) -> ColumnElement[bool]:
    """The events that count on `as_of`: happened by then, and not voided by then."""
    return and_(col(Event.happened_on) <= as_of, counting(as_of))


def counts_now() -> ColumnElement[bool]:
    """The events that count today: those not voided."""
    return counting()


def event_count_at(table: CommitmentTable, as_of: date) -> ColumnElement[int]:
    """How many events of `table`'s row count on `as_of` (a correlated subquery)."""
    return (
        sa_select(func.count())
        .select_from(Event)
        .where(col(Event.commitment_id) == table.id, counts_on(as_of))
        .scalar_subquery()
    )


def stated_status_at(table: CommitmentTable, as_of: date) -> ColumnElement[str]:
    """The newest seed or status change of `table`'s row effective by `as_of`, else todo."""
    newest = (
        sa_select(col(History.new))
        .where(
            col(History.commitment_id) == table.id,
            col(History.kind).in_(STATED_KINDS),
            col(History.effective_on) <= as_of,
        )
        .order_by(col(History.effective_on).desc(), col(History.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(newest, literal(Status.TODO.value))


def status_at(table: CommitmentTable, as_of: date) -> ColumnElement[str]:
    """`table`'s status on `as_of`, replayed from its history and events (module doc)."""
    stated = stated_status_at(table, as_of)
    count = event_count_at(table, as_of)
    target = case((table.kind == Kind.QUOTA.value, func.coalesce(table.target, 1)), else_=1)
    follows_events = and_(
        col(table.parent_id).is_not(None),
        col(table.kind).in_(COUNTED_KINDS),
    )
    return case(
        (
            follows_events,
            case(
                (stated.not_in(OPEN_STATES), stated),
                (count >= target, literal(Status.DONE.value)),
                (
                    and_(count >= 1, stated == Status.TODO.value),
                    literal(Status.IN_PROGRESS.value),
                ),
                else_=stated,
            ),
        ),
        else_=stated,
    )


def changed_after(as_of: date) -> CompoundSelect[int | None]:
    """The rows with a change that took effect after `as_of`: a status stated later, an
    event that happened later, or one voided later. (One pass over each table, which the
    database makes once per statement.)"""
    stated = sa_select(col(History.commitment_id)).where(
        col(History.kind).in_(STATED_KINDS), col(History.effective_on) > as_of
    )
    events = sa_select(col(Event.commitment_id)).where(
        or_(col(Event.happened_on) > as_of, col(Event.voided_on) > as_of)
    )
    return stated.union(events)


def changed_since(session: Session, as_of: date) -> bool:
    """Whether any change took effect after `as_of` (the rows of `changed_after`): three
    index probes, the first row found ends the statement."""
    probes = [
        sa_select(literal(1)).where(col(Event.happened_on) > as_of),
        sa_select(literal(1)).where(col(Event.voided_on) > as_of),
        sa_select(literal(1)).where(
            col(History.effective_on) > as_of, col(History.kind).in_(STATED_KINDS)
        ),
    ]
    return session.execute(union_all(*probes).limit(1)).first() is not None


@dataclass(frozen=True)
class AsOf:
    """The status and deadline columns of the ledger on one day, for building queries.

    For today (or later) they are the stored columns; for a past day, the replay. A past
    day after which nothing took effect reads the stored columns too: they are its replay.
    """

    deadlines: Deadlines
    quota_dues: dict[int, date]
    # Whether rows changed since the day are replayed (as_of_view decides).
    replay: bool = False

    @property
    def past(self) -> bool:
        """Whether the day's columns are replayed rather than the stored ones."""
        return self.replay

    def status(self, table: CommitmentTable = Commitment) -> ColumnElement[str]:
        """A row's status on the day. Only rows changed since then are replayed: for the
        rest, nothing has taken effect after the day, so the stored status (the replay of
        today) is the replay of the day too."""
        stored = cast(ColumnElement[str], table.status)
        if not self.past:
            return stored
        as_of = self.deadlines.as_of
        return case(
            (col(table.id).in_(changed_after(as_of)), status_at(table, as_of)), else_=stored
        )

    def is_open(self, table: CommitmentTable = Commitment) -> ColumnElement[bool]:
        """Whether a row is open on the day. In a past view, a row open on the day is open
        now or changed since: that first test reads the (status, due) index, so a district's
        ledger is not replayed row by row for the many periods long done."""
        replayed = self.status(table).in_(OPEN_STATES)
        if not self.past:
            return replayed
        stored = cast(ColumnElement[str], table.status)
        maybe_open = or_(
            stored.in_(OPEN_STATES), col(table.id).in_(changed_after(self.deadlines.as_of))
        )
        return and_(maybe_open, replayed)

    def open_parts(self) -> list[tuple[ColumnElement[bool], ColumnElement[date | None]]]:
        """The rows open on the day, as parts each read by an index of its own, with the
        deadline of each part's rows: today's view is one part; a replayed day is the rows
        not changed since (open now, their stored deadline: the open rows' index) and the
        few changed since (replayed). As one OR, SQLite reads neither by an index, and a
        unit's review at a million periods read every period of the unit (1.9 s)."""
        if not self.past:
            return [(self.is_open(), self.due())]
        stored = cast(ColumnElement[str], Commitment.status)
        changed = col(Commitment.id).in_(changed_after(self.deadlines.as_of))
        unchanged_due = cast(ColumnElement[date | None], Commitment.due)
        replayed = status_at(Commitment, self.deadlines.as_of).in_(OPEN_STATES)
        return [
            (and_(stored.in_(OPEN_STATES), ~changed), unchanged_due),
            (and_(changed, replayed), self.due()),
        ]

    def due(self, table: CommitmentTable = Commitment) -> ColumnElement[date | None]:
        """A row's own deadline on the day: a quota period's follows its counted events."""
        if not self.past or not self.quota_dues:
            return cast(ColumnElement[date | None], table.due)
        return case(self.quota_dues, value=table.id, else_=table.due)

    def event_filter(self) -> ColumnElement[bool]:
        """The events that count on the day."""
        return counts_on(self.deadlines.as_of) if self.past else counts_now()


def as_of_view(session: Session, deadlines: Deadlines) -> AsOf:
    """The columns of the ledger on `deadlines.as_of` (one query for quota deadlines).

    A past day after which nothing has taken effect (the day of the last change, or any
    day after it) is not replayed: every row's stored columns are its replay, and the
    lists of a district's ledger as of such a day cost what today's do."""
    if not deadlines.past or not changed_since(session, deadlines.as_of):
        return AsOf(deadlines, {})
    return AsOf(deadlines, _quota_dues(session, deadlines), replay=True)


def _quota_dues(session: Session, deadlines: Deadlines) -> dict[int, date]:
    """The deadline of every begun quota period on the day, where it differs from today's.

    Only periods with an event that happened or was voided after the day can differ: for
    the rest the count on the day is today's, and so is the deadline (the rule of
    AsOf.status). Reading just those keeps a past view's cost flat on a district's ledger,
    where every quota period of every town and year used to be read and recomputed."""
    as_of = deadlines.as_of
    parent = aliased(Commitment)
    count = event_count_at(Commitment, as_of)
    rows = session.execute(
        sa_select(Commitment, parent, count)
        .join(parent, col(parent.id) == Commitment.parent_id)
        .where(
            col(Commitment.kind) == Kind.QUOTA.value,
            col(Commitment.period_key).is_not(None),
            col(Commitment.period_start) <= as_of,
            col(Commitment.id).in_(changed_after(as_of)),
        )
    ).all()
    dues: dict[int, date] = {}
    for instance, quota, done in rows:
        assert instance.id is not None and instance.period_key is not None
        period = period_from_key(frequency_of(quota), instance.period_key)
        due = instance_due(quota, period, deadlines.calendar, int(done))
        if due != instance.due:
            dues[instance.id] = due
    return dues


def status_of(session: Session, item_id: int, as_of: date) -> Status:
    """One row's status on `as_of`, by the same rule as every list (for writing history)."""
    value = session.execute(
        sa_select(status_at(Commitment, as_of)).where(col(Commitment.id) == item_id)
    ).scalar_one()
    return Status(value)


def counted_events(session: Session, item_id: int, as_of: date) -> int:
    """How many events of one row count on `as_of`."""
    return session.exec(
        select(func.count())
        .select_from(Event)
        .where(col(Event.commitment_id) == item_id, counts_on(as_of))
    ).one()
