"""Write a checked seed into the database. Seeding twice changes nothing.

Only the commitments a reviewer accepted are written (a hand-made seed's, which say no
`review:`, all are): a rejected or undecided draft never reaches the ledger, whichever
command seeds it. A rectification's link to a measure left out is dropped, not refused: the
reviewer rejected the measure, and the shortcoming stays a commitment of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import (
    Commitment,
    CommitmentLink,
    CoUnit,
    History,
    HistoryKind,
    Report,
    Section,
    Status,
    Unit,
    Village,
)
from tracker.schedule import DueDate, WorkCalendar, parse_checkpoints
from tracker.services.continuation import Carried, carry
from tracker.services.instances import (
    ensure_period_instances,
    ensure_village_instances,
    format_checkpoints,
)
from tracker.services.lookup import ensure_person, natural_key
from tracker.services.seed_file import PLACEHOLDER_UNIT, Review, Seed, SeedCommitment


@dataclass(frozen=True)
class SeedResult:
    """What seeding created; all zero when the seed was already in the database."""

    report: str
    commitments: int
    instances: int
    villages: int
    # Links from an accepted rectification to a measure the reviewer left out.
    links_dropped: int = 0
    # What the new report's drafts linked to earlier commitments wrote on them.
    carried: Carried = field(default_factory=Carried)


def _named(commitments: list[SeedCommitment]) -> set[str]:
    return {name for c in commitments for name in (c.unit, *c.co_units)}


def _units(session: Session, seed: Seed) -> dict[str, Unit]:
    units = {unit.name: unit for unit in session.exec(select(Unit)).all()}
    # A unit only left-out drafts name (the draft's placeholder 待核定单位), or drafts written
    # onto an earlier report's commitment, is not created; a unit no commitment names is, as
    # a hand-made seed lists it for its notices.
    only_left_out = _named(seed.document.commitments) - _named(seed.new_commitments())
    for entry in seed.document.units:
        if entry.name not in units and entry.name not in only_left_out:
            unit = Unit(name=entry.name, name_en=entry.name_en)
            session.add(unit)
            units[entry.name] = unit
    session.flush()
    return units


def _report(session: Session, seed: Seed) -> Report:
    info = seed.document.report
    report = session.exec(select(Report).where(Report.slug == info.slug)).first()
    if report is None:
        report = Report(
            slug=info.slug,
            title=info.title,
            issuer=info.issuer,
            town=info.town,
            year=info.year,
            published=info.published,
            plan_year=info.plan_year,
            text=seed.text,
        )
        session.add(report)
        session.flush()
    assert report.id is not None
    have = set(session.exec(select(Section.number).where(Section.report_id == report.id)).all())
    for entry in seed.document.sections:
        if entry.number in have or entry.number > len(seed.sections):
            continue
        span = seed.sections[entry.number - 1]
        session.add(
            Section(
                report_id=report.id,
                number=entry.number,
                heading=entry.heading,
                heading_en=entry.heading_en,
                start=span.start,
                end=span.end,
            )
        )
    return report


def _villages(session: Session, town: str, count: int) -> int:
    have = set(session.exec(select(Village.number).where(Village.town == town)).all())
    missing = [n for n in range(1, count + 1) if n not in have]
    # Unnamed until the town imports its roster; shown as 村(社区)07 / Village 07.
    session.add_all(Village(town=town, number=n, name="") for n in missing)
    return len(missing)


def _commitment(
    seed: Seed,
    report: Report,
    entry: SeedCommitment,
    units: dict[str, Unit],
    calendar: WorkCalendar,
) -> Commitment:
    assert report.id is not None
    # The seed states the report's date; a rest day moves it by the one rule, and the
    # stated date is kept beside it.
    deadline = DueDate.of(entry.due, calendar) if entry.due is not None else None
    start, end = seed.excerpt_offsets[entry.code]
    checkpoints = (
        format_checkpoints(parse_checkpoints(entry.checkpoints)) if entry.checkpoints else None
    )
    return Commitment(
        report_id=report.id,
        code=entry.code,
        sort_key=natural_key(entry.code),
        section=entry.section,
        item=entry.item,
        title=entry.title,
        title_en=entry.title_en,
        description=entry.description,
        excerpt=entry.excerpt,
        excerpt_start=start,
        excerpt_end=end,
        kind=entry.kind,
        frequency=entry.frequency,
        target=entry.target,
        checkpoints=checkpoints,
        baseline=entry.baseline,
        baseline_text=entry.baseline_text,
        measure=entry.measure,
        unit_id=units[entry.unit].id,
        leader=entry.leader,
        start=entry.start,
        due=deadline.due if deadline else None,
        stated_due=deadline.stated_if_moved if deadline else None,
        status=entry.status or Status.TODO,
        notes=entry.notes,
    )


def apply_seed(
    *,
    session: Session,
    seed: Seed,
    user: str,
    now: datetime,
    through_year: int,
    calendar: WorkCalendar,
) -> SeedResult:
    """Add what `seed` holds and the database lacks; never change what is already there.

    Statuses the report states (the contracts signed in 2021) are written with a history row
    quoting the report, so even the starting point has a trace. The caller commits.
    """
    units = _units(session, seed)
    # The links to earlier reports are written once, with the report: seeding again adds
    # nothing (and `tracker import --apply` refuses a report already there).
    report_is_new = (
        session.exec(select(Report.id).where(Report.slug == seed.document.report.slug)).first()
        is None
    )
    report = _report(session, seed)
    villages = _villages(session, report.town, seed.document.villages)
    existing = {
        c.code: c
        for c in session.exec(
            select(Commitment).where(
                Commitment.report_id == report.id, col(Commitment.parent_id).is_(None)
            )
        ).all()
    }
    added: list[tuple[SeedCommitment, Commitment]] = []
    for entry in seed.new_commitments():
        if entry.code in existing:
            continue
        commitment = _commitment(seed, report, entry, units, calendar)
        session.add(commitment)
        existing[entry.code] = commitment
        added.append((entry, commitment))
    if added:
        ensure_person(session=session, name=user)
    session.flush()

    status_for: dict[int, Status] = {}
    dropped = 0
    for entry, commitment in added:
        assert commitment.id is not None
        for name in entry.co_units:
            co_unit = units[name]
            assert co_unit.id is not None
            session.add(CoUnit(commitment_id=commitment.id, unit_id=co_unit.id))
        for code in entry.addressed_by:
            measure = existing.get(code)
            if measure is None:  # a measure the reviewer left out
                dropped += 1
                continue
            assert measure.id is not None
            session.add(CommitmentLink(rectification_id=commitment.id, measure_id=measure.id))
        if entry.status is not None:
            status_for[commitment.id] = entry.status
            session.add(_seed_history(commitment, entry, user, now, report_day(report)))
    session.flush()

    village_rows = ensure_village_instances(session=session, report=report, status_for=status_for)
    notes = {commitment.id: entry for entry, commitment in added}
    for instance in village_rows:
        noted = notes.get(instance.parent_id)
        if noted is not None and noted.status is not None:
            session.add(_seed_history(instance, noted, user, now, report_day(report)))
    if added:
        # New periodic commitments need their instances for every year so far.
        report.instances_through = None
    periods = ensure_period_instances(
        session=session, report=report, through_year=through_year, calendar=calendar
    )
    session.flush()
    carried = (
        carry(
            session=session,
            report=report,
            linked=seed.linked(),
            user=user,
            now=now,
            calendar=calendar,
        )
        if report_is_new
        else Carried()
    )
    session.flush()
    return SeedResult(
        report=report.slug,
        commitments=len(added),
        instances=periods + len(village_rows),
        villages=villages,
        links_dropped=dropped,
        carried=carried,
    )


def require_reviewed(seed: Seed) -> None:
    """Refuse a draft with a commitment still undecided: the reviewer says what becomes of
    each before any is seeded (one left out unread would be a commitment silently lost).
    A draft with every commitment rejected is refused too: there is nothing to seed; and so
    is one with an accepted commitment whose lead unit is still the import's placeholder."""
    undecided = len(seed.reviewed(Review.UNDECIDED))
    accepted = len(seed.reviewed(Review.ACCEPTED))
    rejected = len(seed.reviewed(Review.REJECTED))
    if undecided:
        raise TrackerError(
            "import.apply.undecided",
            file=str(seed.path),
            undecided=undecided,
            accepted=accepted,
            rejected=rejected,
        )
    if not accepted:  # a report with no commitment would be an empty ledger
        raise TrackerError("import.apply.none_accepted", file=str(seed.path), rejected=rejected)
    # A lead unit cannot be changed once seeded: the placeholder would stay the ledger's.
    unnamed = [c.code for c in seed.new_commitments() if c.unit == PLACEHOLDER_UNIT]
    if unnamed:
        raise TrackerError(
            "import.apply.placeholder_unit",
            file=str(seed.path),
            count=len(unnamed),
            code=unnamed[0],
            unit=PLACEHOLDER_UNIT,
        )


def report_day(report: Report) -> date:
    """The day the report's own statements take effect: its publication, else its year end."""
    return report.published or date(report.year, 12, 31)


def _seed_history(
    commitment: Commitment, entry: SeedCommitment, user: str, now: datetime, effective_on: date
) -> History:
    return History(
        commitment_id=commitment.id,
        kind=HistoryKind.SEED,
        old=None,
        new=entry.status,
        note=entry.status_note or "",
        changed_by=user,
        changed_at=now,
        effective_on=effective_on,
    )
