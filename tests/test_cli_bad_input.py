"""Bad input on the command line: one line on stderr in the user's language, exit 1 (2 for a
usage error), no traceback, and the database exactly as it was."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, SQLModel
from sqlmodel import select as orm_select
from typer.testing import CliRunner, Result

import tracker.models  # noqa: F401  (registers every table on SQLModel.metadata)
from tracker.cli import app
from tracker.dates import MAX_YEARS_AHEAD
from tracker.db import make_engine
from tracker.i18n import CATALOGS
from tracker.models import Account, Commitment, Unit, Village

AS_OF = "2026-11-26"
MISSING_EVIDENCE = "不存在的签到表.pdf"
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=timezone(timedelta(hours=8)))

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
        "date_no_such_day",
        {"value": "2022-02-30", "option": "--date", "year": "2022", "month": "2", "days": "28"},
    ),
    "impossible as-of date": Case(
        ("--as-of", "2022-13-01", "list"),
        "date_no_such_month",
        {"value": "2022-13-01", "option": "--as-of", "month": "13"},
    ),
    "impossible as-of date of a command": Case(
        ("overdue", "--as-of", "2022-02-29"),
        "date_no_such_day",
        {"value": "2022-02-29", "option": "--as-of", "year": "2022", "month": "2", "days": "28"},
    ),
    "unreadable event date": Case(
        ("log", "5.5a", "--date", "10/5/2022"),
        "date_invalid",
        {"value": "10/5/2022", "option": "--date"},
    ),
    "unreadable as-of date": Case(
        ("--as-of", "明天", "list"), "date_invalid", {"value": "明天", "option": "--as-of"}
    ),
    # A far year is refused before the ledger is opened: it would create every period up to it.
    "as-of date decades ahead": Case(
        ("--as-of", "2062-01-01", "list"),
        "as_of_too_far",
        {
            "value": "2062-01-01",
            "year": str(date.today().year + MAX_YEARS_AHEAD),
            "option": "--as-of",
        },
    ),
    "as-of date of a command decades ahead": Case(
        ("overdue", "--as-of", "9999-12-31"),
        "as_of_too_far",
        {
            "value": "9999-12-31",
            "year": str(date.today().year + MAX_YEARS_AHEAD),
            "option": "--as-of",
        },
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
    # Issue 10.7. Dates too early to mean anything: before 1900 wherever a date is typed,
    # before the report's year (2021) for --as-of, before the item begins for an event.
    "event dated 0001-01-01": Case(
        ("log", "1.1a", "--date", "0001-01-01", "--note", "讲座"),
        "date_too_early",
        {"value": "0001-01-01", "option": "--date", "year": "1900"},
    ),
    "event on a one-off before the report's year": Case(
        ("log", "1.1a", "--date", "2020-06-01", "--note", "讲座"),
        "event_before_start",
        {"code": "1.1a", "start": "2021-01-01"},
    ),
    "event on a one-off before it starts": Case(
        ("log", "1.4c", "--date", "2021-06-01", "--note", "试行"),
        "event_before_start",
        {"code": "1.4c", "start": "2022-01-01"},
    ),
    "status back-dated before 1900": Case(
        ("status", "1.4c", "done", "--date", "1066-10-14"),
        "date_too_early",
        {"value": "1066-10-14", "option": "--date", "year": "1900"},
    ),
    "as-of in year 1": Case(
        ("list", "--as-of", "0001-01-01"),
        "date_too_early",
        {"value": "0001-01-01", "option": "--as-of", "year": "1900"},
    ),
    "global as-of before the report's year": Case(
        ("--as-of", "2020-12-31", "overdue"),
        "date_too_early",
        {"value": "2020-12-31", "option": "--as-of", "year": "2021"},
    ),
    "report as-of before the report's year": Case(
        ("report", "--as-of", "1999-01-01"),
        "date_too_early",
        {"value": "1999-01-01", "option": "--as-of", "year": "2021"},
    ),
    "bulk range from year 1": Case(
        ("log", "3.2-D", "--from", "0001-01-01", "--to", "2022-01-05"),
        "date_too_early",
        {"value": "0001-01-01", "option": "--from", "year": "1900"},
    ),
    "bulk range to year 1": Case(
        ("log", "3.2-D", "--from", "2022-01-04", "--to", "0001-01-05"),
        "date_too_early",
        {"value": "0001-01-05", "option": "--to", "year": "1900"},
    ),
    "extension to year 1": Case(
        ("extend", "1.4c", "--to", "0001-01-01", "--reason", "待批复"),
        "date_too_early",
        {"value": "0001-01-01", "option": "--to", "year": "1900"},
    ),
    "void dated year 1": Case(
        ("void", "1", "--reason", "误录", "--date", "0001-01-01"),
        "date_too_early",
        {"value": "0001-01-01", "option": "--date", "year": "1900"},
    ),
    "roster change before the report's year": Case(
        ("villages", "rename", "3", "新村", "--date", "2020-05-01"),
        "roster_before_report",
        {"year": "2021", "date": "2020-05-01"},
    ),
    # SQLite reads LIMIT -1 as no limit, PostgreSQL refuses it: refused alike before either.
    "negative limit": Case(("list", "--limit", "-1"), "limit_invalid", {"value": "-1"}),
    "negative limit as json": Case(
        ("list", "--limit", "-5", "--format", "json"), "limit_invalid", {"value": "-5"}
    ),
    # Numbers that parse but are no figure.
    "indicator value nan": Case(
        ("log", "2.1-N3", "--date", "2026-01-05", "--value", "nan"),
        "indicator_value_not_finite",
        {"value": "nan"},
    ),
    "indicator value inf": Case(
        ("log", "2.1-N3", "--date", "2026-01-05", "--value", "inf"),
        "indicator_value_not_finite",
        {"value": "inf"},
    ),
    "indicator value -inf": Case(
        ("log", "2.1-N3", "--date", "2026-01-05", "--value", "-inf"),
        "indicator_value_not_finite",
        {"value": "-inf"},
    ),
    "value too large to be finite": Case(
        ("log", "5.5a", "--date", "2026-01-05", "--value", "1e999"),
        "indicator_value_not_finite",
        {"value": "inf"},
    ),
    # Names that would show as something else: an override reverses what follows it, a
    # zero-width space makes two names look one, an escape sequence recolours the terminal.
    "account name with a right-to-left override": Case(
        ("users", "add", "\u202eadmin", "--role", "admin"),
        "name_hidden_character",
        {"name": "\\u202eadmin", "char": "\\u202e"},
    ),
    "account name with a zero-width space": Case(
        ("users", "add", "李\u200b四", "--role", "supervisor"),
        "name_hidden_character",
        {"name": "李\\u200b四", "char": "\\u200b"},
    ),
    "account name with an escape sequence": Case(
        ("users", "add", "\x1b[31m王五", "--role", "admin"),
        "name_hidden_character",
        {"name": "\\x1b[31m王五", "char": "\\x1b"},
    ),
    "account name with a byte-order mark": Case(
        ("users", "add", "\ufeff赵六", "--role", "admin"),
        "name_hidden_character",
        {"name": "\\ufeff赵六", "char": "\\ufeff"},
    ),
    "user name with a left-to-right isolate": Case(
        ("--user", "测试员\u2066", "note", "1.4c", "已试行"),
        "name_hidden_character",
        {"name": "测试员\\u2066", "char": "\\u2066"},
    ),
    "village name with a right-to-left override": Case(
        ("villages", "rename", "3", "新\u202e村"),
        "village_name_control",
        {"name": "新\\u202e村"},
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


# --- Issue 10.7: paths that loop, pipes and devices, files too large -----------------------


def symlink_loop(folder: Path) -> Path:
    """A symbolic link that leads back to itself through a second one."""
    first, second = folder / "回路甲", folder / "回路乙"
    first.symlink_to(second)
    second.symlink_to(first)
    return first


def fifo(folder: Path) -> Path:
    """A named pipe nobody writes to: opening it to read waits for a writer forever."""
    path = folder / "管道"
    os.mkfifo(path)
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A seeded SQLite file of the test's own (backup and restore work on files)."""
    path = tmp_path / "台账.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "where", ["--db", "--evidence", "backup", "restore", "TRACKER_EVIDENCE_DIR", "init --seed"]
)
def test_a_symlink_loop_anywhere_a_path_is_given_is_one_line(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, lang: str
) -> None:
    loop = symlink_loop(tmp_path)
    evidence = tmp_path / "签到表.pdf"
    evidence.write_bytes(b"%PDF-1.4 sign-in sheet")
    log = ("log", "5.5a", "--date", "2022-03-15", "--note", "讲座")
    db, args = (
        sqlite_url,
        {
            "--db": ("list",),
            "--evidence": (*log, "--evidence", str(loop)),
            "backup": ("backup", str(loop)),
            "restore": ("restore", str(loop)),
            "TRACKER_EVIDENCE_DIR": (*log, "--evidence", str(evidence)),
            "init --seed": ("init", "--seed", str(loop)),
        }[where],
    )
    if where == "--db":
        db = str(loop)
    if where == "TRACKER_EVIDENCE_DIR":
        monkeypatch.setenv("TRACKER_EVIDENCE_DIR", str(loop))
    before = dump(sqlite_url)
    result = invoke("--db", db, "--lang", lang, "--as-of", AS_OF, *args)
    assert_one_line_error(result, message(lang, "path_loop", path=str(loop)))
    assert dump(sqlite_url) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["台账.db", "回路甲", "回路乙", "签到表.pdf", *_sqlite_extras(tmp_path)]
    )


def _sqlite_extras(folder: Path) -> list[str]:
    """The WAL files SQLite may leave beside the database while it is open."""
    return [p.name for p in folder.iterdir() if p.name.startswith("台账.db-")]


def run_tracker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed command in a real process, killed (failing the test) should it hang:
    a pipe that is waited on blocks in the kernel, which no in-process test could stop."""
    program = "import sys; from tracker.cli import main; sys.argv[0] = 'tracker'; main()"
    env = {**os.environ, "COLUMNS": "80", "TRACKER_USER": "测试员"}
    return subprocess.run(
        [sys.executable, "-c", program, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


SPECIAL_FILE_CASES = {
    # Each: the command, given the special file; what it must answer.
    "seed is a pipe": lambda special: ("init", "--seed", special),
    "roster is a pipe": lambda special: ("villages", "import", special),
    "evidence is a pipe": lambda special: (
        "log", "5.5a", "--date", "2022-03-15", "--note", "讲座", "--evidence", special
    ),
    "printout to a pipe": lambda special: ("report", "--out", special),
    "word printout to a pipe": lambda special: (
        "report", "--kind", "ledger", "--format", "docx", "--out", special
    ),
}  # fmt: skip


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/stdin", "folder"])
@pytest.mark.parametrize("case", list(SPECIAL_FILE_CASES))
def test_a_pipe_device_or_folder_given_as_a_file_is_refused_without_waiting(
    sqlite_url: str, tmp_path: Path, case: str, special: str
) -> None:
    """Reading a FIFO waits for a writer, /dev/zero never ends, /dev/stdin waits for the
    keyboard; writing to a FIFO waits for a reader. Each is one line at once instead."""
    if special == "fifo":
        path = str(fifo(tmp_path))
    elif special == "folder":
        path = str(tmp_path / "文件夹")
        Path(path).mkdir()
    else:
        path = special
    before = dump(sqlite_url)
    args = ("--db", sqlite_url, "--as-of", AS_OF, *SPECIAL_FILE_CASES[case](path))
    refusal = message("zh", "file_not_regular", path=path)
    if special in ("fifo", "/dev/zero"):
        # In a process of its own, killed should it wait or read forever (which would hang
        # an in-process test for good).
        done = run_tracker(*args)
        assert (done.returncode, done.stderr.splitlines(), done.stdout) == (1, [refusal], "")
    else:
        assert_one_line_error(invoke(*args), refusal)
    assert dump(sqlite_url) == before
    if special == "fifo":
        assert stat.S_ISFIFO(os.stat(path).st_mode)  # left as it was


def test_a_pipe_or_device_as_the_database_is_refused(tmp_path: Path) -> None:
    pipe = fifo(tmp_path)
    for path in (str(pipe), "/dev/zero", "/dev/null", str(tmp_path)):
        result = invoke("--db", path, "--as-of", AS_OF, "list")
        assert_one_line_error(result, message("zh", "file_not_regular", path=path))
        result = invoke("--db", path, "--as-of", AS_OF, "init")
        assert_one_line_error(result, message("zh", "file_not_regular", path=path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["管道"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("what", "limit"), [("seed", "5 MB"), ("report text", "5 MB"), ("roster", "1 MB")]
)
def test_a_file_over_its_size_limit_is_refused_unread(
    sqlite_url: str, tmp_path: Path, what: str, limit: str, lang: str
) -> None:
    """The limits README.md states. The file is sparse: its size is refused before a byte
    of it is read into memory."""
    big = tmp_path / "大文件"
    with big.open("wb") as handle:
        handle.truncate((5 if limit == "5 MB" else 1) * (1 << 20) + 1)
    args = {
        "seed": ("init", "--seed", str(big)),
        "report text": ("init", "--seed", str(seed_naming(tmp_path, big))),
        "roster": ("villages", "import", str(big)),
    }[what]
    before = dump(sqlite_url)
    result = invoke("--db", sqlite_url, "--lang", lang, "--as-of", AS_OF, *args)
    refusal = message(lang, "file_too_large", path=str(big), limit=limit)
    if what == "report text":  # said as where the seed names it
        refusal = message(
            lang, "seed_invalid", file=str(tmp_path / "seed.yaml"), line=SEED_TEXT_LINE,
            reason=message(lang, "seed.text_unreadable", path=str(big), reason=refusal),
        )  # fmt: skip
    assert_one_line_error(result, refusal)
    assert dump(sqlite_url) == before


SEED = Path(__file__).resolve().parent.parent / "seed_data" / "baohe-2021.yaml"
SEED_TEXT_LINE = next(
    number
    for number, line in enumerate(SEED.read_text(encoding="utf-8").splitlines(), 1)
    if line.strip().startswith("text_file:")
)


def seed_naming(folder: Path, text_file: Path) -> Path:
    """The 2021 seed, copied into `folder`, naming `text_file` as its report's text."""
    original = SEED.read_text(encoding="utf-8")
    path = folder / "seed.yaml"
    path.write_text(
        original.replace("text_file: baohe-2021-report.txt", f"text_file: {text_file}"),
        encoding="utf-8",
    )
    return path


def test_a_seed_and_a_roster_at_their_limits_are_still_read(tmp_path: Path) -> None:
    """The limits refuse only what is over them: the real seed (52 KB) loads, and a roster
    padded with blank lines to just under 1 MB imports."""
    from tracker.services.seed_file import MAX_SEED_BYTES, load_seed_file
    from tracker.services.villages import MAX_ROSTER_BYTES, read_roster_csv

    assert SEED.stat().st_size < MAX_SEED_BYTES
    assert len(load_seed_file(SEED).document.commitments) == 66
    roster = tmp_path / "村名册.csv"
    head = "编号,名称\n1,和平村\n".encode()
    roster.write_bytes(head + b"\n" * (MAX_ROSTER_BYTES - len(head)))
    assert roster.stat().st_size == MAX_ROSTER_BYTES
    assert read_roster_csv(roster) == {1: "和平村"}


# --- Issue 10.7: stored text is shown, never obeyed -----------------------------------------

# An escape sequence that would turn the terminal red, Rich markup and an emoji code that
# Rich would draw, a right-to-left override that reverses what follows it, a zero-width space.
HOSTILE = (
    "\x1b[31m红字\x1b[0m [red]标记[/red] [link=https://example.com]点我[/link] :warning: "
    "反\u202e转\u200b"
)
# Raw, these must never reach the terminal; escaped, they are shown as typed.
RAW = ("\x1b", "\u202e", "\u200b", "⚠")
ESCAPED = ("\\x1b[31m红字", "[red]标记[/red]", "[link=https://example.com]点我[/link]", ":warning:")


def wide(*args: str) -> Result:
    """`tracker ARGS` on a terminal wide enough that no table folds a line."""
    env = {"COLUMNS": "400", "TRACKER_USER": "测试员"}
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def assert_shown_escaped(result: Result, *, complete: bool = True) -> None:
    assert result.exit_code == 0, result.output
    for raw in RAW:
        assert raw not in result.stdout, (raw, result.stdout)
    if complete:
        for escaped in ESCAPED:
            assert escaped in result.stdout, (escaped, result.stdout)


@pytest.fixture
def hostile_ledger(db_url: str) -> str:
    """The seeded ledger with HOSTILE as a note and an event's note of 1.4c, and (as a ledger
    from before names were checked might hold them) as village 7's name, the name of 1.4c's
    unit and an account's name."""
    for args in (
        ("note", "1.4c", HOSTILE),
        ("log", "1.4c", "--date", "2022-05-01", "--note", HOSTILE),
    ):
        result = invoke("--db", db_url, "--user", "测试员", "--as-of", AS_OF, *args)
        assert result.exit_code == 0, result.output
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            village = session.exec(orm_select(Village).where(Village.number == 7)).one()
            village.name = HOSTILE
            item = session.exec(orm_select(Commitment).where(Commitment.code == "1.4c")).one()
            unit = session.get(Unit, item.unit_id)
            assert unit is not None
            unit.name = HOSTILE
            session.add_all([village, unit])
            session.add(Account(name=HOSTILE, role="officer", created_by="x", created_at=NOW))
            session.commit()
    finally:
        engine.dispose()
    return db_url


@pytest.mark.parametrize(
    "args",
    [
        ("show", "1.4c"),
        ("history", "1.4c"),
        ("show", "3.3a-V07"),
        ("list", "--village", "7", "--all"),
        ("list", "--format", "csv", "--village", "7", "--all"),
        ("overdue",),
        ("summary",),
        ("villages",),
        ("users", "list"),
        ("report", "--kind", "ledger"),
        ("report", "--kind", "ledger", "--format", "md"),
        ("report", "--kind", "notice", "--format", "html"),
    ],
    ids=lambda args: " ".join(args),
)
def test_stored_escapes_markup_and_bidi_are_shown_escaped(
    hostile_ledger: str, args: tuple[str, ...]
) -> None:
    """Nothing stored recolours the reader's terminal, draws Rich markup or reorders a line:
    it is shown as typed, its control and invisible characters escaped."""
    result = wide("--db", hostile_ledger, "--as-of", AS_OF, *args)
    # Every view quotes the whole text somewhere: a note, a unit, a village, an account.
    assert_shown_escaped(result, complete=args[0] not in ("summary",))


def test_json_keeps_stored_text_exact_but_inert(hostile_ledger: str) -> None:
    """JSON is data: the note comes back exactly as stored, its bidi and control characters
    written as \\u escapes (the same JSON value) rather than raw."""
    result = wide("--db", hostile_ledger, "--as-of", AS_OF, "show", "1.4c", "--format", "json")
    for raw in RAW:
        assert raw not in result.stdout
    data = json.loads(result.stdout)
    assert data["events"][0]["note"] == HOSTILE
    assert HOSTILE in data["notes"]


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "txt", "md", "html"])
def test_printouts_of_stored_control_characters_are_written(
    hostile_ledger: str, tmp_path: Path, fmt: str
) -> None:
    """Word and Excel refused the escape character with a traceback; every printout now
    writes it escaped."""
    out_file = tmp_path / f"台账.{fmt}"
    result = invoke(
        "--db", hostile_ledger, "--as-of", AS_OF, "report", "--kind", "ledger",
        "--format", fmt, "--out", str(out_file),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    content = out_file.read_bytes()
    assert content
    if fmt in ("txt", "md", "html"):
        text = content.decode("utf-8")
        assert "\\x1b[31m红字" in text
        assert not any(raw in text for raw in RAW)


def test_every_invisible_formatting_character_is_escaped() -> None:
    """printable's list of format characters is every one (Unicode category Cf) this
    Python knows, and names with any of them are refused."""
    from tracker.errors import hidden_character, printable

    for code in range(0x110000):
        char = chr(code)
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            assert printable(char) != char, hex(code)
            assert hidden_character(f"王{char}五") == char, hex(code)
    assert printable("第一行\n\t第二行", keep_lines=True) == "第一行\n\t第二行"
    assert printable("第一行\n第二行") == "第一行\\n第二行"
    assert hidden_character("王科员 Wang (司法所)") is None


def test_a_config_file_over_1_mb_is_refused_unread(
    shared_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    with config.open("wb") as handle:
        handle.truncate((1 << 20) + 1)
    monkeypatch.setenv("TRACKER_CONFIG", str(config))
    result = invoke("--db", shared_db_url, "--as-of", AS_OF, "list")
    too_large = message("zh", "file_too_large", path=str(config), limit="1 MB")
    assert_one_line_error(
        result, message("zh", "config_invalid", path=str(config), reason=too_large)
    )


def test_a_holidays_file_that_is_a_pipe_is_refused_without_waiting(
    shared_db_url: str, tmp_path: Path
) -> None:
    pipe = fifo(tmp_path)
    program = "import sys; from tracker.cli import main; sys.argv[0] = 'tracker'; main()"
    env = {**os.environ, "COLUMNS": "80", "TRACKER_HOLIDAYS": str(pipe)}
    done = subprocess.run(
        [sys.executable, "-c", program, "--db", shared_db_url, "--as-of", AS_OF, "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    not_regular = message("zh", "file_not_regular", path=str(pipe))
    reason = message("zh", "holidays.unreadable", path=str(pipe), reason=not_regular)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [message("zh", "holidays_invalid", reason=reason)]
