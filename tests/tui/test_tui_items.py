"""The list (事项清单): a window onto the query, searched, filtered and opened from the keyboard.

Every count on screen is checked against the same query run through the service, so the list
shows what the ledger holds, not what a test expects by heart.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import date

import pytest
from textual.widgets import Input, Select, Static
from tui_helpers import settle

from tracker.db import make_engine, new_session
from tracker.schedule import Light
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import ListFilter, Order
from tracker.services.listing import list_items
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.items import ItemsScreen
from tracker.tui.widgets.filters import FilterDialog
from tracker.tui.widgets.item_list import PAGE_SIZE, ItemList

AS_OF = date(2026, 11, 26)  # the day tests/tui/conftest.py builds the app on


def expected_total(db_url: str, flt: ListFilter) -> int:
    engine = make_engine(db_url)
    try:
        with new_session(engine) as session:
            page = list_items(session=session, flt=flt, deadlines=Deadlines(as_of=AS_OF), limit=1)
            return page.total
    finally:
        engine.dispose()


def the_list(app: TrackerApp) -> ItemList:
    assert isinstance(app.screen, ItemsScreen)
    return app.screen.query_one(ItemList)


def test_list_shows_as_many_rows_as_the_query_matches_and_loads_only_a_page(
    make_app: Callable[..., TrackerApp], tui_db_url: str
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            items = the_list(app)
            assert items.total == expected_total(tui_db_url, ListFilter())
            assert items.total > PAGE_SIZE
            # Only the first page has been fetched: the rest comes as it scrolls into view.
            assert len(items.rows_loaded()) == PAGE_SIZE
            await pilot.press("end")
            await settle(pilot)
            assert items.cursor == items.total - 1
            assert items.current is not None

    asyncio.run(run())


def test_o_toggles_overdue_only_and_every_row_then_is_red(
    make_app: Callable[..., TrackerApp], tui_db_url: str
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("o")
            await settle(pilot)
            items = the_list(app)
            assert items.total == expected_total(tui_db_url, ListFilter(overdue=True))
            assert {row.light for row in items.rows_loaded()} == {Light.RED}
            await pilot.press("o")
            await settle(pilot)
            assert items.total == expected_total(tui_db_url, ListFilter())

    asyncio.run(run())


def test_typing_in_the_search_box_narrows_the_list_at_each_key(
    make_app: Callable[..., TrackerApp], tui_db_url: str
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            assert app.screen.query_one("#search", Input).has_focus
            await pilot.press("l", "e", "c")
            await settle(pilot)
            items = the_list(app)
            assert items.total == expected_total(tui_db_url, ListFilter(search="lec"))
            await pilot.press("t", "u", "r", "e")
            await settle(pilot)
            assert items.total == expected_total(tui_db_url, ListFilter(search="lecture"))
            assert all("lecture" in (row.title_en or "").lower() for row in items.rows_loaded())
            # Escape goes back to the list and keeps the search.
            await pilot.press("escape")
            assert items.has_focus
            assert app.screen.query_one("#search", Input).value == "lecture"

    asyncio.run(run())


def test_search_for_chinese_text_finds_the_lectures(
    make_app: Callable[..., TrackerApp], tui_db_url: str
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.screen.query_one("#search", Input).value = "讲座"
            await settle(pilot)
            codes = {row.code for row in the_list(app).rows_loaded()}
            assert "5.5a" in codes
            assert len(codes) == expected_total(tui_db_url, ListFilter(search="讲座"))

    asyncio.run(run())


def test_filter_dialog_narrows_by_light_and_sorts_by_due(
    make_app: Callable[..., TrackerApp], tui_db_url: str
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await pilot.press("f")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, FilterDialog)
            dialog.query_one("#light", Select).value = Light.YELLOW
            dialog.query_one("#order", Select).value = Order.DUE
            await pilot.click("#apply")
            await settle(pilot)
            items = the_list(app)
            flt = ListFilter(lights=[Light.YELLOW], order=Order.DUE)
            assert items.total == expected_total(tui_db_url, flt)
            rows = items.rows_loaded()
            assert rows and {row.light for row in rows} == {Light.YELLOW}
            dues = [row.due for row in rows if row.due is not None]
            assert dues == sorted(dues)

    asyncio.run(run())


def test_ctrl_s_applies_the_filter_dialog_as_it_saves_the_editing_dialogs(
    make_app: Callable[..., TrackerApp], tui_db_url: str
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await pilot.press("f")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, FilterDialog)
            dialog.query_one("#light", Select).value = Light.RED
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, FilterDialog)
            items = the_list(app)
            assert items.total == expected_total(tui_db_url, ListFilter(lights=[Light.RED]))
            assert {row.light for row in items.rows_loaded()} == {Light.RED}

    asyncio.run(run())


def test_enter_opens_the_row_under_the_cursor(make_app: Callable[..., TrackerApp]) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("down", "down")
            items = the_list(app)
            chosen = items.current
            assert chosen is not None
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.code == chosen.code
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ItemsScreen)

    asyncio.run(run())


def test_a_full_page_is_shown_before_its_count_and_the_count_follows(
    make_app: Callable[..., TrackerApp], tui_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search matching more rows than a page shows them at once; the count over the
    town's rows is asked apart, and the list's length and the status follow it."""
    import tracker.tui.screens.items as items_screen

    counting = threading.Event()
    released = threading.Event()
    real_count = items_screen.count_items

    def slow_count(**kwargs: object) -> int:
        counting.set()
        assert released.wait(30)
        return real_count(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(items_screen, "count_items", slow_count)

    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=(80, 24)) as pilot:
            items = the_list(app)
            for _ in range(3000):
                if counting.is_set():
                    break
                await pilot.pause(0.01)
            assert counting.is_set(), "the list was not counted apart"
            await pilot.pause()
            status = str(app.screen.query_one("#list-status", Static).render())
            assert len(items.rows_loaded()) == PAGE_SIZE  # the rows are there
            assert items.total == PAGE_SIZE  # as far as they reach, until counted
            assert str(expected_total(tui_db_url, ListFilter())) not in status
            released.set()
            await settle(pilot)
            total = expected_total(tui_db_url, ListFilter())
            assert total > PAGE_SIZE
            assert items.total == total
            status = str(app.screen.query_one("#list-status", Static).render())
            assert str(total) in status

    try:
        asyncio.run(run())
    finally:
        released.set()  # a failed assertion must not leave the count waiting
