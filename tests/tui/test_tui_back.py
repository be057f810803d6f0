"""Escape goes back to where the officer came from, whichever way they went: from an item
to the report (`t`) and back to the item, from one area to another and back, out of the
search box and then back, out of a dialog to the screen under it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.widgets import Input
from tui_helpers import settle

from tracker.tui.app import TrackerApp
from tracker.tui.screens.dashboard import DashboardScreen
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.items import ItemsScreen
from tracker.tui.screens.overdue import OverdueScreen
from tracker.tui.screens.report import ReportScreen
from tracker.tui.screens.villages import VillagesScreen
from tracker.tui.widgets.item_list import ItemList

SIZE = (80, 24)
CODE = "5.5a/2022"


def test_escape_in_the_report_after_t_comes_back_to_the_item(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_item(CODE)
            await settle(pilot)
            item = app.screen
            assert isinstance(item, DetailScreen)
            await pilot.press("t")
            await settle(pilot)
            assert isinstance(app.screen, ReportScreen)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is item and app.current_mode == "items"
            # And Escape on the item goes back to the list it was opened from.
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ItemsScreen)

    asyncio.run(run())


def test_escape_goes_back_through_the_areas_visited_each_once(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for key in ("i", "v", "i", "r"):  # the list visited twice: gone back to once
                await pilot.press(key)
                await settle(pilot)
            assert isinstance(app.screen, VillagesScreen)
            shown = []
            for _ in range(4):
                await pilot.press("escape")
                await settle(pilot)
                shown.append(type(app.screen))
            assert shown == [ItemsScreen, OverdueScreen, DashboardScreen, DashboardScreen]

    asyncio.run(run())


def test_escape_leaves_the_search_box_first_then_goes_back(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            await pilot.press("slash", "5", ".", "5")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ItemsScreen)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen and isinstance(app.focused, ItemList)
            assert screen.query_one("#search", Input).value == "5.5"  # kept
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)

    asyncio.run(run())


def test_escape_from_an_item_opened_in_the_report_goes_back_to_the_report(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(mode="report")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            report = app.screen
            await pilot.press("n", "enter")  # the first excerpt, opened
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is report

    asyncio.run(run())
