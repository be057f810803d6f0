"""Officers' words: no raw enum value, no library's English and no English word reaches a
Chinese message. Every message of the Chinese catalog is formatted with the values the code
gives it (labels, codes, paths, the reasons `tracker.failures` gives for the failures people
meet); the refusals for those failures are read whole; and the command line is driven with
bad input in Chinese. Each is searched for an ASCII word that is not a code, a path, a
number, a command or option, a format's name, or one of the few terms allowed below."""

from __future__ import annotations

import ast
import csv
import errno
import re
import sqlite3
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy.exc import DatabaseError, OperationalError
from typer.testing import CliRunner

import tracker
from tests.test_cli_bad_input import AS_OF, CASES
from tests.test_property_bad_input import SEED_REGRESSIONS, _seed_with
from tracker.cli import app
from tracker.errors import TrackerError
from tracker.failures import reason_key, reason_of
from tracker.i18n import CATALOGS, set_language, t
from tracker.labels import kind_label, light_label, status_label
from tracker.models import Kind, Status
from tracker.schedule import Light
from tracker.services.seed_file import (
    Review,
    SeedCommitment,
    SeedDocument,
    SeedReport,
    SeedSection,
    SeedUnit,
    load_seed_file,
)
from tracker.work import refusal_of

PACKAGE = Path(tracker.__file__).resolve().parent
runner = CliRunner()


def _command_words() -> set[str]:
    """The command line's own words: its commands and subcommands, and its arguments as
    `--help` shows them (CODE, STATUS)."""
    words: set[str] = set()

    # Typer vendors Click without exposing its classes: commands are told by what they have.
    def walk(command: Any) -> None:
        words.add(command.name or "")
        for param in command.params:
            if param.param_type_name == "argument":
                words.add((param.name or "").upper())
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return {word for word in words if word}


# What may stay in a Chinese message, and why:
ALLOWED = {
    # formats and encodings the officer picks or is told of (文件另存为 UTF-8 的 CSV)
    *"csv CSV xlsx PDF pdf Excel Word SQLite PostgreSQL UTF GBK TOML YAML JSON json SHA".split(),
    "GB18030",  # i13-core: the encoding a report was read in (GBK's superset)
    # the kinds of file 导入 reads, as their names end (.docx), listed in its dialog
    *"txt html htm docx yaml yml".split(),
    *"TrueType OpenType ttf ttc otf".split(),
    # the date pattern the date fields show (YYYY-MM-DD)
    *"YYYY MM DD".split(),
    # keys of the keyboard
    *"Esc Enter Tab Ctrl".split(),
    # sizes
    *"KB MB".split(),
    # values typed on the command line, listed where one was mistyped (可用：admin（管理员）…)
    *(status.value for status in Status),
    *(kind.value for kind in Kind),
    *"admin supervisor officer summary ledger notice zh en".split(),
    # the keys of the config file and of the holidays file, as they are written in them
    *"db user lang warn_days holidays workdays evidence_dir".split(),
    # the CSV roster's English column headers, accepted beside 编号 and 名称
    *"number name".split(),
    # the SQLite file beside the database that has to be moved with it (tracker.db-wal)
    "wal",
    # pg_dump, the program an admin backs PostgreSQL up with
    "pg_dump",
    # psql, in which an officer changes their PostgreSQL login's password (\password)
    "psql",
    # tracker serve: the sign-in page's link to its English version, named in English;
    # the PostgreSQL setting an admin changes so that the database checks passwords
    # (pg_hba.conf, scram-sha-256)
    "English",
    *"pg_hba conf scram sha".split(),
    # a figure that is no number, as it reads (1e999 is inf)
    "inf",
    "nan",
    *_command_words(),
}
# What is a code, a path, an option or a number, not a word.
NOT_WORDS = [
    re.compile(pattern)
    for pattern in (
        r"sudo apt-get install \S+|fonts-[\w-]+",  # the command that installs a CJK font
        r"tracker(?: [a-z][\w-]*)*",  # a command: tracker users add
        r"(?:[A-Za-z][\w+.-]*:)?(?:[\w.~-]*[/\\])+[^\s，。：；、（）“”]*",  # a path, a URL
        r"[\w-]+\.(?:db|pdf|xlsx|csv|toml|yaml|txt|docx|md|html|bak|ttf|ttc|otf|jpg)\b",
        r"--?[A-Za-z][\w-]*",  # an option
        r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b",  # an environment variable (TRACKER_LANG)
        r"\b[a-z]+-\d{4}\b",  # a report's slug (baohe-2021)
        r"\b\d[\w.\-/]*",  # a code, a date or a number (5.5a, 3.2-D/2022-06, 2.1-N1)
        r"\b[0-9a-f]{8,}\b",  # a hash
        r"\\[ux][0-9a-fA-F]+",  # an escaped control character (\u202e)
        r"\b[A-Za-z]\b",  # a key (n / N, p)
    )
]
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def english_words(text: str) -> list[str]:
    """The ASCII words of `text` that are none of what a Chinese message may hold."""
    for pattern in NOT_WORDS:
        text = pattern.sub(" ", text)
    return [word for word in WORD.findall(text) if word not in ALLOWED]


def test_the_scan_finds_english_and_lets_codes_paths_and_options_through() -> None:
    assert english_words("3.3c 的状态是“verified”") == []  # a typed value, as listed
    assert english_words("未作任何修改：file is not a database") == [
        "file",
        "is",
        "not",
        "database",
    ]
    assert english_words("审计链在 prev_hash 处") == ["prev_hash"]
    assert english_words("Permission denied") == ["Permission", "denied"]
    fine = (
        "5.5a/2022、3.2-D/2022-06、2.1-N1、3.3a-V07 于 2022-06-30 在 /tmp/台账.db 与 "
        "C:\\台账\\tracker.db；用 tracker log 5.5a --date 或 TRACKER_LANG，存为 UTF-8 的 CSV，"
        "baohe-2021 的哈希 3f2a9c0d11e5b7a8，按 n / N、Esc"
    )
    assert english_words(fine) == []


# --- Every message of the Chinese catalog, formatted as the code formats it -------------

# Representative failures of the libraries the ledger stands on.
FAILURES: list[BaseException] = [
    sqlite3.DatabaseError("file is not a database"),
    sqlite3.DatabaseError("database disk image is malformed"),
    sqlite3.OperationalError("database is locked"),
    sqlite3.OperationalError("attempt to write a readonly database"),
    sqlite3.OperationalError("database or disk is full"),
    sqlite3.OperationalError("unable to open database file"),
    sqlite3.OperationalError("disk I/O error"),
    sqlite3.OperationalError("no such table: commitment"),
    sqlite3.OperationalError('near "SELEC": syntax error'),
    OSError(errno.ENOSPC, "No space left on device"),
    PermissionError(errno.EACCES, "Permission denied"),
    FileNotFoundError(errno.ENOENT, "No such file or directory"),
    OSError(errno.EROFS, "Read-only file system"),
    IsADirectoryError(errno.EISDIR, "Is a directory"),
    OSError(errno.EXDEV, "Invalid cross-device link"),
    OSError(errno.EPROTO, "Protocol error"),
    csv.Error("field larger than field limit (131072)"),
    csv.Error("line contains NUL"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    OverflowError("Python int too large to convert to SQLite INTEGER"),
    ValueError("embedded null byte"),
    RuntimeError("something nobody expected"),
]


class _ServerError(Exception):
    """What psycopg raises: its message, and the SQLSTATE of the server's refusal."""

    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


SERVER_FAILURES: list[BaseException] = [
    OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked")),
    DatabaseError("SELECT 1", {}, sqlite3.DatabaseError("file is not a database")),
    OperationalError("SELECT 1", {}, _ServerError("could not extend file: No space", "53100")),
    OperationalError("SELECT 1", {}, _ServerError("connection refused\nIs the server…", None)),
    OperationalError(
        "SELECT 1", {}, _ServerError('password authentication failed for user "wang"', None)
    ),
    OperationalError("SELECT 1", {}, _ServerError("permission denied for table audit", "42501")),
    OperationalError("SELECT 1", {}, _ServerError("cannot execute UPDATE in a read-only", "25006")),
    OperationalError("SELECT 1", {}, _ServerError("some new failure", "XX000")),
]


def _reasons() -> list[str]:
    set_language("zh")
    return sorted({reason_of(exc) for exc in FAILURES + SERVER_FAILURES})


def samples(reason: str) -> dict[str, object]:
    """A realistic value for each parameter, as the code passes it: labels in the message's
    language, codes, paths, dates, the reasons of `tracker.failures`."""
    set_language("zh")
    path = "/home/王科员/台账/签到表.pdf"
    return {
        **dict.fromkeys(
            "added amount cancelled changed commitments count days done earlier evidence "
            "excerpts files green id index instances items limit logged max missing none "
            "number page pages position recorded red renamed requirements seconds section "
            "shown total uncovered villages workdays yellow line column written refused "
            "compared continues closes continued figures closed".split(),
            7,
        ),
        **dict.fromkeys("path db store backup file".split(), path),
        **dict.fromkeys(
            "date start end due to as_of reply_by today asked begins stated effective day "
            "event".split(),
            "2022-06-30",
        ),
        **dict.fromkeys("user by maker name has".split(), "王科员"),
        "year": 2022,
        "years": "2027",
        "month": 6,
        "at": "2026-11-26 09:30",
        "code": "5.5a/2022",
        "parent": "3.2-D",
        "status": status_label(Status.DONE),
        "old": status_label(Status.IN_PROGRESS),
        "new": status_label(Status.DONE),
        "kind": kind_label(Kind.QUOTA),
        "light": light_label(Light.RED),
        "role": t("role.supervisor"),
        "state": t("evidence_state.missing"),
        "unit": "司法所",
        "units": "司法所、派出所",
        "town": "保和镇",
        "village": "村(社区)07",
        "title": "法治专题讲座",
        "names": "签到表.pdf、照片.jpg",
        "report": "baohe-2021",
        "slug": "baohe-2021",
        "slugs": "baohe-2021、yanjiang-2022",
        "value": "2022-02-30",
        "figure": "97.82",
        "progress": "1/2",
        "baseline": "15场次",
        "heading": "保和镇　承诺事项台账",
        "mark": "✗",
        "char": "\\u202e",
        "chars": "\\udcd5",
        "option": "--date",
        "param": "CODE",
        "choices": "summary | ledger | notice",
        "format": "xlsx",
        "command": "打印",
        "suggestion": "report",
        "detail": t("usage_unclear_plain"),
        "field": t("audit.field.extended_due"),
        "what": t("key.print"),
        "target": t("audit.target.event", name="12"),
        "ledger": status_label(Status.DONE),
        "chain": status_label(Status.TODO),
        "anchor": "1234:3f2a9c0d11e5b7a8",
        "revision": "0003",
        "head": "0005",
        "problem": t("audit_broken_hash", position=7, id=7),
        "sha256": "3f2a9c0d11e5b7a83f2a9c0d11e5b7a8",
        "url": "postgresql+psycopg://台账服务器/ledger",
        "lang": "法语",
        "key": "节日",
        "keys": "颜色",
        "known": "db、evidence_dir、holidays、lang、user、warn_days",
        "item": "'2027-1-1'",
        "args": "讲座 签到",
        "expected": t("seed.kind.integer"),
        "reason": reason,
        "other": "3.2-D/2022-01-04",
        "folder": "/home/王科员/文档",
        "score": "0.82",
        "ref": "baohe-2021/5.5a",
        "note": "延续 2021 年报告的“每年至少2次法治专题讲座”：种类相同，字句相似 0.92",
        "weekday": t("date.weekday.1"),
        "month_name": "5月",
        # i13-core: tracker import
        **dict.fromkeys("parts subparts drafts first last".split(), 7),
        "encoding": "GB18030",
        "source": t("import.read.text", encoding="UTF-8"),
        "seed": "/home/王科员/文档/baohe-2021.yaml",
        "text": "/home/王科员/文档/baohe-2021-report.txt",
        "confidence": "0.80",
        "words": "每年至少举办2次",
        "fields": "frequency, target",
        # i13-apply: tracker import --apply
        **dict.fromkeys("accepted rejected undecided links count".split(), 7),
        # i13-app: tracker review (草稿审核) uses the same counts
        # i14: tracker draft-report
        "issuer": "资阳市雁江区保和镇人民政府",
        "towns": "保和镇、东峰镇",
        **dict.fromkeys("periods done missed villages target".split(), 7),
        "amount": "620份",
        "before": "600余份",
        "delta": "20份",
        "cadence": "每日",
        "due": "2022年12月31日",
        "view": "2022-06-30",
        "today": "2026-12-05",
        # annual-render: a Word comment on a drafted sentence
        "codes": "1.1a；3.2-D",
        # search (issue 15): tracker overdue, lines not listed past --limit
        "more": 7,
        # passwords (tracker serve): how long a password must be, at least and at most
        "least": 8,
        "most": 1024,
        # tracker serve (issue 16): who is served, for how long a wrong password waits
        "who": t("serve.who_local", user="王科员"),
        "seconds": 4,
        "limit": 10,
        "port": 8000,
        "paths": "/home/tracker/文档/tracker-uploads/吴科员/20261205-093000-签到表.pdf",
    }


def placeholders(template: str) -> set[str]:
    return {
        re.split(r"[.\[]", name)[0] for _, name, _, _ in string.Formatter().parse(template) if name
    }


@pytest.mark.parametrize("reason", _reasons())
def test_every_chinese_message_holds_no_english_word(reason: str) -> None:
    values = samples(reason)
    found: dict[str, list[str]] = {}
    for key, template in CATALOGS["zh"].items():
        missing = placeholders(template) - set(values)
        assert not missing, f"{key}: no sample for {missing}"
        words = english_words(template.format(**values))
        # the seed's keys, as the curator writes them (the import's draft comments name them)
        if key.startswith(("seed.", "import.draft.", "import.apply.")):
            words = [word for word in words if word not in SEED_WORDS]
        if words:
            found[key] = words
    assert found == {}


def test_every_failure_people_meet_has_a_line_of_its_own() -> None:
    expected = {
        "file is not a database": "reason.not_a_database",
        "database is locked": "reason.locked",
        "attempt to write a readonly database": "reason.read_only",
        "database or disk is full": "reason.disk_full",
        "unable to open database file": "reason.cannot_open_database",
        "No space left on device": "reason.disk_full",
        "Permission denied": "reason.permission_denied",
        "No such file or directory": "reason.no_such_file",
        "Read-only file system": "reason.read_only",
    }
    for exc in FAILURES:
        message = exc.args[-1] if isinstance(exc, OSError) else str(exc)
        if message in expected:
            assert reason_key(exc) == expected[message], message
    assert reason_key(RuntimeError("x")) == "reason.unknown"
    assert reason_key(SERVER_FAILURES[2]) == "reason.disk_full"  # by its SQLSTATE
    assert reason_key(SERVER_FAILURES[3]) == "reason.server_unreachable"
    assert reason_key(SERVER_FAILURES[-1]) == "reason.unknown_database"


def test_sqlites_words_are_never_taken_for_a_servers_refused_login() -> None:
    """A column named role, a view that does not exist: SQLite's, not a login refused."""
    assert reason_key(sqlite3.IntegrityError("NOT NULL constraint failed: account.role")) == (
        "reason.unknown_database"
    )
    assert reason_key(sqlite3.OperationalError("view x does not exist")) == (
        "reason.unknown_database"
    )
    unknown_role = _ServerError('FATAL:  role "wang" does not exist', None)
    no_database = _ServerError('FATAL:  database "ledger" does not exist', None)
    assert reason_key(OperationalError("SELECT 1", {}, unknown_role)) == "reason.login_refused"
    assert reason_key(OperationalError("SELECT 1", {}, no_database)) == "reason.no_such_database"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_refusal_for_a_database_failure_is_in_the_officers_language(lang: str) -> None:
    set_language(lang)
    for exc in SERVER_FAILURES:
        refusal = refusal_of(exc)
        assert refusal is not None
        line = refusal.message()
        # The driver's words never pass: not "file is not a database", nor "denied".
        assert "database is locked" not in line and "denied for table" not in line
        assert "file is not a database" not in line and "connection refused" not in line
        if lang == "zh":
            assert english_words(line) == [], line
    set_language("zh")
    locked = refusal_of(SERVER_FAILURES[0])
    assert locked is not None
    assert locked.message() == t("db_unreadable", reason=t("reason.locked"))


# --- No raw enum value passed to a message ---------------------------------------------


def _message_calls() -> Iterator[tuple[str, str, ast.keyword]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "i18n" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            key = node.args[0]
            if name in {"t", "TrackerError"} and isinstance(key, ast.Constant):
                where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                for keyword in node.keywords:
                    yield where, str(key.value), keyword


# Where a `.value` passed to a message is not an enum's code: what was typed in a field, and
# a printout's format (xlsx, pdf: a format's name).
TYPED_VALUES = {("date_invalid", "value"), ("print_needs_out", "format")}


def test_no_message_is_given_an_enums_raw_value() -> None:
    """`status=old.value` put "verified" into a Chinese line; a label says 已销号."""
    raw = [
        f"{where} {key}: {keyword.arg}={ast.unparse(keyword.value)}"
        for where, key, keyword in _message_calls()
        if isinstance(keyword.value, ast.Attribute)
        and keyword.value.attr == "value"
        and (key, keyword.arg) not in TYPED_VALUES
    ]
    assert raw == []


# --- The command line, given bad input, in Chinese --------------------------------------

MORE_CASES: dict[str, tuple[str, ...]] = {
    "an option without its value": ("list", "--status"),
    "an extra argument": ("show", "1.1a", "多余"),
    "a flag given a value": ("list", "--overdue=yes"),
    "a group without its command": ("users",),
    "a figure that is no number": ("log", "2.1-N3", "--date", "2026-01-05", "--value", "十二"),
    "an unknown print kind": ("report", "--kind", "汇总表", "--format", "txt"),
    "an unknown role": ("users", "add", "李四", "--role", "科长"),
    "an unknown kind": ("list", "--kind", "每周"),
}


def _invoke_zh(*args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(
        app, list(args), env={"COLUMNS": "80", **(env or {})}, catch_exceptions=False
    )
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    return result.stderr


def _not_typed(stderr: str, args: tuple[str, ...]) -> str:
    """`stderr` without what the user typed, which a refusal quotes as typed (“late”)."""
    for arg in sorted(args, key=len, reverse=True):
        stderr = stderr.replace(arg, " ")
    return stderr


@pytest.mark.parametrize("name", [*CASES, *MORE_CASES])
def test_a_bad_invocation_is_refused_in_chinese_words(shared_db_url: str, name: str) -> None:
    args = CASES[name].args if name in CASES else MORE_CASES[name]
    stderr = _invoke_zh("--db", shared_db_url, "--user", "测试员", "--as-of", AS_OF, *args)
    assert stderr.strip()
    assert english_words(_not_typed(stderr, args)) == [], stderr


def test_the_refusals_of_the_status_rules_name_the_status_in_chinese(shared_db_url: str) -> None:
    """Signing off or returning 1.4c, not done: its status by its label, not "todo"."""
    shown = status_label(Status.TODO)
    for args, key in (
        (("verify", "1.4c"), "verify_not_done"),
        (("return", "1.4c", "--reason", "材料不全"), "return_not_done"),
    ):
        stderr = _invoke_zh("--db", shared_db_url, "--as-of", AS_OF, *args)
        assert stderr.splitlines() == [t(key, code="1.4c", status=shown)]
        assert f"“{shown}”" in stderr


def test_a_file_that_is_no_database_is_refused_in_chinese(tmp_path: Path) -> None:
    notes = tmp_path / "会议纪要.txt"
    notes.write_text("2022年第一次法治专题讲座纪要\n" * 200, encoding="utf-8")
    stderr = _invoke_zh("--db", str(notes), "--as-of", AS_OF, "list")
    assert stderr.strip() == t("db_unreadable", reason=t("reason.not_a_database"))


def test_bad_settings_and_holidays_files_are_told_in_chinese(
    shared_db_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    for text in ('lang = "zh"\n"颜色" = "red"\n', "lang = zh\n"):
        config.write_text(text, encoding="utf-8")
        stderr = _invoke_zh("--db", shared_db_url, "list", env={"TRACKER_CONFIG": str(config)})
        assert stderr.startswith(t("config_invalid", path=str(config), reason="")[:-1])
        assert english_words(stderr) == [], stderr
    holidays = tmp_path / "holidays.toml"
    for text in (
        "holidays = [2027-01-01]\nholiday = [2027-10-01]\n",
        'holidays = ["2027-01-01"]\n',
        "holidays = 2027-01-01\n",
        "holidays = [2027-01-01\n",
        "holidays = [2027-01-01]\nworkdays = [2027-01-01]\n",
    ):
        holidays.write_text(text, encoding="utf-8")
        stderr = _invoke_zh(
            "--db", shared_db_url, "--as-of", AS_OF, "list", env={"TRACKER_HOLIDAYS": str(holidays)}
        )
        assert stderr.startswith(t("holidays_invalid", reason="")), stderr
        assert english_words(_not_typed(stderr, ("holiday",))) == [], stderr


def test_a_roster_with_bad_rows_is_told_in_chinese(shared_db_url: str, tmp_path: Path) -> None:
    roster = tmp_path / "名册.csv"
    for text in (
        "编号,名称\n3\n",
        "编号,名称\n三,新村\n",
        "编号,名称\n3,\n",
        'number,name\n3,"a\x00b"\n',
    ):
        roster.write_text(text, encoding="utf-8")
        stderr = _invoke_zh(
            "--db", shared_db_url, "--as-of", AS_OF, "villages", "import", str(roster)
        )
        assert english_words(stderr) == [], stderr


# --- A seed file that is not right, told in Chinese -------------------------------------

# The seed's own keys, as they are written in the file (due, frequency, addressed_by…), and
# the YAML values a key takes (true, false): what the curator must type.
SEED_WORDS = (
    {
        name
        for model in (SeedDocument, SeedReport, SeedUnit, SeedSection, SeedCommitment)
        for name in model.model_fields
    }
    | {"true", "false", "Tab"}
    | {str(review.value) for review in Review}
)

MORE_SEED_BREAKS: dict[str, tuple[str, str]] = {
    "a kind without its deadline": ("    due: 2022-12-31\n", ""),
    "a word where a date goes": ("published: 2022-03-10", "published: 三月"),
    "an unknown field": ("    measure: 场次\n", "    measure: 场次\n    target_: 2\n"),
    "an unknown kind": ("    kind: rectification\n", "    kind: fix_it\n"),
    "a tab for indentation": ("    kind: rectification\n", "\tkind: rectification\n"),
    "a list where a text goes": ("town: 保和镇", "town: [保和镇]"),
    "a missing title": ("  title: 资阳市", "  titel: 资阳市"),
    "an unquoted code": ('  - code: "1.3"\n', "  - code: 1.10\n"),
    "unbalanced quotes": ('  - code: "1.3"\n', '  - code: "1.3\n'),
    "a report text not there": (
        "text_file: baohe-2021-report.txt",
        "text_file: nowhere.txt",
    ),
}


@pytest.mark.parametrize("case", [*SEED_REGRESSIONS, *MORE_SEED_BREAKS])
def test_a_bad_seed_file_is_refused_in_chinese_words(tmp_path: Path, case: str) -> None:
    set_language("zh")
    if case in SEED_REGRESSIONS:
        path = _seed_with(tmp_path, SEED_REGRESSIONS[case][0])
    else:
        old, new = MORE_SEED_BREAKS[case]
        path = _seed_with(tmp_path, lambda text: text.replace(old, new, 1))
    with pytest.raises(TrackerError) as caught:
        load_seed_file(path)
    line = caught.value.message()
    words = [word for word in english_words(line) if word not in SEED_WORDS]
    typed = {"fix_it", "target_", "titel", "abc", "maybe", "soon"}  # quoted as typed
    assert [word for word in words if word not in typed] == [], line


def test_show_gives_no_curators_remark_as_the_items_notes(shared_db_url: str) -> None:
    """1.4c's seed entry says why it is not done (整理说明); show has no 备注 for it."""
    result = runner.invoke(app, ["--db", shared_db_url, "--as-of", AS_OF, "show", "1.4c"])
    assert result.exit_code == 0, result.output
    assert "故不记 done" not in result.stdout and "整理时暂定" not in result.stdout
    assert t("col.notes") not in result.stdout
    assert english_words(result.stdout) == []


def test_restoring_from_a_file_that_is_no_database_says_so_in_chinese(
    tmp_path: Path, sqlite_template: Path
) -> None:
    db = tmp_path / "tracker.db"
    db.write_bytes(sqlite_template.read_bytes())
    notes = tmp_path / "会议纪要.db"
    notes.write_text("2022年第一次法治专题讲座纪要\n" * 200, encoding="utf-8")
    stderr = _invoke_zh("--db", str(db), "restore", str(notes))
    reason = t("reason.not_a_database")
    assert stderr.splitlines() == [t("restore_not_ledger", path=str(notes), reason=reason)]


def test_a_kind_is_understood_by_its_chinese_name_as_the_refusal_lists_it(
    shared_db_url: str,
) -> None:
    by_name = runner.invoke(
        app, ["--db", shared_db_url, "--as-of", AS_OF, "list", "--kind", "定量", "--format", "json"]
    )
    by_code = runner.invoke(
        app,
        ["--db", shared_db_url, "--as-of", AS_OF, "list", "--kind", "quota", "--format", "json"],
    )
    assert by_name.exit_code == 0, by_name.output
    assert by_name.stdout == by_code.stdout and "5.5a" in by_name.stdout
