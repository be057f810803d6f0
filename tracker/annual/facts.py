"""What the ledger holds about one town's year: the queries behind every sentence and number
of the annual draft (tracker.annual.compose writes the words).

The year is read as the ledger stood on the view day (the year's last day, or an earlier
`--as-of`): an event counts when it happened in the year by then and was not voided by then,
a status when its change took effect by then (services.asof). Nothing here is estimated: a
duty the ledger holds nothing about in the year has empty facts, and the draft says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, case, false, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tracker.models import (
    CLOSED_STATUSES,
    Commitment,
    Event,
    Evidence,
    Extension,
    ExtensionState,
    History,
    HistoryKind,
    Kind,
    Report,
    Section,
    Status,
    Unit,
    Village,
)
from tracker.services.asof import AsOf, counts_on
from tracker.services.signoff import t_reason

FINISHED = (Status.DONE.value, Status.VERIFIED.value)
# How services.signoff begins the history note of an approved extension.
APPROVED_PREFIX = t_reason("extension.approved", "")
# The notes that say why an item stands as it does: an officer's note, a change of status.
_REASON_KINDS = (HistoryKind.NOTE.value, HistoryKind.STATUS.value)


@dataclass(frozen=True)
class YearScope:
    """Whose year, which year, seen on which day, and for which unit (None: every unit)."""

    town: str
    year: int
    view_day: date
    unit: str | None = None

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def year_over(self) -> bool:
        """Seen on the year's last day: what was due in the year and is not done, was not
        done in the year, though a deadline moved to the next working day is not yet past."""
        return self.view_day == date(self.year, 12, 31)


@dataclass(frozen=True)
class Happening:
    """An event of the year: when, and what the officer wrote."""

    day: date
    note: str


@dataclass
class Duty:
    """A commitment of the town (a report's item, not a period or village instance) and
    what the ledger holds about it in the year."""

    id: int
    code: str  # as cited: 5.5a, or baohe-2021/5.5a when the town has several reports
    title: str
    title_en: str | None
    kind: Kind
    frequency: str | None
    target: int | None
    measure: str | None
    baseline: float | None
    baseline_text: str | None
    leader: str | None
    report_slug: str
    report_year: int
    section: int
    section_heading: str
    section_heading_en: str | None
    status: Status  # on the view day
    due: date | None  # its own deadline on the view day (extended, if it was by then)
    extended: bool  # its deadline is an approved extension's
    stated_due: date | None  # as the report put it, before the working-day rule
    events: list[Happening] = field(default_factory=list)  # of the year, by day
    periods: int = 0  # periods of the year begun by the view day
    periods_done: int = 0
    periods_missed: int = 0  # past their deadline, or ended with the year, and not done
    next_year_periods: int = 0  # periods of the next year in the ledger
    figure: float | None = None  # an indicator's figure for the year
    figure_before: float | None = None  # …for the year before, if the ledger holds one
    villages_done: int = 0  # villages with an event of the year (a per-village duty)
    closed_on: date | None = None  # the day it was done (or signed off) in the year
    closed_note: str = ""  # what was said when it was
    reason: str = ""  # the latest note or status reason of the year, by the view day
    extensions: list[tuple[date, date, str]] = field(default_factory=list)  # old, new, why

    @property
    def periodic(self) -> bool:
        return self.kind in (Kind.RECURRING, Kind.QUOTA, Kind.INDICATOR)

    @property
    def open(self) -> bool:
        return self.status not in CLOSED_STATUSES


@dataclass(frozen=True)
class YearFacts:
    scope: YearScope
    issuer: str
    reports: tuple[str, ...]  # slugs, oldest first
    duties: list[Duty]
    villages: int  # villages of the town on the view day
    signed_off: int  # items signed off (销号) in the year
    evidence_files: int  # evidence files of the year's events


def town_reports(session: Session, town: str, year: int) -> list[Report]:
    """The town's reports that speak for `year` or before, oldest first."""
    return list(
        session.scalars(
            sa_select(Report)
            .where(col(Report.town) == town, col(Report.year) <= year)
            .order_by(col(Report.year), col(Report.id))
        ).all()
    )


def year_facts(*, session: Session, scope: YearScope, view: AsOf) -> YearFacts:
    """Everything the draft of `scope.year` says, read from the ledger on `view`'s day."""
    reports = town_reports(session, scope.town, scope.year)
    several = len(reports) > 1
    duties = _duties(session, scope, view, [r.id for r in reports if r.id is not None], several)
    by_id = {duty.id: duty for duty in duties}
    ids = list(by_id)
    if ids:
        _add_events(session, scope, by_id)
        _add_periods(session, scope, view, by_id)
        _add_figures(session, scope, by_id)
        _add_villages(session, scope, by_id)
        _add_closings(session, scope, by_id)
        _add_reasons(session, scope, by_id)
        _add_extensions(session, scope, by_id)
    return YearFacts(
        scope=scope,
        issuer=reports[-1].issuer if reports else "",
        reports=tuple(r.slug for r in reports),
        duties=duties,
        villages=active_villages(session, scope.town, scope.view_day),
        signed_off=signed_off(session, scope, ids),
        evidence_files=evidence_files(session, scope, ids),
    )


def _duties(
    session: Session, scope: YearScope, view: AsOf, report_ids: list[int], several: bool
) -> list[Duty]:
    query = (
        sa_select(Commitment, Report, Section, view.status(), view.due())
        .join(Report, col(Report.id) == Commitment.report_id)
        .join(
            Section,
            and_(
                col(Section.report_id) == Commitment.report_id,
                col(Section.number) == Commitment.section,
            ),
        )
        .where(col(Commitment.parent_id).is_(None), col(Commitment.report_id).in_(report_ids))
        .order_by(col(Report.year), col(Report.id), col(Commitment.sort_key))
    )
    if scope.unit is not None:
        query = query.join(Unit, col(Unit.id) == Commitment.unit_id).where(
            or_(col(Unit.name) == scope.unit, col(Unit.name_en) == scope.unit)
        )
    duties = []
    for item, report, section, status, due in session.execute(query).all():
        duties.append(
            Duty(
                id=item.id,
                code=f"{report.slug}/{item.code}" if several else item.code,
                title=item.title,
                title_en=item.title_en,
                kind=Kind(item.kind),
                frequency=item.frequency,
                target=item.target,
                measure=item.measure,
                baseline=item.baseline,
                baseline_text=item.baseline_text,
                leader=item.leader,
                report_slug=report.slug,
                report_year=report.year,
                section=section.number,
                section_heading=section.heading,
                section_heading_en=section.heading_en,
                status=Status(status),
                due=due,
                extended=False,  # set from the approvals effective by the view day
                stated_due=item.stated_due or item.due,
            )
        )
    return duties


def _top() -> ColumnElement[int]:
    """A row's commitment of the report: its parent, or itself."""
    return func.coalesce(col(Commitment.parent_id), col(Commitment.id))


def _in_year(scope: YearScope) -> ColumnElement[bool]:
    """The events that count in the year on the view day."""
    return and_(col(Event.happened_on) >= scope.first_day, counts_on(scope.view_day))


def _add_events(session: Session, scope: YearScope, by_id: dict[int, Duty]) -> None:
    top = _top()
    rows = session.execute(
        sa_select(top, col(Event.happened_on), col(Event.note))
        .join(Commitment, col(Commitment.id) == Event.commitment_id)
        .where(top.in_(list(by_id)), _in_year(scope))
        .order_by(col(Event.happened_on), col(Event.id))
    ).all()
    for duty_id, day, note in rows:
        by_id[duty_id].events.append(Happening(day, " ".join(note.split())))


def _add_periods(session: Session, scope: YearScope, view: AsOf, by_id: dict[int, Duty]) -> None:
    """The year's periods of each periodic duty: begun, done and late on the view day."""
    periodic = [duty.id for duty in by_id.values() if duty.periodic]
    if not periodic:
        return
    status, due = view.status(), view.due()
    is_open = status.not_in(FINISHED + (Status.CANCELLED.value,))
    ended = col(Commitment.period_end) <= scope.view_day if scope.year_over else false()
    missed = and_(is_open, or_(due < scope.view_day, ended))
    begun = and_(
        col(Commitment.period_start) >= scope.first_day,
        col(Commitment.period_start) <= scope.view_day,
    )
    for parent_id, count, done, missing in session.execute(
        sa_select(
            col(Commitment.parent_id),
            func.count(),
            func.sum(case((status.in_(FINISHED), 1), else_=0)),
            func.sum(case((missed, 1), else_=0)),
        )
        .where(col(Commitment.parent_id).in_(periodic), begun)
        .group_by(col(Commitment.parent_id))
    ).all():
        duty = by_id[parent_id]
        duty.periods, duty.periods_done, duty.periods_missed = count, int(done), int(missing)
    next_year = date(scope.year + 1, 1, 1), date(scope.year + 1, 12, 31)
    for parent_id, count in session.execute(
        sa_select(col(Commitment.parent_id), func.count())
        .where(
            col(Commitment.parent_id).in_(periodic),
            col(Commitment.period_start).between(*next_year),
        )
        .group_by(col(Commitment.parent_id))
    ).all():
        by_id[parent_id].next_year_periods = count


def _add_figures(session: Session, scope: YearScope, by_id: dict[int, Duty]) -> None:
    """Each indicator's figure of the year and of the year before, as counted on the view
    day (the latest figure logged for the period); the report's baseline stands for the
    year the report narrates."""
    indicators = [d.id for d in by_id.values() if d.kind is Kind.INDICATOR]
    if not indicators:
        return
    years = (str(scope.year), str(scope.year - 1))
    found = figures_by_period(session, indicators, years, scope.view_day)
    for duty_id in indicators:
        duty = by_id[duty_id]
        duty.figure = found.get((duty_id, years[0]))
        duty.figure_before = found.get((duty_id, years[1]))
        if duty.figure_before is None and duty.report_year == scope.year - 1:
            duty.figure_before = duty.baseline


def figures_by_period(
    session: Session, parents: list[int], periods: tuple[str, ...], view_day: date
) -> dict[tuple[int, str], float]:
    """(indicator id, period key) -> the latest figure logged for it that counts on the day."""
    instance = aliased(Commitment)
    found: dict[tuple[int, str], float] = {}
    for parent_id, key, value in session.execute(
        sa_select(col(instance.parent_id), col(instance.period_key), col(Event.value))
        .join(instance, col(instance.id) == Event.commitment_id)
        .where(
            col(instance.parent_id).in_(parents),
            col(instance.period_key).in_(periods),
            col(Event.value).is_not(None),
            counts_on(view_day),
        )
        .order_by(col(Event.happened_on), col(Event.id))
    ).all():
        found[(parent_id, key)] = value
    return found


def _add_villages(session: Session, scope: YearScope, by_id: dict[int, Duty]) -> None:
    per_village = [d.id for d in by_id.values() if d.kind is Kind.PER_VILLAGE]
    if not per_village:
        return
    for parent_id, villages in session.execute(
        sa_select(col(Commitment.parent_id), func.count(func.distinct(Commitment.village_id)))
        .join(Event, col(Event.commitment_id) == Commitment.id)
        .where(col(Commitment.parent_id).in_(per_village), _in_year(scope))
        .group_by(col(Commitment.parent_id))
    ).all():
        by_id[parent_id].villages_done = villages


def _add_closings(session: Session, scope: YearScope, by_id: dict[int, Duty]) -> None:
    """The day each one-off or rectification was done in the year, if it still stood done
    on the view day, and the words said with it."""
    single = [d.id for d in by_id.values() if not d.periodic and d.kind is not Kind.PER_VILLAGE]
    if not single:
        return
    for item_id, day, note in session.execute(
        sa_select(col(History.commitment_id), col(History.effective_on), col(History.note))
        .where(
            col(History.commitment_id).in_(single),
            # An officer's change, not the seed: what a report states as achieved is its
            # own year's work, though the ledger records it when the report is published.
            col(History.kind) == HistoryKind.STATUS.value,
            col(History.new).in_(FINISHED),
            col(History.effective_on).between(scope.first_day, scope.view_day),
        )
        .order_by(col(History.effective_on), col(History.id))
    ).all():
        duty = by_id[item_id]
        if duty.status.value in FINISHED and duty.closed_on is None:
            # The first time it was done in the year; a sign-off after it keeps its day.
            duty.closed_on, duty.closed_note = day, " ".join(note.split())


def _add_reasons(session: Session, scope: YearScope, by_id: dict[int, Duty]) -> None:
    top = _top()
    for duty_id, note in session.execute(
        sa_select(top, col(History.note))
        .join(Commitment, col(Commitment.id) == History.commitment_id)
        .where(
            top.in_(list(by_id)),
            col(History.kind).in_(_REASON_KINDS),
            col(History.note) != "",
            # The year's own reasons: an older note may no longer hold, and a report's note
            # that a later report continues the item is no reason at all.
            col(History.effective_on).between(scope.first_day, scope.view_day),
        )
        .order_by(col(History.effective_on), col(History.id))
    ).all():
        by_id[duty_id].reason = " ".join(note.split())


def _add_extensions(session: Session, scope: YearScope, by_id: dict[int, Duty]) -> None:
    """Extensions approved by the view day: the deadline they set, and those approved in
    the year with the reason the unit gave when asking."""
    asked = {
        (item_id, new_due): reason
        for item_id, new_due, reason in session.execute(
            sa_select(
                col(Extension.commitment_id), col(Extension.new_due), col(Extension.reason)
            ).where(
                col(Extension.commitment_id).in_(list(by_id)),
                col(Extension.state) == ExtensionState.APPROVED.value,
            )
        ).all()
    }
    for item_id, old, new, day in session.execute(
        sa_select(
            col(History.commitment_id),
            col(History.old),
            col(History.new),
            col(History.effective_on),
        )
        .where(
            col(History.commitment_id).in_(list(by_id)),
            col(History.kind) == HistoryKind.EXTENSION.value,
            col(History.note).startswith(APPROVED_PREFIX),
            col(History.effective_on) <= scope.view_day,
        )
        .order_by(col(History.effective_on), col(History.id))
    ).all():
        duty = by_id[item_id]
        old_due, new_due = date.fromisoformat(old), date.fromisoformat(new)
        duty.due, duty.extended = new_due, True
        if day >= scope.first_day:
            reason = " ".join(asked.get((item_id, new_due), "").split())
            duty.extensions.append((old_due, new_due, reason))


def active_villages(session: Session, town: str, day: date) -> int:
    """The villages of the town on `day`: those not retired by then."""
    return int(
        session.execute(
            sa_select(func.count())
            .select_from(Village)
            .where(
                col(Village.town) == town,
                or_(col(Village.retired_on).is_(None), col(Village.retired_on) > day),
            )
        ).scalar_one()
    )


def signed_off(session: Session, scope: YearScope, ids: list[int]) -> int:
    """Items of the town (or their periods and villages) signed off in the year."""
    if not ids:
        return 0
    top = _top()
    return int(
        session.execute(
            sa_select(func.count(func.distinct(History.commitment_id)))
            .join(Commitment, col(Commitment.id) == History.commitment_id)
            .where(
                top.in_(ids),
                col(History.kind) == HistoryKind.STATUS.value,
                col(History.new) == Status.VERIFIED.value,
                col(History.effective_on).between(scope.first_day, scope.view_day),
            )
        ).scalar_one()
    )


def evidence_files(session: Session, scope: YearScope, ids: list[int]) -> int:
    """Evidence files attached to the year's events of the town."""
    if not ids:
        return 0
    top = _top()
    return int(
        session.execute(
            sa_select(func.count())
            .select_from(Evidence)
            .join(Event, col(Event.id) == Evidence.event_id)
            .join(Commitment, col(Commitment.id) == Event.commitment_id)
            .where(top.in_(ids), _in_year(scope))
        ).scalar_one()
    )


def by_section(duties: list[Duty]) -> dict[tuple[str, int], list[Duty]]:
    """Duties under their report's section, in the ledger's order."""
    grouped: dict[tuple[str, int], list[Duty]] = defaultdict(list)
    for duty in duties:
        grouped[(duty.report_slug, duty.section)].append(duty)
    return grouped
