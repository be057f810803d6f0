"""Finding reports, commitments, units, villages and people by what officers type."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, col, func, select

from tracker.errors import TrackerError
from tracker.models import Commitment, Person, Report, Unit, Village


def natural_key(code: str) -> str:
    """`code` with every number zero-padded, so that 5.10 sorts after 5.9."""
    return re.sub(r"\d+", lambda m: m.group().zfill(5), code)


def get_report(*, session: Session, slug: str | None) -> Report | None:
    """The report named `slug`; with no slug, the only report, or None when there are several."""
    if slug is not None:
        report = session.exec(select(Report).where(Report.slug == slug)).first()
        if report is None:
            raise TrackerError("report_unknown", slug=slug)
        return report
    reports = session.exec(select(Report).limit(2)).all()
    if not reports:
        raise TrackerError("db_empty")
    return reports[0] if len(reports) == 1 else None


def require_report(*, session: Session, slug: str | None) -> Report:
    """Like `get_report`, but several reports without a slug is an error."""
    report = get_report(session=session, slug=slug)
    if report is None:
        slugs = ", ".join(session.exec(select(Report.slug).order_by(Report.slug)).all())
        raise TrackerError("report_ambiguous", slugs=slugs)
    return report


def get_commitment(*, session: Session, code: str, report_slug: str | None = None) -> Commitment:
    """The commitment or instance with `code`; unknown or ambiguous codes are errors."""
    query = select(Commitment).where(Commitment.code == code.strip())
    if report_slug is not None:
        report = require_report(session=session, slug=report_slug)
        query = query.where(Commitment.report_id == report.id)
    found = session.exec(query.limit(2)).all()
    if not found:
        raise TrackerError("code_unknown", code=code)
    if len(found) > 1:
        raise TrackerError("code_ambiguous", code=code)
    return found[0]


def get_unit(*, session: Session, name: str) -> Unit:
    """The unit called `name` (Chinese or English name, case-insensitive)."""
    wanted = name.strip()
    unit = session.exec(
        select(Unit).where(
            (col(Unit.name) == wanted) | (func.lower(Unit.name_en) == wanted.lower())
        )
    ).first()
    if unit is None:
        raise TrackerError("unit_unknown", unit=name)
    return unit


def get_village(*, session: Session, town: str | None, key: str) -> Village:
    """A village by its number or its name, in `town` (any town when None)."""
    query = select(Village)
    if town is not None:
        query = query.where(Village.town == town)
    wanted = key.strip()
    if wanted.upper().lstrip("V").isdecimal():
        query = query.where(Village.number == int(wanted.upper().lstrip("V")))
    else:
        query = query.where(Village.name == wanted)
    found = session.exec(query.order_by(col(Village.town)).limit(2)).all()
    if not found:
        raise TrackerError("village_unknown", village=key)
    if len(found) > 1:
        raise TrackerError("village_ambiguous", village=key)
    return found[0]


def ensure_person(*, session: Session, name: str) -> Person:
    """The person called `name`, created the first time they change something."""
    person = session.exec(select(Person).where(Person.name == name)).first()
    if person is None:
        person = Person(name=name)
        session.add(person)
    return person


def now() -> datetime:
    """The time recorded on changes: aware, in the machine's local zone, to the second."""
    return datetime.now().astimezone().replace(microsecond=0)
