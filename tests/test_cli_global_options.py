"""Global options where people put them (issue 12, point 7): --db, --user, --lang, --as-of,
--warn-days and --report work after the subcommand as before it; a subcommand's own option
of the same name stays its own; an option's value that looks like a global option, and
anything after `--`, are left as typed."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.cli.global_options import hoist_global_options
from tracker.i18n import en, zh

runner = CliRunner()
USER = "王科员"  # an admin of the seeded test ledger (tests/conftest.py)
GROUP: Any = typer.main.get_command(app)


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def same_either_side(before: tuple[str, ...], command: tuple[str, ...]) -> Result:
    """Run `tracker BEFORE COMMAND` and `tracker COMMAND BEFORE`: the same outcome; the
    latter's result."""
    front, back = invoke(*before, *command), invoke(*command, *before)
    assert (back.exit_code, back.stdout, back.stderr) == (
        front.exit_code,
        front.stdout,
        front.stderr,
    )
    return back


# --- how the line is rearranged ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        (["report", "--lang", "en"], ["--lang", "en", "report"]),
        (["show", "5.5a", "--db", "x.db"], ["--db", "x.db", "show", "5.5a"]),
        (["show", "5.5a", "--db=x.db"], ["--db=x.db", "show", "5.5a"]),
        (
            ["--lang", "zh", "verify", "1.4c", "--user", "王", "--lang", "en"],
            ["--lang", "zh", "--user", "王", "--lang", "en", "verify", "1.4c"],
        ),
        (
            ["villages", "rename", "3", "新村", "--report", "r"],
            ["--report", "r", "villages", "rename", "3", "新村"],
        ),
        (["summary", "--warn-days", "5"], ["--warn-days", "5", "summary"]),
        (["extend", "1.4c", "--as-of", "2022-6-1"], ["--as-of", "2022-6-1", "extend", "1.4c"]),
    ],
)
def test_global_options_after_the_subcommand_are_moved_before_it(
    typed: list[str], parsed: list[str]
) -> None:
    assert hoist_global_options(GROUP, typed) == parsed


@pytest.mark.parametrize(
    "typed",
    [
        ["list", "--as-of", "2022-07-01"],  # list's own --as-of
        ["villages", "list", "--as-of", "2022-07-01"],  # a subcommand's of a group
        ["log", "5.5a", "--date", "2022-5-10", "--note", "--lang"],  # a value
        ["log", "5.5a", "--note", "--db", "--date", "2022-5-10"],
        ["note", "1.4c", "--", "--lang", "en"],  # after --
        ["--lang", "en", "list"],
        ["--help"],
        [],
    ],
)
def test_what_is_not_a_global_option_after_the_subcommand_stays_as_typed(
    typed: list[str],
) -> None:
    assert hoist_global_options(GROUP, typed) == typed


# --- each global option after the subcommand ------------------------------------------------


def test_lang_after_the_subcommand_speaks_english(db_url: str) -> None:
    """`tracker report --lang en`, as the issue found it refused."""
    result = invoke("report", "--db", db_url, "--as-of", "2022-07-01", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert en.MESSAGES["print.title.summary"] in result.stdout
    assert zh.MESSAGES["print.title.summary"] not in result.stdout


def test_lang_after_the_subcommand_gives_usage_errors_in_english(db_url: str) -> None:
    result = invoke("show", "--db", db_url, "--lang", "en")
    assert result.exit_code == 2
    assert result.stderr.strip() == en.MESSAGES["usage_missing"].format(param="CODE")


def test_db_after_the_subcommand_opens_that_database(db_url: str) -> None:
    result = same_either_side(("--db", db_url), ("show", "5.5a", "--format", "json"))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["code"] == "5.5a"


def test_user_after_the_subcommand_is_who_makes_the_change(db_url: str) -> None:
    result = invoke("--db", db_url, "note", "1.4c", "已联系", "--user", USER)
    assert result.exit_code == 0, result.stderr
    history = json.loads(invoke("--db", db_url, "show", "1.4c", "--format", "json").stdout)
    assert history["history"][-1]["by"] == USER  # not the login name, the default


def test_as_of_after_a_subcommand_without_its_own_views_that_day(db_url: str) -> None:
    result = invoke(
        "--db", db_url, "--user", USER,
        "extend", "1.4c", "--to", "2023-03-31", "--reason", "等待上级文件", "--as-of", "2022-06-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "（补录，2022-06-01 生效）" in result.stdout


def test_warn_days_after_the_subcommand_colours_as_before_it(db_url: str) -> None:
    command = ("--db", db_url, "--as-of", "2022-06-20", "list", "--format", "json")
    near = same_either_side(("--warn-days", "30"), command)
    far = invoke(*command)
    lights = [row["light"] for row in json.loads(near.stdout)]
    assert lights.count("yellow") > [row["light"] for row in json.loads(far.stdout)].count("yellow")


def test_report_after_the_subcommand_chooses_the_report(db_url: str) -> None:
    result = same_either_side(("--report", "nowhere-2021"), ("--db", db_url, "list"))
    assert result.exit_code == 1
    assert result.stderr.strip() == zh.MESSAGES["report_unknown"].format(slug="nowhere-2021")


# --- values are not stolen ----------------------------------------------------------------


def test_a_note_that_reads_like_a_global_option_is_kept_as_the_note(db_url: str) -> None:
    result = invoke(
        "log", "5.5a/2022", "--date", "2022-5-10", "--note", "--lang", "--db", db_url,
        "--user", USER,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "已记录" in result.stdout  # still Chinese: --lang was the note
    shown = json.loads(invoke("--db", db_url, "show", "5.5a/2022", "--format", "json").stdout)
    assert [event["note"] for event in shown["events"]] == ["--lang"]


def test_after_a_double_dash_a_global_option_is_the_text(db_url: str) -> None:
    result = invoke("--db", db_url, "--user", USER, "note", "1.4c", "--", "--lang")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(invoke("--db", db_url, "show", "1.4c", "--format", "json").stdout)
    assert shown["notes"].endswith("--lang")
