"""Period and village instances: one row per period of a recurring item, one per village."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import Commitment, Frequency, Kind, Report, Status, Village
from tracker.schedule import (
    Checkpoint,
    DueDate,
    Period,
    WorkCalendar,
    default_checkpoints,
    parse_checkpoints,
    period_containing,
    period_deadline,
    periods_in_year,
    quota_deadline,
)
from tracker.services.lookup import natural_key

PERIODIC_KINDS = frozenset({Kind.RECURRING, Kind.QUOTA, Kind.INDICATOR})
# An indicator is a figure reported once a year.
INDICATOR_FREQUENCY = Frequency.YEARLY


def frequency_of(parent: Commitment) -> Frequency:
    """How often a periodic commitment comes round."""
    if parent.kind == Kind.INDICATOR:
        return INDICATOR_FREQUENCY
    assert parent.frequency is not None, parent.code
    return Frequency(parent.frequency)


def checkpoints_of(commitment: Commitment) -> tuple[Checkpoint, ...]:
    """A quota's checkpoints: from the seed, or spread evenly over the period."""
    if commitment.checkpoints:
        spec = dict(part.split(":") for part in commitment.checkpoints.split(","))
        return parse_checkpoints({day: int(count) for day, count in spec.items()})
    assert commitment.target is not None and commitment.frequency is not None
    return default_checkpoints(commitment.target, Frequency(commitment.frequency))


def format_checkpoints(checkpoints: Iterable[Checkpoint]) -> str:
    """The stored form of checkpoints: "06-30:1,12-31:2"."""
    return ",".join(f"{c.month:02d}-{c.day:02d}:{c.count}" for c in checkpoints)


def instance_deadline(
    parent: Commitment, period: Period, calendar: WorkCalendar, done: int
) -> DueDate:
    """When an instance is due, stated and as it counts: a quota's next unmet checkpoint,
    otherwise the period's last day; both moved off a rest day by the one rule."""
    if parent.kind == Kind.QUOTA:
        deadline = quota_deadline(period, checkpoints_of(parent), done, calendar)
        if deadline is not None:
            return deadline
    return period_deadline(period, calendar)


def instance_due(parent: Commitment, period: Period, calendar: WorkCalendar, done: int) -> date:
    """The date :func:`instance_deadline` counts from."""
    return instance_deadline(parent, period, calendar, done).due


def _new_period_instance(parent: Commitment, period: Period, calendar: WorkCalendar) -> Commitment:
    code = f"{parent.code}/{period.key}"
    deadline = instance_deadline(parent, period, calendar, 0)
    return Commitment(
        report_id=parent.report_id,
        parent_id=parent.id,
        code=code,
        sort_key=natural_key(code),
        section=parent.section,
        item=parent.item,
        title=parent.title,
        title_en=parent.title_en,
        kind=parent.kind,
        frequency=frequency_of(parent),
        target=parent.target,
        unit_id=parent.unit_id,
        leader=parent.leader,
        start=period.start,
        due=deadline.due,
        stated_due=deadline.stated_if_moved,
        status=Status.TODO,
        period_key=period.key,
        period_start=period.start,
        period_end=period.end,
    )


def first_year(parent: Commitment, report: Report) -> int:
    """The first year a periodic commitment has instances: its start, or the plan year."""
    return parent.start.year if parent.start is not None else report.plan_year


def ensure_period_instances(
    *, session: Session, report: Report, through_year: int, calendar: WorkCalendar
) -> int:
    """Create the missing period instances of `report` up to `through_year`; returns how many."""
    if report.instances_through is not None and report.instances_through >= through_year:
        return 0
    parents = session.exec(
        select(Commitment).where(
            Commitment.report_id == report.id,
            col(Commitment.parent_id).is_(None),
            col(Commitment.kind).in_(list(PERIODIC_KINDS)),
            # A cancelled commitment has stopped: no new periods (set_status cancelled
            # those not yet begun when it was cancelled).
            col(Commitment.status) != Status.CANCELLED,
        )
    ).all()
    created = 0
    for parent in parents:
        existing = set(
            session.exec(
                select(Commitment.period_key).where(Commitment.parent_id == parent.id)
            ).all()
        )
        frequency = frequency_of(parent)
        for year in range(first_year(parent, report), through_year + 1):
            for period in periods_in_year(frequency, year, calendar):
                if period.key not in existing:
                    session.add(_new_period_instance(parent, period, calendar))
                    created += 1
    report.instances_through = through_year
    session.add(report)
    session.flush()
    return created


def instance_for_day(
    *, session: Session, parent: Commitment, day: date, calendar: WorkCalendar
) -> Commitment:
    """The period instance of `parent` whose period contains `day`, created if missing."""
    period = period_containing(frequency_of(parent), day)
    code = f"{parent.code}/{period.key}"
    instance = session.exec(
        select(Commitment).where(Commitment.report_id == parent.report_id, Commitment.code == code)
    ).first()
    if instance is None:
        if parent.status == Status.CANCELLED:
            raise TrackerError("periods_stopped", code=parent.code, date=day.isoformat())
        instance = _new_period_instance(parent, period, calendar)
        session.add(instance)
        session.flush()
    return instance


def village_code(parent_code: str, number: int) -> str:
    """The code of a village instance: `3.3a-V07`."""
    return f"{parent_code}-V{number:02d}"


def ensure_village_instances(
    *, session: Session, report: Report, status_for: dict[int, Status] | None = None
) -> list[Commitment]:
    """Create the missing village instances of `report`'s per-village commitments.

    `status_for` maps a parent's id to the status its new instances start with (the seed's
    "done" for what the report says every village already has); others start as todo.
    Only seeding (`status_for` given) copies the commitment's deadline: a village added to
    the roster later has none until a supervisor sets one, rather than starting red.
    """
    villages = session.exec(
        select(Village)
        .where(Village.town == report.town, col(Village.retired_on).is_(None))  # none retired
        .order_by(col(Village.number))
    ).all()
    parents = session.exec(
        select(Commitment).where(
            Commitment.report_id == report.id,
            col(Commitment.parent_id).is_(None),
            Commitment.kind == Kind.PER_VILLAGE,
        )
    ).all()
    created: list[Commitment] = []
    for parent in parents:
        have = set(
            session.exec(
                select(Commitment.village_id).where(Commitment.parent_id == parent.id)
            ).all()
        )
        for village in villages:
            if village.id in have:
                continue
            code = village_code(parent.code, village.number)
            instance = Commitment(
                report_id=parent.report_id,
                parent_id=parent.id,
                code=code,
                sort_key=natural_key(code),
                section=parent.section,
                item=parent.item,
                title=parent.title,
                title_en=parent.title_en,
                kind=parent.kind,
                unit_id=parent.unit_id,
                leader=parent.leader,
                start=parent.start,
                due=parent.due if status_for is not None else None,
                stated_due=parent.stated_due if status_for is not None else None,
                status=(status_for or {}).get(parent.id or 0, Status.TODO),
                village_id=village.id,
            )
            session.add(instance)
            created.append(instance)
    session.flush()
    return created
