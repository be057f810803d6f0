"""Quotas: "at least N per period" with checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.schedule import (
    Checkpoint,
    Frequency,
    Light,
    WorkCalendar,
    checkpoint_dates,
    default_checkpoints,
    parse_checkpoints,
    period_from_key,
    quota_due,
    quota_met,
    traffic_light,
)

CAL = WorkCalendar()
Y2022 = period_from_key(Frequency.YEARLY, "2022")
TWICE_A_YEAR = default_checkpoints(2, Frequency.YEARLY)


# --- default_checkpoints ---


def test_twice_a_year_is_one_by_30_june_and_two_by_31_december() -> None:
    assert TWICE_A_YEAR == (Checkpoint(6, 30, 1), Checkpoint(12, 31, 2))


def test_four_times_a_year_checks_each_quarter_end() -> None:
    assert default_checkpoints(4, Frequency.YEARLY) == (
        Checkpoint(3, 31, 1),
        Checkpoint(6, 30, 2),
        Checkpoint(9, 30, 3),
        Checkpoint(12, 31, 4),
    )


def test_once_a_year_is_due_by_31_december() -> None:
    assert default_checkpoints(1, Frequency.YEARLY) == (Checkpoint(12, 31, 1),)


def test_five_times_a_year_uses_ceiling_months() -> None:
    # ceil(12*i/5) for i = 1..5 -> months 3, 5, 8, 10, 12
    assert [(c.month, c.count) for c in default_checkpoints(5, Frequency.YEARLY)] == [
        (3, 1),
        (5, 2),
        (8, 3),
        (10, 4),
        (12, 5),
    ]


def test_more_than_twelve_a_year_keeps_the_highest_count_per_month() -> None:
    checkpoints = default_checkpoints(24, Frequency.YEARLY)
    assert len(checkpoints) == 12
    assert checkpoints[0] == Checkpoint(1, 31, 2)
    assert checkpoints[1] == Checkpoint(2, 29, 4)  # clamped to 28 in common years
    assert checkpoints[-1] == Checkpoint(12, 31, 24)


@given(st.integers(1, 400))
def test_default_yearly_checkpoints_increase_and_end_at_the_target(target: int) -> None:
    checkpoints = default_checkpoints(target, Frequency.YEARLY)
    assert checkpoints[-1] == Checkpoint(12, 31, target)
    assert all(a.month < b.month and a.count < b.count for a, b in pairwise(checkpoints))
    # Never ask for more than the pro-rata share by the end of each month.
    assert all(c.count <= target * c.month / 12 for c in checkpoints)


@pytest.mark.parametrize("frequency", [f for f in Frequency if f is not Frequency.YEARLY], ids=str)
def test_non_yearly_frequencies_get_one_checkpoint_for_the_whole_target(
    frequency: Frequency,
) -> None:
    assert default_checkpoints(3, frequency) == (Checkpoint(12, 31, 3),)


def test_target_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        default_checkpoints(0, Frequency.YEARLY)


# --- parse_checkpoints ---


def test_parse_checkpoints_sorts_by_date() -> None:
    assert parse_checkpoints({"12-31": 2, "06-30": 1}) == TWICE_A_YEAR


@given(st.integers(1, 100))
def test_default_checkpoints_round_trip_through_parse(target: int) -> None:
    checkpoints = default_checkpoints(target, Frequency.YEARLY)
    spec = {f"{c.month:02d}-{c.day:02d}": c.count for c in checkpoints}
    assert parse_checkpoints(spec) == checkpoints


def test_parse_checkpoints_accepts_29_february() -> None:
    assert parse_checkpoints({"02-29": 1}) == (Checkpoint(2, 29, 1),)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"6-30": 1}, "month-day"),
        ({"06/30": 1}, "month-day"),
        ({"2022-06-30": 1}, "month-day"),
        ({"13-01": 1}, "real date"),
        ({"02-30": 1}, "real date"),
        ({"06-00": 1}, "real date"),
        ({"06-30": 2, "12-31": 2}, "increase"),
        ({"06-30": 2, "12-31": 1}, "increase"),
        ({"06-30": 0}, ">= 1"),
        ({"06-30": True}, ">= 1"),
        ({}, "no checkpoints"),
    ],
)
def test_parse_checkpoints_refuses_bad_specs(spec: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_checkpoints(spec)


# --- checkpoint_dates ---


def test_checkpoint_dates_of_a_yearly_period() -> None:
    assert checkpoint_dates(Y2022, TWICE_A_YEAR) == [
        (date(2022, 6, 30), 1),
        (date(2022, 12, 31), 2),
    ]


def test_29_february_checkpoint_is_clamped_in_common_years() -> None:
    checkpoints = parse_checkpoints({"02-29": 1})
    year_2023 = period_from_key(Frequency.YEARLY, "2023")
    year_2024 = period_from_key(Frequency.YEARLY, "2024")
    assert checkpoint_dates(year_2023, checkpoints) == [(date(2023, 2, 28), 1)]
    assert checkpoint_dates(year_2024, checkpoints) == [(date(2024, 2, 29), 1)]


def test_non_yearly_period_uses_only_the_final_count_at_its_end() -> None:
    june = period_from_key(Frequency.MONTHLY, "2022-06")
    assert checkpoint_dates(june, TWICE_A_YEAR) == [(date(2022, 6, 30), 2)]
    q3 = period_from_key(Frequency.QUARTERLY, "2022-Q3")
    assert checkpoint_dates(q3, default_checkpoints(3, Frequency.QUARTERLY)) == [
        (date(2022, 9, 30), 3)
    ]


# --- quota_due / quota_met ---


@pytest.mark.parametrize(
    ("done", "due"),
    [(0, date(2022, 6, 30)), (1, date(2023, 1, 3)), (2, None), (3, None)],
)
def test_twice_a_year_due_date_by_events_done(done: int, due: date | None) -> None:
    # 31 December 2022 is a Saturday before the New Year holiday (1–2 January 2023): the
    # deadline moves forward to Tuesday 3 January (民法典第二百零三条).
    assert quota_due(Y2022, TWICE_A_YEAR, done, CAL) == due


def test_checkpoint_on_a_holiday_moves_forward_to_the_next_working_day() -> None:
    checkpoints = parse_checkpoints({"09-30": 1, "12-31": 2})
    year = period_from_key(Frequency.YEARLY, "2023")
    # 30 September 2023 is in the golden week; Saturday 7 October is a make-up working day.
    assert quota_due(year, checkpoints, 0, CAL) == date(2023, 10, 7)


def test_quota_met_only_at_the_final_count() -> None:
    assert not quota_met(TWICE_A_YEAR, 0)
    assert not quota_met(TWICE_A_YEAR, 1)
    assert quota_met(TWICE_A_YEAR, 2)
    assert quota_met(TWICE_A_YEAR, 5)


@given(st.integers(1, 30), st.integers(0, 40), st.integers(2005, 2025))
def test_quota_due_is_none_exactly_when_quota_met(target: int, done: int, year: int) -> None:
    checkpoints = default_checkpoints(target, Frequency.YEARLY)
    period = period_from_key(Frequency.YEARLY, str(year))
    due = quota_due(period, checkpoints, done, CAL)
    assert (due is None) == quota_met(checkpoints, done)
    if due is not None:
        # A checkpoint inside the period, moved at most past a rest day after its end.
        assert period.start <= due
        assert CAL.is_workday(due)
        assert CAL.workdays_between(period.end, due) <= 1


# --- A whole scenario: twice a year, events logged at various dates ---


def light_on(as_of: date, events: Sequence[date]) -> Light:
    """What the caller does: count events up to as_of, then light the quota."""
    done = sum(1 for event in events if Y2022.start <= event <= as_of)
    due = quota_due(Y2022, TWICE_A_YEAR, done, CAL)
    return traffic_light(due=due, closed=quota_met(TWICE_A_YEAR, done), as_of=as_of, calendar=CAL)


def test_no_event_by_30_june_is_yellow_on_the_day_and_red_on_1_july() -> None:
    assert light_on(date(2022, 6, 24), []) == Light.GREEN
    assert light_on(date(2022, 6, 27), []) == Light.YELLOW
    assert light_on(date(2022, 6, 30), []) == Light.YELLOW
    assert light_on(date(2022, 7, 1), []) == Light.RED


def test_one_event_before_30_june_is_green_on_1_july() -> None:
    assert light_on(date(2022, 7, 1), [date(2022, 5, 10)]) == Light.GREEN


def test_one_event_after_30_june_turns_red_back_to_green() -> None:
    events = [date(2022, 7, 5)]
    assert light_on(date(2022, 7, 4), events) == Light.RED
    assert light_on(date(2022, 7, 5), events) == Light.GREEN


def test_one_event_is_red_after_the_year_end_checkpoint() -> None:
    # The 31 December 2022 checkpoint counts from Tuesday 3 January 2023 (the Saturday and
    # the New Year holiday in between are rest days): yellow three working days before it,
    # red the day after.
    events = [date(2022, 3, 1)]
    assert light_on(date(2022, 12, 27), events) == Light.GREEN
    assert light_on(date(2022, 12, 28), events) == Light.YELLOW
    assert light_on(date(2022, 12, 31), events) == Light.YELLOW
    assert light_on(date(2023, 1, 3), events) == Light.YELLOW
    assert light_on(date(2023, 1, 4), events) == Light.RED


def test_two_events_close_the_quota() -> None:
    events = [date(2022, 3, 1), date(2022, 8, 1)]
    assert light_on(date(2022, 7, 1), events) == Light.GREEN
    assert light_on(date(2022, 8, 1), events) == Light.NONE
