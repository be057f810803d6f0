"""Everything about one commitment or instance, for `show` and the detail screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from tracker.models import (
    Commitment,
    CommitmentLink,
    CoUnit,
    Event,
    Evidence,
    Extension,
    ExtensionState,
    History,
    Section,
    Unit,
)
from tracker.schedule import Frequency, checkpoint_dates, period_from_key
from tracker.services.asof import as_of_view
from tracker.services.deadlines import Deadlines
from tracker.services.instances import checkpoints_of
from tracker.services.listing import ItemRow, rows_where

# Periods `show` lists: a year of months, or the last weeks or working days.
RECENT_PERIODS = 12


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    old: str | None
    new: str | None
    note: str
    by: str
    at: datetime  # when it was recorded
    effective_on: date  # the day it took effect

    @property
    def late_entry(self) -> bool:
        """Recorded after the day it took effect (补录)."""
        return self.effective_on < self.at.date()


@dataclass(frozen=True)
class EvidenceEntry:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class EventEntry:
    day: date
    note: str
    value: float | None
    by: str
    at: datetime
    evidence: list[EvidenceEntry]
    # The id officers name to void it (`tracker void ID`), and the void, if it was voided.
    id: int = 0
    voided_on: date | None = None
    voided_by: str | None = None
    voided_at: datetime | None = None
    void_reason: str | None = None


@dataclass(frozen=True)
class ItemDetail:
    """One item in full: its row, the report's words, its history, events and instances."""

    row: ItemRow
    description: str
    section_heading: str | None
    section_heading_en: str | None
    excerpt: str | None
    excerpt_start: int | None
    excerpt_end: int | None
    leader: str | None
    co_units: list[str]
    co_units_en: list[str | None]  # their English names, where known
    frequency: str | None
    checkpoints: list[tuple[date, int]]
    baseline: float | None
    baseline_text: str | None
    measure: str | None
    notes: str
    linked: list[str]  # measures of a rectification item, or what a measure rectifies
    history: list[HistoryEntry]
    events: list[EventEntry]
    instances: list[ItemRow]  # the latest periods begun by the as-of date, or every village
    instances_total: int
    instances_open_earlier: int
    extended_due: date | None = None  # an approved extension (lights keep the original due)
    extension_asked: date | None = None  # a pending request's date
    # The date the report (or the period) states, where a rest day moved `row.due` off it.
    stated_due: date | None = None

    def as_json(self) -> dict[str, Any]:
        data = self.row.as_json()
        data.update(
            description=self.description,
            section_heading=self.section_heading,
            section_heading_en=self.section_heading_en,
            excerpt_start=self.excerpt_start,
            excerpt_end=self.excerpt_end,
            leader=self.leader,
            co_units=self.co_units,
            co_units_en=self.co_units_en,
            frequency=self.frequency,
            checkpoints=[{"date": d.isoformat(), "count": n} for d, n in self.checkpoints],
            baseline=self.baseline,
            baseline_text=self.baseline_text,
            measure=self.measure,
            notes=self.notes,
            extended_due=self.extended_due.isoformat() if self.extended_due else None,
            extension_asked=self.extension_asked.isoformat() if self.extension_asked else None,
            stated_due=self.stated_due.isoformat() if self.stated_due else None,
            linked=self.linked,
            history=[
                {
                    "kind": h.kind,
                    "old": h.old,
                    "new": h.new,
                    "note": h.note,
                    "by": h.by,
                    "at": h.at.isoformat(),
                    "effective_on": h.effective_on.isoformat(),
                    "late_entry": h.late_entry,
                }
                for h in self.history
            ],
            events=[
                {
                    "id": e.id,
                    "date": e.day.isoformat(),
                    "note": e.note,
                    "value": e.value,
                    "by": e.by,
                    "at": e.at.isoformat(),
                    "evidence": [
                        {"path": f.path, "sha256": f.sha256, "size": f.size} for f in e.evidence
                    ],
                    "voided_on": e.voided_on.isoformat() if e.voided_on else None,
                    "voided_by": e.voided_by,
                    "voided_at": e.voided_at.isoformat() if e.voided_at else None,
                    "void_reason": e.void_reason,
                }
                for e in self.events
            ],
            instances=[row.as_json() for row in self.instances],
            instances_total=self.instances_total,
            instances_open_earlier=self.instances_open_earlier,
        )
        return data


def _pending_extension(session: Session, item: Commitment) -> date | None:
    return session.exec(
        select(col(Extension.new_due)).where(
            col(Extension.commitment_id) == item.id,
            col(Extension.state) == ExtensionState.PENDING,
        )
    ).first()


def item_detail(*, session: Session, item: Commitment, deadlines: Deadlines) -> ItemDetail:
    """Gather `item`'s detail as it stood on the as-of date."""
    assert item.id is not None
    row = rows_where(
        session=session, conditions=[col(Commitment.id) == item.id], deadlines=deadlines
    )[0]
    source = item if item.parent_id is None else session.get(Commitment, item.parent_id)
    assert source is not None
    section = session.exec(
        select(Section).where(Section.report_id == item.report_id, Section.number == item.section)
    ).first()
    co_units = session.exec(
        select(Unit.name, Unit.name_en)
        .join(CoUnit, col(CoUnit.unit_id) == Unit.id)
        .where(CoUnit.commitment_id == source.id)
    ).all()
    instances, total, earlier = _instances(session, item, deadlines)
    return ItemDetail(
        row=row,
        description=source.description,
        section_heading=section.heading if section else None,
        section_heading_en=section.heading_en if section else None,
        excerpt=source.excerpt,
        excerpt_start=source.excerpt_start,
        excerpt_end=source.excerpt_end,
        leader=item.leader,
        co_units=[name for name, _ in co_units],
        co_units_en=[name_en for _, name_en in co_units],
        frequency=item.frequency,
        checkpoints=_checkpoints(source, item),
        baseline=source.baseline,
        baseline_text=source.baseline_text,
        measure=source.measure,
        notes=item.notes,
        extended_due=item.extended_due,
        extension_asked=_pending_extension(session, item),
        stated_due=item.stated_due,
        linked=_linked(session, source),
        history=_history(session, item.id, deadlines.as_of),
        events=_events(session, item.id, deadlines.as_of),
        instances=instances,
        instances_total=total,
        instances_open_earlier=earlier,
    )


def _checkpoints(source: Commitment, item: Commitment) -> list[tuple[date, int]]:
    if source.target is None or item.period_key is None or item.frequency is None:
        return []
    period = period_from_key(Frequency(item.frequency), item.period_key)
    return checkpoint_dates(period, checkpoints_of(source))


def _linked(session: Session, source: Commitment) -> list[str]:
    measures = (
        select(Commitment.code)
        .join(CommitmentLink, col(CommitmentLink.measure_id) == Commitment.id)
        .where(CommitmentLink.rectification_id == source.id)
    )
    rectified = (
        select(Commitment.code)
        .join(CommitmentLink, col(CommitmentLink.rectification_id) == Commitment.id)
        .where(CommitmentLink.measure_id == source.id)
    )
    return [*session.exec(measures).all(), *session.exec(rectified).all()]


def _history(session: Session, item_id: int, as_of: date) -> list[HistoryEntry]:
    """The changes effective by `as_of`, in the order they took effect."""
    rows = session.exec(
        select(History)
        .where(History.commitment_id == item_id, col(History.effective_on) <= as_of)
        .order_by(col(History.effective_on), col(History.id))
    ).all()
    return [
        HistoryEntry(h.kind, h.old, h.new, h.note, h.changed_by, h.changed_at, h.effective_on)
        for h in rows
    ]


def _events(session: Session, item_id: int, as_of: date) -> list[EventEntry]:
    """The events that had happened by `as_of`."""
    events = session.exec(
        select(Event)
        .where(Event.commitment_id == item_id, col(Event.happened_on) <= as_of)
        .order_by(col(Event.happened_on), col(Event.id))
    ).all()
    ids = [e.id for e in events]
    files: dict[int, list[EvidenceEntry]] = {}
    if ids:
        for f in session.exec(
            select(Evidence).where(col(Evidence.event_id).in_(ids)).order_by(col(Evidence.id))
        ).all():
            files.setdefault(f.event_id, []).append(EvidenceEntry(f.path, f.sha256, f.size))
    return [
        EventEntry(
            e.happened_on,
            e.note,
            e.value,
            e.recorded_by,
            e.recorded_at,
            files.get(e.id or 0, []),
            id=e.id or 0,
            voided_on=e.voided_on,
            voided_by=e.voided_by,
            voided_at=e.voided_at,
            void_reason=e.void_reason,
        )
        for e in events
    ]


def _instances(
    session: Session, item: Commitment, deadlines: Deadlines
) -> tuple[list[ItemRow], int, int]:
    """A commitment's instances worth showing: every village, or the latest periods that
    have begun by the as-of date; with the total and how many older ones are still open."""
    children = col(Commitment.parent_id) == item.id
    total = session.exec(select(func.count()).select_from(Commitment).where(children)).one()
    if total == 0:
        return [], 0, 0
    village_rows = rows_where(
        session=session,
        conditions=[children, col(Commitment.village_id).is_not(None)],
        deadlines=deadlines,
    )
    if village_rows:
        return village_rows, total, 0
    begun = [children, col(Commitment.period_start) <= deadlines.as_of]
    latest = session.exec(
        select(col(Commitment.id), col(Commitment.period_start))
        .where(*begun)
        .order_by(col(Commitment.period_start).desc())
        .limit(RECENT_PERIODS)
    ).all()
    if not latest:
        return [], total, 0
    oldest_shown = latest[-1][1]
    assert oldest_shown is not None
    earlier = session.exec(
        select(func.count())
        .select_from(Commitment)
        .where(
            *begun,
            col(Commitment.period_start) < oldest_shown,
            as_of_view(session, deadlines).is_open(),
        )
    ).one()
    ids = [row_id for row_id, _ in latest]
    rows = rows_where(
        session=session, conditions=[col(Commitment.id).in_(ids)], deadlines=deadlines
    )
    return rows, total, earlier
