"""A later report's drafts written onto the commitments of the town's earlier report.

A draft the reviewer accepted with `continues: baohe-2021/5.5a` is no new commitment: the
ledger already tracks that duty, so it goes on there — a note quoting the new report, and,
for an indicator, the new year's figure as its event, so its series goes on. One accepted
with `closes: baohe-2021/7.1a` says that plan item was done: it is logged with the new
report's sentence as its evidence and set done, unless it already was closed.

Everything is dated the last day of the new report's year (the year it narrates), or today
if that is still ahead, and written through the services every officer's change goes
through (updates, events), in the caller's transaction, by the admin applying the draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import Commitment, Kind, Report, Status
from tracker.schedule import WorkCalendar
from tracker.services.events import log_event
from tracker.services.seed_file import SeedCommitment
from tracker.services.updates import add_note, set_status


@dataclass
class Carried:
    """What the links of a later report wrote on the earlier commitments."""

    continued: int = 0  # drafts written onto a duty the ledger already tracks
    figures: int = 0  # of them, indicators given the new year's figure
    closed: int = 0  # earlier plan items set done by the new report's sentence
    already_closed: int = 0  # plan items the new report says were done, already closed


def earlier_item(session: Session, report: Report, entry: SeedCommitment) -> Commitment:
    """The earlier commitment `entry` links to: of an earlier report of the same town."""
    ref = entry.continues or entry.closes or ""
    slug, _, code = ref.partition("/")
    earlier = session.exec(select(Report).where(Report.slug == slug)).first()
    found = (
        session.exec(
            select(Commitment).where(
                Commitment.report_id == earlier.id,
                Commitment.code == code,
                col(Commitment.parent_id).is_(None),
            )
        ).first()
        if earlier is not None
        else None
    )
    if earlier is None or found is None:
        raise TrackerError("import.apply.earlier_missing", code=entry.code, ref=ref)
    if earlier.town != report.town or earlier.year >= report.year:
        raise TrackerError(
            "import.apply.earlier_other",
            code=entry.code,
            ref=ref,
            town=earlier.town,
            year=earlier.year,
        )
    return found


def carry(
    *,
    session: Session,
    report: Report,
    linked: list[SeedCommitment],
    user: str,
    now: datetime,
    calendar: WorkCalendar,
) -> Carried:
    """Write each accepted, linked draft of `report` onto its earlier commitment."""
    carried = Carried()
    day = min(date(report.year, 12, 31), now.date())
    source = f"{report.year}年报告（{report.slug}）"
    for entry in linked:
        item = earlier_item(session, report, entry)
        quoted = f"“{entry.excerpt}”"
        if entry.continues is not None:
            said = f"{source}{entry.code} 延续此项：{quoted}"
            if item.kind == Kind.QUOTA and entry.target not in (None, item.target):
                said += f"（新报告为 {entry.target} 次，本项仍按 {item.target} 次）"
            add_note(session=session, item=item, text=said, user=user, now=now, effective_on=day)
            if item.kind == Kind.INDICATOR and entry.baseline is not None:
                log_event(
                    session=session,
                    item=item,
                    day=day,
                    note=f"{source}{entry.code}：{quoted}",
                    evidence=[],
                    user=user,
                    now=now,
                    calendar=calendar,
                    value=entry.baseline,
                )
                carried.figures += 1
            carried.continued += 1
            continue
        # Closed already, on whatever day (an officer's own 已完成): the report adds nothing.
        if Status(item.status).closed:
            carried.already_closed += 1
            continue
        said = f"据{source}{entry.code}：{quoted}"
        log_event(
            session=session,
            item=item,
            day=day,
            note=said,
            evidence=[],
            user=user,
            now=now,
            calendar=calendar,
        )
        set_status(
            session=session,
            item=item,
            status=Status.DONE,
            note=said,
            user=user,
            now=now,
            effective_on=day,
        )
        carried.closed += 1
    return carried
