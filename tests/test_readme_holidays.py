"""The holidays file as the README documents it: its example is a file tracker reads, and
naming it (TRACKER_HOLIDAYS or config.toml) ends the note that a year's working days are
guessed."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.schedule.calendar import WorkCalendar

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example(tmp_path: Path) -> Path:
    """The README's example holidays file, written out as an officer would save it."""
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    example = next(block for block in blocks if "holidays-2027.toml" in block)
    path = tmp_path / "holidays-2027.toml"
    path.write_text(example, encoding="utf-8")
    return path


def test_the_readme_example_makes_its_days_holidays(tmp_path: Path) -> None:
    calendar = WorkCalendar.from_file(readme_example(tmp_path))

    assert not calendar.is_workday(date(2027, 1, 1))  # a Friday: 元旦
    assert not calendar.is_workday(date(2027, 10, 1))  # a Friday: 国庆节
    assert calendar.is_workday(date(2027, 10, 4))  # the Monday after


def test_a_file_listing_days_of_a_year_stops_that_year_being_called_a_guess(
    tmp_path: Path,
) -> None:
    calendar = WorkCalendar.from_file(readme_example(tmp_path))

    calendar.add_workdays(date(2027, 3, 1), 40)
    calendar.add_workdays(date(2028, 3, 1), 5)

    assert calendar.fallback_years == frozenset({2028})


def guessed_years(stderr: str) -> set[int]:
    """The years the note '提示：2027, 2028 年没有官方节假日数据…' names, if it is there."""
    found = re.search(r"提示：([\d, ]+) 年没有官方节假日数据", stderr)
    return {int(year) for year in found[1].split(",")} if found else set()


def tracker(db: Path, env: dict[str, str]) -> Result:
    return CliRunner().invoke(
        app,
        ["--db", str(db), "--as-of", "2027-03-01", "overdue"],
        env={"COLUMNS": "200", **env},
        catch_exceptions=False,
    )


@pytest.fixture
def seeded(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, path)
    return path


def test_without_a_holidays_file_the_guessed_year_is_said(seeded: Path) -> None:
    done = tracker(seeded, {})

    assert done.exit_code == 0
    assert 2027 in guessed_years(done.stderr)


def test_the_holidays_file_named_by_the_environment_is_used(seeded: Path, tmp_path: Path) -> None:
    done = tracker(seeded, {"TRACKER_HOLIDAYS": str(readme_example(tmp_path))})

    assert done.exit_code == 0
    assert 2027 not in guessed_years(done.stderr)


def test_the_holidays_file_named_in_the_config_file_is_used(seeded: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'holidays = "{readme_example(tmp_path)}"\n', encoding="utf-8")

    done = tracker(seeded, {"TRACKER_CONFIG": str(config)})

    assert done.exit_code == 0
    assert 2027 not in guessed_years(done.stderr)


def test_a_date_in_quotes_is_refused_in_one_line_naming_the_line(
    seeded: Path, tmp_path: Path
) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text('holidays = [\n  "2027-01-01",\n]\n', encoding="utf-8")

    done = tracker(seeded, {"TRACKER_HOLIDAYS": str(path)})

    assert done.exit_code == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "line 1" in done.stderr or "第 1 行" in done.stderr
