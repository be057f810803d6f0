"""Creating the ledger: `tracker init`, the first bare `tracker`, and databases that are not
there or not set up."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlmodel import SQLModel, col
from typer.testing import CliRunner, Result

import tracker.models  # noqa: F401  (registers every table on SQLModel.metadata)
from tracker.cli import app
from tracker.db import make_engine
from tracker.i18n import CATALOGS
from tracker.models import Commitment
from tracker.services.seed_file import Seed

# Seeding as of a day in the plan year keeps the periods made to those of 2022.
AS_OF = "2022-06-15"
SLUG = "baohe-2021"

runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run `tracker ARGS`; an exception the CLI let through fails the test."""
    return runner.invoke(app, list(args), env={"COLUMNS": "250"}, catch_exceptions=False)


def message(lang: str, key: str, **params: object) -> str:
    return CATALOGS[lang][key].format(**params)


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


def table_names(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def instance_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            query = (
                select(func.count())
                .select_from(Commitment)
                .where(col(Commitment.parent_id).is_not(None))
            )
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def init(url: str, *args: str, lang: str = "zh") -> Result:
    return invoke("--db", url, "--lang", lang, "--user", "管理员", "--as-of", AS_OF, "init", *args)


def write_seed(tmp_path: Path, text: str) -> Path:
    """A seed file next to a copy of the report it quotes."""
    report = Path(__file__).resolve().parent.parent / "seed_data" / "baohe-2021-report.txt"
    shutil.copy(report, tmp_path / report.name)
    path = tmp_path / "seed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- init --------------------------------------------------------------------------------


def test_init_creates_and_seeds_the_database(empty_db_url: str, seed: Seed) -> None:
    result = init(empty_db_url)
    assert result.exit_code == 0, result.stderr
    expected = message(
        "zh",
        "init_done",
        db=empty_db_url,
        report=seed.document.report.slug,
        commitments=len(seed.document.commitments),
        instances=instance_count(empty_db_url),
        villages=seed.document.villages,
    )
    assert result.stdout.strip() == expected
    listed = invoke("--db", empty_db_url, "--as-of", AS_OF, "list", "--format", "json")
    assert {c.code for c in seed.document.commitments} <= {
        r["code"] for r in json.loads(listed.stdout)
    }


def test_init_twice_says_nothing_changed_and_changes_nothing(empty_db_url: str) -> None:
    assert init(empty_db_url).exit_code == 0
    before = dump(empty_db_url)
    again = init(empty_db_url)
    assert again.exit_code == 0
    assert again.stdout.strip() == message("zh", "init_unchanged", db=empty_db_url, report=SLUG)
    assert dump(empty_db_url) == before


def test_init_twice_in_english(empty_db_url: str) -> None:
    assert init(empty_db_url).exit_code == 0
    again = init(empty_db_url, lang="en")
    assert again.stdout.strip() == message("en", "init_unchanged", db=empty_db_url, report=SLUG)


def test_init_with_seed_option_loads_that_seed(empty_db_url: str, tmp_path: Path) -> None:
    seed_file = write_seed(
        tmp_path,
        """
report:
  slug: baohe-test
  title: 测试报告
  issuer: 保和镇人民政府
  town: 测试镇
  year: 2021
  plan_year: 2022
  text_file: baohe-2021-report.txt
villages: 3
units:
  - name: 司法所
sections:
  - number: 5
    heading: 党政共同履职,推动法治建设
commitments:
  - code: "5.5a"
    section: 5
    item: 5
    title: 每年至少2次法治专题讲座
    excerpt: "每年至少举办2次法治专题讲座"
    kind: one_off
    unit: 司法所
    due: 2022-12-31
""",
    )
    result = init(empty_db_url, "--seed", str(seed_file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == message(
        "zh",
        "init_done",
        db=empty_db_url,
        report="baohe-test",
        commitments=1,
        instances=0,
        villages=3,
    )
    listed = invoke("--db", empty_db_url, "--as-of", AS_OF, "list", "--format", "json")
    assert [row["code"] for row in json.loads(listed.stdout)] == ["5.5a"]


def test_tracker_db_environment_variable_names_the_database_to_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger" / "保和镇.db"
    monkeypatch.setenv("TRACKER_DB", str(path))
    result = invoke("--as-of", AS_OF, "init")
    assert result.exit_code == 0, result.stderr
    assert path.is_file()
    assert "commitment" in table_names(f"sqlite:///{path}")


# --- a seed file that is not right -------------------------------------------------------


def bad_excerpt_seed(tmp_path: Path) -> tuple[Path, int, str]:
    """The real seed with one excerpt that the report does not contain."""
    original = Path(__file__).resolve().parent.parent / "seed_data" / "baohe-2021.yaml"
    text = original.read_text(encoding="utf-8")
    wrong = "每年至少举办20次法治专题讲座"
    text = text.replace('excerpt: "每年至少举办2次法治专题讲座"', f'excerpt: "{wrong}"')
    path = write_seed(tmp_path, text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if wrong in row)
    return path, line, "seed.excerpt_not_found"


def not_a_mapping_seed(tmp_path: Path) -> tuple[Path, int, str]:
    path = write_seed(tmp_path, "- just\n- a list\n")
    return path, 1, "seed.not_mapping"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("make_seed", [bad_excerpt_seed, not_a_mapping_seed])
def test_init_refuses_a_malformed_seed_and_creates_nothing(
    empty_db_url: str, tmp_path: Path, make_seed: Any, lang: str
) -> None:
    path, line, reason = make_seed(tmp_path)
    result = init(empty_db_url, "--seed", str(path), lang=lang)
    assert result.exit_code == 1
    # The reason in the same language as the line (make_seed names its message).
    said = message(lang, reason)
    expected = message(lang, "seed_invalid", file=str(path), line=line, reason=said)
    assert result.stderr.splitlines() == [expected]
    assert "Traceback" not in result.output
    assert not (tmp_path / "tracker.db").exists()
    if not empty_db_url.startswith("sqlite"):
        assert table_names(empty_db_url) == []


def test_init_with_a_missing_seed_file_says_so(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    missing = tmp_path / "没有这个文件.yaml"
    result = invoke("--db", str(db), "--as-of", AS_OF, "init", "--seed", str(missing))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [message("zh", "file_missing", path=str(missing))]
    assert not db.exists()


# --- a database that is not there, or not set up -----------------------------------------

COMMANDS = {
    "overview": (),
    "list": ("list",),
    "show": ("show", "1.1a"),
    "status": ("status", "1.4c", "done"),
    "log": ("log", "5.5a", "--date", "2022-03-15"),
    "note": ("note", "1.4c", "备注"),
    "overdue": ("overdue",),
    "villages": ("villages",),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("as_url", [False, True], ids=["path", "url"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_commands_other_than_init_do_not_create_a_missing_sqlite_file(
    tmp_path: Path, command: str, as_url: bool, lang: str
) -> None:
    path = tmp_path / "typo.db"
    db = f"sqlite:///{path}" if as_url else str(path)
    result = invoke("--db", db, "--lang", lang, "--as-of", AS_OF, *COMMANDS[command])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [message(lang, "db_missing", path=str(path))]
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["list", "overview"])
def test_commands_on_a_database_without_tables_ask_for_init(
    empty_db_url: str, command: str
) -> None:
    if empty_db_url.startswith("sqlite"):
        Path(empty_db_url.removeprefix("sqlite:///")).touch()
    result = invoke("--db", empty_db_url, "--as-of", AS_OF, *COMMANDS[command])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [message("zh", "db_not_initialized", db=empty_db_url)]
    assert table_names(empty_db_url) == []


# --- the first bare `tracker` of a new officer --------------------------------------------


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user with no tracker data or settings yet; returns the user data directory."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("TRACKER_CONFIG")
    return home / ".local" / "share"


def test_bare_tracker_creates_and_seeds_the_default_database(fresh_home: Path) -> None:
    default_db = fresh_home / "tracker" / "tracker.db"
    result = invoke("--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert default_db.is_file()
    assert message("zh", "summary_title", date=AS_OF) in result.stdout
    assert "总览" in result.stdout
    first_run = message("zh", "auto_initialized", db=str(default_db), report=SLUG)
    assert result.stderr.splitlines() == [first_run]

    again = invoke("--as-of", AS_OF)
    assert again.exit_code == 0
    assert first_run not in again.stderr
    assert again.stdout == result.stdout


def test_first_run_in_english(fresh_home: Path) -> None:
    default_db = fresh_home / "tracker" / "tracker.db"
    result = invoke("--lang", "en", "--as-of", AS_OF, "list", "--section", "7")
    assert result.exit_code == 0, result.stderr
    assert message("en", "auto_initialized", db=str(default_db), report=SLUG) in result.stderr
    assert "7.1a" in result.stdout
