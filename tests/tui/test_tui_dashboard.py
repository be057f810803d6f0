"""The overview (总览): what it shows, that it follows changes, and that its lines open."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

from rich.text import Text
from sqlmodel import select
from textual.screen import Screen
from textual.widgets import Input, Static
from tui_helpers import settle

from tracker.models import Commitment, Status
from tracker.schedule import Light
from tracker.services.events import log_event
from tracker.services.lookup import now
from tracker.tui import editing
from tracker.tui.app import TrackerApp
from tracker.tui.screens.dashboard import DashboardScreen
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.widgets.bars import FittedLine, LineList, ProgressBars
from tracker.tui.widgets.dialogs import LogDialog

LECTURES = "5.5a/2026"  # 每年至少2次法治专题讲座, the 2026 period


def shown(app: TrackerApp) -> Screen[Any]:
    """The screen on top (a function, so that type narrowing does not outlive a key press)."""
    return app.screen


def on_top(app: TrackerApp, screen: Screen[Any]) -> bool:
    return app.screen is screen


def line_text(lines: LineList, option_id: str, width: int = 100) -> str:
    prompt = lines.get_option(option_id).prompt
    assert isinstance(prompt, FittedLine)
    return prompt.fit(width).plain


def quota_line(screen: DashboardScreen) -> str:
    return line_text(screen.query_one(LineList), f"quota:{LECTURES}")


def test_dashboard_is_the_first_screen_and_shows_sections_counts_and_lists(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DashboardScreen)
            board = screen.board
            assert board is not None
            # One bar per section, labelled with its number and heading.
            bars = screen.query_one(ProgressBars)
            assert [row.label.split()[0] for row in bars.rows] == [
                str(s.number) for s in board.sections
            ]
            assert bars.rows[0].label.startswith("1 健全决策机制")
            assert (bars.rows[3].done, bars.rows[3].total) == (10, 10)
            counts = screen.query_one("#board-counts", Static).content
            assert isinstance(counts, Text)
            assert f"● 红 {board.by_light[Light.RED]} 项" in counts.plain  # commitments
            assert f"共 {board.total} 项承诺" in counts.plain
            assert f"未开始 {board.by_status[Status.TODO]}" in counts.plain
            assert board.by_light[Light.RED] > 0
            lines = screen.query_one(LineList)
            ids = [option.id for option in lines.options if option.id]
            assert [i for i in ids if i.startswith("late:")] == [
                f"late:{entry.first_code}" for entry in board.most_overdue
            ]
            assert len([i for i in ids if i.startswith("next:")]) == len(board.next_deadlines)
            late = line_text(lines, f"late:{board.most_overdue[0].first_code}")
            # A daily duty's late days are one line: the commitment, how many periods are late.
            assert "3.2-D " in late and "矛盾纠纷日排查：逾期 1,219 期" in late
            assert "个工作日" in late

    asyncio.run(run())


def test_dashboard_shows_the_lecture_quota_and_follows_an_event_without_restart(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DashboardScreen)
            before = quota_line(screen)
            assert LECTURES in before and "每年至少2次法治专题讲座" in before
            assert "0/2" in before
            # Another officer records a lecture; the app hears of it through its signal.
            with app.context.session() as session:
                item = session.exec(select(Commitment).where(Commitment.code == LECTURES)).one()
                log_event(
                    session=session,
                    item=item,
                    day=date(2026, 11, 20),
                    note="法治专题讲座",
                    evidence=[],
                    user="王科员",
                    now=now(),
                    calendar=app.context.deadlines.calendar,
                )
            app.ledger_changed.publish(LECTURES)
            await settle(pilot)
            assert "1/2" in quota_line(screen)

    asyncio.run(run())


def test_logging_a_lecture_through_the_dialog_updates_the_quota(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DashboardScreen)
            editing.log_event(screen, LECTURES)
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, LogDialog)
            dialog.query_one("#note", Input).value = "法治专题讲座（第一次）"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert on_top(app, screen)
            assert "1/2" in quota_line(screen)

    asyncio.run(run())


def test_enter_opens_the_quota_and_an_overdue_line_opens_its_oldest_period(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DashboardScreen) and screen.board is not None
            lines = screen.query_one(LineList)
            assert app.focused is lines
            # The cursor starts on the first quota.
            await pilot.press("enter")
            await pilot.pause()
            detail = shown(app)
            assert isinstance(detail, DetailScreen)
            assert detail.code == screen.board.quotas[0].code
            await pilot.press("escape")
            await pilot.pause()
            assert on_top(app, screen)
            # Down past the quotas (and the heading, which the cursor skips) to the most
            # overdue item: its oldest late period opens.
            for _ in screen.board.quotas:
                await pilot.press("down")
            await pilot.press("enter")
            await pilot.pause()
            oldest = screen.board.most_overdue[0].first_code
            assert oldest.startswith("3.2-D/")
            detail = shown(app)
            assert isinstance(detail, DetailScreen)
            assert detail.code == oldest
            # A click opens a line too: the second quota, one line below the first.
            await pilot.press("escape")
            await pilot.press("home")
            await pilot.pause()
            first = lines.highlighted or 0
            assert await pilot.click(LineList, offset=(4, first + 1))
            await pilot.pause()
            detail = shown(app)
            assert isinstance(detail, DetailScreen)
            assert detail.code == screen.board.quotas[1].code

    asyncio.run(run())


def test_the_page_scrolls_to_keep_the_cursor_in_view_at_80_by_24(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DashboardScreen) and screen.board is not None
            board = screen.query_one("#board")
            lines = screen.query_one(LineList)
            assert board.max_scroll_y > 0  # the overview is taller than 22 lines here
            await pilot.press("end")
            await pilot.pause()
            last = screen.board.next_deadlines[-1].code
            assert lines.highlighted_option is not None
            assert lines.highlighted_option.id == f"next:{last}"
            y = lines.region.y + (lines.highlighted or 0)
            assert board.region.y <= y < board.region.bottom
            await pilot.press("home")
            await pilot.pause()
            y = lines.region.y + (lines.highlighted or 0)
            assert board.region.y <= y < board.region.bottom

    asyncio.run(run())
