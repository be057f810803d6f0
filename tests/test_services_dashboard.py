"""The overview: counts that add up, this year's quotas, the most overdue, section progress.

Every expectation is recounted in Python from the rows of the ledger.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text, update
from sqlmodel import Session, col, select

from tracker.models import Commitment, Kind, Status
from tracker.schedule import Light, WorkCalendar
from tracker.services.dashboard import TOP, dashboard
from tracker.services.deadlines import Deadlines
from tracker.services.seed_file import Seed
from tracker.services.updates import log_event

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=timezone(timedelta(hours=8)))
SEEDED_THROUGH = 2026


def item(session: Session, code: str) -> Commitment:
    return session.exec(select(Commitment).where(Commitment.code == code)).one()


def mark(session: Session, status: Status, *codes: str) -> None:
    for code in codes:
        row = item(session, code)
        row.status = status
        session.add(row)
    session.flush()


def things_to_do(session: Session, as_of: date) -> list[Commitment]:
    """Each single thing to do by `as_of`: commitments without instances, and the instances
    that have begun (a commitment with instances is done through them)."""
    rows = session.exec(select(Commitment)).all()
    parents = {r.parent_id for r in rows if r.parent_id is not None}
    return [
        r
        for r in rows
        if (r.parent_id is None and r.id not in parents)
        or (r.parent_id is not None and (r.period_start is None or r.period_start <= as_of))
    ]


@pytest.mark.parametrize("as_of", [date(2026, 11, 26), date(2023, 10, 8)])
def test_counts_by_status_and_by_light_add_up_to_the_tracked_total(
    session: Session, calendar: WorkCalendar, as_of: date
) -> None:
    mark(session, Status.BLOCKED, "6.1")
    mark(session, Status.CANCELLED, "7.2b")
    mark(session, Status.IN_PROGRESS, "3.2-M/2023-10")
    deadlines = Deadlines(as_of=as_of, calendar=calendar, today=as_of)
    overview = dashboard(session=session, deadlines=deadlines)
    rows = things_to_do(session, as_of)
    assert overview.total == len(rows)
    assert sum(overview.by_light.values()) == overview.total
    assert overview.by_status == {s: Counter(Status(r.status) for r in rows)[s] for s in Status}
    lights = Counter(deadlines.light(r.due, r.status) for r in rows)
    assert overview.by_light == {light: lights[light] for light in Light}
    assert overview.by_status[Status.BLOCKED] >= 1 and overview.by_status[Status.CANCELLED] == 1


def test_quotas_of_the_as_of_year_are_listed_with_their_done_counts(
    session: Session, seed: Seed, deadlines: Deadlines, calendar: WorkCalendar
) -> None:
    log_event(
        session=session,
        item=item(session, "5.5a"),
        day=date(2026, 3, 10),
        note="宪法专题讲座",
        evidence=[],
        user="王科员",
        now=NOW,
        calendar=calendar,
    )
    overview = dashboard(session=session, deadlines=deadlines)
    quotas = [c for c in seed.document.commitments if c.kind is Kind.QUOTA]
    assert {row.code for row in overview.quotas} == {f"{c.code}/2026" for c in quotas}
    by_code = {row.code: row for row in overview.quotas}
    assert (by_code["5.5a/2026"].done_count, by_code["5.5a/2026"].target) == (1, 2)
    assert (by_code["5.5b/2026"].done_count, by_code["5.5b/2026"].target) == (0, 2)
    assert by_code["5.5a/2026"].status == Status.IN_PROGRESS


def test_most_overdue_lists_the_oldest_red_items_first(
    session: Session, deadlines: Deadlines
) -> None:
    overview = dashboard(session=session, deadlines=deadlines)
    late = overview.most_overdue
    assert 0 < len(late) <= TOP
    assert all(entry.light is Light.RED for entry in late)
    dues = [entry.due for entry in late]
    assert dues == sorted(dues)
    oldest = session.execute(
        text(
            "SELECT min(due) FROM commitment WHERE status NOT IN ('done', 'cancelled') "
            "AND due < :as_of"
        ),
        {"as_of": deadlines.as_of},
    ).scalar_one()
    assert dues[0] == date.fromisoformat(str(oldest))


def test_most_overdue_folds_periods_and_follows_closures(
    session: Session, deadlines: Deadlines
) -> None:
    codes = [entry.code for entry in dashboard(session=session, deadlines=deadlines).most_overdue]
    assert len(codes) == len(set(codes))
    first = codes[0]
    # Close every open period of the most overdue commitment: it leaves the list.
    parent = item(session, first)
    session.execute(
        update(Commitment)
        .where(col(Commitment.parent_id) == parent.id)
        .values(status=Status.DONE.value)
    )
    session.expire_all()
    after = [entry.code for entry in dashboard(session=session, deadlines=deadlines).most_overdue]
    assert first not in after
    assert after[: len(codes) - 1] == codes[1:]


def test_section_progress_matches_a_direct_count(
    session: Session, seed: Seed, deadlines: Deadlines
) -> None:
    mark(session, Status.DONE, "6.1", "7.1a", "3.2-M/2024-05")
    mark(session, Status.CANCELLED, "7.2b")
    overview = dashboard(session=session, deadlines=deadlines)
    rows = [r for r in things_to_do(session, deadlines.as_of) if r.status != Status.CANCELLED]
    totals = Counter(r.section for r in rows)
    done = Counter(r.section for r in rows if r.status == Status.DONE)
    assert [(s.number, s.done, s.total) for s in overview.sections] == [
        (number, done[number], totals[number]) for number in sorted(totals)
    ]
    headings = {s.number: s.heading for s in seed.document.sections}
    assert all(s.heading == headings[s.number] for s in overview.sections)
