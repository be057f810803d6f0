"""Every dialog of the app at 80×24, the smallest terminal it is made for: it has a title,
its buttons are in sight, every control can be reached (the body scrolls to the focused
one), Escape goes back to the screen it was opened from, and Ctrl+S finishes it.

The snapshots (pictures of each dialog, its buttons in them) are in test_tui_snapshots.py;
these tests assert the same with the widgets' regions, so that a change of look alone does
not hide a lost button.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dialog_cases import CODE, DIALOGS
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Select
from tui_helpers import settle

from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.items import ItemsScreen
from tracker.tui.widgets.edit_dialog import Dialog
from tracker.tui.widgets.filters import FilterDialog
from tracker.tui.widgets.print_dialog import PrintDialog

SIZE = (80, 24)


def visible(screen: Screen[Any], widget: Widget) -> bool:
    """Whether `widget` can be seen on `screen`: inside the terminal, and what is drawn at
    its middle is the widget itself (or a part of it), not something over or around it."""
    region = widget.region
    if not region or not screen.region.contains_region(region):
        return False
    try:
        found, _ = screen.get_widget_at(*region.center)
    except Exception:  # noqa: BLE001 — nothing there at all
        return False
    return found is widget or widget in found.ancestors_with_self


async def open_over_items(app: TrackerApp, pilot: Pilot[None], name: str) -> ModalScreen[Any]:
    await settle(pilot)
    assert isinstance(app.screen, ItemsScreen)
    app.push_screen(DIALOGS[name](app))
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, ModalScreen)
    return dialog


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_every_dialog_at_80x24_has_a_title_and_its_buttons_and_every_control_in_sight(
    make_app: Callable[..., TrackerApp], name: str
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=SIZE) as pilot:
            dialog = await open_over_items(app, pilot, name)
            box = dialog.query_one("#dialog" if isinstance(dialog, Dialog) else "#help-box")
            assert box.border_title, name
            buttons = list(dialog.query(Button))
            if isinstance(dialog, Dialog):
                assert buttons, name
            for button in buttons:
                assert visible(dialog, button), (name, button.id, button.region)
            # Tab goes through every control; each is scrolled into sight when it has the
            # cursor (a RadioSet, a Select, an Input, the evidence box, the checkbox).
            seen: list[Widget] = []
            for _ in range(30):
                focused = app.focused
                assert focused is not None, name
                if focused in seen:
                    break
                seen.append(focused)
                await pilot.pause()
                assert visible(dialog, focused), (name, focused, focused.region)
                await pilot.press("tab")
            controls = dialog.focus_chain
            assert set(controls) <= set(seen), (name, set(controls) - set(seen))

    asyncio.run(run())


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_escape_closes_every_dialog_back_to_the_screen_it_was_opened_from(
    make_app: Callable[..., TrackerApp], name: str
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=SIZE) as pilot:
            await open_over_items(app, pilot, name)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ItemsScreen), name
            assert app.current_mode == "items"

    asyncio.run(run())


def test_the_filter_dialog_applies_with_ctrl_s_from_any_choice(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ItemsScreen)
            await pilot.press("f")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, FilterDialog)
            dialog.query_one("#all", Checkbox).value = True
            dialog.query_one("#section", Select).focus()
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is screen
            assert screen.filter.show_all

    asyncio.run(run())


def test_p_on_an_item_prints_and_escape_comes_back_to_the_item(
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
            await pilot.press("p")
            await settle(pilot)
            assert isinstance(app.screen, PrintDialog)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is item

    asyncio.run(run())


def test_a_refused_field_stays_in_sight_when_the_reason_takes_room_from_the_body(
    make_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, PrintDialog)
            path = dialog.query_one("#print-path", Input)
            path.value = str(tmp_path / ("没有这个文件夹" * 6) / "台账.xlsx")  # a long reason
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog and app.focused is path
            assert dialog.query_one("#dialog-error").region.height >= 2
            assert visible(dialog, path), path.region
            for button in dialog.query(Button):
                assert visible(dialog, button), button.id

    asyncio.run(run())
