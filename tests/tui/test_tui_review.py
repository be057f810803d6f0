"""草稿审核 (`tracker review DRAFT.yaml`) driven as an officer drives it, at 80×24: each
decision written to the draft at once and counted, the edit dialog saving only what was
changed, an untouched dialog or Escape saving nothing, a refused edit kept in the dialog.
In Chinese here, in English in a fresh interpreter (bindings are translated on import)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from review_helpers import copy_draft, import_draft, with_undecided
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from tracker.i18n import CATALOGS
from tracker.importing.review import drafts, edit, set_review
from tracker.models import Kind
from tracker.schedule import Frequency
from tracker.services.seed_file import Review
from tracker.tui.review_app import ReviewApp
from tracker.tui.widgets.confirm_dialog import ConfirmDialog
from tracker.tui.widgets.draft_dialog import DraftDialog
from tracker.tui.widgets.report_text import ReportText

SIZE = (80, 24)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return import_draft(tmp_path_factory.mktemp("imported"))


@pytest.fixture
def draft(made: Path, tmp_path: Path) -> Path:
    path = copy_draft(made, tmp_path / "draft")
    with_undecided(path)
    return path


def counts_line(app: ReviewApp) -> str:
    return str(app.query_one("#review-counts", Static).render())


def reviews(path: Path) -> dict[str, Review]:
    return {row.code: row.review for row in drafts(path)}


def run(path: Path, script: Callable[[ReviewApp, Pilot[None]], Awaitable[None]]) -> None:
    async def go() -> None:
        app = ReviewApp(path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await script(app, pilot)

    asyncio.run(go())


def test_accepting_writes_the_file_counts_it_and_moves_to_the_next(draft: Path) -> None:
    total = len(drafts(draft))

    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        assert counts_line(app).startswith(f"未审核 {total} 条 · 已接受 0 条")
        assert app.current is not None and app.current.code == "1.1a"
        await pilot.press("a")
        await pilot.pause()
        assert counts_line(app).startswith(f"未审核 {total - 1} 条 · 已接受 1 条")
        assert reviews(draft)["1.1a"] is Review.ACCEPTED  # on disk already
        assert app.current is not None and app.current.code == "1.1b"
        text = app.query_one(ReportText)
        assert text.current is not None and text.current.code == "1.1b"  # its excerpt shown
        await pilot.press("x")
        await pilot.press("up", "up", "u")
        await pilot.pause()
        assert counts_line(app).startswith(f"未审核 {total - 1} 条 · 已接受 0 条 · 已驳回 1 条")

    run(draft, script)
    assert reviews(draft)["1.1b"] is Review.REJECTED and reviews(draft)["1.1a"] is Review.UNDECIDED


def test_the_edit_dialog_saves_the_changed_field_only(draft: Path) -> None:
    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, DraftDialog)
        app.screen.query_one("#draft-title", Input).value = "优化领导小组"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, DraftDialog)
        assert "已保存 1.1a" in [str(n.message) for n in app._notifications]
        assert app.current is not None and app.current.title == "优化领导小组"

    run(draft, script)
    lines = draft.read_text(encoding="utf-8").splitlines()
    start = lines.index('  - code: "1.1a"')
    assert '    title: "优化领导小组"' in lines[start : start + 12]
    # The deadline was not touched: its 待核定 mark stays.
    due = next(line for line in lines[start:] if line.startswith("    due:"))
    assert "待核定" in due


def test_the_dialog_makes_a_draft_a_quota_with_its_frequency_and_target(draft: Path) -> None:
    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#draft-kind", Select).value = "quota"
        app.screen.query_one("#draft-frequency", Select).value = "yearly"
        app.screen.query_one("#draft-target", Input).value = "2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, DraftDialog)
        assert app.current is not None and app.current.kind is Kind.QUOTA

    run(draft, script)
    row = drafts(draft)[0]
    assert (row.kind, row.frequency, row.target) == (Kind.QUOTA, Frequency.YEARLY, 2)


def test_an_untouched_dialog_saves_nothing(draft: Path) -> None:
    before = draft.read_bytes()

    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        await pilot.press("e", "ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, DraftDialog)
        assert "1.1a：未作修改" in [str(n.message) for n in app._notifications]

    run(draft, script)
    assert draft.read_bytes() == before


def test_escape_closes_the_dialog_and_saves_nothing(draft: Path) -> None:
    before = draft.read_bytes()

    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#draft-title", Input).value = "改了又取消"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DraftDialog)

    run(draft, script)
    assert draft.read_bytes() == before


def test_a_refused_edit_is_said_in_the_dialog_with_what_was_typed_kept(draft: Path) -> None:
    before = draft.read_bytes()

    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        await pilot.press("e")
        await pilot.pause()
        # A quota with no frequency: the loader refuses it.
        app.screen.query_one("#draft-kind", Select).value = Kind.QUOTA
        app.screen.query_one("#draft-title", Input).value = "改过的标题"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DraftDialog)
        error = str(app.screen.query_one("#dialog-error", Static).render())
        assert error.startswith(f"种子文件有误 {draft}:") and "frequency" in error
        assert app.screen.query_one("#draft-title", Input).value == "改过的标题"

    run(draft, script)
    assert draft.read_bytes() == before


def test_s_splits_the_draft_where_the_typed_words_begin(draft: Path) -> None:
    total = len(drafts(draft))

    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        await pilot.press("down", "s")
        await pilot.pause()
        app.screen.query_one("#split-words", Input).value = "形成了"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(app.rows) == total + 1
        assert app.current is not None and app.current.title.startswith("形成了")
        assert counts_line(app).startswith(f"未审核 {total + 1} 条")

    run(draft, script)
    assert len(drafts(draft)) == total + 1


def test_an_untouched_split_dialog_saves_nothing(draft: Path) -> None:
    before = draft.read_bytes()

    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        await pilot.press("s", "ctrl+s")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        assert "1.1a：未作修改" in [str(n.message) for n in app._notifications]

    run(draft, script)
    assert draft.read_bytes() == before


def test_m_merges_the_draft_with_the_next_after_asking(draft: Path) -> None:
    total = len(drafts(draft))

    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#ok")
        await pilot.pause()
        assert len(app.rows) == total - 1
        assert [row.code for row in app.rows][:2] == ["1.1a", "1.2a"]

    run(draft, script)
    assert "1.1b" not in {row.code for row in drafts(draft)}


def test_a_title_that_looks_like_markup_is_shown_as_typed(draft: Path) -> None:
    edit(draft, "1.1a", title="[bold]优化[/")

    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        cell = app.query_one("#review-list", DataTable).get_cell("1.1a", "title")
        assert cell.plain == "[bold]优化[/"

    run(draft, script)


def test_it_opens_on_the_first_draft_not_yet_decided(draft: Path) -> None:
    set_review(draft, "1.1a", Review.ACCEPTED)
    set_review(draft, "1.1b", Review.REJECTED)

    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        assert app.current is not None and app.current.code == "1.2a"

    run(draft, script)


def test_choosing_an_excerpt_in_the_text_moves_the_list_to_its_draft(draft: Path) -> None:
    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        text = app.query_one(ReportText)
        text.focus()
        await pilot.press("n", "n")
        await pilot.pause()
        assert text.current is not None and app.current is not None
        assert app.current.code == text.current.code != "1.1a"

    run(draft, script)


def test_q_quits(draft: Path) -> None:
    async def script(app: ReviewApp, pilot: Pilot[None]) -> None:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running

    run(draft, script)


# Run in a fresh interpreter: the bindings' descriptions are translated on import.
ENGLISH = """
import asyncio, json, sys
from pathlib import Path

from tracker.i18n import set_language

set_language("en")

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static
from tracker.tui.review_app import ReviewApp
from tracker.tui.widgets.confirm_dialog import ConfirmDialog

path = Path(sys.argv[1])


async def main() -> None:
    app = ReviewApp(path)
    seen = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = [b.binding for b in app.active_bindings.values() if b.binding.show]
        seen["footer"] = [binding.description for binding in shown]
        await pilot.press("a")
        await pilot.pause()
        seen["counts"] = str(app.query_one("#review-counts", Static).render())
        await pilot.press("e")
        await pilot.pause()
        seen["heading"] = app.screen.query_one("#dialog").border_title
        app.screen.query_one("#draft-title", Input).value = "Lead group reorganised"
        await pilot.press("ctrl+s")
        await pilot.pause()
        seen["said"] = [str(n.message) for n in app._notifications]
    print(json.dumps(seen))


asyncio.run(main())
"""


def test_in_english_the_keys_counts_and_dialog_are_english(draft: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ENGLISH, str(draft)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    quit_ = CATALOGS["en"]["key.quit"]
    keys = ["accept", "reject", "back to undecided", "edit", "split", "merge", quit_]
    assert seen["footer"] == keys
    assert seen["counts"].startswith(f"{len(drafts(draft)) - 1} undecided · 1 accepted")
    assert seen["heading"] == "Edit draft · 1.1b"
    assert "Saved 1.1b" in seen["said"]
    assert {row.code: row.title for row in drafts(draft)}["1.1b"] == "Lead group reorganised"
