"""Traffic lights and lateness."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.schedule import (
    DEFAULT_WARN_DAYS,
    Lateness,
    Light,
    WorkCalendar,
    lateness,
    traffic_light,
    yellow_limit,
)

CAL = WorkCalendar()
ONE_DAY = timedelta(days=1)
days = st.dates(date(2003, 1, 1), date(2028, 12, 31))


def light(due: date | None, as_of: date, *, closed: bool = False, warn_days: int = 3) -> Light:
    return traffic_light(due=due, closed=closed, as_of=as_of, calendar=CAL, warn_days=warn_days)


def test_default_warning_is_three_working_days() -> None:
    assert DEFAULT_WARN_DAYS == 3
    assert yellow_limit(date(2023, 9, 25), CAL) == date(2023, 9, 28)


# --- Boundaries, on an ordinary week: Mon 25 Sep 2023, limit Thu 28 Sep ---

MONDAY = date(2023, 9, 25)


def test_due_yesterday_is_red() -> None:
    assert light(MONDAY - ONE_DAY, MONDAY) == Light.RED


def test_due_today_is_yellow() -> None:
    assert light(MONDAY, MONDAY) == Light.YELLOW


def test_due_on_the_yellow_limit_is_yellow() -> None:
    assert light(date(2023, 9, 28), MONDAY) == Light.YELLOW


def test_due_the_day_after_the_yellow_limit_is_green() -> None:
    assert light(date(2023, 9, 29), MONDAY) == Light.GREEN


def test_closed_is_none_whatever_the_due_date() -> None:
    assert light(MONDAY - ONE_DAY, MONDAY, closed=True) == Light.NONE
    assert light(MONDAY, MONDAY, closed=True) == Light.NONE
    assert light(None, MONDAY, closed=True) == Light.NONE


def test_no_due_date_is_green() -> None:
    assert light(None, MONDAY) == Light.GREEN


def test_zero_warn_days_makes_only_today_yellow() -> None:
    assert yellow_limit(MONDAY, CAL, 0) == MONDAY
    assert light(MONDAY, MONDAY, warn_days=0) == Light.YELLOW
    assert light(MONDAY + ONE_DAY, MONDAY, warn_days=0) == Light.GREEN


# --- Yellow across the National Day holiday 2023 (29 Sep – 6 Oct off, 7–8 Oct worked) ---


def test_yellow_limit_skips_national_day_and_counts_make_up_weekend() -> None:
    # Working days after Thu 28 Sep: Sat 7 Oct, Sun 8 Oct, Mon 9 Oct.
    assert yellow_limit(date(2023, 9, 28), CAL, 3) == date(2023, 10, 9)


def test_due_during_the_holiday_is_yellow_before_it() -> None:
    as_of = date(2023, 9, 28)
    assert light(date(2023, 10, 6), as_of) == Light.YELLOW
    assert light(date(2023, 10, 9), as_of) == Light.YELLOW
    assert light(date(2023, 10, 10), as_of) == Light.GREEN


def test_yellow_limit_from_a_day_off_counts_from_the_next_working_day() -> None:
    # Sat 30 Sep 2023 (holiday) -> 7, 8, 9 Oct.
    assert yellow_limit(date(2023, 9, 30), CAL) == date(2023, 10, 9)


# --- The SQL layer's filters must agree with traffic_light ---


@given(
    as_of=days,
    # Due dates near as_of, so the boundaries are hit often.
    offset=st.none() | st.integers(-10, 30),
    closed=st.booleans(),
    warn_days=st.integers(0, 15),
)
def test_traffic_light_agrees_with_the_sql_filters(
    as_of: date, offset: int | None, closed: bool, warn_days: int
) -> None:
    due = None if offset is None else as_of + timedelta(days=offset)
    limit = yellow_limit(as_of, CAL, warn_days)
    # Mirrors: WHERE NOT closed AND due < :as_of  /  WHERE NOT closed AND due BETWEEN ...
    sql_red = not closed and due is not None and due < as_of
    sql_yellow = not closed and due is not None and as_of <= due <= limit
    result = light(due, as_of, closed=closed, warn_days=warn_days)
    assert (result == Light.RED) == sql_red
    assert (result == Light.YELLOW) == sql_yellow
    assert (result == Light.NONE) == closed


@given(as_of=days, warn_days=st.integers(0, 15))
def test_yellow_limit_is_a_working_day_at_or_after_as_of(as_of: date, warn_days: int) -> None:
    limit = yellow_limit(as_of, CAL, warn_days)
    assert limit >= as_of
    assert CAL.workdays_between(as_of, limit) == warn_days
    if warn_days:
        assert CAL.is_workday(limit)


# --- Lateness ---


def test_not_late_is_zero() -> None:
    assert lateness(date(2023, 10, 9), date(2023, 10, 9), CAL) == Lateness(0, 0)
    assert lateness(date(2023, 10, 9), date(2023, 9, 1), CAL) == Lateness(0, 0)


def test_lateness_over_national_day_counts_no_working_days_until_make_up_saturday() -> None:
    due = date(2023, 9, 28)
    assert lateness(due, date(2023, 10, 6), CAL) == Lateness(calendar_days=8, working_days=0)
    assert lateness(due, date(2023, 10, 7), CAL) == Lateness(calendar_days=9, working_days=1)
    assert lateness(due, date(2023, 10, 9), CAL) == Lateness(calendar_days=11, working_days=3)


@given(due=days, as_of=days)
def test_lateness_is_never_negative_and_working_days_never_exceed_calendar_days(
    due: date, as_of: date
) -> None:
    late = lateness(due, as_of, CAL)
    assert 0 <= late.working_days <= late.calendar_days
    assert (late.calendar_days > 0) == (as_of > due)


# --- --as-of reproducibility: one scenario, two dates ---

SCENARIO: dict[str, tuple[date | None, bool]] = {
    "due before the holiday": (date(2023, 9, 28), False),
    "due after the holiday": (date(2023, 10, 9), False),
    "due late October": (date(2023, 10, 20), False),
    "done long ago": (date(2023, 9, 1), True),
    "no deadline": (None, False),
}


def lights_as_of(as_of: date) -> dict[str, Light]:
    return {
        name: traffic_light(due=due, closed=closed, as_of=as_of, calendar=WorkCalendar())
        for name, (due, closed) in SCENARIO.items()
    }


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (
            date(2023, 9, 25),
            {
                "due before the holiday": Light.YELLOW,
                "due after the holiday": Light.GREEN,
                "due late October": Light.GREEN,
                "done long ago": Light.NONE,
                "no deadline": Light.GREEN,
            },
        ),
        (
            date(2023, 10, 9),
            {
                "due before the holiday": Light.RED,
                "due after the holiday": Light.YELLOW,
                "due late October": Light.GREEN,
                "done long ago": Light.NONE,
                "no deadline": Light.GREEN,
            },
        ),
    ],
)
def test_scenario_depends_only_on_as_of(as_of: date, expected: dict[str, Light]) -> None:
    assert lights_as_of(as_of) == expected
    assert lights_as_of(as_of) == expected  # same answer again, with a fresh calendar
