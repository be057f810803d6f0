"""A snapshot of 草稿审核 as the officer sees it: Chinese, 80×24, on the shipped report's
draft with its first draft accepted (the report text with that draft's excerpt on the
left, the drafts with their marks on the right, the undecided counted above).

After a deliberate change of the look, run this file with `--snapshot-update` and look at
the SVG in __snapshots__/test_tui_review_snapshot/ before committing it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from review_helpers import import_draft, with_undecided

from tracker.tui.review_app import ReviewApp

SIZE = (80, 24)


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = import_draft(tmp_path)
    with_undecided(path)
    return path


def test_review_screen(snap_compare: Callable[..., bool], draft: Path) -> None:
    assert snap_compare(ReviewApp(draft), terminal_size=SIZE, press=["a"])


def test_review_edit_dialog(snap_compare: Callable[..., bool], draft: Path) -> None:
    """The edit dialog over it: the fields scroll, the buttons stay in sight at 80×24."""
    assert snap_compare(ReviewApp(draft), terminal_size=SIZE, press=["e"])
