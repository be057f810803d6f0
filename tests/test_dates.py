"""Dates as officers type them (tracker.dates): every accepted form, and a clear refusal of
anything else, naming the field."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.dates import parse_day
from tracker.errors import TrackerError
from tracker.i18n import set_language
from tracker.labels import long_date

TODAY = date(2026, 12, 5)
MAY_10 = date(2022, 5, 10)


def read(text: str, year: int | None = None) -> date:
    return parse_day(text, field="--date", today=TODAY, year=year)


def refusal(text: str, year: int | None = None) -> TrackerError:
    with pytest.raises(TrackerError) as caught:
        read(text, year)
    return caught.value


@pytest.mark.parametrize(
    "typed",
    [
        "2022-05-10",
        "2022-5-10",
        "2022/5/10",
        "2022/05/10",
        "2022.5.10",
        "20220510",
        "2022年5月10日",
        "2022年5月10",
        "2022年05月10日",
        "2022 年 5 月 10 日",
        "  2022-5-10  ",
    ],
)
def test_a_day_with_its_year_is_read_in_every_usual_form(typed: str) -> None:
    assert read(typed) == MAY_10


@pytest.mark.parametrize(
    "typed",
    [
        "２０２２-５-１０",
        "２０２２／５／１０",
        "２０２２年５月１０日",
        "2022。5。10",
        "\u30002022-5-10\u3000",
    ],
)
def test_full_width_digits_and_punctuation_from_a_chinese_input_method_are_read(
    typed: str,
) -> None:
    assert read(typed) == MAY_10


@pytest.mark.parametrize("typed", ["5月10日", "5月10", "05月10日", "５月１０日"])
def test_a_month_and_day_are_in_the_year_being_viewed(typed: str) -> None:
    assert read(typed, year=2022) == MAY_10


def test_a_month_and_day_without_a_year_given_are_in_todays_year() -> None:
    assert read("5月10日") == date(2026, 5, 10)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("今天", TODAY),
        ("今日", TODAY),
        ("today", TODAY),
        ("Today", TODAY),
        (" TODAY ", TODAY),
        ("昨天", date(2026, 12, 4)),
        ("昨日", date(2026, 12, 4)),
        ("yesterday", date(2026, 12, 4)),
    ],
)
def test_today_and_yesterday_count_from_the_day_given(typed: str, expected: date) -> None:
    assert read(typed, year=2022) == expected


def test_yesterday_on_new_years_day_is_the_last_day_of_the_year_before() -> None:
    assert parse_day("昨天", field="x", today=date(2023, 1, 1)) == date(2022, 12, 31)


@pytest.mark.parametrize(
    ("typed", "year", "expected"),
    [
        ("2024-2-29", None, date(2024, 2, 29)),
        ("2024年2月29日", None, date(2024, 2, 29)),
        ("2月29日", 2024, date(2024, 2, 29)),
        ("2000/2/29", None, date(2000, 2, 29)),  # divisible by 400: a leap year
    ],
)
def test_a_leap_day_is_read_in_a_leap_year(typed: str, year: int | None, expected: date) -> None:
    assert read(typed, year) == expected


@pytest.mark.parametrize(
    ("typed", "year", "month", "days"),
    [
        ("2023-2-29", 2023, 2, 28),
        ("1900/2/29", 1900, 2, 28),  # divisible by 100, not by 400: no leap year
        ("2月30日", 2024, 2, 29),
        ("2022年4月31日", 2022, 4, 30),
        ("2022-12-32", 2022, 12, 31),
        ("2022-1-0", 2022, 1, 31),
    ],
)
def test_a_day_the_month_does_not_have_is_refused_saying_how_many_it_has(
    typed: str, year: int, month: int, days: int
) -> None:
    error = refusal(typed, year=2024)
    assert (error.key, error.params) == (
        "date_no_such_day",
        {"value": typed, "option": "--date", "year": year, "month": month, "days": days},
    )


@pytest.mark.parametrize("typed", ["2022-13-01", "2022年0月5日", "13月1日"])
def test_a_month_beyond_twelve_or_zero_is_refused(typed: str) -> None:
    error = refusal(typed)
    assert error.key == "date_no_such_month"
    assert error.params["option"] == "--date"


@pytest.mark.parametrize("typed", ["0001-01-01", "1899-12-31", "1022年5月10日"])
def test_a_year_before_1900_is_refused_as_too_early(typed: str) -> None:
    error = refusal(typed)
    assert (error.key, error.params) == (
        "date_too_early",
        {"value": typed, "option": "--date", "year": 1900},
    )


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "tomorrow",
        "明天",
        "2022-5/10",  # two different separators
        "22-5-10",  # a two-digit year
        "10/5/2022",
        "5-10",
        "5/10",
        "2022-W19-2",
        "2022-05-10T09:00",
        "2022年5月",
        "2022年5月10日日",
        "2022-5-10x",
        "二〇二二年五月十日",
        "[red]2022[/red]",
    ],
)
def test_anything_else_is_refused_naming_the_field_and_what_it_holds(typed: str) -> None:
    error = refusal(typed)
    assert (error.key, error.params) == (
        "date_invalid",
        {"value": typed.strip(), "option": "--date"},
    )


def test_the_refusal_says_which_forms_are_accepted_in_both_languages() -> None:
    error = refusal("6/1/22")
    try:
        for lang, today in (("zh", "今天"), ("en", "today")):
            set_language(lang)
            line = error.message()
            assert "\n" not in line
            assert "--date" in line and "6/1/22" in line
            for form in ("2022-5-10", "2022/5/10", "2022年5月10日", "5月10日", today):
                assert form in line, (lang, form)
    finally:
        set_language("zh")


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_every_day_reads_back_as_itself_in_each_numeric_form(day: date) -> None:
    y, m, d = day.year, day.month, day.day
    for typed in (
        day.isoformat(),
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
    ):
        assert read(typed) == day
    assert read(f"{m}月{d}日", year=y) == day


def test_a_day_is_shown_back_with_its_weekday_in_each_language() -> None:
    try:
        assert long_date(MAY_10) == "2022年5月10日 星期二"
        set_language("en")
        assert long_date(MAY_10) == "Tue 10 May 2022"
    finally:
        set_language("zh")
