"""The report text (报告原文): every excerpt lit, uncovered items marked, jumping there and back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Static
from tui_helpers import settle

from tracker.services.report_view import UncoveredItem
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.report import ReportScreen
from tracker.tui.widgets.report_text import UNCOVERED_MARK, ReportText, wrap_paragraph

LECTURES = "每年至少举办2次法治专题讲座"  # the excerpt of 5.5a


async def open_report(pilot: Pilot[None]) -> tuple[ReportScreen, ReportText]:
    await pilot.press("t")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportScreen)
    return screen, screen.query_one(ReportText)


def visible_text(text: ReportText) -> str:
    """The lines in view, run together."""
    top = round(text.scroll_offset.y)
    return "".join(text.lines()[top : top + text.scrollable_content_region.height])


def test_the_whole_report_is_shown_wrapped_to_the_width_with_every_excerpt(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen, text = await open_report(pilot)
            view = screen.view
            assert view is not None
            lines = text.lines()
            width = text.scrollable_content_region.width
            assert all(cell_len(line) <= width for line in lines)
            # Nothing of the report is lost or reordered by wrapping, CJK characters
            # included; the portal's page around it is not shown.
            shown = "".join(view.text[a:b] for a, b in view.shown)
            assert "".join(lines) == shown.replace("\n", "")
            assert lines[0].startswith("资阳市雁江区保和镇人民政府2021年法治政府建设年度报告")
            assert shown.endswith("促进我镇法治政府建设再上新台阶。")
            assert len(view.highlights) == 66
            for index, highlight in enumerate(view.highlights):
                assert text.excerpt(index) == view.text[highlight.start : highlight.end]
            summary = str(screen.query_one("#report-summary", Static).content)
            assert "66" in summary and "0" in summary

    asyncio.run(run())


def test_the_portals_page_around_the_report_is_stored_but_not_shown(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen, text = await open_report(pilot)
            assert screen.view is not None
            stored, shown = screen.view.text, "\n".join(text.lines())
            for furniture in (
                "首页 走进雁江",
                "您现在的位置",
                "【打印本稿】",
                "【关闭】",
                "网站地图",
                "蜀ICP备",
                "川公网安备",
                "相关文档",
            ):
                assert furniture in stored
                assert furniture not in shown
            # The byline stays: it dates the report and says who issued it.
            assert "2022-03-10 来源:雁江区保和镇人民政府" in shown
            # The first line shown is the title, the cursor's excerpts still land on their text.
            await pilot.press("n")
            assert text.cursor == 0 and text.line_of(0) > 0
            assert (
                text.excerpt(0) == stored[screen.view.highlights[0].start :][: len(text.excerpt(0))]
            )

    asyncio.run(run())


def test_jump_to_an_instance_selects_its_commitments_excerpt_in_view(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen, text = await open_report(pilot)
            assert LECTURES not in visible_text(text)  # it is far down the report
            screen.jump_to("5.5a/2022")
            await pilot.pause()
            assert text.current is not None and text.current.code == "5.5a"
            assert text.cursor is not None
            top, line = round(text.scroll_offset.y), text.line_of(text.cursor)
            assert top <= line < top + text.scrollable_content_region.height
            assert LECTURES in visible_text(text)
            assert "5.5a" in str(screen.query_one("#report-status", Static).content)
            # A village's item goes to its per-village commitment.
            screen.jump_to("3.3a-V07")
            await pilot.pause()
            assert text.current is not None and text.current.code == "3.3a"

    asyncio.run(run())


def test_n_and_shift_n_walk_the_excerpts_enter_opens_one_and_escape_comes_back(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen, text = await open_report(pilot)
            await pilot.press("n")
            assert text.cursor == 0
            await pilot.press("n", "n", "right_square_bracket")
            assert text.cursor == 3
            await pilot.press("N", "left_square_bracket")
            assert text.cursor == 1
            assert screen.view is not None
            code = screen.view.highlights[1].code
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.code == code
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen  # type: ignore[comparison-overlap]
            assert text.cursor == 1

    asyncio.run(run())


def test_a_commitment_opens_the_report_at_its_excerpt(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()  # on the overview: the report screen does not exist yet
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.show_in_report("5.5b/2026")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ReportScreen)
            text = screen.query_one(ReportText)
            assert text.current is not None and text.current.code == "5.5b"
            assert text.cursor is not None
            top = round(text.scroll_offset.y)
            assert top <= text.line_of(text.cursor) < top + text.scrollable_content_region.height
            # Again from another area, now that the report is loaded.
            await pilot.press("i")
            await settle(pilot)
            app.show_in_report("3.3a-V07")
            await pilot.pause()
            assert app.screen is screen
            assert text.current is not None and text.current.code == "3.3a"
            top = round(text.scroll_offset.y)
            assert top <= text.line_of(text.cursor) < top + text.scrollable_content_region.height

    asyncio.run(run())


def test_the_current_excerpt_stays_in_view_when_the_terminal_is_resized(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            screen, text = await open_report(pilot)
            screen.jump_to("6.2")
            await pilot.pause()
            wide = len(text.lines())
            await pilot.resize_terminal(80, 24)
            await settle(pilot)
            assert len(text.lines()) > wide  # rewrapped to the narrower width
            assert text.cursor is not None
            top = round(text.scroll_offset.y)
            assert top <= text.line_of(text.cursor) < top + text.scrollable_content_region.height

    asyncio.run(run())


def test_clicking_an_excerpt_selects_it_and_a_second_click_opens_it(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen, text = await open_report(pilot)
            screen.jump_to("5.5a")
            await pilot.pause()
            assert text.cursor is not None
            screen.jump_to("5.5b")  # move away, then click 5.5a's first character
            await pilot.pause()
            assert screen.view is not None
            target = next(i for i, h in enumerate(screen.view.highlights) if h.code == "5.5a")
            line = text.line_of(target)
            start = text.lines()[line].find(LECTURES[:4])
            x = 1 + cell_len(text.lines()[line][:start])  # 1: the widget's left padding
            y = line - round(text.scroll_offset.y)
            await pilot.click(ReportText, offset=(x, y))
            assert text.current is not None and text.current.code == "5.5a"
            await pilot.click(ReportText, offset=(x, y))
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen) and app.screen.code == "5.5a"

    asyncio.run(run())


def test_items_no_commitment_covers_are_marked(make_app: Callable[..., TrackerApp]) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen, text = await open_report(pilot)
            view = screen.view
            assert view is not None and view.uncovered == []  # the seed covers every item
            first = view.sections[0].items[0]  # 一是优化领导小组 …
            screen.show(replace(view, uncovered=[UncoveredItem(section=1, item=first)]))
            await pilot.pause()
            marked = [line for line in text.lines() if line.startswith(UNCOVERED_MARK)]
            assert len(marked) == 1 and marked[0].startswith("✗ 一是优化领导小组")
            # The excerpts after the mark still land on their own words.
            for index, highlight in enumerate(view.highlights):
                assert text.excerpt(index) == view.text[highlight.start : highlight.end]
            assert "1" in str(screen.query_one("#report-summary", Static).content)
            # The mark and the item are drawn in their own styles, unlike the text around.
            y = text.lines().index(marked[0])
            text.scroll_to(y=y, animate=False, force=True, immediate=True)
            await pilot.pause()
            segments = list(text.render_line(y - round(text.scroll_offset.y)))
            mark = next(s for s in segments if s.text.startswith("✗"))
            item = next(s for s in segments if s.text.startswith("一是"))
            assert mark.style is not None and item.style is not None
            assert mark.style.bold and item.style.italic
            assert mark.style.color != item.style.color

    asyncio.run(run())


@given(
    text=st.text(alphabet="法治政府建设年度报告，。、“”（）abc 2021", max_size=120),
    width=st.integers(min_value=2, max_value=40),
)
def test_wrapping_keeps_every_character_in_order_within_the_width(text: str, width: int) -> None:
    lines = wrap_paragraph(text, width)
    assert "".join(text[a:b] for a, b in lines) == text
    assert all(a < b for a, b in lines) or text == ""
    assert all(cell_len(text[a:b]) <= width for a, b in lines)


def test_wrapping_keeps_punctuation_and_numbers_with_their_words() -> None:
    text = "共编印各类法治宣传资料600余份，举办活动180余次。"
    lines = [text[a:b] for a, b in wrap_paragraph(text, 24)]
    assert lines == ["共编印各类法治宣传资料", "600余份，举办活动180余", "次。"]
    assert not any(line.startswith(("，", "。")) for line in lines)
