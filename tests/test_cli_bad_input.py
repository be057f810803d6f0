"""Bad input on the command line: one line on stderr in the user's language, exit 1 (2 for a
usage error), no traceback, and the database exactly as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel
from typer.testing import CliRunner, Result

import tracker.models  # noqa: F401  (registers every table on SQLModel.metadata)
from tracker.cli import app
from tracker.cli.context import MAX_YEARS_AHEAD
from tracker.db import make_engine
from tracker.i18n import CATALOGS

AS_OF = "2026-11-26"
MISSING_EVIDENCE = "不存在的签到表.pdf"

runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run `tracker ARGS`; an exception the CLI let through fails the test."""
    return runner.invoke(app, list(args), env={"COLUMNS": "80"}, catch_exceptions=False)


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(row)
                    for row in conn.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def message(lang: str, key: str, **params: object) -> str:
    return CATALOGS[lang][key].format(**params)


def assert_one_line_error(result: Result, expected: str, exit_code: int = 1) -> None:
    assert result.exit_code == exit_code
    assert result.stderr.splitlines() == [expected]
    assert result.stdout == ""
    assert "Traceback" not in result.output


@dataclass(frozen=True)
class Case:
    """Arguments after the global options, and the message they must give."""

    args: tuple[str, ...]
    key: str
    params: dict[str, str] = field(default_factory=dict)
    exit_code: int = 1


CASES: dict[str, Case] = {
    "unknown code": Case(("show", "9.9"), "code_unknown", {"code": "9.9"}),
    "unknown code for status": Case(("status", "8.8", "done"), "code_unknown", {"code": "8.8"}),
    "unknown status": Case(("status", "1.4c", "完成了"), "status_unknown", {"status": "完成了"}),
    "unknown status filter": Case(
        ("list", "--status", "late"), "status_unknown", {"status": "late"}
    ),
    "impossible event date": Case(
        ("log", "5.5a", "--date", "2022-02-30"),
        "date_invalid",
        {"value": "2022-02-30", "option": "--date"},
    ),
    "impossible as-of date": Case(
        ("--as-of", "2022-13-01", "list"),
        "date_invalid",
        {"value": "2022-13-01", "option": "--as-of"},
    ),
    "impossible as-of date of a command": Case(
        ("overdue", "--as-of", "2022-02-29"),
        "date_invalid",
        {"value": "2022-02-29", "option": "--as-of"},
    ),
    # A far year is refused before the ledger is opened: it would create every period up to it.
    "as-of date decades ahead": Case(
        ("--as-of", "2062-01-01", "list"),
        "as_of_too_far",
        {"value": "2062-01-01", "year": str(date.today().year + MAX_YEARS_AHEAD)},
    ),
    "as-of date of a command decades ahead": Case(
        ("overdue", "--as-of", "9999-12-31"),
        "as_of_too_far",
        {"value": "9999-12-31", "year": str(date.today().year + MAX_YEARS_AHEAD)},
    ),
    "missing evidence file": Case(
        ("log", "5.5a", "--date", "2022-03-15", "--note", "讲座", "--evidence", MISSING_EVIDENCE),
        "evidence_missing",
        {"path": MISSING_EVIDENCE},
    ),
    "event in a period it is not in": Case(
        ("log", "5.5a/2022", "--date", "2023-01-05"),
        "event_outside_period",
        {"code": "5.5a/2022", "start": "2022-01-01", "end": "2022-12-31"},
    ),
    "unknown unit": Case(
        ("list", "--unit", "不存在的单位"), "unit_unknown", {"unit": "不存在的单位"}
    ),
    "unknown unit for overdue": Case(
        ("overdue", "--unit", "环保所"), "unit_unknown", {"unit": "环保所"}
    ),
    "unknown kind": Case(("list", "--kind", "weekly"), "kind_unknown", {"kind": "weekly"}),
    "unknown village": Case(("list", "--village", "99"), "village_unknown", {"village": "99"}),
    "negative due-within": Case(
        ("list", "--due-within", "-1"), "due_within_invalid", {"value": "-1"}
    ),
    "empty note": Case(("note", "1.4c", "  "), "note_empty"),
    "rename of an unknown village": Case(
        ("villages", "rename", "99", "新村"), "village_unknown", {"village": "99"}
    ),
    "unknown report": Case(
        ("--report", "nowhere-2021", "list"), "report_unknown", {"slug": "nowhere-2021"}
    ),
    "unknown option": Case(
        ("list", "--colour"), "usage_no_such_option", {"option": "--colour"}, exit_code=2
    ),
    "unknown global option": Case(
        ("--bogus", "list"), "usage_no_such_option", {"option": "--bogus"}, exit_code=2
    ),
    "missing argument": Case(("show",), "usage_missing", {"param": "CODE"}, exit_code=2),
    "missing status argument": Case(
        ("status", "1.4c"), "usage_missing", {"param": "STATUS"}, exit_code=2
    ),
    "missing required option": Case(
        ("log", "5.5a"), "usage_missing", {"param": "--date"}, exit_code=2
    ),
    "unknown command": Case(
        ("frobnicate",), "usage_no_such_command", {"command": "frobnicate"}, exit_code=2
    ),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gives_one_line_and_leaves_the_database_unchanged(
    shared_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, lang: str
) -> None:
    case = CASES[name]
    monkeypatch.chdir(tmp_path)  # where the missing evidence file is looked for
    before = dump(shared_db_url)
    lang_args = ("--lang", "en") if lang == "en" else ()
    result = invoke(
        "--db", shared_db_url, "--user", "测试员", "--as-of", AS_OF, *lang_args, *case.args
    )
    assert_one_line_error(result, message(lang, case.key, **case.params), case.exit_code)
    assert dump(shared_db_url) == before


def test_tracker_lang_gives_errors_in_english(
    shared_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_LANG", "en")
    for args, expected in [
        (("show", "9.9"), message("en", "code_unknown", code="9.9")),
        (("show",), message("en", "usage_missing", param="CODE")),
    ]:
        result = invoke("--db", shared_db_url, "--as-of", AS_OF, *args)
        assert result.stderr.splitlines() == [expected]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path, lang: str) -> None:
    notes = tmp_path / "会议纪要.txt"
    notes.write_text("2022年第一次法治专题讲座纪要\n", encoding="utf-8")
    before = notes.read_bytes()
    result = invoke("--db", str(notes), "--lang", lang, "--as-of", AS_OF, "list")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    prefix = message(lang, "db_unreadable", reason="")
    assert line.startswith(prefix) and len(line) > len(prefix)
    assert "Traceback" not in result.output
    assert notes.read_bytes() == before
    assert list(tmp_path.iterdir()) == [notes]


@pytest.mark.parametrize(
    ("args", "exit_code"),
    [(("show", "9.9"), 1), (("log", "5.5a", "--date", "2022-02-30"), 1), (("--bogus",), 2)],
    ids=["unknown code", "impossible date", "unknown option"],
)
def test_the_installed_command_prints_no_traceback(
    shared_db_url: str, args: tuple[str, ...], exit_code: int
) -> None:
    """The same contract in a real process, where an uncaught error would print a traceback."""
    program = "import sys; from tracker.cli import main; sys.argv[0] = 'tracker'; main()"
    argv = ["--db", shared_db_url, "--as-of", AS_OF, *args]
    env = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-c", program, *argv], capture_output=True, text=True, env=env
    )
    assert done.returncode == exit_code
    assert "Traceback" not in done.stdout + done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert done.stdout == ""
