"""A draft to review: the shipped report imported by `tracker import`, once per session, and
copied for each test (with its report text beside it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from import_helpers import REPORT
from typer.testing import CliRunner

from tracker.cli import app

DRAFT_NAME = "baohe-2021.yaml"
TEXT_NAME = "baohe-2021-report.txt"


def import_draft(folder: Path) -> Path:
    """The draft `tracker import` writes for the shipped report into `folder`."""
    result = CliRunner().invoke(
        app, ["import", str(REPORT), "--out", str(folder)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return folder / DRAFT_NAME


def with_undecided(path: Path) -> None:
    """Give every draft `review: undecided` after its code line, as the draft writer will
    (until then the tests write it themselves; a draft that has it is left as it is)."""
    text = path.read_text(encoding="utf-8")
    if re.search(r"^    review:", text, flags=re.M):
        return
    path.write_text(
        re.sub(r"^(  - code: .*\n)", r"\1    review: undecided\n", text, flags=re.M),
        encoding="utf-8",
    )


def copy_draft(made: Path, folder: Path) -> Path:
    """A copy of the draft `made` (and its report text) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(made.parent / TEXT_NAME, folder / TEXT_NAME)
    return Path(shutil.copy(made, folder / DRAFT_NAME))
