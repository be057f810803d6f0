"""The overview: counts that add up, this year's quotas, the most overdue, section progress.

Every expectation is recounted in Python from the rows of the ledger.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text, update
from sqlmodel import Session, col, func, select

from tracker.models import Commitment, Kind, Status
from tracker.schedule import Light, WorkCalendar
from tracker.services.asof import as_of_view
from tracker.services.dashboard import TOP, dashboard, tracked
from tracker.services.deadlines import Deadlines
from tracker.services.events import log_event
from tracker.services.list_filter import light_condition
from tracker.services.seed_file import Seed

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


WORST_FIRST = [Light.RED, Light.YELLOW, Light.GREEN, Light.NONE]
FINISHED = {Status.DONE, Status.VERIFIED}


def commitment_lights_and_statuses(
    session: Session, deadlines: Deadlines
) -> dict[str, tuple[int, Light, Status]]:
    """Each commitment's (section, light, status), recounted from the rows it stands for:
    the worst light among them; done when everything due by now is closed, something of it
    finished and nothing late (a one-off: its own status)."""
    as_of = deadlines.as_of
    rows = things_to_do(session, as_of)
    result: dict[str, tuple[int, Light, Status]] = {}
    for top in session.exec(select(Commitment).where(col(Commitment.parent_id).is_(None))):
        own = Status(top.status)
        mine = [r for r in rows if r.id == top.id or r.parent_id == top.id]
        lights = {deadlines.light(r.due, r.status) for r in mine}
        light = next((x for x in WORST_FIRST if x in lights), Light.GREEN)
        if not mine and own.closed:
            light = Light.NONE
        statuses = [Status(r.status) for r in mine]
        ended = [Status(r.status) for r in mine if r.period_end is None or r.period_end < as_of]
        if top.kind in (Kind.ONE_OFF, Kind.RECTIFICATION) or own is Status.CANCELLED:
            status = own
        elif (
            ended
            and all(x.closed for x in ended)
            and FINISHED & set(ended)
            and (light is not Light.RED)
        ):
            status = Status.DONE
        elif Status.BLOCKED in statuses:
            status = Status.BLOCKED
        elif any(x not in (Status.TODO, Status.CANCELLED) for x in statuses):
            status = Status.IN_PROGRESS
        else:
            status = Status.TODO
        result[top.code] = (top.section, light, status)
    return result


@pytest.mark.parametrize("as_of", [date(2026, 11, 26), date(2023, 10, 8)])
def test_lights_and_statuses_count_each_commitment_once(
    session: Session, calendar: WorkCalendar, as_of: date
) -> None:
    mark(session, Status.BLOCKED, "6.1")
    mark(session, Status.CANCELLED, "7.2b")
    mark(session, Status.IN_PROGRESS, "3.2-M/2023-10")
    deadlines = Deadlines(as_of=as_of, calendar=calendar, today=as_of)
    overview = dashboard(session=session, deadlines=deadlines)
    expected = commitment_lights_and_statuses(session, deadlines)
    assert overview.total == len(expected) == 66  # the report's commitments, each once
    assert sum(overview.by_light.values()) == overview.total
    assert overview.by_light == Counter(light for _, light, _ in expected.values()) | {
        light: 0 for light in Light if light not in {x for _, x, _ in expected.values()}
    }
    statuses = Counter(status for _, _, status in expected.values())
    assert overview.by_status == {s: statuses[s] for s in Status}
    assert overview.by_status[Status.BLOCKED] >= 1 and overview.by_status[Status.CANCELLED] == 1
    # The periods and items behind them, each counted once, by their own light.
    rows = things_to_do(session, as_of)
    assert overview.items_total == len(rows)
    lights = Counter(deadlines.light(r.due, r.status) for r in rows)
    assert overview.items_by_light == {light: lights[light] for light in Light}


def test_a_daily_duty_late_on_many_days_is_one_red_commitment(
    session: Session, deadlines: Deadlines
) -> None:
    overview = dashboard(session=session, deadlines=deadlines)
    expected = commitment_lights_and_statuses(session, deadlines)
    assert expected["3.2-D"][1] is Light.RED
    red = sum(1 for _, light, _ in expected.values() if light is Light.RED)
    assert overview.by_light[Light.RED] == red
    assert overview.items_by_light[Light.RED] > 1000 > red  # 1,221 late days, one commitment


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
    assert [(s.number, s.periods_done, s.periods_total) for s in overview.sections] == [
        (number, done[number], totals[number]) for number in sorted(totals)
    ]
    expected = commitment_lights_and_statuses(session, deadlines)
    kept = [(n, status) for n, _, status in expected.values() if status is not Status.CANCELLED]
    commitments = Counter(n for n, _ in kept)
    finished = Counter(n for n, status in kept if status in FINISHED)
    assert [(s.number, s.done, s.total) for s in overview.sections] == [
        (number, finished[number], commitments[number]) for number in sorted(commitments)
    ]
    headings = {s.number: s.heading for s in seed.document.sections}
    assert all(s.heading == headings[s.number] for s in overview.sections)


@pytest.mark.parametrize("as_of", [date(2026, 11, 26), date(2023, 10, 8), date(2022, 3, 15)])
def test_items_by_light_counted_in_one_pass_agree_with_each_lights_own_filter(
    session: Session, calendar: WorkCalendar, as_of: date
) -> None:
    """The overview counts every light in one query (issue 15); each count is still what
    the list's filter by that light finds, also on a past day replayed from the history."""
    mark(session, Status.IN_PROGRESS, "3.2-M/2023-10")
    deadlines = Deadlines(as_of=as_of, calendar=calendar, today=date(2026, 12, 5))
    overview = dashboard(session=session, deadlines=deadlines)
    view = as_of_view(session, deadlines)
    scope = tracked(as_of)
    for light in Light:
        query = select(func.count()).select_from(Commitment)
        expected = session.exec(query.where(scope, light_condition([light], view))).one()
        assert overview.items_by_light[light] == expected, light
    assert overview.items_by_light[Light.RED] > 0
