"""The app's 导入 (issue 13): Ctrl+O or the palette asks for a file; a town's report is read
into a draft in the documents folder and the draft review (草稿审核) opens on it, as on a
draft typed instead; Ctrl+S there, after asking, seeds the accepted drafts as a new report
of the ledger and the app shows it. An untouched or cancelled dialog writes nothing, a
refused import stays in the dialog, a refused apply changes nothing; a draft linked to an
earlier commitment says so and `l` drops the link."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, select
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static
from tui_helpers import settle

from tracker.db import make_engine
from tracker.i18n import t
from tracker.importing import review
from tracker.models import Commitment, Report
from tracker.services.seed_file import Review
from tracker.tui.app import TrackerApp
from tracker.tui.screens.dashboard import DashboardScreen
from tracker.tui.screens.draft_review import DraftReviewScreen
from tracker.tui.widgets.confirm_dialog import ConfirmDialog
from tracker.tui.widgets.import_dialog import ImportDialog

SIZE = (80, 24)
CORPUS = Path(__file__).parents[1] / "data" / "reports" / "zhongcunxiang-2022.txt"
SLUG = "zhongcunxiang-2022"  # the report's file name: the draft's and the new report's slug
LINK = '    continues: "baohe-2021/5.5a"  # 每年至少2次法治专题讲座\n'


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The officer's documents folder, where the import writes its draft (empty)."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))  # no user-dirs file
    return home / "Documents"


@pytest.fixture
def report(tmp_path: Path) -> Path:
    """A town's report, downloaded somewhere other than the documents folder."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    return Path(shutil.copy(CORPUS, folder / CORPUS.name))


def said(app: TrackerApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def from_palette(pilot: Pilot[None], typed: str) -> None:
    """Open the palette, type `typed`, run the first command it lists."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    palette.query_one(Input).value = typed  # as typed with an input method
    await asyncio.sleep(0.3)  # the palette searches after a short pause
    await settle(pilot)
    commands = palette.query_one(CommandList)
    first = str(commands.get_option_at_index(0).prompt).partition("\n")[0]
    assert first == t("key.import"), first
    await pilot.press("down", "enter")
    await settle(pilot)


async def open_dialog(pilot: Pilot[None]) -> ImportDialog[object]:
    await settle(pilot)
    await pilot.press("ctrl+o")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ImportDialog)
    return dialog


async def import_file(pilot: Pilot[None], path: Path) -> DraftReviewScreen:
    """Ctrl+O, the file typed, Ctrl+S: the review it opens."""
    dialog = await open_dialog(pilot)
    dialog.query_one("#import-path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DraftReviewScreen), screen
    return screen


async def confirm_apply(pilot: Pilot[None]) -> ConfirmDialog:
    """Ctrl+S on the review, then 确定; returns the question asked."""
    await pilot.press("ctrl+s")
    await settle(pilot)
    question = pilot.app.screen
    assert isinstance(question, ConfirmDialog)
    await pilot.click("#ok")
    await settle(pilot)
    return question


def reports(db_url: str) -> dict[str, int]:
    """Each report of the ledger and how many commitments it has."""
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            found = {r.slug: r.id for r in session.exec(select(Report)).all()}
            return {
                slug: len(session.exec(select(Commitment).where(Commitment.report_id == id_)).all())
                for slug, id_ in found.items()
            }
    finally:
        engine.dispose()


def test_ctrl_o_reads_a_report_into_a_draft_and_opens_its_review(
    make_app: Callable[..., TrackerApp], documents: Path, report: Path
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = await import_file(pilot, report)
            draft = documents / f"{SLUG}.yaml"
            assert screen.path == draft
            assert [row.code for row in screen.rows] == ["1.1a", "1.1b"]
            assert t(
                "import.written", seed=str(draft), text=str(documents / f"{SLUG}-report.txt")
            ) in said(app)
            counts = str(screen.query_one("#review-counts", Static).render())
            assert counts.startswith("未审核 2 条")
            # Its footer at 80 columns: the review's main keys, applying, back, the app's.
            shown = [b.binding.key for b in screen.active_bindings.values() if b.binding.show]
            assert shown == ["a", "x", "e", "ctrl+s", "escape", "question_mark", "q"]
            await pilot.press("escape")  # back where the officer was
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)

    asyncio.run(run())
    assert sorted(p.name for p in documents.iterdir()) == [f"{SLUG}-report.txt", f"{SLUG}.yaml"]


def test_the_palette_offers_the_import_by_its_chinese_and_english_name(
    make_app: Callable[..., TrackerApp], documents: Path
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await from_palette(pilot, "import")
            assert isinstance(app.screen, ImportDialog)
            await pilot.press("escape")
            await settle(pilot)
            await from_palette(pilot, "导入")
            assert isinstance(app.screen, ImportDialog)

    asyncio.run(run())


def test_an_untouched_or_cancelled_dialog_writes_nothing(
    make_app: Callable[..., TrackerApp], documents: Path, report: Path
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            dialog = await open_dialog(pilot)
            assert dialog.query_one("#import-path", Input).value.startswith(str(documents))
            await pilot.press("ctrl+s")  # as it opened: a folder, no file
            await settle(pilot)
            assert app.screen is dialog
            error = str(dialog.query_one("#dialog-error", Static).render())
            assert error == t("tui.import.no_file")
            dialog.query_one("#import-path", Input).value = str(report)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)

    asyncio.run(run())
    assert list(documents.iterdir()) == []


def test_a_file_that_is_no_report_is_refused_in_the_dialog(
    make_app: Callable[..., TrackerApp], documents: Path, tmp_path: Path
) -> None:
    other = tmp_path / "会议通知.txt"
    other.write_text("关于召开会议的通知\n请各单位准时参加。\n", encoding="utf-8")

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            dialog = await open_dialog(pilot)
            dialog.query_one("#import-path", Input).value = str(other)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog  # kept open, with what was typed
            assert dialog.query_one("#import-path", Input).value == str(other)
            error = str(dialog.query_one("#dialog-error", Static).render())
            assert error and "\n" not in error.strip()

    asyncio.run(run())
    assert list(documents.iterdir()) == []


def test_importing_the_same_report_again_says_which_draft_to_open(
    make_app: Callable[..., TrackerApp], documents: Path, report: Path
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await import_file(pilot, report)
            await pilot.press("escape")
            dialog = await open_dialog(pilot)
            dialog.query_one("#import-path", Input).value = str(report)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog
            error = str(dialog.query_one("#dialog-error", Static).render())
            draft = documents / f"{SLUG}.yaml"
            assert error == t("tui.import.exists", path=str(draft), seed=str(draft))
            # The draft typed instead opens as it is.
            dialog.query_one("#import-path", Input).value = str(draft)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DraftReviewScreen) and app.screen.path == draft

    asyncio.run(run())


def test_apply_seeds_the_accepted_drafts_as_a_new_report_and_shows_it(
    make_app: Callable[..., TrackerApp], tui_db_url: str, documents: Path, report: Path
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = await import_file(pilot, report)
            # The reviewer names the real unit (the import could not), then decides.
            review.edit(screen.path, "1.1a", unit="乡司法所")
            await pilot.press("a", "x")
            await settle(pilot)
            assert {r.code: r.review for r in review.drafts(screen.path)} == {
                "1.1a": Review.ACCEPTED,
                "1.1b": Review.REJECTED,
            }
            question = await confirm_apply(pilot)
            asked = question.question
            assert asked == t("review.apply.question", accepted=1, rejected=1)
            assert app.context.report == SLUG
            assert app.current_mode == "dashboard"
            assert isinstance(app.screen, DashboardScreen)
            assert SLUG in app.sub_title
            board = str(app.screen.query_one("#board-counts", Static).render())
            assert "共 1 项承诺" in board  # the new report's, not the 2021 one's 66
            assert any(line.startswith(f"已导入数据库 {tui_db_url}") for line in said(app))

    asyncio.run(run())
    assert reports(tui_db_url)[SLUG] == 1


def test_an_apply_with_drafts_undecided_is_refused_and_changes_nothing(
    make_app: Callable[..., TrackerApp], tui_db_url: str, documents: Path, report: Path
) -> None:
    before = reports(tui_db_url)

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = await import_file(pilot, report)
            review.edit(screen.path, "1.1a", unit="乡司法所")
            await pilot.press("a")  # 1.1b left undecided
            await settle(pilot)
            question = await confirm_apply(pilot)
            asked = question.question
            assert t("review.apply.undecided", undecided=1) in asked
            refusal = t(
                "import.apply.undecided", file=str(screen.path), undecided=1, accepted=1, rejected=0
            )
            assert refusal in said(app)
            assert app.screen is screen  # the review stays, to finish it
            assert app.context.report is None

    asyncio.run(run())
    assert reports(tui_db_url) == before


def test_cancelling_the_apply_question_changes_nothing(
    make_app: Callable[..., TrackerApp], tui_db_url: str, documents: Path, report: Path
) -> None:
    before = reports(tui_db_url)

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = await import_file(pilot, report)
            review.edit(screen.path, "1.1a", unit="乡司法所")
            await pilot.press("a", "x", "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("ctrl+s", "enter")  # neither answers yes (focus on 取消)
            await settle(pilot)
            assert app.screen is screen

    asyncio.run(run())
    assert reports(tui_db_url) == before


def linked_draft(documents: Path, report: Path) -> Path:
    """A draft whose 1.1b continues the 2021 report's 5.5a, as the import proposes a link."""
    from tracker.importing.run import Overrides, import_report

    draft = import_report(report, documents, Overrides()).seed_path
    text = draft.read_text(encoding="utf-8")
    code = '  - code: "1.1b"\n'
    assert code in text
    draft.write_text(text.replace(code, code + LINK), encoding="utf-8")
    return draft


def test_a_linked_draft_is_marked_said_and_l_unlinks_it(
    make_app: Callable[..., TrackerApp], documents: Path, report: Path
) -> None:
    draft = linked_draft(documents, report)

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = await import_file(pilot, draft)
            table = screen.query_one("#review-list", DataTable)
            link = screen.query_one("#review-link", Static)
            keys = {b.binding.key for b in screen.active_bindings.values()}
            assert screen.current is not None and screen.current.code == "1.1a"
            assert link.display and str(link.render()) == ""  # 1.1a is a draft of its own
            assert "l" not in keys
            assert table.get_cell("1.1b", "title").plain.startswith(t("review.mark.continues"))
            await pilot.press("down")
            await settle(pilot)
            assert str(link.render()) == t(
                "review.link.continues",
                earlier="baohe-2021/5.5a",
                note=t("review.link.note", note="每年至少2次法治专题讲座"),
            )
            assert "l" in {b.binding.key for b in screen.active_bindings.values()}
            await pilot.press("l")
            await settle(pilot)
            assert t("review.unlinked", code="1.1b", earlier="baohe-2021/5.5a") in said(app)
            assert table.get_cell("1.1b", "title").plain == "夯实组织基础"
            assert not link.display  # no link left in the draft
            assert screen.current is not None and screen.current.code == "1.1b"

    asyncio.run(run())
    row = next(r for r in review.drafts(draft) if r.code == "1.1b")
    assert row.earlier is None
    assert "continues:" not in draft.read_text(encoding="utf-8")


def test_a_later_report_of_the_town_is_linked_and_the_question_says_where_links_go(
    make_app: Callable[..., TrackerApp], tui_db_url: str, documents: Path, tmp_path: Path
) -> None:
    """保和镇's next report (tests/data/yoy, made for the tests) imported in the app against
    its 2021 ledger: its drafts come linked, and before applying the officer is told how many
    become new commitments and how many are written onto the earlier ones."""
    later = Path(__file__).parents[1] / "data" / "yoy" / "baohe-2022-constructed.txt"
    copy = Path(shutil.copy(later, tmp_path / "baohe-2022.txt"))

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = await import_file(pilot, copy)
            rows = review.drafts(screen.path)
            linked = [row for row in rows if row.earlier is not None]
            assert {row.closes for row in linked} - {None} == {
                "baohe-2021/7.1a", "baohe-2021/7.1b", "baohe-2021/7.1c",
            }  # fmt: skip
            # Accept what is linked or names its unit; reject the rest.
            keys = ["a" if row.earlier or row.unit != "待核定单位" else "x" for row in rows]
            await pilot.press(*keys)
            await settle(pilot)
            new = sum(1 for row in rows if row.earlier is None and row.unit != "待核定单位")
            continues = sum(1 for row in linked if row.continues)
            question = await confirm_apply(pilot)
            assert question.question == t(
                "review.apply.question",
                accepted=len(linked) + new,
                rejected=len(rows) - len(linked) - new,
            ) + t("review.apply.linked", new=new, continues=continues, closes=3)
            await settle(pilot)
            assert any(line.startswith("往年事项：") for line in said(app))

    asyncio.run(run())
    assert reports(tui_db_url)["baohe-2022"] == 1


def test_a_later_report_with_nothing_of_its_own_leaves_the_officer_on_the_earlier_one(
    make_app: Callable[..., TrackerApp], tui_db_url: str, documents: Path, tmp_path: Path
) -> None:
    """Only the drafts that go onto 2021's commitments accepted: the 2022 report is in the
    ledger but has no commitment of its own, so the app stays on the 2021 report, where
    they are, rather than showing an empty overview."""
    later = Path(__file__).parents[1] / "data" / "yoy" / "baohe-2022-constructed.txt"
    copy = Path(shutil.copy(later, tmp_path / "baohe-2022.txt"))

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = await import_file(pilot, copy)
            rows = review.drafts(screen.path)
            await pilot.press(*["a" if row.earlier else "x" for row in rows])
            await settle(pilot)
            await confirm_apply(pilot)
            await settle(pilot)
            assert app.context.report == "baohe-2021"
            assert isinstance(app.screen, DashboardScreen)
            board = str(app.screen.query_one("#board-counts", Static).render())
            assert "共 66 项承诺" in board

    asyncio.run(run())
    assert reports(tui_db_url)["baohe-2022"] == 0
