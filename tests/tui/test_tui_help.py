"""The help screen (`?`): every key of the screen underneath and of the app, and closing it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tui_helpers import settle

from tracker.i18n import t
from tracker.tui.app import TrackerApp
from tracker.tui.screens.help import HelpScreen, KeyHelp, key_name
from tracker.tui.screens.items import ItemsScreen
from tracker.tui.screens.report import ReportScreen

# The keys the issue makes a contract, as the help prints them.
CONTRACT = ["/", "o", "Enter", "s", "l", "n", "v", "r", "t", "?", "q", "Ctrl+P", "Esc"]


def listed(screen: HelpScreen) -> dict[str, list[str]]:
    """Each key the help lists -> what it says the key does (a key may mean two things)."""
    keys: dict[str, list[str]] = {}
    for _, lines in screen.sections:
        for line in lines:
            for key in line.keys.split() if line.keys.isascii() else [line.keys]:
                keys.setdefault(key, []).append(line.meaning)
    return keys


def test_help_over_the_list_gives_every_contract_key_its_meaning(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ItemsScreen)
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            keys = listed(help_screen)
            assert set(CONTRACT) <= set(keys)
            assert keys["/"] == [t("key.search")]  # the list's own binding, once
            assert keys["o"] == [t("key.overdue_only")]
            assert keys["s"] == [t("key.status")]
            assert keys["v"] == [t("key.overdue")]
            assert keys["r"] == [t("key.villages")]
            assert keys["t"] == [t("key.report")]
            assert keys["q"] == [t("key.quit")]
            assert keys["Ctrl+P"] == [t("tui.help.palette")]
            headings = [heading for heading, _ in help_screen.sections]
            assert headings[:2] == [t("tui.help.this_screen"), t("tui.help.everywhere")]
            assert "Ctrl+P" in app.export_screenshot()
            # Escape closes it, and so does ? again.
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ItemsScreen)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, ItemsScreen)

    asyncio.run(run())


def test_help_over_the_report_says_n_moves_there_and_notes_elsewhere(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(mode="report")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ReportScreen)
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            keys = listed(help_screen)
            assert set(CONTRACT) <= set(keys)
            # n's meaning on this screen, with its alias, then its meaning on the item screens.
            this_screen = help_screen.sections[0][1]
            assert KeyHelp("n ]", t("tui.report.next_help")) in this_screen
            assert keys["n"] == [
                t("tui.report.next_help"),
                t("tui.help.elsewhere", what=t("tui.help.note")),
            ]

    asyncio.run(run())


def test_key_names_read_as_on_the_keyboard() -> None:
    assert key_name("ctrl+p") == "Ctrl+P"
    assert key_name("question_mark") == "?"
    assert key_name("escape") == "Esc"
    assert key_name("enter") == "Enter"
    assert key_name("n") == "n"


def test_help_over_an_item_lists_p_as_print_w_as_the_paragraph_and_a_as_its_evidence(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.open_item("5.5a/2022")
            await settle(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            keys = listed(help_screen)
            assert keys["p"] == [t("key.print")]
            assert keys["w"] == [t("tui.detail.paragraph")]
            assert keys["a"] == [t("key.evidence")]

    asyncio.run(run())
