"""The village roster (村居): the grid, its colours, opening a cell, following changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import Static
from tui_helpers import settle

from tracker.i18n import set_language
from tracker.models import Status
from tracker.schedule import Light
from tracker.services.lookup import get_commitment, now
from tracker.services.updates import set_status
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.villages import VillagesScreen, VillageTable
from tracker.tui.widgets.dialogs import StatusDialog

REQUIREMENTS = ["3.2b", "3.2c", "3.3a", "3.3b"]


async def open_roster(pilot: Pilot[None]) -> VillagesScreen:
    await pilot.press("r")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, VillagesScreen)
    return screen


def test_the_grid_has_every_village_against_every_per_village_requirement(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_roster(pilot)
            table = screen.query_one(VillageTable)
            assert [str(c.key.value) for c in table.ordered_columns] == REQUIREMENTS
            assert table.row_count == 23
            assert str(table.ordered_rows[6].label) == "村(社区)07"
            # Each column is labelled with its code and (the start of) its title.
            label = str(table.ordered_columns[2].label)
            assert label.startswith("3.3a\n") and "法律顾问" in label
            # Seeded 2021 items are done: a muted dot and the status, in every cell.
            assert str(table.get_cell_at(Coordinate(6, 2))) == "● 已完成"
            # At 80 columns the four requirements fit without scrolling sideways.
            assert table.virtual_size.width <= table.scrollable_content_region.width

    asyncio.run(run())


def test_enter_on_a_cell_opens_that_villages_item_and_escape_comes_back(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_roster(pilot)
            await pilot.press(*["down"] * 6, "right", "right")  # 村(社区)07 × 3.3a
            assert screen.current is not None and screen.current.code == "3.3a-V07"
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.code == "3.3a-V07"
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen  # type: ignore[comparison-overlap]
            assert screen.current is not None and screen.current.code == "3.3a-V07"

    asyncio.run(run())


def test_clicking_a_chosen_cell_opens_its_item(make_app: Callable[..., TrackerApp]) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_roster(pilot)
            table = screen.query_one(VillageTable)
            label_width = 12  # "村(社区)01" and its padding
            column = table.ordered_columns[1].get_render_width(table)
            x, y = label_width + column + 2, 3 + 4  # 3.2c, 村(社区)05 (below the 3-line header)
            await pilot.click(VillageTable, offset=(x, y))
            assert screen.current is not None and screen.current.code == "3.2c-V05"
            await pilot.click(VillageTable, offset=(x, y))
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.code == "3.2c-V05"

    asyncio.run(run())


def test_a_saved_change_recolours_its_cell(make_app: Callable[..., TrackerApp]) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_roster(pilot)
            with app.context.session() as session:
                item = get_commitment(session=session, code="3.3a-V07", report_slug=None)
                set_status(
                    session=session,
                    item=item,
                    status=Status.TODO,
                    note="",
                    user="t",
                    now=now(),
                    effective_on=app.context.effective_on,  # the day the app shows
                )
            app.ledger_changed.publish("3.3a-V07")
            await settle(pilot)
            table = screen.query_one(VillageTable)
            cell = table.get_cell_at(Coordinate(6, 2))
            assert cell.plain == "● 未开始"
            assert cell.style == "bold red"  # long past its 2021 deadline
            assert screen.grid is not None
            assert screen.grid.rows[6].cells[2] is not None
            assert screen.grid.rows[6].cells[2].light is Light.RED
            assert "● 红 1" in str(screen.query_one("#village-summary", Static).content)

    asyncio.run(run())


def test_the_grid_reads_in_english(make_app: Callable[..., TrackerApp]) -> None:
    set_language("en")

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_roster(pilot)
            table = screen.query_one(VillageTable)
            assert str(table.ordered_rows[6].label) == "Village 07"
            assert str(table.ordered_columns[0].label).startswith("3.2b\nMediation")
            assert str(table.get_cell_at(Coordinate(0, 0))) == "● done"

    asyncio.run(run())


def test_s_on_a_cell_changes_that_villages_item(make_app: Callable[..., TrackerApp]) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_roster(pilot)
            await pilot.press("down", "right")  # 村(社区)02 × 3.2c
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, StatusDialog)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen  # type: ignore[comparison-overlap]

    asyncio.run(run())
