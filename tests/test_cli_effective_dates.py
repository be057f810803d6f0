"""Extensions and the village roster carry the day they took effect (issue 9, point 2): today
by default, back-dated with --date for a late entry (补录), never in the future; an extension
also never before its item begins, and a decision never before the request. On SQLite and
PostgreSQL, through the command line (typer.testing.CliRunner) as an officer would type it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.i18n import en, t, zh
from tracker.models import AuditEntry, Commitment, Extension, History, HistoryKind, Village

runner = CliRunner()
USER = "王科员"  # an admin of the seeded test ledger (tests/conftest.py)
CODE = "1.4c"  # a one-off item due 2022-12-31 (a rest day: 2023-01-03), 未开始 in the seed
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


def run(db: str, *args: str, lang: str = "zh") -> tuple[int, str, str]:
    """`tracker ARGS` as 王科员 on the real today: exit code, stdout and stderr."""
    result = runner.invoke(
        app, ["--db", db, "--user", USER, "--lang", lang, *args], env={"COLUMNS": "200"}
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def ok(db: str, *args: str, lang: str = "zh") -> str:
    code, out, err = run(db, *args, lang=lang)
    assert code == 0, err
    return out


def fingerprint(engine: Engine) -> tuple[Any, ...]:
    """What a refused command must leave as it was."""
    with Session(engine) as session:

        def count(table: Any) -> int:
            return session.exec(select(func.count()).select_from(table)).one()

        names = session.exec(select(Village.number, Village.name).order_by(col(Village.number)))
        return (
            count(History),
            count(Extension),
            count(AuditEntry),
            session.exec(select(func.sum(Commitment.version))).one(),
            tuple(names.all()),
        )


def refused(db: str, engine: Engine, *args: str, lang: str = "zh") -> str:
    """Run a command that must be refused in one line, exit 1, changing nothing; its line."""
    before = fingerprint(engine)
    code, out, err = run(db, *args, lang=lang)
    assert (code, out) == (1, ""), err
    assert err.strip() and "\n" not in err.strip()
    assert fingerprint(engine) == before
    return err.strip()


def extension_history(db: str) -> list[dict[str, Any]]:
    data = json.loads(ok(db, "show", CODE, "--format", "json"))
    return [h for h in data["history"] if h["kind"] == HistoryKind.EXTENSION]


def village_rows(engine: Engine, number: int) -> list[History]:
    with Session(engine) as session:
        village = session.exec(select(Village).where(Village.number == number)).one()
        query = select(History).where(History.village_id == village.id)
        return list(session.exec(query.order_by(col(History.id))).all())


def request_late(db: str) -> str:
    """An extension asked for on paper on 2022-06-01, before the deadline, entered today."""
    return ok(
        db, "extend", CODE, "--to", "2023-03-31", "--reason", "等待上级文件", "--date", "2022-06-01"
    )


# --- extensions ----------------------------------------------------------------------------


def test_an_extension_asked_before_the_deadline_is_entered_late_with_its_day(
    db_url: str,
) -> None:
    # Today the deadline has passed: without --date the request is too late.
    code, _, err = run(db_url, "extend", CODE, "--to", "2023-03-31", "--reason", "等待上级文件")
    assert code == 1
    assert err.strip() == t("extension_too_late", code=CODE, due="2023-01-03")

    said = request_late(db_url)
    assert "（补录，2022-06-01 生效）" in said.replace("\n", "")

    [asked] = extension_history(db_url)
    assert (asked["effective_on"], asked["late_entry"]) == ("2022-06-01", True)
    assert (asked["old"], asked["new"]) == ("2023-01-03", "2023-03-31")


def test_a_back_dated_approval_shows_its_day_after_the_request(db_url: str) -> None:
    request_late(db_url)
    said = ok(db_url, "extend", CODE, "--approve", "--reason", "同意", "--date", "2022-06-03")
    assert "（补录，2022-06-03 生效）" in said.replace("\n", "")

    asked, approved = extension_history(db_url)
    assert approved["note"] == "批准延期：同意"
    assert (approved["effective_on"], approved["late_entry"]) == ("2022-06-03", True)
    assert asked["effective_on"] < approved["effective_on"]


def test_a_refusal_without_a_date_takes_effect_today(db_url: str) -> None:
    request_late(db_url)
    ok(db_url, "extend", CODE, "--refuse", "--reason", "理由不足")
    _, refusal = extension_history(db_url)
    assert (refusal["effective_on"], refusal["late_entry"]) == (date.today().isoformat(), False)


def test_bad_extension_dates_are_refused_in_one_line_and_change_nothing(
    db_url: str, engine: Engine
) -> None:
    ask = ("extend", CODE, "--to", "2023-03-31", "--reason", "等待上级文件")
    assert refused(db_url, engine, *ask, "--date", TOMORROW) == t(
        "effective_in_future", date=TOMORROW
    )
    assert refused(db_url, engine, *ask, "--date", "2022-6-1x") == t(
        "date_invalid", value="2022-6-1x", option="--date"
    )

    request_late(db_url)
    approve = ("extend", CODE, "--approve")
    assert refused(db_url, engine, *approve, "--date", TOMORROW) == t(
        "effective_in_future", date=TOMORROW
    )
    assert refused(db_url, engine, *approve, "--date", "2022-05-31") == t(
        "extension_decided_before_request", code=CODE, asked="2022-06-01", date="2022-05-31"
    )
    # Still pending: nothing was decided.
    assert len(extension_history(db_url)) == 1


def test_an_extension_cannot_take_effect_before_its_item_begins(
    db_url: str, engine: Engine
) -> None:
    line = refused(
        db_url,
        engine,
        "extend",
        CODE,
        "--to",
        "2023-03-31",
        "--reason",
        "x",
        "--date",
        "2001-01-01",
    )
    assert line.startswith(f"{CODE} ")  # effective_before_start names the item and its start
    assert "2001-01-01" in line


def test_an_extension_refusal_in_english(db_url: str, engine: Engine) -> None:
    line = refused(
        db_url,
        engine,
        "extend",
        CODE,
        "--to",
        "2023-03-31",
        "--reason",
        "waiting",
        "--date",
        TOMORROW,
        lang="en",
    )
    assert line == en.MESSAGES["effective_in_future"].format(date=TOMORROW)


# --- the village roster --------------------------------------------------------------------


def test_a_back_dated_rename_records_its_day_and_says_it_is_a_late_entry(
    db_url: str, engine: Engine
) -> None:
    said = ok(db_url, "villages", "rename", "7", "红旗村", "--date", "2022-04-01")
    assert said.strip() == "村(社区)07 已命名为“红旗村” （补录，2022-04-01 生效）"
    row = village_rows(engine, 7)[-1]
    assert (row.new, row.effective_on) == ("红旗村", date(2022, 4, 1))
    assert row.changed_at.date() > row.effective_on  # recorded later: a late entry


def test_a_rename_without_a_date_takes_effect_today(db_url: str, engine: Engine) -> None:
    said = ok(db_url, "villages", "rename", "7", "红旗村")
    assert "补录" not in said
    assert village_rows(engine, 7)[-1].effective_on == date.today()


def test_a_back_dated_import_records_its_day(db_url: str, engine: Engine, tmp_path: Any) -> None:
    roster = tmp_path / "名册.csv"
    roster.write_text("编号,名称\n8,白马村\n", encoding="utf-8")
    said = ok(db_url, "villages", "import", str(roster), "--date", "2022-04-02")
    assert "（补录，2022-04-02 生效）" in said
    assert village_rows(engine, 8)[-1].effective_on == date(2022, 4, 2)


@pytest.mark.parametrize("command", ["rename", "import", "retire"])
def test_a_roster_change_dated_in_the_future_is_refused_and_changes_nothing(
    db_url: str, engine: Engine, tmp_path: Any, command: str
) -> None:
    roster = tmp_path / "名册.csv"
    roster.write_text("编号,名称\n8,白马村\n", encoding="utf-8")
    args = {
        "rename": ("rename", "7", "红旗村"),
        "import": ("import", str(roster)),
        "retire": ("retire", "9", "--reason", "撤并"),
    }[command]
    line = refused(db_url, engine, "villages", *args, "--date", TOMORROW)
    assert line == zh.MESSAGES["effective_in_future"].format(date=TOMORROW)
