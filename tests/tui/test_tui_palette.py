"""One palette (Ctrl+P) for every action of the app, in the officer's language: the areas,
search, filters, overdue only, print, help, and the edits of the item that is open. Textual's
own commands ("Copy selected text", "Focus Next", screenshot, keys…) are not listed. A
command is found by its name, and by its English name in the Chinese app ("print")."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Callable

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input
from tui_helpers import settle

from tracker.i18n import t
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.items import ItemsScreen
from tracker.tui.widgets.dialogs import StatusDialog
from tracker.tui.widgets.filters import FilterDialog
from tracker.tui.widgets.print_dialog import PrintDialog

SIZE = (80, 24)
CODE = "5.5a/2022"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Names of Textual's own commands and its widgets' keys, none of which may be listed.
TEXTUAL = {
    "Copy selected text",
    "Focus Next",
    "Focus Previous",
    "Page Left",
    "Page Right",
    "Scroll Up",
    "Screenshot",
    "Keys",
    "Maximize",
    "Theme",
    "Quit",
}


async def open_palette(pilot: Pilot[None], typed: str = "") -> CommandPalette:
    await pilot.press("ctrl+p")
    await settle(pilot)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    if typed:
        palette.query_one(Input).value = typed  # as typed with an input method
        await asyncio.sleep(0.3)  # the palette searches after a short pause
        await settle(pilot)
    return palette


def listed(palette: CommandPalette) -> list[str]:
    """The names of the commands the palette lists."""
    commands = palette.query_one(CommandList)
    prompts = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
    return [prompt.partition("\n")[0] for prompt in prompts]


async def run_first(pilot: Pilot[None], palette: CommandPalette, name: str) -> None:
    """Run the first command listed under `name`, with the arrow keys and Enter."""
    target = listed(palette).index(name)
    commands = palette.query_one(CommandList)
    for _ in range(commands.option_count + 1):
        if commands.highlighted == target:
            break
        await pilot.press("down")
    assert commands.highlighted == target
    await pilot.press("enter")
    await settle(pilot)


def test_print_is_found_by_its_chinese_and_its_english_name_and_opens_the_print_dialog(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for typed in ("打印", "print"):
                palette = await open_palette(pilot, typed)
                assert t("key.print") in listed(palette), typed
                await pilot.press("escape")
                await settle(pilot)
            await run_first(pilot, await open_palette(pilot, "打印"), t("key.print"))
            assert isinstance(app.screen, PrintDialog)

    asyncio.run(run())


def test_the_palette_lists_none_of_textuals_own_commands_and_every_name_in_chinese(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_item(CODE)
            await settle(pilot)
            names = listed(await open_palette(pilot))
            assert names
            assert not TEXTUAL & set(names), names
            assert all(CJK.search(name) for name in names), names
            # Typing what Textual would have offered finds nothing, said in Chinese.
            palette = await open_palette(pilot, "Copy selected text")
            await asyncio.sleep(0.7)
            await settle(pilot)
            commands = palette.query_one(CommandList)
            assert commands.option_count == 1
            said = commands.get_option_at_index(0)
            assert said.disabled and t("palette.no_matches") in repr(said.prompt)

    asyncio.run(run())


def test_every_action_of_the_app_is_a_command_and_the_items_edits_only_on_an_item(
    make_app: Callable[..., TrackerApp],
) -> None:
    everywhere = ["dashboard", "items", "overdue", "villages", "report"]
    everywhere = [t(f"key.{k}") for k in everywhere]
    everywhere += [t(k) for k in ("key.search", "key.filters", "key.overdue_only")]
    everywhere += [t("key.print"), t("key.help"), t("key.quit")]
    edits = [t(f"key.{k}") for k in ("status", "log", "note", "extend")]
    edits += [t("tui.detail.in_report"), t("tui.detail.paragraph")]

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            names = listed(await open_palette(pilot))
            assert set(everywhere) <= set(names), set(everywhere) - set(names)
            assert not set(edits) & set(names)  # the overview has no item open
            await pilot.press("escape")
            app.open_item(CODE)
            await settle(pilot)
            names = listed(await open_palette(pilot))
            assert set(everywhere + edits) <= set(names), set(everywhere + edits) - set(names)
            await run_first(pilot, await open_palette(pilot, "状态"), t("key.status"))
            assert isinstance(app.screen, StatusDialog)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)

    asyncio.run(run())


def test_search_and_filters_from_another_area_go_to_the_list(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await run_first(pilot, await open_palette(pilot, "搜索"), t("key.search"))
            screen = app.screen
            assert isinstance(screen, ItemsScreen)
            assert app.focused is screen.query_one("#search", Input)
            await pilot.press("d")
            await settle(pilot)
            await run_first(pilot, await open_palette(pilot, "筛选"), t("key.filters"))
            assert isinstance(app.screen, FilterDialog)

    asyncio.run(run())


# The same in English, in a fresh interpreter: the keys' names are translated when the
# app's modules are imported.
ENGLISH = """
import asyncio, json, sys
from datetime import date

from tracker.i18n import set_language

set_language("en")

from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from tracker.config import load_settings
from tracker.tui import make_app
from tracker.work import Opening

url, code = sys.argv[1:3]
found = {}


def names(palette):
    commands = palette.query_one(CommandList)
    return [
        str(commands.get_option_at_index(i).prompt).partition("\\n")[0]
        for i in range(commands.option_count)
    ]


async def tour():
    opening = Opening(load_settings(db=url, user="test"), as_of=date(2026, 11, 26))
    app = make_app(opening)
    async with app.run_test(size=(80, 24)) as pilot:

        async def palette(typed=""):
            await pilot.press("ctrl+p")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, CommandPalette)
            screen.query_one(Input).value = typed
            await asyncio.sleep(0.3)
            await pilot.pause()
            return screen

        await app.workers.wait_for_complete()
        found["overview"] = names(await palette())
        found["print"] = names(await palette("print"))
        await pilot.press("down", "enter")
        await pilot.pause()
        found["ran"] = type(app.screen).__name__
        await pilot.press("escape")
        app.open_item(code)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        found["item"] = names(await palette())
        found["status"] = names(await palette("status"))
    app.context.close()


asyncio.run(tour())
print(json.dumps(found))
"""


def test_the_palette_in_english_names_and_finds_every_command_in_english(
    tui_db_url: str,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ENGLISH, tui_db_url, CODE],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    for where in ("overview", "item"):
        names = found[where]
        assert names and not [n for n in names if CJK.search(n)], names
        assert not TEXTUAL - {"Quit"} & set(names), names
    assert {"Overview", "Items", "Overdue", "Villages", "Report", "Search", "Filter"} <= set(
        found["overview"]
    )
    assert {"Print", "Help", "Quit", "Overdue only"} <= set(found["overview"])
    assert "Status" not in found["overview"]
    assert {"Status", "Log event", "Note", "In report", "Paragraph"} <= set(found["item"])
    assert found["print"][0] == "Print"
    assert found["ran"] == "PrintDialog"
    assert found["status"][0] == "Status"


def test_over_a_dialog_the_palette_offers_its_keys_not_other_areas(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, FilterDialog)
            names = listed(await open_palette(pilot))
            assert {t("tui.edit.save"), t("key.cancel"), t("key.help")} <= set(names)
            assert t("key.overdue") not in names and t("key.print") not in names
            await run_first(
                pilot, await open_palette(pilot, t("tui.edit.save")), t("tui.edit.save")
            )
            assert isinstance(app.screen, ItemsScreen)

    asyncio.run(run())
