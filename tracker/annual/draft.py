"""Drafting a town's annual report from the ledger: which town, which year, seen on which
day, then the facts and the words (the one entry point for the command line and the app)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from tracker.annual.compose import compose
from tracker.annual.facts import YearScope, town_reports, year_facts
from tracker.annual.model import AnnualDraft
from tracker.errors import TrackerError
from tracker.models import Report, Unit
from tracker.services.asof import as_of_view
from tracker.services.deadlines import Deadlines
from tracker.services.lookup import get_report


def town_of(session: Session, report_slug: str | None) -> str:
    """The town drafted for: the chosen report's, else the only town of the ledger."""
    report = get_report(session=session, slug=report_slug)
    if report is not None:
        return report.town
    towns = list(session.scalars(sa_select(col(Report.town)).distinct().order_by(Report.town)))
    if len(towns) == 1:
        return towns[0]
    slugs = ", ".join(session.scalars(sa_select(col(Report.slug)).order_by(Report.slug)))
    raise TrackerError("annual.town_ambiguous", towns="、".join(towns), slugs=slugs)


def view_day(year: int, as_of: date | None, today: date) -> date:
    """The day the year is read on: its last day, or `as_of` (else today) if earlier.
    A year that has not begun on that day has nothing to report."""
    seen = as_of or today
    if seen < date(year, 1, 1):
        raise TrackerError("annual.year_not_begun", year=year, day=seen.isoformat())
    return min(date(year, 12, 31), seen)


def annual_draft(
    *,
    session: Session,
    town: str,
    year: int,
    deadlines: Deadlines,
    unit: str | None = None,
    today: date,
) -> AnnualDraft:
    """The draft of `town`'s report on `year`, from the ledger as of `deadlines.as_of`."""
    if not town_reports(session, town, year):
        raise TrackerError("annual.no_report", town=town, year=year)
    if unit is not None and not _unit_known(session, unit):
        raise TrackerError("unit_unknown", unit=unit)
    scope = YearScope(town=town, year=year, view_day=deadlines.as_of, unit=unit)
    facts = year_facts(session=session, scope=scope, view=as_of_view(session, deadlines))
    return compose(facts, today=today)


def _unit_known(session: Session, unit: str) -> bool:
    found = session.scalars(
        sa_select(col(Unit.id)).where((col(Unit.name) == unit) | (col(Unit.name_en) == unit))
    ).first()
    return found is not None
