"""Every script in benchmarks/ runs, at a tiny scale, as the README tells to run it.

Nothing else runs the benchmarks, so without this they rot: a change to the services or the
CLI that breaks one would only be found when someone next measures. Each script is run once
as a subprocess with `--smoke` (seconds: a one-town ledger, one repeat) and must exit 0 and
print its table's header. The one-town ledger is built once, by build_district.py itself.
On PostgreSQL (when TRACKER_TEST_DATABASE_URL is set) the district is built there too.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_URL, _drop_pg_schema, _new_pg_schema

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
# Generous: a script's smoke run takes seconds, but the machine may be busy.
TIMEOUT_S = 300


def run_script(name: str, *args: str) -> str:
    """Run benchmarks/`name` as the README does; its output, after checking it exited 0."""
    argv = [sys.executable, str(BENCHMARKS / name), *args]
    # Every `tracker` the scripts start runs in its own process: no warm server is left
    # behind by the tests (bench_first_screen.py starts and stops its own).
    env = dict(os.environ, TRACKER_SERVER="off")
    done = subprocess.run(
        argv, capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT_S, check=False, env=env
    )
    assert done.returncode == 0, f"{' '.join(argv)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A smoke-scale district, built by build_district.py (its own smoke test)."""
    path = tmp_path_factory.mktemp("bench") / "district.db"
    out = run_script("build_district.py", "--smoke", "--db", str(path))
    assert "bulk writer" in out and "period instances" in out, out
    return str(path)


def test_build_district(district: str) -> None:
    # Built by the fixture; a second run finds it and says so, changing nothing.
    out = run_script("build_district.py", "--smoke", "--db", district)
    assert "already built (1 reports)" in out, out


# (script, its options besides --smoke, what its table starts with); "{db}": the district.
CASES = [
    ("bench_cli.py", ("--db", "{db}"), "| command | median ms |"),
    ("bench_tui.py", ("--db", "{db}"), "| measure | time | target | met |"),
    ("bench_printouts.py", ("--db", "{db}"), "| kind | format | median s |"),
    ("bench_import.py", (), "report: "),
    ("import_scores.py", (), "| report | items found/expected |"),
    ("killed_writes.py", (), "OK: every event recorded exactly once"),
    ("race_appends.py", (), "OK: every acknowledged write is recorded exactly once"),
    ("stress.py", (), "OK: every acknowledged change is in the history exactly once"),
    ("bench_vs_taskwarrior.py", ("--db", "{db}"), "| periods | command |"),
    ("bench_search.py", ("--db", "{db}"), "| case | service 1st ms |"),
    ("bench_search_keys.py", ("--db", "{db}"), "| search | rows found |"),
    ("bench_serve.py", (), "| measure | value |"),
    (
        "bench_first_screen.py",
        ("--db", "{db}", "--report", "town-01-2021", "--as-of", "2026-11-26"),
        "| start | median ms |",
    ),
]


@pytest.mark.parametrize(("script", "options", "header"), CASES, ids=[c[0] for c in CASES])
def test_benchmark_runs(script: str, options: tuple[str, ...], header: str, district: str) -> None:
    args = [option.format(db=district) for option in options]
    out = run_script(script, "--smoke", *args)
    assert header in out, out


def test_every_script_is_smoke_tested() -> None:
    scripts = {path.name for path in BENCHMARKS.glob("*.py")}
    # The two that build ledgers rather than measure them have tests of their own below.
    assert scripts == {case[0] for case in CASES} | {"build_district.py", "load_pg.py"}


@pytest.fixture
def pg_url() -> Iterator[str]:
    admin, schema, url = _new_pg_schema()
    try:
        yield url
    finally:
        _drop_pg_schema(admin, schema)


@pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set")
def test_on_postgresql(pg_url: str) -> None:
    # The build's own PostgreSQL steps (the schema's guards and audit triggers, VACUUM
    # ANALYZE); tests/test_build_district.py compares what it writes there with the services.
    out = run_script("build_district.py", "--smoke", "--db", pg_url)
    assert "bulk writer" in out and "period instances" in out, out


@pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set")
def test_load_pg_copies_a_district_into_postgresql(district: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    assert PG_URL is not None
    server = make_url(PG_URL).set(database="postgres").render_as_string(hide_password=False)
    database = f"tracker_load_pg_smoke_{os.getpid()}"
    out = run_script("load_pg.py", district, database, "--server", server)
    assert "commitment: " in out, out
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        copy = create_engine(make_url(server).set(database=database), poolclass=NullPool)
        with copy.connect() as connection:
            copied = connection.execute(text("SELECT count(*) FROM commitment")).scalar_one()
        copy.dispose()
        with sqlite3.connect(district) as source:
            assert copied == source.execute("SELECT count(*) FROM commitment").fetchone()[0]
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
