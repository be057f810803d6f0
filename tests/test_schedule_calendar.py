"""WorkCalendar: official Chinese calendar, officer overrides, Mon–Fri fallback."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.i18n import t
from tracker.schedule import CalendarFileError, WorkCalendar

CAL = WorkCalendar()

# Years chinese_calendar 1.11 has data for (it raises NotImplementedError outside).
FIRST_COVERED, LAST_COVERED = 2004, 2026
covered_days = st.dates(date(FIRST_COVERED, 1, 1), date(LAST_COVERED, 12, 31))
any_days = st.dates(date(1990, 1, 1), date(2040, 12, 31))


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- Real calendar facts, checked against chinese_calendar and the State Council notice
# 国务院办公厅关于2023年部分节假日安排的通知 (国办发明电〔2022〕16号, 8 Dec 2022) ---


def test_make_up_weekend_after_national_day_2023_is_working() -> None:
    # "10月7日（星期六）、10月8日（星期日）上班"
    assert date(2023, 10, 7).weekday() == 5
    assert date(2023, 10, 8).weekday() == 6
    assert CAL.is_workday(date(2023, 10, 7))
    assert CAL.is_workday(date(2023, 10, 8))


def test_national_day_week_2023_is_off_from_29_september_to_6_october() -> None:
    # "中秋节、国庆节：9月29日至10月6日放假调休，共8天"
    assert not any(CAL.is_workday(d) for d in days(date(2023, 9, 29), date(2023, 10, 6)))
    assert CAL.is_workday(date(2023, 9, 28))
    assert CAL.is_workday(date(2023, 10, 9))


def test_spring_festival_2023_is_off_21_to_27_january_with_weekend_make_up_days() -> None:
    # "春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班"
    assert not any(CAL.is_workday(d) for d in days(date(2023, 1, 21), date(2023, 1, 27)))
    assert CAL.is_workday(date(2023, 1, 28))
    assert CAL.is_workday(date(2023, 1, 29))
    assert CAL.is_workday(date(2023, 1, 20))


def test_new_year_2023_holiday_covers_31_december_2022_to_2_january() -> None:
    assert not any(CAL.is_workday(d) for d in days(date(2022, 12, 31), date(2023, 1, 2)))
    assert CAL.is_workday(date(2022, 12, 30))
    assert CAL.is_workday(date(2023, 1, 3))


def test_2023_has_249_working_days() -> None:
    # 260 weekdays - 18 weekday holidays + 7 weekend make-up days, per the 2023 notice.
    assert CAL.workdays_between(date(2022, 12, 31), date(2023, 12, 31)) == 249


@given(covered_days)
def test_is_workday_agrees_with_chinese_calendar_in_covered_years(day: date) -> None:
    assert CAL.is_workday(day) == chinese_calendar.is_workday(day)


@given(st.integers(1990, 2040))
def test_covers_exactly_the_years_chinese_calendar_has_data_for(year: int) -> None:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        package_covers = True
    except NotImplementedError:
        package_covers = False
    assert WorkCalendar().covers(date(year, 6, 1)) == package_covers


def test_covered_years_are_2004_to_2026() -> None:
    assert CAL.covers(date(FIRST_COVERED, 1, 1))
    assert CAL.covers(date(LAST_COVERED, 12, 31))
    assert not CAL.covers(date(FIRST_COVERED - 1, 12, 31))
    assert not CAL.covers(date(LAST_COVERED + 1, 1, 1))


# --- Fallback beyond the data ---


def test_year_beyond_data_falls_back_to_monday_to_friday_and_is_recorded() -> None:
    calendar = WorkCalendar()
    assert calendar.fallback_years == frozenset()
    # 1 January 2027 is a Friday: New Year's Day, but unknown to the data.
    assert calendar.is_workday(date(2027, 1, 1))
    assert not calendar.is_workday(date(2027, 1, 2))
    assert not calendar.is_workday(date(2003, 1, 4))
    assert calendar.fallback_years == frozenset({2003, 2027})


def test_covered_years_are_not_recorded_as_fallback() -> None:
    calendar = WorkCalendar()
    calendar.is_workday(date(2023, 10, 7))
    calendar.workdays_between(date(2004, 1, 1), date(2026, 12, 31))
    assert calendar.fallback_years == frozenset()


def test_add_workdays_across_the_end_of_the_data_records_the_fallback_year() -> None:
    calendar = WorkCalendar()
    # 2026-12-31 (Thu) -> Fri 1 Jan 2027 (fallback), Mon 4 Jan, Tue 5 Jan.
    assert calendar.add_workdays(date(2026, 12, 31), 3) == date(2027, 1, 5)
    assert calendar.fallback_years == frozenset({2027})


@given(st.dates(date(2027, 1, 1), date(2100, 12, 31)))
def test_fallback_is_monday_to_friday(day: date) -> None:
    assert CAL.is_workday(day) == (day.weekday() < 5)


# --- Officer overrides ---


def test_extra_holiday_overrides_an_official_working_day() -> None:
    calendar = WorkCalendar(extra_holidays=[date(2023, 10, 9)])
    assert not calendar.is_workday(date(2023, 10, 9))
    assert calendar.is_workday(date(2023, 10, 10))


def test_extra_workday_overrides_an_official_holiday() -> None:
    calendar = WorkCalendar(extra_workdays=[date(2023, 10, 2)])
    assert calendar.is_workday(date(2023, 10, 2))
    assert not calendar.is_workday(date(2023, 10, 3))


def test_extras_in_an_uncovered_year_count_as_covered_for_those_days_only() -> None:
    calendar = WorkCalendar(extra_holidays=[date(2027, 1, 1)], extra_workdays=[date(2027, 2, 6)])
    assert calendar.covers(date(2027, 1, 1))
    assert calendar.covers(date(2027, 2, 6))
    assert not calendar.covers(date(2027, 1, 4))
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.is_workday(date(2027, 2, 6))  # a Saturday
    assert calendar.fallback_years == frozenset()


def test_a_file_with_days_of_a_year_is_taken_as_that_years_notice() -> None:
    """Monday to Friday is still assumed on the days it does not list, but the year is not
    reported as guessed: the officer has entered its notice."""
    calendar = WorkCalendar(extra_holidays=[date(2027, 1, 1)])
    assert calendar.is_workday(date(2027, 1, 4))
    assert calendar.is_workday(date(2028, 1, 3))  # a Monday, guessed
    assert calendar.fallback_years == frozenset({2028})


def test_a_day_both_extra_holiday_and_extra_workday_is_refused() -> None:
    with pytest.raises(ValueError, match="2027-01-01"):
        WorkCalendar(extra_holidays=[date(2027, 1, 1)], extra_workdays=[date(2027, 1, 1)])


def test_is_workday_agrees_with_chinese_calendar_on_every_covered_day() -> None:
    calendar = WorkCalendar()
    day = date(2004, 1, 1)
    while day <= date(2026, 12, 31):
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    assert calendar.fallback_years == frozenset()


def test_add_zero_workdays_returns_start_even_on_a_holiday() -> None:
    assert CAL.add_workdays(date(2023, 10, 1), 0) == date(2023, 10, 1)


def test_add_workdays_skips_national_day_and_counts_make_up_saturday() -> None:
    assert CAL.add_workdays(date(2023, 9, 28), 1) == date(2023, 10, 7)
    assert CAL.add_workdays(date(2023, 9, 28), 3) == date(2023, 10, 9)


def test_add_negative_workdays_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2023, 1, 1), -1)


@given(any_days, st.integers(0, 40))
def test_add_workdays_lands_on_the_nth_working_day(start: date, n: int) -> None:
    end = CAL.add_workdays(start, n)
    assert CAL.workdays_between(start, end) == n
    if n > 0:
        assert CAL.is_workday(end)


@given(any_days, st.integers(-400, 400))
def test_workdays_between_counts_days_after_start_up_to_end(start: date, offset: int) -> None:
    end = start + timedelta(days=offset)
    if offset >= 0:
        expected = sum(CAL.is_workday(d) for d in days(start + timedelta(days=1), end))
    else:
        expected = -sum(CAL.is_workday(d) for d in days(end + timedelta(days=1), start))
    assert CAL.workdays_between(start, end) == expected


@given(any_days, any_days, any_days)
def test_workdays_between_is_antisymmetric_and_additive(a: date, b: date, c: date) -> None:
    assert CAL.workdays_between(a, b) == -CAL.workdays_between(b, a)
    assert CAL.workdays_between(a, b) + CAL.workdays_between(b, c) == CAL.workdays_between(a, c)


def test_workdays_between_same_day_is_zero() -> None:
    assert CAL.workdays_between(date(2023, 10, 7), date(2023, 10, 7)) == 0


def test_a_years_count_kept_for_other_calendars_counts_their_own_days() -> None:
    """Each year's working days are counted once a process (a warm ledger's commands find
    them counted): a calendar with an extra holiday that year counts it, one without does
    not, whichever counted first; and a year beyond the data is a guess for a calendar
    that found it counted as for the one that counted it (not for one whose file has days
    of that year: test_a_file_with_days_of_a_year_is_taken_as_that_years_notice)."""
    new_year, holiday = date(2031, 1, 1), date(2031, 3, 3)  # a Monday, beyond the data
    plain, with_holiday = WorkCalendar(), WorkCalendar(extra_holidays=[holiday])
    assert plain.workdays_between(new_year, date(2031, 12, 31)) == 260
    assert with_holiday.workdays_between(new_year, date(2031, 12, 31)) == 259
    assert plain.fallback_years == frozenset({2031})
    assert with_holiday.fallback_years == frozenset()
    later = WorkCalendar()
    assert later.workdays_between(new_year, date(2031, 12, 31)) == 260
    assert later.fallback_years == frozenset({2031})


# --- Holidays file ---


def write(tmp_path: Path, text: str, name: str = "holidays.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_holidays_file_overrides_days(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# 2027 安排\nholidays = [2027-01-01, 2023-10-09]\nworkdays = [2027-02-06]\n",
    )
    calendar = WorkCalendar.from_file(path)
    assert not calendar.is_workday(date(2027, 1, 1))
    assert not calendar.is_workday(date(2023, 10, 9))
    assert calendar.is_workday(date(2027, 2, 6))
    assert calendar.is_workday(date(2023, 10, 7))  # official data still applies elsewhere


def test_holidays_file_may_be_empty_or_start_with_a_bom(tmp_path: Path) -> None:
    assert WorkCalendar.from_file(write(tmp_path, "")).is_workday(date(2023, 10, 7))
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeffworkdays = [2023-10-02]\n".encode())
    assert WorkCalendar.from_file(path).is_workday(date(2023, 10, 2))


def refusal(path: Path) -> CalendarFileError:
    """The CalendarFileError reading `path` raises."""
    with pytest.raises(CalendarFileError) as raised:
        WorkCalendar.from_file(path)
    return raised.value


def test_malformed_toml_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "holidays = [2027-01-01]\nworkdays = [2027-13-45\n")
    error = refusal(path)
    assert (error.key, error.params["path"], error.params["line"]) == (
        "holidays.not_toml",
        str(path),
        "2",
    )


def test_unknown_key_is_refused_with_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "holidays = [2027-01-01]\nholiday = [2027-01-02]\n")
    error = refusal(path)
    assert (error.key, error.params) == (
        "holidays.unknown_key",
        {"path": str(path), "line": 2, "key": "holiday"},
    )
    # Told in the officer's language: 第 2 行：不认识的项“holiday”.
    assert str(error) == t("holidays.unknown_key", path=str(path), line=2, key="holiday")


def test_quoted_date_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, '\nholidays = [2027-01-01, "2027-01-02"]\n')
    error = refusal(path)
    assert error.key == "holidays.quoted_date"
    assert (error.params["line"], error.params["index"], error.params["key"]) == (2, 2, "holidays")


def test_date_with_time_of_day_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "workdays = [2027-02-06T08:00:00]\n")
    assert refusal(path).key == "holidays.not_a_date"


def test_non_list_value_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "holidays = 2027-01-01\n")
    assert refusal(path).key == "holidays.not_a_list"


def test_day_in_both_lists_of_a_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "holidays = [2027-01-01]\nworkdays = [2027-01-01]\n")
    error = refusal(path)
    assert (error.key, error.params["date"], error.params["line"]) == (
        "holidays.both",
        "2027-01-01",
        2,
    )


def test_missing_file_is_a_calendar_file_error(tmp_path: Path) -> None:
    error = refusal(tmp_path / "missing.toml")
    assert error.key == "holidays.unreadable"
    assert error.params["path"] == str(tmp_path / "missing.toml")


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes("# 节假日\nholidays = []\n".encode("gbk"))
    assert (refusal(path).key, refusal(path).params["line"]) == ("holidays.not_utf8", 1)


def test_calendar_file_error_is_a_value_error() -> None:
    assert issubclass(CalendarFileError, ValueError)
