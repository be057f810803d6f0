"""The one unit of work of the command line and the app (tracker.work): how the ledger is
opened, and how whatever it refuses or cannot do becomes one line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import select

from tracker.config import load_settings
from tracker.errors import TrackerError
from tracker.models import Commitment
from tracker.work import Ledger, Opening, open_ledger, refusal_of

USER = "王科员"  # an admin of the seeded ledger (tests/conftest.py)


def items(db_url: str) -> int:
    opened = open_ledger(Opening(load_settings(db=db_url, user=USER), as_of=date(2026, 11, 26)))
    try:
        with opened.session() as session:
            return session.exec(select(func.count()).select_from(Commitment)).one()
    finally:
        opened.close()


def test_opening_on_a_day_of_a_new_year_creates_that_years_periods(db_url: str) -> None:
    before = items(db_url)  # seeded through 2026
    opening = Opening(load_settings(db=db_url, user=USER), as_of=date(2027, 1, 15))
    opened = open_ledger(opening)
    opened.close()
    assert (opened.user, opened.deadlines.as_of) == (USER, date(2027, 1, 15))
    assert items(db_url) > before


def test_opening_a_database_that_is_not_there_is_refused_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    with pytest.raises(TrackerError) as refused:
        open_ledger(Opening(load_settings(db=str(missing), user=USER)))
    assert refused.value.key == "db_missing"
    assert not missing.exists()


def test_viewing_a_day_before_the_report_is_refused(db_url: str) -> None:
    opening = Opening(load_settings(db=db_url, user=USER), as_of=date(2019, 5, 1))
    with pytest.raises(TrackerError) as refused:
        open_ledger(opening)
    assert refused.value.key == "date_too_early"


def test_a_change_that_fails_leaves_nothing_and_is_said_in_one_line(db_url: str) -> None:
    opened = open_ledger(Opening(load_settings(db=db_url, user=USER)))
    try:
        before = items(db_url)

        def change(work: Ledger) -> None:
            work.session.delete(work.session.exec(select(Commitment)).first())
            raise OverflowError("Python int too large to convert to SQLite INTEGER")

        with pytest.raises(TrackerError) as refused:
            opened.run(change)
        assert refused.value.key == "value_out_of_range"
        assert items(db_url) == before
    finally:
        opened.close()


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (TrackerError("db_busy"), "db_busy"),
        (
            StaleDataError("UPDATE statement on table 'commitment' expected to update 1 row"),
            "item_changed_now",
        ),
        (OperationalError("SELECT 1", {}, Exception("disk I/O error")), "db_unreadable"),
        (OverflowError("int too big"), "value_out_of_range"),
        (
            UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed"),
            "text_not_readable",
        ),
    ],
)
def test_what_the_ledger_refuses_is_one_line_whoever_meets_it(
    error: BaseException, key: str
) -> None:
    known = refusal_of(error)
    assert known is not None and known.key == key
    assert "\n" not in known.message()


def test_a_defect_is_no_refusal_and_keeps_its_traceback() -> None:
    assert refusal_of(KeyError("x")) is None
    assert refusal_of(AssertionError()) is None
