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
from textual.pilot import Pilot
from textual.widgets import Input

from tracker.tui.review_app import ReviewApp
from tracker.tui.widgets.draft_dialog import DraftDialog

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

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DraftDialog)
        # The title field's cursor, steady: blinking, it would be caught shown or hidden
        # depending on how long the dialog took to open.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(ReviewApp(draft), terminal_size=SIZE, run_before=run_before)
