"""Dates typed on the command line as officers type them (issue 12, point 4): every date
option reads 2022/5/10, 2022年5月10日, 5月10日, 今天…, stores the day it names, and the
confirmation says which day it took; anything else is one line, exit 1, nothing written.
On SQLite and PostgreSQL, through typer.testing.CliRunner."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.i18n import set_language, t
from tracker.models import Event, History

runner = CliRunner()
USER = "王科员"  # an admin of the seeded test ledger (tests/conftest.py)
LECTURES = "5.5a/2022"  # a quota: two lectures in 2022
TODAY = date.today()


def run(db: str, *args: str, lang: str = "zh") -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["--db", db, "--user", USER, "--lang", lang, *args], env={"COLUMNS": "200"}
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def ok(db: str, *args: str, lang: str = "zh") -> str:
    code, out, err = run(db, *args, lang=lang)
    assert code == 0, err
    return out


def event_days(db: str, code: str = LECTURES) -> list[str]:
    data = json.loads(ok(db, "show", code, "--format", "json"))
    return sorted(event["date"] for event in data["events"])


def fingerprint(engine: Engine) -> tuple[Any, ...]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Event)).one(),
            session.exec(select(func.count()).select_from(History)).one(),
        )


@pytest.mark.parametrize("typed", ["2022/5/10", "2022年5月10日", "2022.5.10", "２０２２-５-１０"])
def test_log_stores_the_day_typed_in_any_usual_form_and_says_it(db_url: str, typed: str) -> None:
    said = ok(db_url, "log", LECTURES, "--date", typed, "--note", "宪法专题讲座")
    assert event_days(db_url) == ["2022-05-10"]
    assert t("event_logged", code=LECTURES, date="2022-05-10", files=0) in said


def test_a_month_and_day_are_in_the_year_viewed_with_as_of(db_url: str) -> None:
    ok(db_url, "--as-of", "2022-07-01", "log", LECTURES, "--date", "5月10日", "--note", "讲座")
    assert event_days(db_url) == ["2022-05-10"]


def test_a_month_and_day_are_in_the_year_of_the_commands_own_as_of(db_url: str) -> None:
    ok(db_url, "log", LECTURES, "--date", "5月10日", "--note", "讲座", "--as-of", "2022年7月1日")
    assert event_days(db_url) == ["2022-05-10"]


@pytest.mark.parametrize(
    ("typed", "key", "params"),
    [
        ("2022年2月30日", "date_no_such_day", {"year": 2022, "month": 2, "days": 28}),
        ("2022-13-1", "date_no_such_month", {"month": 13}),
        ("10/5/2022", "date_invalid", {}),
        ("明天", "date_invalid", {}),
    ],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bad_date_is_one_line_exit_1_and_nothing_is_written(
    db_url: str, engine: Engine, typed: str, key: str, params: dict[str, Any], lang: str
) -> None:
    before = fingerprint(engine)
    code, out, err = run(db_url, "log", LECTURES, "--date", typed, "--note", "讲座", lang=lang)
    assert (code, out) == (1, "")
    set_language(lang)
    assert err.strip() == t(key, value=typed, option="--date", **params)
    assert len(err.strip().splitlines()) == 1
    assert fingerprint(engine) == before


def test_a_status_back_dated_in_chinese_says_the_day_it_took_effect(db_url: str) -> None:
    said = ok(db_url, "status", "1.4c", "进行中", "--date", "2022年5月10日")
    assert "（补录，2022-05-10 生效）" in said


def test_a_status_dated_today_in_words_says_the_day_it_was_read_as(db_url: str) -> None:
    said = ok(db_url, "status", "1.4c", "进行中", "--date", "今天")
    assert f"（{TODAY.isoformat()} 生效）" in said
    said = ok(db_url, "note", "1.4c", "已试行", "--date", "today", lang="en")
    assert f"effective {TODAY.isoformat()}" in said


def test_a_note_dated_yesterday_is_a_late_entry_of_yesterday(db_url: str) -> None:
    said = ok(db_url, "note", "1.4c", "已试行", "--date", "昨天")
    assert f"（补录，{(TODAY - timedelta(days=1)).isoformat()} 生效）" in said


def test_an_extension_to_a_day_typed_in_chinese_says_the_new_deadline(db_url: str) -> None:
    said = ok(
        db_url, "extend", "1.4c", "--to", "2023年3月31日", "--reason", "等待上级文件",
        "--date", "2022/6/1",
    )  # fmt: skip
    assert t("extension_requested", code="1.4c", old="2023-01-03", new="2023-03-31") in said
    assert "（补录，2022-06-01 生效）" in said


def test_a_range_typed_in_chinese_is_logged_and_said_back(db_url: str) -> None:
    said = ok(db_url, "log", "3.2-D", "--from", "2022年1月4日", "--to", "2022/1/31")
    assert said.strip() == t("bulk_logged", code="3.2-D", logged=21, recorded=0) + t(
        "date.range_used", start="2022-01-04", end="2022-01-31"
    )


@pytest.mark.parametrize(
    "command", [("log",), ("status",), ("extend",), ("list",), ("villages", "rename")]
)
def test_help_of_date_options_names_the_accepted_forms_not_yyyy_mm_dd(
    command: tuple[str, ...],
) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "YYYY-MM-DD" not in result.stdout
    assert "2022年5月10日" in result.stdout
