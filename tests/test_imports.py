"""Textual is for the app only: the core and every command that does not open the app run
without importing it. Each check runs in a fresh interpreter, where sys.modules is clean."""

from __future__ import annotations

import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tracker.importing
import tracker.services

CORE_MODULES = [
    "tracker",
    "tracker.config",
    "tracker.db",
    "tracker.errors",
    "tracker.i18n",
    "tracker.models",
    "tracker.schedule",
    *(f"tracker.services.{m.name}" for m in pkgutil.iter_modules(tracker.services.__path__)),
    # i13-core: the report import (reading, structure, drafts) is core too.
    *(f"tracker.importing.{m.name}" for m in pkgutil.iter_modules(tracker.importing.__path__)),
]

# Runs `tracker ARGV` in-process and reports its exit code and whether Textual got loaded.
RUN_COMMAND = """
import json, sys
import tracker.cli
sys.argv = ["tracker", *json.loads(sys.argv[1])]
try:
    tracker.cli.main()
    code = 0
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "textual": "textual" in sys.modules}), file=sys.stderr)
"""

# Imports each module in turn and names the first one after which Textual is loaded.
IMPORT_EACH = """
import importlib, json, sys
culprit = None
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
    if "textual" in sys.modules:
        culprit = name
        break
print(json.dumps(culprit))
"""


def python(program: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, text=True, timeout=120
    )


def test_core_modules_do_not_import_textual() -> None:
    assert len(CORE_MODULES) > 10  # every service module was found
    done = python(IMPORT_EACH, json.dumps(CORE_MODULES))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) is None


COMMANDS = {
    "list json": ["list", "--format", "json"],
    "show": ["show", "5.5a", "--format", "json"],
    "overview": [],
    "overdue": ["overdue"],
    "villages": ["villages"],
    "status": ["status", "1.4c", "进行中"],
    "log": ["log", "5.5a", "--date", "2022-03-15"],
    "init": ["init"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_commands_run_without_importing_textual(
    sqlite_template: Path, tmp_path: Path, command: str
) -> None:
    db = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, db)
    argv = ["--db", str(db), "--user", "测试员", "--as-of", "2026-11-26", *COMMANDS[command]]
    done = python(RUN_COMMAND, json.dumps(argv))
    report = json.loads(done.stderr.splitlines()[-1])
    assert report == {"code": 0, "textual": False}, done.stderr
    if command == "list json":
        assert {row["code"] for row in json.loads(done.stdout)} >= {"1.1a", "5.5a"}
