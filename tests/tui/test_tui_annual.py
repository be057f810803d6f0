"""年度报告草稿 from the app (`p`, the print dialog's fourth kind): on a ledger with a
realistic 2022 logged (tests/annual_year.py), the draft is drafted in a worker, shown as it
will read, and written only on `w`; Escape writes nothing and keeps the choices; a year
without a report reopens the dialog with the reason; an untouched dialog writes nothing."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from annual_year import log_year
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Select
from tui_helpers import settle

import tracker.annual.draft
from tracker.annual.model import AnnualDraft
from tracker.annual.render import DraftFormat
from tracker.db import make_engine
from tracker.i18n import t
from tracker.schedule import WorkCalendar
from tracker.tui.app import TrackerApp
from tracker.tui.screens.annual_preview import AnnualPreviewScreen
from tracker.tui.widgets.confirm_dialog import ConfirmDialog
from tracker.tui.widgets.draft_text import DraftText, break_offsets
from tracker.tui.widgets.print_dialog import ANNUAL, PrintDialog

TITLE = "资阳市雁江区保和镇人民政府2022年法治政府建设年度报告"
# 5.5a in part 三: the principal leaders' lectures, with the two the officer logged.
LECTURES = (
    "每年至少2次法治专题讲座，全年开展2次，完成年度目标2次"
    "（5月10日宪法专题讲座、11月8日民法典专题讲座）。"
)


@pytest.fixture
def logged_app(
    tui_db_url: str, make_app: Callable[..., TrackerApp], calendar: WorkCalendar, tmp_path: Path
) -> Callable[..., TrackerApp]:
    """The app (as of 2026-11-26) on the test ledger with 2022 logged."""
    files = tmp_path / "files"
    files.mkdir()
    engine = make_engine(tui_db_url)
    try:
        log_year(engine, calendar, files)
    finally:
        engine.dispose()
    return make_app


async def open_draft_dialog(app: TrackerApp, pilot: Pilot[None]) -> PrintDialog:
    """`p`, then the fourth kind, 年度报告草稿."""
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, PrintDialog)
    dialog.query_one("#print-kind", Select).value = ANNUAL
    await settle(pilot)
    return dialog


def choose(
    dialog: PrintDialog, target: Path, *, year: str = "2022", fmt: DraftFormat, plain: bool
) -> None:
    dialog.query_one("#draft-year", Input).value = year
    dialog.query_one("#draft-format", Select).value = fmt
    dialog.query_one("#draft-plain", Checkbox).value = plain
    dialog.query_one("#print-path", Input).value = str(target)


async def preview(app: TrackerApp, pilot: Pilot[None]) -> AnnualPreviewScreen:
    await pilot.press("ctrl+s")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, AnnualPreviewScreen), screen
    return screen


def row_of(dialog: PrintDialog, field: str) -> Widget:
    """The dialog's row (label and field) holding `field`."""
    return next(w for w in dialog.query_one(field).ancestors if w.has_class("field"))  # type: ignore[union-attr]


def said(app: TrackerApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def shown(screen: AnnualPreviewScreen) -> str:
    return screen.query_one(DraftText).text


def test_the_draft_is_drafted_in_a_worker_shown_and_written_as_word_only_on_w(
    logged_app: Callable[..., TrackerApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "2022年报告.docx"
    threads: list[threading.Thread] = []
    drafting = tracker.annual.draft.annual_draft

    def watched(**kwargs: Any) -> AnnualDraft:
        threads.append(threading.current_thread())
        return drafting(**kwargs)

    monkeypatch.setattr(tracker.annual.draft, "annual_draft", watched)

    async def run() -> None:
        app = logged_app()
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await open_draft_dialog(app, pilot)
            choose(dialog, target, fmt=DraftFormat.DOCX, plain=False)
            screen = await preview(app, pilot)
            assert threads and threads[0] is not threading.main_thread()
            text = shown(screen)
            assert text.splitlines()[0] == TITLE
            assert LECTURES + "〔5.5a〕" in text
            assert str(target) in str(screen.query_one("#preview-info").render())
            assert not target.exists()  # seen, not yet written
            await pilot.press("w")
            await settle(pilot)
            assert not isinstance(app.screen, (AnnualPreviewScreen, PrintDialog))
            assert said(app)[-1] == t("print.written", path=str(target))

    asyncio.run(run())
    paragraphs = [p.text for p in docx.Document(str(target)).paragraphs]
    assert paragraphs[0].replace("\n", "") == TITLE  # broken after the issuer, as a page sets it
    assert any(LECTURES in p for p in paragraphs)


@pytest.mark.parametrize("plain", [False, True])
def test_the_text_draft_carries_the_code_markers_unless_it_is_the_clean_copy(
    logged_app: Callable[..., TrackerApp], tmp_path: Path, plain: bool
) -> None:
    target = tmp_path / "2022年报告.txt"

    async def run() -> None:
        app = logged_app()
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await open_draft_dialog(app, pilot)
            choose(dialog, target, fmt=DraftFormat.TXT, plain=plain)
            screen = await preview(app, pilot)
            text = shown(screen)
            assert LECTURES in text
            assert ("〔5.5a〕" in text) is not plain
            assert ("草稿：由台账" in text) is not plain  # the draft's note, not the clean copy's
            await pilot.press("ctrl+s")  # as the dialog before it
            await settle(pilot)

    asyncio.run(run())
    written = target.read_text(encoding="utf-8")
    assert written.startswith(TITLE)
    assert ("〔5.5a〕" in written) is not plain


def test_escape_from_the_preview_writes_nothing_and_the_dialog_keeps_the_choices(
    logged_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    target = tmp_path / "2022年报告.md"

    async def run() -> None:
        app = logged_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_draft_dialog(app, pilot)
            choose(dialog, target, fmt=DraftFormat.MD, plain=True)
            await preview(app, pilot)
            await pilot.press("escape")
            await settle(pilot)
            again = app.screen
            assert isinstance(again, PrintDialog)
            assert again.query_one("#print-kind", Select).value == ANNUAL
            assert again.query_one("#draft-year", Input).value == "2022"
            assert again.query_one("#draft-format", Select).value is DraftFormat.MD
            assert again.query_one("#draft-plain", Checkbox).value is True
            assert again.query_one("#print-path", Input).value == str(target)
            assert not any(t("print.written", path=str(target)) == m for m in said(app))

    asyncio.run(run())
    assert not target.exists()


def test_a_year_before_the_report_reopens_the_dialog_with_the_reason(
    logged_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    target = tmp_path / "2020年报告.docx"

    async def run() -> None:
        app = logged_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_draft_dialog(app, pilot)
            choose(dialog, target, year="2020", fmt=DraftFormat.DOCX, plain=False)
            await pilot.press("ctrl+s")
            await settle(pilot)
            again = app.screen
            assert isinstance(again, PrintDialog)  # no preview: back, with the reason
            assert again.query_one("#draft-year", Input).value == "2020"
            error = str(again.query_one("#dialog-error").render())
            assert error == t("annual.no_report", town="保和镇", year=2020)

    asyncio.run(run())
    assert not target.exists()


def test_a_year_not_begun_on_the_apps_day_reopens_the_dialog_with_the_reason(
    logged_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    async def run() -> None:
        app = logged_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_draft_dialog(app, pilot)
            choose(dialog, tmp_path / "x.txt", year="2027", fmt=DraftFormat.TXT, plain=False)
            await pilot.press("ctrl+s")
            await settle(pilot)
            again = app.screen
            assert isinstance(again, PrintDialog)
            error = str(again.query_one("#dialog-error").render())
            assert error == t("annual.year_not_begun", year=2027, day="2026-11-26")

    asyncio.run(run())


@pytest.mark.parametrize("typed", ["二〇二二", "22x", "", "12345"])
def test_a_year_that_is_no_year_is_refused_in_the_dialog(
    logged_app: Callable[..., TrackerApp], tmp_path: Path, typed: str
) -> None:
    async def run() -> None:
        app = logged_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_draft_dialog(app, pilot)
            choose(dialog, tmp_path / "x.txt", year=typed, fmt=DraftFormat.TXT, plain=False)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog
            error = str(dialog.query_one("#dialog-error").render())
            assert error == t("tui.annual.bad_year", value=typed, year=2026)
            assert app.focused is dialog.query_one("#draft-year", Input)

    asyncio.run(run())


def test_a_year_typed_with_its_character_or_in_full_width_digits_is_read(
    logged_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    async def run() -> None:
        app = logged_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_draft_dialog(app, pilot)
            choose(dialog, tmp_path / "x.txt", year="２０２２年", fmt=DraftFormat.TXT, plain=False)
            screen = await preview(app, pilot)
            assert shown(screen).splitlines()[0] == TITLE

    asyncio.run(run())


def test_an_existing_file_is_overwritten_only_when_the_officer_says_so(
    logged_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    target = tmp_path / "2022年报告.txt"
    target.write_text("去年的草稿", encoding="utf-8")

    async def run() -> None:
        app = logged_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_draft_dialog(app, pilot)
            choose(dialog, target, fmt=DraftFormat.TXT, plain=False)
            await preview(app, pilot)
            await pilot.press("w")
            await settle(pilot)
            question = app.screen
            assert isinstance(question, ConfirmDialog)
            assert str(target) in question.question
            await pilot.click("#cancel")  # 取消: back to the dialog, as a printout's
            await settle(pilot)
            assert isinstance(app.screen, PrintDialog)
            assert target.read_text(encoding="utf-8") == "去年的草稿"
            await preview(app, pilot)
            await pilot.press("w")
            await settle(pilot)
            await pilot.click("#ok")
            await settle(pilot)

    asyncio.run(run())
    assert target.read_text(encoding="utf-8").startswith(TITLE)


def test_the_draft_shows_its_own_rows_and_names_its_file_for_the_year_and_the_copy(
    make_app: Callable[..., TrackerApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    folder = home / "Documents"

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_draft_dialog(app, pilot)
            for field in ("#print-format", "#print-section", "#print-as-of"):
                assert not row_of(dialog, field).display, field
                assert not dialog.query_one(field).region, field
            for field in ("#draft-year", "#draft-format", "#draft-plain"):
                assert row_of(dialog, field).display, field
                assert dialog.query_one(field).region, field
            assert str(dialog.query_one("#save", Button).label).startswith(
                t("tui.annual.preview_button")
            )
            path = dialog.query_one("#print-path", Input)
            # The app's year unless changed (its hint says to type last year's in January).
            assert dialog.query_one("#draft-year", Input).value == "2026"
            assert path.value == str(folder / "2026年法治政府建设年度报告（草稿）.docx")
            dialog.query_one("#draft-year", Input).value = "2022"
            await settle(pilot)
            assert path.value == str(folder / "2022年法治政府建设年度报告（草稿）.docx")
            dialog.query_one("#draft-plain", Checkbox).value = True
            dialog.query_one("#draft-format", Select).value = DraftFormat.TXT
            await settle(pilot)
            assert path.value == str(folder / "2022年法治政府建设年度报告（清稿）.txt")
            # A name of the officer's own stays whatever is chosen next.
            path.value = str(folder / "给区司法局.txt")
            dialog.query_one("#draft-year", Input).value = "2021"
            await settle(pilot)
            assert path.value == str(folder / "给区司法局.txt")

    asyncio.run(run())


@pytest.mark.parametrize("draft_kind", [False, True])
def test_an_untouched_dialog_writes_nothing(
    make_app: Callable[..., TrackerApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    draft_kind: bool,
) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            if draft_kind:
                await open_draft_dialog(app, pilot)
            else:
                await pilot.press("p")
                await settle(pilot)
            assert isinstance(app.screen, PrintDialog)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen
            assert said(app) == []

    asyncio.run(run())
    assert list((home / "Documents").iterdir()) == []
    assert list(tmp_path.glob("**/*法治政府建设年度报告*")) == []


def test_gaps_are_drawn_in_the_warning_colour_and_markers_dim(
    logged_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    async def run() -> None:
        app = logged_app()
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await open_draft_dialog(app, pilot)
            choose(dialog, tmp_path / "x.txt", fmt=DraftFormat.TXT, plain=False)
            screen = await preview(app, pilot)
            widget = screen.query_one(DraftText)
            gap = widget.get_component_rich_style("draft-text--gap")
            mark = widget.get_component_rich_style("draft-text--marker")
            assert gap != mark and gap.color is not None
            styled: dict[str, set[str]] = {}
            for block in widget.blocks():
                for span in block.spans:
                    style = str(span.style)
                    styled.setdefault(style, set()).add(block.plain[span.start : span.end])
            assert "【请概述2022年本镇法治政府建设的总体情况】" in styled[str(gap)]
            assert "〔5.5a〕" in styled[str(mark)]

    asyncio.run(run())


# --- how the preview breaks its lines (pure) -----------------------------------------------


def folded(text: str, width: int) -> list[str]:
    from rich.text import Text

    return [line.plain for line in Text(text).divide(break_offsets(text, width))]


def test_chinese_breaks_between_any_two_characters_filling_each_line() -> None:
    # Rich breaks at spaces only: the line before a date's space would end half empty.
    assert folded("草稿：由台账按 2022-12-31 的情况生成", 20) == [
        "草稿：由台账按 ",
        "2022-12-31 的情况生",
        "成",
    ]
    lines = folded("一二三四五六七八九十一二三四五", 10)
    assert lines == ["一二三四五", "六七八九十", "一二三四五"]


def test_no_line_starts_with_closing_punctuation_nor_splits_a_code() -> None:
    assert folded("一二三四五。六七", 10) == ["一二三四", "五。六七"]
    assert folded("一二三四〔3.2-N1〕", 12) == ["一二三四", "〔3.2-N1〕"]
    assert folded("较2021年增加", 6) == ["较2021", "年增加"]  # 2021 whole


def test_english_breaks_at_its_spaces() -> None:
    assert folded("the same as in 2021 (47 people)", 16) == [
        "the same as in ",
        "2021 (47 people)",
    ]
