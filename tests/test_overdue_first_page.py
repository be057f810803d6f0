"""The first page of the review (a limit per unit) is found by index seeks, one commitment
at a time (services.overdue_scan), not by counting every late period: it must list exactly
the first entries of the whole review, with the whole review's counts.

Each test computes the whole review first and compares; the whole review is then made
unavailable, so that the page can only come from the seeks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

import tracker.services.overdue as overdue
from tracker.models import Commitment, Status, Unit
from tracker.schedule import Light
from tracker.services.asof import as_of_view
from tracker.services.deadlines import Deadlines
from tracker.services.events import log_event
from tracker.services.overdue import UnitGroup, overdue_by_unit

Review = Callable[..., list[UnitGroup]]


@pytest.fixture
def first_page(monkeypatch: pytest.MonkeyPatch) -> Review:
    """overdue_by_unit with a limit, once the whole review is out of its reach."""

    def whole_review_not_read(*_args: object) -> list[UnitGroup]:
        raise AssertionError("today's first page read the whole review")

    def review(**kwargs: object) -> list[UnitGroup]:
        with monkeypatch.context() as patch:
            patch.setattr(overdue, "_every_entry", whole_review_not_read)
            return overdue_by_unit(**kwargs)  # type: ignore[arg-type]

    return review


def shape(groups: list[UnitGroup]) -> list[tuple[object, ...]]:
    return [(g.unit, g.unit_en, g.red, g.yellow, g.total, g.entries) for g in groups]


def truncated(groups: list[UnitGroup], limit: int) -> list[tuple[object, ...]]:
    return [(g.unit, g.unit_en, g.red, g.yellow, g.total, g.entries[:limit]) for g in groups]


def row(session: Session, code: str) -> Commitment:
    return session.exec(select(Commitment).where(Commitment.code == code)).one()


def late_periods(session: Session, parent: str, as_of: date) -> list[Commitment]:
    rows = session.exec(
        select(Commitment)
        .where(
            Commitment.parent_id == row(session, parent).id,
            Commitment.status == Status.TODO,
            Commitment.due < as_of,  # type: ignore[operator]
        )
        .order_by(Commitment.due)  # type: ignore[arg-type]
    ).all()
    assert len(rows) >= 3, parent
    return list(rows)


@pytest.mark.parametrize("limit", [1, 3, 6])
def test_the_first_page_is_the_head_of_the_whole_review(
    session: Session, deadlines: Deadlines, first_page: Review, limit: int
) -> None:
    whole = overdue_by_unit(session=session, deadlines=deadlines)
    assert any(len(g.entries) > limit for g in whole)  # the limit cuts something
    page = first_page(session=session, deadlines=deadlines, limit=limit)
    assert shape(page) == truncated(whole, limit)
    for group in whole:
        (one,) = first_page(session=session, deadlines=deadlines, unit=group.unit, limit=limit)
        assert shape([one]) == truncated([group], limit)


def test_the_page_follows_the_rows_wherever_an_officer_has_moved_them(
    session: Session, deadlines: Deadlines, first_page: Review
) -> None:
    """A period moved to another unit is that unit's; periods of one commitment in two
    open states are one entry; a village's late item stands alone; a late item without a
    unit is under "-"; a commitment late and due soon counts as red once."""
    as_of = deadlines.as_of
    moved, started, *_ = late_periods(session, "3.2-W", as_of)
    other_unit = session.exec(select(Unit).where(Unit.name == "镇党委")).one()
    moved.unit_id = other_unit.id
    started.status = Status.IN_PROGRESS
    unowned = late_periods(session, "3.2-M", as_of)[0]
    unowned.unit_id = None
    village = session.exec(
        select(Commitment).where(Commitment.village_id.is_not(None))  # type: ignore[union-attr]
    ).first()
    assert village is not None
    village.status, village.due = Status.TODO, as_of - timedelta(days=40)
    soon = late_periods(session, "3.2-D", as_of)[0]
    soon.due = as_of + timedelta(days=1)  # 3.2-D: late periods and one due soon
    session.add_all([moved, started, unowned, village, soon])
    session.flush()

    whole = overdue_by_unit(session=session, deadlines=deadlines)
    by_unit = {g.unit: g for g in whole}
    assert "3.2-W" in {e.code for e in by_unit["镇党委"].entries}
    assert "3.2-M" in {e.code for e in by_unit["-"].entries}
    assert village.code in {e.first_code for g in whole for e in g.entries}
    daily = [e for g in whole for e in g.entries if e.code == "3.2-D"]
    assert {e.light for e in daily} == {Light.RED, Light.YELLOW}
    for limit in (1, 2, 50):
        page = first_page(session=session, deadlines=deadlines, limit=limit)
        assert shape(page) == truncated(whole, limit)


def test_a_reports_page_holds_that_reports_rows_only(
    session: Session, deadlines: Deadlines, first_page: Review
) -> None:
    slug = session.execute(text("SELECT slug FROM report")).scalar_one()
    whole = overdue_by_unit(session=session, deadlines=deadlines, report=slug)
    page = first_page(session=session, deadlines=deadlines, report=slug, limit=2)
    assert shape(page) == truncated(whole, 2)


def test_a_replayed_past_day_is_counted_in_full(session: Session, deadlines: Deadlines) -> None:
    """The seeks read the rows as they stand; a day with changes since is replayed, and
    its page is the head of its whole review."""
    past = Deadlines(as_of=date(2024, 3, 1), calendar=deadlines.calendar, today=deadlines.as_of)
    log_event(
        session=session, item=row(session, "3.2-W/2024-W10"), day=date(2024, 3, 5),
        note="周研判", evidence=[], user="测试员", now=datetime.now(UTC),
        calendar=deadlines.calendar,
    )  # fmt: skip
    assert as_of_view(session, past).past
    whole = overdue_by_unit(session=session, deadlines=past)
    page = overdue_by_unit(session=session, deadlines=past, limit=2)
    assert shape(page) == truncated(whole, 2)
