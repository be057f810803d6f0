"""`tracker log CODE --from --to` and the status of a recurring commitment itself, from the
command line: one line saying what was done, or one line saying why not (exit 1) with the
ledger unchanged. On SQLite, and PostgreSQL when configured."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.db import make_engine
from tracker.i18n import en, set_language, t

AS_OF = "2026-11-26"
USER = "测试员"
runner = CliRunner()


def invoke(db: str, *args: str, lang: str = "zh") -> Result:
    """Run `tracker ARGS` on `db`; an exception the CLI did not turn into a message fails."""
    return runner.invoke(
        app,
        ["--db", db, "--user", USER, "--as-of", AS_OF, "--lang", lang, *args],
        env={"COLUMNS": "250"},
        catch_exceptions=False,
    )


def row_counts(db: str) -> dict[str, int]:
    engine = make_engine(db)
    try:
        with Session(engine) as session:
            return {
                table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def show(db: str, code: str) -> dict[str, Any]:
    result = invoke(db, "show", code, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_a_month_of_daily_screening_is_logged_in_one_command_and_not_twice(
    db_url: str, tmp_path: Path
) -> None:
    register = tmp_path / "排查登记表.pdf"
    register.write_bytes(b"%PDF-1.4 register")
    args = ("log", "3.2-D", "--from", "2022-01-04", "--to", "2022-01-31")
    first = invoke(db_url, *args, "--note", "1月日排查记录", "--evidence", str(register))
    assert first.exit_code == 0, first.stderr
    # 21 working days: 4–28 Jan and the make-up weekend of 29–30 Jan; 31 Jan is a holiday.
    assert first.stdout.strip() == t("bulk_logged", code="3.2-D", logged=21, recorded=0) + t(
        "date.range_used", start="2022-01-04", end="2022-01-31"
    )
    period = show(db_url, "3.2-D/2022-01-29")
    assert period["status"] == "done"
    (event,) = period["events"]
    assert event["note"] == "1月日排查记录" and len(event["evidence"]) == 1

    again = invoke(db_url, "log", "3.2-D", "--from", "2022-01-01", "--to", "2022-02-11")
    assert again.exit_code == 0, again.stderr
    # 7–11 Feb are the first working days after the Spring Festival.
    assert again.stdout.strip() == t("bulk_logged", code="3.2-D", logged=5, recorded=21) + t(
        "date.range_used", start="2022-01-01", end="2022-02-11"
    )


def test_the_summary_line_is_in_english_with_lang_en(db_url: str) -> None:
    result = invoke(db_url, "log", "3.2-M", "--from", "2022-01-01", "--to", "2022-06-30", lang="en")
    assert result.exit_code == 0, result.stderr
    expected = en.MESSAGES["bulk_logged"].format(code="3.2-M", logged=6, recorded=0)
    expected += en.MESSAGES["date.range_used"].format(start="2022-01-01", end="2022-06-30")
    assert result.stdout.strip() == expected


def _tomorrow() -> str:
    return (date.today() + timedelta(days=1)).isoformat()


def _last_week() -> str:
    return (date.today() - timedelta(days=7)).isoformat()


BAD_INPUT: dict[str, tuple[tuple[str, ...], str, dict[str, Any]]] = {
    "from after to": (
        ("log", "3.2-D", "--from", "2022-02-01", "--to", "2022-01-04"),
        "bulk_range_reversed",
        {"start": "2022-02-01", "end": "2022-01-04"},
    ),
    "ten years": (
        ("log", "3.2-D", "--from", "2012-01-01", "--to", "2022-01-01"),
        "bulk_range_too_long",
        {"start": "2012-01-01", "end": "2022-01-01", "days": 3654, "max": 366},
    ),
    "before the commitment starts": (
        ("log", "3.2-W", "--from", "2021-12-01", "--to", "2022-01-31"),
        "bulk_before_start",
        {"code": "3.2-W", "begins": "2022-01-01", "start": "2021-12-01"},
    ),
    "from without to": (("log", "3.2-D", "--from", "2022-01-04"), "bulk_range_incomplete", {}),
    "to without from": (("log", "3.2-D", "--to", "2022-01-31"), "bulk_range_incomplete", {}),
    "with --date": (
        ("log", "3.2-D", "--date", "2022-01-04", "--from", "2022-01-04", "--to", "2022-01-31"),
        "bulk_range_with_date",
        {},
    ),
    "a one-off item": (
        ("log", "5.5a", "--from", "2022-01-01", "--to", "2022-01-31"),
        "bulk_not_recurring",
        {"code": "5.5a"},
    ),
    "a period": (
        ("log", "3.2-M/2022-01", "--from", "2022-01-01", "--to", "2022-01-31"),
        "bulk_on_period",
        {"code": "3.2-M/2022-01", "parent": "3.2-M"},
    ),
    "a bad date": (
        ("log", "3.2-D", "--from", "2022年13月1日", "--to", "2022-12-31"),
        "date_no_such_month",
        {"value": "2022年13月1日", "option": "--from", "month": 13},
    ),
    "done on the commitment itself": (
        ("status", "3.2-D", "已完成"),
        "recurring_status_refused",
        {"code": "3.2-D"},
    ),
    "in progress on the commitment itself": (
        ("status", "3.2-W", "in_progress", "--note", "在做"),
        "recurring_status_refused",
        {"code": "3.2-W"},
    ),
    "signing off the commitment itself": (
        ("verify", "3.2-D"),
        "recurring_verify_refused",
        {"code": "3.2-D"},
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_input_is_one_line_exit_1_and_the_ledger_is_unchanged(
    db_url: str, case: str, lang: str
) -> None:
    args, key, params = BAD_INPUT[case]
    before = row_counts(db_url)
    result = invoke(db_url, *args, lang=lang)
    assert result.exit_code == 1
    set_language(lang)
    assert result.stderr.strip() == t(key, **params)
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert row_counts(db_url) == before


def test_a_range_ending_after_today_is_refused(db_url: str) -> None:
    before = row_counts(db_url)
    result = invoke(db_url, "log", "3.2-D", "--from", _last_week(), "--to", _tomorrow())
    assert result.exit_code == 1
    expected = t("bulk_range_future", end=_tomorrow(), today=date.today().isoformat())
    assert result.stderr.strip() == expected
    assert row_counts(db_url) == before


def test_log_with_neither_a_date_nor_a_range_is_a_usage_error(db_url: str) -> None:
    result = invoke(db_url, "log", "3.2-D")
    assert result.exit_code == 2
    assert result.stderr.strip() == t("usage_missing", param="--date")


def test_cancelling_a_recurring_commitment_is_allowed_and_cancels_its_periods_not_begun(
    db_url: str,
) -> None:
    result = invoke(db_url, "status", "3.2-M", "已取消", "--note", "并入季度分析")
    assert result.exit_code == 0, result.stderr
    assert show(db_url, "3.2-M")["status"] == "cancelled"
    # Cancelled on the day viewed (--as-of, 2026-11-26): the months after it are
    # cancelled, the month it falls in is left.
    this_month = date.fromisoformat(AS_OF)
    assert show(db_url, "3.2-M/2026-12")["status"] == "cancelled"
    assert show(db_url, f"3.2-M/{this_month:%Y-%m}")["status"] != "cancelled"
    assert show(db_url, "3.2-M/2022-01")["status"] == "todo"
