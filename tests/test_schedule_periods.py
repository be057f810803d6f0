"""Periods: bounds, keys, ISO weeks, leap years, due dates and labels."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.schedule import (
    Frequency,
    Period,
    WorkCalendar,
    period_containing,
    period_due,
    period_from_key,
    period_label,
    periods_in_year,
)

CAL = WorkCalendar()
D = Frequency.DAILY
W = Frequency.WEEKLY
M = Frequency.MONTHLY
Q = Frequency.QUARTERLY
H = Frequency.HALF_YEARLY
Y = Frequency.YEARLY

frequencies = st.sampled_from(Frequency)
reasonable_days = st.dates(date(1900, 1, 1), date(2200, 12, 31))


@pytest.mark.parametrize(
    ("frequency", "start", "end", "key"),
    [
        (D, date(2022, 6, 15), date(2022, 6, 15), "2022-06-15"),
        (W, date(2022, 6, 13), date(2022, 6, 19), "2022-W24"),
        (M, date(2022, 6, 1), date(2022, 6, 30), "2022-06"),
        (Q, date(2022, 4, 1), date(2022, 6, 30), "2022-Q2"),
        (H, date(2022, 1, 1), date(2022, 6, 30), "2022-H1"),
        (Y, date(2022, 1, 1), date(2022, 12, 31), "2022"),
    ],
)
def test_period_containing_gives_bounds_and_key(
    frequency: Frequency, start: date, end: date, key: str
) -> None:
    assert period_containing(frequency, date(2022, 6, 15)) == Period(frequency, start, end, key)


def test_second_half_and_fourth_quarter_end_on_31_december() -> None:
    assert period_containing(H, date(2022, 7, 1)) == Period(
        H, date(2022, 7, 1), date(2022, 12, 31), "2022-H2"
    )
    assert period_containing(Q, date(2022, 12, 31)).key == "2022-Q4"
    assert period_containing(Q, date(2022, 10, 1)).start == date(2022, 10, 1)


# --- ISO weeks ---


def test_1_january_2021_is_in_iso_week_53_of_2020() -> None:
    week = period_containing(W, date(2021, 1, 1))
    assert week == Period(W, date(2020, 12, 28), date(2021, 1, 3), "2020-W53")


def test_week_53_exists_only_in_long_iso_years() -> None:
    assert period_from_key(W, "2026-W53").start == date(2026, 12, 28)
    assert period_from_key(W, "2020-W53").end == date(2021, 1, 3)
    with pytest.raises(ValueError):
        period_from_key(W, "2021-W53")
    with pytest.raises(ValueError):
        period_from_key(W, "2022-W00")


def test_weekly_periods_in_year_are_the_iso_weeks_of_that_iso_year() -> None:
    weeks_2026 = periods_in_year(W, 2026, CAL)
    assert len(weeks_2026) == 53
    assert weeks_2026[0].start == date(2025, 12, 29)  # ISO week 1 starts in the previous year
    assert weeks_2026[-1].key == "2026-W53"
    assert len(periods_in_year(W, 2021, CAL)) == 52
    assert len(periods_in_year(W, 2015, CAL)) == 53


@given(st.integers(1900, 2200))
def test_weekly_periods_in_year_are_consecutive_mondays(year: int) -> None:
    weeks = periods_in_year(W, year, CAL)
    assert weeks[0].start.isocalendar()[:2] == (year, 1)
    assert all(w.start.weekday() == 0 for w in weeks)
    assert all(b.start - a.start == timedelta(days=7) for a, b in pairwise(weeks))
    assert (weeks[-1].end + timedelta(days=1)).isocalendar()[:2] == (year + 1, 1)


# --- Leap years ---


def test_february_ends_on_the_29th_only_in_leap_years() -> None:
    assert period_from_key(M, "2024-02").end == date(2024, 2, 29)
    assert period_from_key(M, "2023-02").end == date(2023, 2, 28)
    assert period_from_key(M, "2000-02").end == date(2000, 2, 29)
    assert period_from_key(M, "2100-02").end == date(2100, 2, 28)


def test_29_february_is_a_daily_key_only_in_leap_years() -> None:
    assert period_from_key(D, "2024-02-29").start == date(2024, 2, 29)
    with pytest.raises(ValueError):
        period_from_key(D, "2023-02-29")


def test_first_half_of_a_leap_year_has_182_days() -> None:
    h1 = period_from_key(H, "2024-H1")
    assert (h1.end - h1.start).days + 1 == 182
    h1 = period_from_key(H, "2023-H1")
    assert (h1.end - h1.start).days + 1 == 181


# --- Keys and containment (properties) ---


@given(frequencies, reasonable_days)
def test_key_round_trips_through_period_from_key(frequency: Frequency, day: date) -> None:
    period = period_containing(frequency, day)
    assert period_from_key(frequency, period.key) == period


@given(frequencies, reasonable_days)
def test_period_containing_contains_the_day(frequency: Frequency, day: date) -> None:
    period = period_containing(frequency, day)
    assert period.frequency is frequency
    assert period.start <= day <= period.end


@given(frequencies, reasonable_days)
def test_periods_tile_time_without_gaps(frequency: Frequency, day: date) -> None:
    period = period_containing(frequency, day)
    following = period_containing(frequency, period.end + timedelta(days=1))
    assert following.start == period.end + timedelta(days=1)
    assert period_containing(frequency, period.start) == period
    assert period_containing(frequency, period.end) == period


@pytest.mark.parametrize(
    ("frequency", "key"),
    [
        (D, "20220615"),  # date.fromisoformat would accept this; keys are strict
        (D, "2022-6-15"),
        (D, "2022-06-31"),
        (W, "2022-W1"),
        (W, "2022W01"),
        (M, "2022-6"),
        (M, "2022-13"),
        (M, "2022-00"),
        (M, "2022-06-15"),
        (Q, "2022-Q0"),
        (Q, "2022-Q5"),
        (Q, "2022-q2"),
        (H, "2022-H3"),
        (H, "2022-H0"),
        (Y, "22"),
        (Y, " 2022"),
        (Y, "2022\n"),
        (Y, "２０２２"),  # full-width digits
        (Y, "0000"),
        (Y, ""),
    ],
)
def test_malformed_or_impossible_key_is_refused(frequency: Frequency, key: str) -> None:
    with pytest.raises(ValueError):
        period_from_key(frequency, key)


# --- periods_in_year ---


def test_daily_periods_in_year_are_working_days_only() -> None:
    days_2023 = periods_in_year(D, 2023, CAL)
    starts = {p.start for p in days_2023}
    assert len(days_2023) == 249
    assert date(2023, 10, 7) in starts  # make-up Saturday
    assert date(2023, 10, 2) not in starts  # National Day holiday
    assert date(2023, 10, 14) not in starts  # ordinary Saturday
    assert all(p.start.year == 2023 and p.start == p.end for p in days_2023)
    assert [p.start for p in days_2023] == sorted(starts)


@pytest.mark.parametrize(("frequency", "count"), [(M, 12), (Q, 4), (H, 2), (Y, 1)])
def test_periods_in_year_partition_the_year(frequency: Frequency, count: int) -> None:
    periods = periods_in_year(frequency, 2024, CAL)
    assert len(periods) == count
    assert periods[0].start == date(2024, 1, 1)
    assert periods[-1].end == date(2024, 12, 31)
    assert all(b.start == a.end + timedelta(days=1) for a, b in pairwise(periods))


# --- period_due ---


def test_period_due_moves_forward_off_rest_days() -> None:
    # 31 December 2022 is a Saturday; 1–2 January 2023 the New Year holiday.
    assert period_due(period_from_key(Y, "2022"), CAL) == date(2023, 1, 3)
    # 30 September 2023 is inside the golden week; Saturday 7 October is a make-up workday.
    assert period_due(period_from_key(M, "2023-09"), CAL) == date(2023, 10, 7)
    assert period_due(period_from_key(Q, "2023-Q3"), CAL) == date(2023, 10, 7)


def test_period_due_can_be_a_make_up_sunday() -> None:
    # ISO week 2023-W40 is 2–8 October; Sun 8 is a working day, so the week ends on time.
    assert period_due(period_from_key(W, "2023-W40"), CAL) == date(2023, 10, 8)


def test_period_ending_on_a_working_day_is_due_that_day() -> None:
    assert period_due(period_from_key(M, "2022-06"), CAL) == date(2022, 6, 30)
    assert period_due(period_from_key(D, "2022-06-15"), CAL) == date(2022, 6, 15)


def test_a_day_off_is_due_on_the_next_working_day() -> None:
    assert period_due(period_from_key(D, "2023-10-01"), CAL) == date(2023, 10, 7)


# --- Labels ---


@pytest.mark.parametrize(
    ("frequency", "key", "zh", "en"),
    [
        (D, "2022-06-15", "2022年6月15日", "15 Jun 2022"),
        (D, "2022-01-05", "2022年1月5日", "5 Jan 2022"),
        (W, "2022-W23", "2022年第23周", "2022 week 23"),
        (W, "2020-W53", "2020年第53周", "2020 week 53"),
        (M, "2022-06", "2022年6月", "Jun 2022"),
        (M, "2022-12", "2022年12月", "Dec 2022"),
        (Q, "2022-Q1", "2022年第一季度", "2022 Q1"),
        (Q, "2022-Q2", "2022年第二季度", "2022 Q2"),
        (Q, "2022-Q3", "2022年第三季度", "2022 Q3"),
        (Q, "2022-Q4", "2022年第四季度", "2022 Q4"),
        (H, "2022-H1", "2022年上半年", "2022 H1"),
        (H, "2022-H2", "2022年下半年", "2022 H2"),
        (Y, "2022", "2022年", "2022"),
    ],
)
def test_period_label(frequency: Frequency, key: str, zh: str, en: str) -> None:
    period = period_from_key(frequency, key)
    assert period_label(period, "zh") == zh
    assert period_label(period, "en") == en


def test_period_label_accepts_locale_variants() -> None:
    period = period_from_key(Q, "2022-Q2")
    assert period_label(period, "zh_CN") == "2022年第二季度"
    assert period_label(period, "zh-Hans") == "2022年第二季度"
    assert period_label(period, "en_GB") == "2022 Q2"
