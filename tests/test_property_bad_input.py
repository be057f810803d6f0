"""Bad input is never a traceback.

Hypothesis throws malformed seed files, roster CSVs and command-line arguments at the
importers and the commands. Every time the answer is either success or one clear line on
stderr (exit 1, or 2 for a usage error), and a refusal leaves the database exactly as it was:
compared by a fingerprint of every row of every table.

Each property runs many examples against one database per test (a copy of the seeded
template on SQLite, one seeded schema on PostgreSQL when TRACKER_TEST_DATABASE_URL is set;
fewer examples there). A success may change the database; the fingerprint is then taken
again, so that the next refusal is compared with the database as it then stood.

The regression tests at the end pin, one example each, the bugs these properties found.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, text
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select
from typer.testing import CliRunner, Result

import tracker.models  # noqa: F401  (registers every table on SQLModel.metadata)
from tracker.cli import app
from tracker.db import make_engine
from tracker.errors import TrackerError, hidden_character, printable, printable_json
from tracker.i18n import CATALOGS, t
from tracker.models import Commitment, History, HistoryKind, Report, Village
from tracker.services.list_filter import ListFilter
from tracker.services.listing import list_items
from tracker.services.seed_file import load_seed_file
from tracker.services.villages import (
    MAX_NAME,
    MAX_ROSTER_BYTES,
    MAX_VILLAGES,
    NAME_HEADERS,
    NUMBER_HEADERS,
    RosterChange,
    import_roster,
    read_roster_csv,
    rename_village,
)

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "seed_data" / "baohe-2021.yaml"
REPORT_PATH = ROOT / "seed_data" / "baohe-2021-report.txt"
SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")
SEED_DATA: dict[str, Any] = yaml.safe_load(SEED_TEXT)
AS_OF = "2026-11-26"
USER = "测试员"
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=timezone(timedelta(hours=8)))
VILLAGES = int(SEED_DATA["villages"])

# Examples per property and backend: PostgreSQL is slower per command, and SQLite and
# PostgreSQL share every line of the code under test but the driver. For a longer hunt,
# TRACKER_PROPERTY_SCALE=10 runs ten times as many.
SCALE = float(os.environ.get("TRACKER_PROPERTY_SCALE", "1"))
EXAMPLES = {"sqlite": 40 * SCALE, "postgresql": 12 * SCALE}

# Hypothesis profiles, chosen by TRACKER_PROPERTY_PROFILE: "ci" (the default) runs the
# counts above, quick enough for every commit; "hostile" runs at least 10,000 examples of
# every property, for a benchmark run (benchmarks/README.md, "Issue 10: hostile input").
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("hostile", settings.get_profile("ci"), max_examples=10_000)
PROFILE = os.environ.get("TRACKER_PROPERTY_PROFILE", "ci")
HOSTILE_RUN = PROFILE == "hostile"

runner = CliRunner()


def examples(backend: str, scale: float = 1.0) -> Any:
    """Hypothesis settings for a property run inside a test (fixtures made once per test):
    the profile's, with the example count of the backend, or the profile's own when the
    profile asks for more (every property of a hostile run gets at least its 10,000)."""
    profile = settings.get_profile(PROFILE)
    count = max(5, int(EXAMPLES[backend] * scale))
    if HOSTILE_RUN:
        count = max(count, profile.max_examples)
    return settings(profile, max_examples=count)


@pytest.fixture(autouse=True)
def _no_default_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Should generated arguments ever reach the default database, it is in tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def invoke(*args: str) -> Result:
    """Run `tracker ARGS`; an exception the CLI let through fails the example."""
    env = {"COLUMNS": "80", "TRACKER_USER": USER}
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def assert_clear_outcome(result: Result, *, allowed: tuple[int, ...] = (0, 1, 2)) -> None:
    """Success, or one non-empty line on stderr; never a traceback; and nothing printed that
    a terminal would obey or that would hide in a line (issue 10.7)."""
    assert "Traceback" not in result.output
    assert not unprintable_in(result.stdout), unprintable_in(result.stdout)
    assert not unprintable_in(result.stderr), unprintable_in(result.stderr)
    assert result.exit_code in allowed, (result.exit_code, result.output)
    if result.exit_code != 0:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].strip(), result.stderr
        assert result.stdout == "", result.stdout


def fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """Per table: the number of rows and a hash of all of them in primary-key order."""
    with engine.connect() as conn:
        result: dict[str, tuple[int, str]] = {}
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(sa_select(table).order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
            result[table.name] = (len(rows), digest)
        return result


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def one_line_in_every_language(error: TrackerError) -> None:
    for catalog in CATALOGS.values():
        message = catalog[error.key].format(**error.params)
        assert len(message.splitlines()) == 1 and message.strip(), message


# --- Strategies shared by the properties ---------------------------------------------------

# Text as users paste it: any character but NUL (no command line can hold one) and the
# surrogates (added separately, as Python's stand-ins for bytes that are not UTF-8).
any_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
chinese = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
undecodable = st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF)
TRICKY = [
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\u3000",
    "-",
    "--",
    "-x",
    "--all",
    "--format=json",
    "--as-of",
    "--help",
    "-h",
    "--version",
    "'",
    '"',
    "%",
    "_",
    "%_%",
    "' OR 1=1 --",
    "NULL",
    "null",
    "None",
    "0",
    "-1",
    "1e9",
    "NaN",
    "inf",
    "9" * 40,
    "１",
    "٣",
    "²",
    "完成了",
    "已完成",
    "司法所",
    "村(社区)",
    "\x1b[31m红\x1b[0m",
    "a\u2028b",
    "a\x85b",
    "\ufeff1.4c",
    "1.4c\n",
    "😀",
    # Issue 10.7: text that would act on the terminal or be read as Rich markup.
    "\x1b[2J\x1b[31m清屏",
    "\x1b]8;;https://example.com\x1b\\链接\x1b]8;;\x1b\\",
    "\x9b31m",
    "\u202eadmin",
    "李\u200b四",
    "\u2066王五\u2069",
    "\U000e0041",
    "[red]红[/red]",
    "[/]",
    "[link=https://example.com]点我[/link]",
    ":warning:",
]
# Characters that act on a terminal or hide in a line: the C0 and C1 controls (ESC, CSI),
# the line and paragraph separators, and the invisible formatting characters (Unicode Cf:
# bidi overrides and isolates, zero-width spaces, the BOM, tag characters).
HIDDEN = [
    chr(code)
    for code in range(1, 0x110000)
    if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp")
]
hidden_text = st.text(
    st.one_of(st.sampled_from(HIDDEN), chinese, st.sampled_from("[]/=: ")), min_size=1, max_size=12
)
# Everything str.splitlines() breaks a line at.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
nasty_text = st.one_of(
    st.sampled_from(TRICKY),
    st.tuples(
        st.text(any_char, max_size=6), st.sampled_from(LINE_BREAKS), st.text(any_char, max_size=6)
    ).map("".join),
    st.text(any_char, max_size=20),
    st.text(chinese, min_size=1, max_size=8),
    st.text(st.one_of(any_char, undecodable), min_size=1, max_size=6),
    st.text(st.sampled_from("0123456789-/.: T+"), max_size=14),
    st.sampled_from([300, 5000]).map(lambda n: "长" * n),
    hidden_text,
)


def unprintable_in(output: str) -> list[str]:
    """What of `output` would act on the terminal or hide in a line (line breaks and tabs
    are layout): control, separator, format and surrogate characters, by Unicode category."""
    return [
        char
        for char in output
        if char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]


# --- 1. Seed files -------------------------------------------------------------------------


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict | list):
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            yield from _paths(child, (*prefix, key))


# Every place in the seed a mutation may hit: "report", "report.town", "commitments.12.due"...
SEED_PATHS = list(_paths(SEED_DATA))
DATE_LINES = [m.start() for m in re.finditer(r"\b\d{4}-\d{2}-\d{2}\b", SEED_TEXT)]

junk_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**80), 2**80),
    st.floats(),
    st.dates(),
    st.text(any_char, max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 5000,
            "镇" * 300,
            "2021-02-30",
            "2021-13-01",
            "1.10",
            "1.4c",
            "todo",
            "done",
            "one_off",
            "quota",
            "yearly",
            "司法所",
            "a\x00b",
            "a\x1bb",
            "../../../etc/passwd",
            "/",
        ]
    ),
)
junk = st.recursive(
    junk_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.text(any_char, max_size=8), st.integers()), inner, max_size=3),
    ),
    max_leaves=8,
)


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


@st.composite
def mutated_data(draw: st.DrawFn) -> bytes:
    """The seed's data with a key dropped, a value replaced by junk or an entry doubled."""
    data = copy.deepcopy(SEED_DATA)
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(SEED_PATHS))
        try:
            parent = _parent(data, path)
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this place
        action = draw(st.sampled_from(["drop", "replace", "double"]))
        if action == "drop":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(junk)
        elif isinstance(parent, list):  # a code, unit or section listed twice
            parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = [parent[path[-1]], parent[path[-1]]]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


YAML_FORBIDDEN = [chr(c) for c in [*range(1, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x80, 0x9F]]
YAML_FORBIDDEN += ["\ufffe", "\uffff"]
YAML_JUNK = st.text(st.one_of(st.sampled_from(":{}[]&*!|>'\"%@`#-?,\t\n "), any_char), max_size=20)


@st.composite
def mutated_text(draw: st.DrawFn) -> bytes:
    """The seed's text with YAML broken: cut short, junk inserted, a line replaced, a date
    that does not exist, tabs for indentation, brackets nested thousands deep."""
    text_ = SEED_TEXT
    action = draw(
        st.sampled_from(
            ["truncate", "insert", "line", "control", "date", "tab", "nest", "duplicate_key"]
        )
    )
    pos = draw(st.integers(0, len(text_)))
    lines = text_.split("\n")
    index = draw(st.integers(0, len(lines) - 1))
    if action == "truncate":
        text_ = text_[:pos]
    elif action == "insert":
        text_ = text_[:pos] + draw(YAML_JUNK) + text_[pos:]
    elif action == "line":
        lines[index] = draw(YAML_JUNK)
        text_ = "\n".join(lines)
    elif action == "control":  # characters YAML does not allow anywhere, e.g. from a web page
        text_ = text_[:pos] + draw(st.sampled_from(YAML_FORBIDDEN)) + text_[pos:]
    elif action == "date":
        start = draw(st.sampled_from(DATE_LINES))
        bad = draw(st.sampled_from(["2022-02-30", "2021-13-01", "2021-00-10", "2021-12-32"]))
        text_ = text_[:start] + bad + text_[start + 10 :]
    elif action == "tab":
        lines[index] = "\t" + lines[index].lstrip(" ")
        text_ = "\n".join(lines)
    elif action == "nest":
        depth = draw(st.integers(50, 3000))
        opening = draw(st.sampled_from(["[", "{a: ", "- "]))
        lines[index] = lines[index] + " " + opening * depth
        text_ = "\n".join(lines)
    else:
        lines.insert(index, lines[index])
        text_ = "\n".join(lines)
    return text_.encode("utf-8")


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """The seed in an encoding other than UTF-8, with bytes spliced in, or no seed at all."""
    action = draw(st.sampled_from(["encoding", "splice", "random", "empty"]))
    if action == "encoding":
        return SEED_TEXT.encode(draw(st.sampled_from(["gbk", "gb18030", "utf-16", "utf-32"])))
    if action == "splice":
        data = SEED_TEXT.encode("utf-8")
        pos = draw(st.integers(0, len(data)))
        return data[:pos] + draw(st.binary(min_size=1, max_size=8)) + data[pos:]
    if action == "random":
        return draw(st.binary(max_size=200))
    return b""


bad_seed = st.one_of(mutated_data(), mutated_text(), mutated_bytes())


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A folder for the mutated seed, beside a copy of the report text it names."""
    folder = tmp_path / "seed"
    folder.mkdir()
    shutil.copy(REPORT_PATH, folder / REPORT_PATH.name)
    return folder


def _drop_everything(engine: Engine, url: str) -> None:
    """Back to an empty database after a mutation that happened to be a valid seed."""
    engine.dispose()
    if url.startswith("sqlite"):
        database = Path(url.removeprefix("sqlite:///"))
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
        return
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _is_empty(engine: Engine, url: str) -> bool:
    """No database file, or no table of the ledger with a row in it."""
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        return True
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        return all(
            conn.execute(sa_select(func.count()).select_from(table)).scalar_one() == 0
            for table in SQLModel.metadata.sorted_tables
            if table.name in tables
        )


def test_a_bad_seed_file_leaves_a_new_database_unmade(
    backend: str, empty_db_url: str, seed_dir: Path
) -> None:
    """`tracker init --seed BAD` on a database that does not exist yet: either the seed
    happens to be valid, or one line, and no ledger (or an empty one) is left behind. The
    refusal comes from reading the file, before any database is touched, and is one line
    there already."""
    seed_file = seed_dir / "seed.yaml"
    engine = make_engine(empty_db_url)

    @examples(backend, scale=0.4)
    @given(content=bad_seed)
    def refused_before_anything_is_written(content: bytes) -> None:
        seed_file.write_bytes(content)
        # Seen from early 2022, a seed that happens to be valid makes the periods of one year
        # rather than five: the refusals under test are the same.
        as_of = "2022-01-15"
        result = invoke("--db", empty_db_url, "--as-of", as_of, "init", "--seed", str(seed_file))
        assert_clear_outcome(result, allowed=(0, 1))
        if result.exit_code != 0:
            assert _is_empty(engine, empty_db_url)
            # One line already from the loader, not only once the CLI has escaped it.
            with pytest.raises(TrackerError) as caught:
                load_seed_file(seed_file)
            one_line_in_every_language(caught.value)
        _drop_everything(engine, empty_db_url)

    try:
        refused_before_anything_is_written()
    finally:
        engine.dispose()


def test_a_bad_seed_file_leaves_a_seeded_database_as_it_was(
    backend: str, db_url: str, engine: Engine, seed_dir: Path
) -> None:
    """`tracker init --seed BAD` on the seeded ledger: success (adding only what the seed
    newly holds), or one line and not one row changed."""
    seed_file = seed_dir / "seed.yaml"
    state = {"before": fingerprint(engine)}

    @examples(backend, scale=0.6)
    @given(content=bad_seed)
    def refused_without_a_trace(content: bytes) -> None:
        seed_file.write_bytes(content)
        result = invoke("--db", db_url, "--as-of", AS_OF, "init", "--seed", str(seed_file))
        assert_clear_outcome(result, allowed=(0, 1))
        after = fingerprint(engine)
        if result.exit_code != 0:
            assert after == state["before"]
        state["before"] = after

    refused_without_a_trace()


# --- 2. Roster CSVs ------------------------------------------------------------------------


def hides_characters(name: str) -> bool:
    """Whether a name holds a control, separator, format (bidi, zero-width, soft hyphen) or
    surrogate character: the importer refuses such a name (issue 10.7)."""
    return any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs") for char in name)


EXTRA_HEADERS = ["备注", "remark", "", "乡镇", "名称备注"]


@dataclass(frozen=True)
class RosterFile:
    """A generated roster file, and the import it must give when it is well-formed."""

    data: bytes
    # The error key the importer must give, or None for success; unknown (a file mangled on
    # purpose: cells not quoted, bytes broken) when `faithful` is False.
    expected_key: str | None
    roster: dict[int, str]
    faithful: bool

    def __repr__(self) -> str:  # the data may be megabytes
        head = self.data[:300] + (b"..." if len(self.data) > 300 else b"")
        return (
            f"RosterFile(data={head!r} ({len(self.data)} bytes), "
            f"expected_key={self.expected_key!r}, faithful={self.faithful})"
        )


number_cell = st.one_of(
    st.integers(1, VILLAGES + 5).map(str),
    st.integers(-5, MAX_VILLAGES + 5).map(str),
    st.integers(1, VILLAGES).map(lambda n: f" {n:03d} "),
    st.sampled_from(
        ["", " ", "０７", "٣", "²", "七", "7.0", "+3", "1e3", "0", "-1", "1" * 30, "1" * 5000]
    ),
)
village_name = st.text(chinese, min_size=1, max_size=4).map(lambda s: s + "村")
name_cell = st.one_of(
    village_name,
    village_name,
    st.text(st.one_of(any_char, st.sampled_from(",\"'\n\r\x00\u3000")), max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "\u3000",
            "村" * MAX_NAME,
            "村" * (MAX_NAME + 1),
            'a"b村',
            "和平,光明村",
            "和平\n村",
            "和平\r村",
            "和平\x00村",
            "😀村",
            " 和平村 ",
            "和平\u202e村",
            "\u200b和平村",
            "和\u00ad平村",
            "\x1b[31m和平村",
        ]
    ),
    st.text(any_char, min_size=MAX_NAME - 5, max_size=MAX_NAME + 5),
    # Long, and (rarely) past the csv module's field limit of 131072 characters.
    st.sampled_from([300] * 7 + [csv.field_size_limit() + 1]).map(lambda n: "长" * n),
)


def _header_name(candidates: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(candidates), st.sampled_from([str.upper, str.lower, str])).map(
        lambda pair: f" {pair[1](pair[0])} " if pair[0].isascii() else pair[0]
    )


def expected_import(
    cells: list[list[str]], rows: list[tuple[str, str]], columns: list[str]
) -> tuple[str | None, dict[int, str]]:
    """What the importer must make of a well-formed file: the error key or the roster.

    `cells` are the file's rows as written, header first; `rows` the (number, name) pairs
    of its data rows; `columns` what each column holds: number, name or something else.
    """
    if any(len(cell) > csv.field_size_limit() for row in cells for cell in row):
        return "csv_malformed", {}  # the csv module refuses it while reading, before any check
    if not any(any(cell.strip() for cell in row) for row in cells):
        return "csv_empty", {}
    # A row of blank cells is skipped; the extra columns hold "x", so only a row of two
    # columns can be blank.
    data_rows = [row for row in rows if row[0].strip() or row[1].strip() or len(columns) > 2]
    if "number" not in columns or "name" not in columns:
        return "csv_columns", {}
    roster: dict[int, str] = {}
    names: set[str] = set()
    for number_text, name_text in data_rows:
        number_text, name = number_text.strip(), name_text.strip()
        if (
            not number_text.isdecimal()
            or len(number_text) > 6
            or not 1 <= int(number_text) <= MAX_VILLAGES
        ):
            return "csv_row", {}
        if not name or len(name) > MAX_NAME:
            return "csv_row", {}
        if hides_characters(name):
            return "csv_name_control", {}
        if int(number_text) in roster or name in names:
            return "csv_duplicate", {}
        roster[int(number_text)] = name
        names.add(name)
    return None, roster


@st.composite
def roster_files(draw: st.DrawFn) -> RosterFile:
    """A roster as an officer's spreadsheet might save it, or mangle it."""
    has_number = draw(st.integers(0, 7)) > 0
    has_name = draw(st.integers(0, 7)) > 0
    columns = ["number" if has_number else "x1", "name" if has_name else "x2"]
    columns += draw(st.lists(st.sampled_from(EXTRA_HEADERS), max_size=2, unique=True))
    columns = draw(st.permutations(columns))
    header = [
        draw(_header_name(NUMBER_HEADERS))
        if c == "number"
        else draw(_header_name(NAME_HEADERS))
        if c == "name"
        else ("其他" if c.startswith("x") else c)
        for c in columns
    ]
    # Mostly distinct, valid villages; sometimes a number or name used twice.
    rows = draw(st.lists(st.tuples(number_cell, name_cell), max_size=8))
    if rows and draw(st.booleans()):
        numbers = draw(st.permutations(range(1, VILLAGES + 6)))
        rows = [(str(numbers[i]), name) for i, (_, name) in enumerate(rows)]
    if len(rows) > 1 and draw(st.integers(0, 4)) == 0:
        rows.append(rows[draw(st.integers(0, len(rows) - 1))])
    blank_rows = draw(st.lists(st.integers(0, len(rows)), max_size=2))
    cells: list[list[str]] = [header]
    for index, (number, name) in enumerate(rows):
        if index in blank_rows:
            cells.append(draw(st.sampled_from([[], [""], ["", " "], [" \u3000"]])))
        row = []
        for column in columns:
            row.append(number if column == "number" else name if column == "name" else "x")
        cells.append(row)
    short_row = rows and draw(st.integers(0, 5)) == 0
    if short_row:
        cells.append(cells[-1][:1])
    line_end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quoting = draw(st.sampled_from(["csv", "csv", "raw"]))
    buffer = io.StringIO()
    if quoting == "csv":
        has_break = any("\r" in cell or "\n" in cell for row in cells for cell in row)
        mode = csv.QUOTE_ALL if has_break else csv.QUOTE_MINIMAL
        csv.writer(buffer, lineterminator=line_end, quoting=mode).writerows(cells)
    else:  # as a hand-made file: cells joined with commas, nothing quoted
        buffer.write("".join(",".join(row) + line_end for row in cells))
    content = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "broken"]))
    faithful = quoting == "csv" and encoding != "broken" and not short_row
    if encoding == "gbk":
        try:
            data = content.encode("gbk")
        except UnicodeEncodeError:  # characters beyond GBK: Excel would write GB18030
            data = content.encode("gb18030")
        try:
            data.decode("utf-8")
            faithful = False  # GBK bytes that also read as UTF-8 are read as UTF-8
        except UnicodeDecodeError:
            pass
    elif encoding == "broken":
        whole = content.encode(draw(st.sampled_from(["utf-8", "utf-16", "big5"])), "replace")
        pos = draw(st.integers(0, len(whole)))
        data = whole[:pos] + draw(st.binary(min_size=1, max_size=6)) + whole[pos:]
    else:
        data = content.encode(encoding)
    key, roster = expected_import(cells, rows, columns)
    if len(data) > MAX_ROSTER_BYTES:  # refused unread, before anything in it is looked at
        key, roster = "file_too_large", {}
    return RosterFile(data=data, expected_key=key, roster=roster, faithful=faithful)


def roster_of(session: Session) -> dict[int, str]:
    villages = session.exec(select(Village).order_by(col(Village.number))).all()
    return {v.number: v.name for v in villages}


def village_history(session: Session) -> int:
    query = select(History).where(History.kind == HistoryKind.VILLAGE)
    return len(session.exec(query).all())


def test_import_roster_refuses_bad_files_whole_or_takes_the_roster_as_given(
    backend: str, engine: Engine, tmp_path: Path
) -> None:
    """The service: a TrackerError whose message is one line in every language, with nothing
    written, or the roster exactly as the file gives it; each example rolled back."""
    path = tmp_path / "villages.csv"

    @examples(backend, scale=1.5)
    @given(file=roster_files())
    def all_or_nothing(file: RosterFile) -> None:
        path.write_bytes(file.data)
        with Session(engine) as session:
            report = session.exec(select(Report)).one()
            before = (roster_of(session), village_history(session))
            try:
                change: RosterChange | TrackerError = import_roster(
                    session=session, report=report, path=path, user=USER, now=NOW
                )
            except TrackerError as error:
                change = error
            session.flush()
            after = roster_of(session)
            history = village_history(session)
            session.rollback()
        event(f"{'faithful' if file.faithful else 'mangled'}: {getattr(change, 'key', 'imported')}")
        if isinstance(change, TrackerError):
            one_line_in_every_language(change)
            assert (after, history) == before
            if file.faithful:
                assert change.key == file.expected_key
            return
        given_roster = read_roster_csv(path)
        if file.faithful:
            assert file.expected_key is None
            assert given_roster == file.roster
        assert after == {**before[0], **given_roster}
        assert change.added == len(set(given_roster) - set(before[0]))
        changed = {n for n, name in given_roster.items() if before[0].get(n, name) != name}
        assert change.renamed == len(changed)
        assert history - before[1] == change.added + change.renamed

    all_or_nothing()


def test_villages_import_command_refuses_bad_files_with_one_line(
    backend: str, db_url: str, engine: Engine, tmp_path: Path
) -> None:
    """`tracker villages import FILE`: the roster taken, or one line and no row changed."""
    path = tmp_path / "村名册.csv"
    state = {"before": fingerprint(engine)}

    @examples(backend, scale=0.6)
    @given(file=roster_files())
    def one_line_or_imported(file: RosterFile) -> None:
        path.write_bytes(file.data)
        result = invoke("--db", db_url, "--as-of", AS_OF, "villages", "import", str(path))
        assert_clear_outcome(result, allowed=(0, 1))
        after = fingerprint(engine)
        if result.exit_code != 0:
            assert after == state["before"]
        else:
            with Session(engine) as session:
                roster = roster_of(session)
            assert all(roster[n] == name for n, name in read_roster_csv(path).items())
        state["before"] = after

    one_line_or_imported()


# --- 3. Command-line arguments -------------------------------------------------------------

CODES = ["1.4c", "1.1a", "5.5a", "5.5a/2022", "5.5a/2026", "3.3a-V07", "2.1-N1", "6.1", "7.1"]
STATUSES = ["todo", "in_progress", "done", "blocked", "cancelled", "已完成", "进行中", "受阻"]
UNITS = [unit["name"] for unit in SEED_DATA["units"]]
KINDS = ["one_off", "recurring", "quota", "per_village", "rectification", "indicator", "分村"]
FORMATS = ["table", "json", "csv", "txt", "md", "html", "docx", "xlsx", "pdf"]
PRINT_KINDS = ["summary", "ledger", "notice"]


def either(valid: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(valid), nasty_text)


# Valid dates only up to 2027: any command with --as-of in a later year first creates every
# period of every year up to it, for good (--as-of 9999-12-31 does not finish). That is no
# traceback or half-written refusal these properties could check; it is reported apart.
ancient_dates = st.one_of(
    st.dates(max_value=date(1899, 12, 31)).map(lambda d: d.isoformat()),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)).map(date.isoformat),
    st.sampled_from(["0001-01-01", "1899-12-31", "1900-01-01", "2020-12-31"]),
)
dates = st.one_of(
    st.dates(max_value=datetime(2027, 12, 31).date()).map(lambda d: d.isoformat()),
    ancient_dates,
    st.sampled_from(
        ["2022-02-30", "2026-13-01", "2026-00-10", "20261126", "2026-W48-4", " 2026-11-26 "]
    ),
    st.sampled_from(["2026/11/26", "２０２６-１１-２６", "26-11-2026", "2026-11-26T09:00"]),
    nasty_text,
)
numbers = st.one_of(
    st.integers(-10, 10).map(str), st.integers(-(10**30), 10**30).map(str), nasty_text
)
# Figures as typed: any float Python parses, non-finite ones among them (nan, inf, -inf,
# and 1e999, which parses as inf).
figures = st.one_of(
    st.floats().map(str),
    st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999", "-0", "12"]),
    numbers,
)
limits = st.one_of(st.integers(-(10**6), -1).map(str), st.integers(0, 60).map(str), numbers)


def option(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, ...]]:
    """Absent, `NAME VALUE` or `NAME=VALUE`."""
    return st.one_of(
        st.just(()),
        values.map(lambda v: (name, v)),
        values.map(lambda v: (f"{name}={v}",)),
    )


def command(*parts: st.SearchStrategy[tuple[str, ...]]) -> st.SearchStrategy[list[str]]:
    return st.tuples(*parts).map(lambda groups: [arg for group in groups for arg in group])


def fixed(*args: str) -> st.SearchStrategy[tuple[str, ...]]:
    return st.just(args)


def arg(values: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return values.map(lambda v: (v,))


list_options = st.lists(
    st.one_of(
        option("--status", either(STATUSES)),
        option("--unit", either(UNITS)),
        option("--section", numbers),
        option("--kind", either(KINDS)),
        option("--format", either(FORMATS)),
        option("--village", numbers),
        option("--due-within", numbers),
        option("--limit", limits),
        option("--search", nasty_text),
        option("--as-of", dates),
        st.sampled_from([("--all",), ("--overdue",)]),
    ),
    max_size=3,
).map(lambda groups: tuple(arg for group in groups for arg in group))

global_options = st.one_of(
    option("--as-of", dates),
    option("--report", either(["baohe-2021"])),
    option("--user", nasty_text),
    option("--lang", either(["zh", "en", "EN", "中文"])),
    option("--warn-days", numbers),
)
commands = st.one_of(
    command(
        fixed("status"),
        arg(either(CODES)),
        arg(either(STATUSES)),
        option("--note", nasty_text),
        option("--as-of", dates),
    ),
    command(
        fixed("log"),
        arg(either(CODES)),
        option("--date", dates),
        option("--note", nasty_text),
        option("--value", figures),
        option("--as-of", dates),
    ),
    command(
        fixed("log"),
        arg(either(["3.2-D", "3.2-W", "3.2-M", *CODES])),
        option("--from", dates),
        option("--to", dates),
        option("--value", figures),
    ),
    command(
        fixed("extend"),
        arg(either(CODES)),
        option("--to", dates),
        option("--reason", nasty_text),
        option("--date", dates),
    ),
    command(fixed("void"), arg(numbers), option("--reason", nasty_text), option("--date", dates)),
    command(
        fixed("users", "add"),
        arg(nasty_text),
        option("--role", either(["admin", "supervisor", "officer"])),
        option("--unit", either(UNITS)),
    ),
    command(fixed("users", "list")),
    command(fixed("history"), arg(either(CODES))),
    command(fixed("note"), arg(either(CODES)), arg(nasty_text), option("--as-of", dates)),
    command(
        fixed("show"),
        arg(either(CODES)),
        option("--format", either(FORMATS)),
        option("--as-of", dates),
    ),
    command(fixed("list"), list_options),
    command(fixed("overdue"), option("--unit", either(UNITS)), option("--as-of", dates)),
    command(
        fixed("report"),
        option("--kind", either(PRINT_KINDS)),
        option("--format", either(FORMATS)),
        option("--unit", either(UNITS)),
        option("--section", numbers),
        option("--as-of", dates),
    ),
    command(fixed("villages", "rename"), arg(numbers), arg(nasty_text), option("--date", dates)),
    command(fixed("villages"), option("--as-of", dates)),
    arg(nasty_text),  # not a command at all
)


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """A command with its arguments; one time in four after a global option."""
    prefix = draw(global_options) if draw(st.integers(0, 3)) == 0 else ()
    return [*prefix, *draw(commands)]


def test_commands_answer_bad_arguments_with_one_line_and_change_nothing(
    backend: str, db_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any arguments to status, log, note, show, list, overdue, report and villages: exit 0,
    1 or 2; on 1 or 2 one line on stderr, no traceback, and not one row changed."""
    monkeypatch.chdir(tmp_path)  # where a report --out or an evidence file would land
    state = {"before": fingerprint(engine)}

    @examples(backend, scale=1.25)
    @given(args=command_lines())
    def one_line_and_unchanged(args: list[str]) -> None:
        result = invoke("--db", db_url, "--as-of", AS_OF, *args)
        assert_clear_outcome(result)
        after = fingerprint(engine)
        if result.exit_code != 0:
            assert after == state["before"]
        state["before"] = after

    one_line_and_unchanged()


# --- 4. Stored text, names, dates and limits (issue 10.7) -----------------------------------

any_text = st.text(st.one_of(any_char, st.sampled_from(HIDDEN), undecodable), max_size=30)


@settings(settings.get_profile(PROFILE), max_examples=10_000 if HOSTILE_RUN else 400)
@given(text=st.one_of(any_text, nasty_text))
def test_printable_leaves_nothing_a_terminal_would_obey(text: str) -> None:
    """printable escapes every control, separator, format and surrogate character and
    nothing else; on one line, or keeping line breaks and tabs; printable_json writes the
    same JSON value with them escaped."""
    one_line = printable(text)
    assert not unprintable_in(one_line) and "\n" not in one_line and "\t" not in one_line
    assert not unprintable_in(printable(text, keep_lines=True))
    assert (hidden_character(text) is None) == (one_line == text)
    if not any("\ud800" <= char <= "\udfff" for char in text):  # json.loads pairs surrogates
        dumped = printable_json(json.dumps({"note": text}, ensure_ascii=False))
        assert not unprintable_in(dumped.replace("\n", ""))
        assert json.loads(dumped) == {"note": text}


def test_stored_text_is_shown_back_and_never_obeyed(
    backend: str, db_url: str, engine: Engine
) -> None:
    """Any note that is taken (escape sequences, bidi overrides, Rich markup) comes back from
    the audit history and show with nothing a terminal would obey (assert_clear_outcome),
    and exactly as typed in show's JSON; a refused one changes nothing of its item. (The
    tables of show are checked in tests/test_cli_bad_input.py.) Notes go to any of the
    ledger's 1,700 rows, so that no item's history grows long enough to time its drawing."""
    with Session(engine) as session:
        codes = sorted(session.exec(select(Commitment.code)).all())

    def trace(code: str) -> tuple[int, str | None]:
        """An item's history rows and notes: all a note changes."""
        with Session(engine) as session:
            item = session.exec(select(Commitment).where(Commitment.code == code)).one()
            rows = select(func.count()).select_from(History).where(History.commitment_id == item.id)
            return session.exec(rows).one(), item.notes

    @examples(backend, scale=0.5)
    @given(code=st.sampled_from(codes), text=nasty_text)
    def shown_as_typed(code: str, text: str) -> None:
        before = trace(code)
        # After "--", as a script passes any text: "--help" is then a note, not the help.
        noted = invoke("--db", db_url, "--as-of", AS_OF, "note", code, "--", text)
        assert_clear_outcome(noted)
        event(f"note {'taken' if noted.exit_code == 0 else 'refused'}")
        if noted.exit_code != 0:
            assert trace(code) == before
            return
        history = invoke("--db", db_url, "--as-of", AS_OF, "history", code)
        assert_clear_outcome(history, allowed=(0,))
        shown = invoke("--db", db_url, "--as-of", AS_OF, "show", code, "--format", "json")
        assert_clear_outcome(shown, allowed=(0,))
        assert json.loads(shown.stdout)["history"][-1]["note"] == text.strip()

    shown_as_typed()


name_text = st.one_of(
    st.text(chinese, min_size=1, max_size=4),
    st.tuples(
        st.text(chinese, max_size=3), st.sampled_from(HIDDEN), st.text(chinese, max_size=3)
    ).map("".join),
    hidden_text,
)


def test_names_with_hidden_characters_are_refused(
    backend: str, db_url: str, engine: Engine
) -> None:
    """An account or a village named with a control, bidi or invisible character is refused
    in one line with nothing written; a name of visible characters is taken."""
    state = {"before": fingerprint(engine)}

    @examples(backend, scale=0.75)
    @given(name=name_text, village=st.booleans())
    def refused_or_taken(name: str, village: bool) -> None:
        if village:
            args: tuple[str, ...] = ("villages", "rename", "5", name)
        else:
            args = ("users", "add", name, "--role", "supervisor")
        result = invoke("--db", db_url, "--as-of", AS_OF, *args)
        assert_clear_outcome(result, allowed=(0, 1))
        hidden = any(char in HIDDEN for char in name.strip())
        event(f"{'village' if village else 'account'}: {'hidden' if hidden else 'visible'}")
        after = fingerprint(engine)
        if hidden:
            assert result.exit_code == 1
            key = "village_name_control" if village else "name_hidden_character"
            assert result.stderr.startswith(CATALOGS["zh"][key].split("“")[0])
            assert after == state["before"]
        state["before"] = after

    refused_or_taken()


DATED_COMMANDS = {
    "--as-of": lambda day: ("list", "--as-of", day),
    "--date": lambda day: ("log", "1.1a", "--date", day, "--note", "讲座"),
    "--from": lambda day: ("log", "3.2-D", "--from", day, "--to", "2022-01-05"),
    "--to": lambda day: ("extend", "1.4c", "--to", day, "--reason", "待批复"),
}


def test_dates_before_1900_or_the_report_are_refused(
    backend: str, db_url: str, engine: Engine
) -> None:
    """Any date before 1900 (and an --as-of before the report's year, 2021) is refused in
    one line naming the option; an early date after that is refused too (before the item
    begins, before its deadline); nothing is written."""
    before = fingerprint(engine)

    @examples(backend, scale=0.5)
    @given(day=ancient_dates, option=st.sampled_from(sorted(DATED_COMMANDS)))
    def refused(day: str, option: str) -> None:
        result = invoke("--db", db_url, "--as-of", AS_OF, *DATED_COMMANDS[option](day))
        assert_clear_outcome(result, allowed=(1,))
        year = int(day[:4])
        if year < 1900 or (option == "--as-of" and year < 2021):
            floor = 1900 if year < 1900 else 2021
            expected = CATALOGS["zh"]["date_too_early"].format(value=day, option=option, year=floor)
            assert result.stderr.strip() == expected
        assert fingerprint(engine) == before

    refused()


@examples("sqlite")
@given(limit=st.integers(-(10**9), -1))
def test_a_negative_limit_is_refused_before_any_query(limit: int) -> None:
    """The service refuses it before any query: SQLite and PostgreSQL are never asked."""
    with pytest.raises(TrackerError) as caught:
        list_items(session=None, flt=ListFilter(), deadlines=None, limit=limit)  # type: ignore[arg-type]
    assert caught.value.key == "limit_invalid"
    one_line_in_every_language(caught.value)


# --- Regressions: one example of each bug the properties found ------------------------------


def _seed_with(tmp_path: Path, change: Callable[[str], str]) -> Path:
    folder = tmp_path / "seed"
    folder.mkdir(exist_ok=True)
    shutil.copy(REPORT_PATH, folder / REPORT_PATH.name)
    path = folder / "seed.yaml"
    path.write_text(change(SEED_TEXT), encoding="utf-8")
    return path


def _replace(old: str, new: str) -> Callable[[str], str]:
    def change(text_: str) -> str:
        assert old in text_
        return text_.replace(old, new, 1)

    return change


# Each with the message key of its reason and the reason's parameters (a parameter naming a
# key of its own, "what": "seed.tag.int", is that message): said in the officer's words.
SEED_REGRESSIONS: dict[str, tuple[Callable[[str], str], tuple[str, dict[str, Any]]]] = {
    # PyYAML's constructors raised ValueError, KeyError, AttributeError: a traceback.
    "a date with no such day": (
        _replace("published: 2022-03-10", "published: 2022-02-30"),
        ("seed.not_valid", {"value": "'2022-02-30'", "what": "seed.tag.timestamp"}),
    ),
    "an explicit int tag on a word": (
        _replace("year: 2021", "year: !!int abc"),
        ("seed.not_valid", {"value": "'abc'", "what": "seed.tag.int"}),
    ),
    "an explicit bool tag on a word": (
        _replace("year: 2021", "year: !!bool maybe"),
        ("seed.not_valid", {"value": "'maybe'", "what": "seed.tag.bool"}),
    ),
    "an explicit timestamp tag on a word": (
        _replace("year: 2021", "year: !!timestamp soon"),
        ("seed.not_valid", {"value": "'soon'", "what": "seed.tag.timestamp"}),
    ),
    # RecursionError in PyYAML's composer.
    "brackets nested 600 deep": (
        _replace("year: 2021", "year: " + "[" * 600 + "]" * 600),
        ("seed.nested", {}),
    ),
    # A ReaderError's text is two lines; it named line 1.
    "a control character": (
        _replace("year: 2021", "year: 20\x0121"),
        ("seed.yaml_character", {"char": "\\x01"}),
    ),
    # Written to SQLite, refused by PostgreSQL ("db unreadable") after the schema was made.
    "a NUL character": (
        _replace("town: 保和镇", 'town: "保和\\0镇"'),
        ("seed.control_character", {"char": "\\x00"}),
    ),
    "a town longer than its column": (
        _replace("town: 保和镇", "town: " + "镇" * 65),
        ("seed.too_long", {"field": "town", "limit": 64}),
    ),
    "a title longer than its column": (
        _replace("title: 资阳市", "title: " + "资" * 200 + "资阳市"),
        ("seed.too_long", {"field": "title", "limit": 200}),
    ),
    "a measure longer than its column": (
        lambda s: re.sub(r"measure: .*", "measure: " + "x" * 21, s, count=1),
        ("seed.too_long", {"field": "measure", "limit": 20}),
    ),
    "a target beyond an integer column": (
        lambda s: re.sub(r"target: \d+", "target: 99999999999", s, count=1),
        ("seed.too_large", {"field": "target", "limit": 10000}),
    ),
    "an infinite baseline": (
        lambda s: re.sub(r"baseline: [\d.]+", "baseline: .inf", s, count=1),
        ("seed.finite", {"field": "baseline"}),
    ),
    # OverflowError from SQLite, or ValueError "year 10000 is out of range": tracebacks.
    "a plan year of 99999": (
        _replace("plan_year: 2022 ", "plan_year: 99999 "),
        ("seed.too_large", {"field": "plan_year", "limit": 2100}),
    ),
    "a year beyond any integer column": (
        _replace("year: 2021", "year: 99999999999999999999"),
        ("seed.too_large", {"field": "year", "limit": 2100}),
    ),
    # UnicodeDecodeError and "embedded null byte" ValueError: tracebacks.
    "a report text that is not text": (
        _replace("text_file: baohe-2021-report.txt", f"text_file: {sys.executable}"),
        ("seed.text_unreadable", {"path": sys.executable, "reason": "reason.not_utf8"}),
    ),
    "a report text path with NUL": (
        _replace("text_file: baohe-2021-report.txt", 'text_file: "a\\0b"'),
        ("seed.control_character", {"char": "\\x00"}),
    ),
    # IntegrityError on the second section 1, reported as "cannot read the database".
    "a section listed twice": (
        _replace("  - number: 2\n", "  - number: 1\n    heading: 又一\n  - number: 2\n"),
        ("seed.section_twice", {"section": 1}),
    ),
    "a unit listed twice": (
        _replace("units:\n", "units:\n  - name: 镇党委\n"),
        ("seed.unit_twice", {"unit": "镇党委"}),
    ),
    # Found by the hostile run (10,000 examples): valid to the loader, then an
    # IntegrityError while seeding, said as "cannot read the database".
    "a co-operating unit named twice": (
        _replace("co_units: [市场监管所]", "co_units: [市场监管所, 市场监管所]"),
        ("seed.co_unit_twice", {"unit": "市场监管所"}),
    ),
    "a measure named twice in addressed_by": (
        _replace('addressed_by: ["7.1a", "7.1b"', 'addressed_by: ["7.1a", "7.1a", "7.1b"'),
        ("seed.code_listed_twice", {"code": "7.1a"}),
    ),
}


@pytest.mark.parametrize("case", list(SEED_REGRESSIONS))
def test_seed_regressions_are_refused_in_one_line(tmp_path: Path, case: str) -> None:
    change, (key, params) = SEED_REGRESSIONS[case]
    with pytest.raises(TrackerError) as caught:
        load_seed_file(_seed_with(tmp_path, change))
    assert caught.value.key == "seed_invalid"
    said = {k: t(v) if str(v).startswith(("seed.", "reason.")) else v for k, v in params.items()}
    assert t(key, **said) == caught.value.params["reason"]
    one_line_in_every_language(caught.value)


@pytest.mark.parametrize(
    "case",
    [
        "a section listed twice",
        "a plan year of 99999",
        "a co-operating unit named twice",
        "a measure named twice in addressed_by",
    ],
)
def test_seed_regressions_leave_no_database_behind(tmp_path: Path, case: str) -> None:
    """Both were refused only while seeding: after `init` had made the database file."""
    change, _ = SEED_REGRESSIONS[case]
    path = _seed_with(tmp_path, change)
    with pytest.raises(TrackerError) as caught:
        load_seed_file(path)
    db = tmp_path / "new.db"
    result = invoke("--db", str(db), "--as-of", AS_OF, "init", "--seed", str(path))
    assert_clear_outcome(result, allowed=(1,))
    assert result.stderr.strip() == caught.value.message()
    assert not db.exists()


def test_seed_control_character_is_reported_on_its_line(tmp_path: Path) -> None:
    path = _seed_with(tmp_path, _replace("year: 2021", "year: 20\x0121"))
    with pytest.raises(TrackerError) as caught:
        load_seed_file(path)
    line = next(n for n, s in enumerate(path.read_text().splitlines(), 1) if "\x01" in s)
    assert caught.value.params["line"] == line


def test_seed_checkpoints_longer_than_their_column_are_refused(tmp_path: Path) -> None:
    days = ", ".join(
        f'"{month:02d}-{day:02d}": {month * 100 + day}'
        for month in range(1, 13)
        for day in (10, 20)
    )
    path = _seed_with(
        tmp_path,
        lambda s: re.sub(r"checkpoints: \{[^}]*\}", "checkpoints: {" + days + "}", s, count=1),
    )
    with pytest.raises(TrackerError) as caught:
        load_seed_file(path)
    assert caught.value.params["reason"] == t("seed.checkpoints_too_long", max=200)


ROSTER_REGRESSIONS: dict[str, tuple[bytes, str | None, dict[int, str]]] = {
    # csv.Error "new-line character seen in unquoted field": a traceback.
    "CR line ends (Excel for Mac)": (
        "编号,名称\r1,和平村\r2,光明村\r".encode(),
        None,
        {1: "和平村", 2: "光明村"},
    ),
    # csv.Error "field larger than field limit": a traceback.
    "a cell of 200000 characters": (
        ("编号,名称\n1," + "村" * 200_000 + "\n").encode(),
        "csv_malformed",
        {},
    ),
    # ValueError "Exceeds the limit (4300 digits)": a traceback.
    "a number of 5000 digits": (("编号,名称\n" + "1" * 5000 + ",和平村\n").encode(), "csv_row", {}),
    # A name with a line break: stored, and a message of two lines about it.
    "a quoted name with a line break": (
        '编号,名称\n1,"和平\n村"\n'.encode(),
        "csv_name_control",
        {},
    ),
    # NUL in a name: stored by SQLite, refused by PostgreSQL as "cannot read the database".
    "a name with NUL": ("编号,名称\n1,和平\x00村\n".encode(), "csv_name_control", {}),
    # A number cell with a line break: the reason quoted it, two lines.
    "a quoted number with a line break": ('编号,名称\n"1\n2",和平村\n'.encode(), "csv_row", {}),
}


@pytest.mark.parametrize("case", list(ROSTER_REGRESSIONS))
def test_roster_regressions(session: Session, tmp_path: Path, case: str) -> None:
    data, key, roster = ROSTER_REGRESSIONS[case]
    path = tmp_path / "villages.csv"
    path.write_bytes(data)
    report = session.exec(select(Report)).one()
    before = roster_of(session)
    if key is None:
        import_roster(session=session, report=report, path=path, user=USER, now=NOW)
        session.flush()
        assert roster_of(session) == {**before, **roster}
        return
    with pytest.raises(TrackerError) as caught:
        import_roster(session=session, report=report, path=path, user=USER, now=NOW)
    session.flush()
    assert roster_of(session) == before
    assert caught.value.key == key
    one_line_in_every_language(caught.value)


@pytest.mark.parametrize("name", ["和平\n村", "和平\r村", "和平\x00村", "\x1b[31m和平村"])
def test_rename_refuses_a_name_with_control_characters(session: Session, name: str) -> None:
    report = session.exec(select(Report)).one()
    before = roster_of(session)
    with pytest.raises(TrackerError) as caught:
        rename_village(session=session, report=report, number=3, name=name, user=USER, now=NOW)
    session.flush()
    assert roster_of(session) == before
    assert caught.value.key == "village_name_control"
    one_line_in_every_language(caught.value)


def _zh(key: str, **params: object) -> str:
    return CATALOGS["zh"][key].format(**params)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # Values typed by the user, quoted in messages: a second line on stderr.
        (("show", "a\nb"), _zh("code_unknown", code="a\\nb")),
        (("list", "--unit", "司法\r所"), _zh("unit_unknown", unit="司法\\r所")),
        (("--\n",), _zh("usage_no_such_option", option="--\\n")),
        # Bytes that are not UTF-8 on the command line: UnicodeEncodeError in the driver.
        (("show", "\udcff\udcfe"), _zh("text_not_readable", chars="\\udcff\\udcfe")),
        (("note", "1.4c", "签到\udcb1"), _zh("text_not_readable", chars="\\udcb1")),
    ],
    ids=[
        "newline in a code",
        "CR in a unit",
        "newline in an option",
        "bytes in a code",
        "bytes in a note",
    ],
)
def test_cli_regressions_give_one_line(
    shared_db_url: str, shared_engine: Engine, args: tuple[str, ...], expected: str
) -> None:
    before = fingerprint(shared_engine)
    result = invoke("--db", shared_db_url, "--as-of", AS_OF, *args)
    assert_clear_outcome(result, allowed=(1, 2))
    assert result.stderr.strip() == expected
    assert fingerprint(shared_engine) == before


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--section", "99999999999999999999"),
        ("list", "--village", "99999999999999999999"),
        ("list", "--limit", "99999999999999999999"),
    ],
    ids=["section", "village", "limit"],
)
def test_numbers_too_large_for_sqlite_give_one_line(
    shared_db_url: str, shared_engine: Engine, args: tuple[str, ...]
) -> None:
    """OverflowError from the SQLite driver was a traceback. PostgreSQL answers on its own
    terms (no rows, or an error it names), in one line too."""
    sqlite = shared_db_url.startswith("sqlite")
    before = fingerprint(shared_engine)
    result = invoke("--db", shared_db_url, "--as-of", AS_OF, *args)
    assert_clear_outcome(result, allowed=(1,) if sqlite else (0, 1))
    if sqlite:
        assert result.stderr.startswith(_zh("value_out_of_range", reason=""))
    assert fingerprint(shared_engine) == before


def test_non_utf8_argument_in_a_real_process_is_one_line(shared_db_url: str) -> None:
    """The installed command with a GBK-encoded argument on a UTF-8 system."""
    program = "import sys; from tracker.cli import main; sys.argv[0] = 'tracker'; main()"
    argv = [
        b"--db",
        shared_db_url.encode(),
        b"--as-of",
        AS_OF.encode(),
        b"show",
        "村".encode("gbk"),
    ]
    env = {**os.environ, "COLUMNS": "80", "TRACKER_USER": USER}
    done = subprocess.run([sys.executable, "-c", program, *argv], capture_output=True, env=env)
    assert done.returncode == 1
    stderr = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    assert stderr.splitlines() == [_zh("text_not_readable", chars="\\udcb4\\udce5")]
