"""The one rule for deadlines on rest days: forward to the next working day (民法典第二百零三条)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.schedule import (
    DueDate,
    Frequency,
    WorkCalendar,
    default_checkpoints,
    parse_checkpoints,
    period_deadline,
    period_from_key,
    quota_deadline,
    statutory_due,
)

CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("stated", "due"),
    [
        # An ordinary weekend: Saturday 18 June 2022 moves to Monday 20 June.
        (date(2022, 6, 18), date(2022, 6, 20)),
        (date(2022, 6, 19), date(2022, 6, 20)),
        # 31 December 2022 is a Saturday and 2 January 2023 the New Year holiday's Monday.
        (date(2022, 12, 31), date(2023, 1, 3)),
        # 国庆 2022: 1–7 October off; Saturday 8 October is a 调休 working day, so the day
        # after the holiday ends is that Saturday.
        (date(2022, 10, 1), date(2022, 10, 8)),
        (date(2022, 10, 7), date(2022, 10, 8)),
        # 中秋 and 国庆 2023: 29 September – 6 October off, Saturday 7 October worked.
        (date(2023, 9, 29), date(2023, 10, 7)),
        (date(2023, 9, 30), date(2023, 10, 7)),
        # 春节 2024: the holiday ends on 17 February; Sunday 18 February is worked.
        (date(2024, 2, 10), date(2024, 2, 18)),
    ],
)
def test_a_deadline_on_a_rest_day_moves_forward_to_the_first_working_day(
    stated: date, due: date
) -> None:
    assert statutory_due(stated, CAL) == due


@pytest.mark.parametrize(
    "day",
    [
        date(2022, 12, 30),  # a Friday
        date(2021, 12, 31),  # a Friday: the seed's 2021 deadlines stay where the report put them
        date(2023, 10, 7),  # a 调休 Saturday is a working day, so a deadline on it stays
        date(2023, 10, 8),  # and so is that Sunday
    ],
)
def test_a_deadline_on_a_working_day_stays(day: date) -> None:
    assert statutory_due(day, CAL) == day
    assert DueDate.of(day, CAL).stated_if_moved is None


def test_a_moved_deadline_keeps_the_stated_date() -> None:
    deadline = DueDate.of(date(2022, 12, 31), CAL)
    assert deadline == DueDate(stated=date(2022, 12, 31), due=date(2023, 1, 3))
    assert deadline.moved
    assert deadline.stated_if_moved == date(2022, 12, 31)


def test_the_officers_holidays_move_a_deadline_too() -> None:
    calendar = WorkCalendar(extra_holidays=[date(2027, 1, 4)])
    # 2 and 3 January 2027 are a weekend; the officer's file makes Monday 4th a holiday.
    assert statutory_due(date(2027, 1, 2), calendar) == date(2027, 1, 5)


@given(st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_the_rule_gives_the_first_working_day_on_or_after_the_stated_day(stated: date) -> None:
    due = statutory_due(stated, CAL)
    assert due >= stated
    assert CAL.is_workday(due)
    day = stated
    while day < due:
        assert not CAL.is_workday(day)
        day += timedelta(days=1)


# --- Periods and quota checkpoints follow the same rule ---


def test_a_year_is_due_on_31_december_moved_forward_into_the_next_year() -> None:
    deadline = period_deadline(period_from_key(Frequency.YEARLY, "2022"), CAL)
    assert deadline == DueDate(stated=date(2022, 12, 31), due=date(2023, 1, 3))


def test_a_week_is_due_on_its_sunday_moved_to_monday() -> None:
    deadline = period_deadline(period_from_key(Frequency.WEEKLY, "2022-W24"), CAL)
    assert deadline == DueDate(stated=date(2022, 6, 19), due=date(2022, 6, 20))


@pytest.mark.parametrize(
    ("year", "first", "second"),
    [
        # 30 June 2022 is a Thursday; 31 December 2022 a Saturday before the New Year holiday.
        (2022, (date(2022, 6, 30), date(2022, 6, 30)), (date(2022, 12, 31), date(2023, 1, 3))),
        # 30 June 2023 is a Friday; 31 December 2023 a Sunday, 1 January 2024 the holiday.
        (2023, (date(2023, 6, 30), date(2023, 6, 30)), (date(2023, 12, 31), date(2024, 1, 2))),
    ],
)
def test_quota_checkpoints_of_30_june_and_31_december(
    year: int, first: tuple[date, date], second: tuple[date, date]
) -> None:
    twice = default_checkpoints(2, Frequency.YEARLY)
    period = period_from_key(Frequency.YEARLY, str(year))
    assert quota_deadline(period, twice, 0, CAL) == DueDate(*first)
    assert quota_deadline(period, twice, 1, CAL) == DueDate(*second)
    assert quota_deadline(period, twice, 2, CAL) is None


def test_a_quota_checkpoint_and_its_period_agree_on_the_year_end() -> None:
    # The bug of issue 9: 5.5a/2022's checkpoint said 12-31 while its deadline said 12-30.
    period = period_from_key(Frequency.YEARLY, "2022")
    checkpoint = quota_deadline(period, parse_checkpoints({"12-31": 2}), 1, CAL)
    assert checkpoint == period_deadline(period, CAL)
