"""Issue 10.7 in the app: stored text is shown as typed, never read as Rich markup nor
obeyed by the terminal, and what an officer types into a dialog cannot break it."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from rich.console import Console
from sqlmodel import select
from textual.widgets import DataTable, Input, Static
from tui_helpers import settle

from tracker.models import Commitment, Unit, Village
from tracker.services.updates import add_note
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.widgets.dialogs import LogDialog

USER = "王科员"
# The day the app views (tests/tui/conftest.py), so that the note is in its history.
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=timezone(timedelta(hours=8)))
HOSTILE = "\x1b[31m红字\x1b[0m [red]标记[/red] [/] 反\u202e转"


def plain(renderable: object) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def make_hostile(app: TrackerApp) -> None:
    """HOSTILE as a note of 1.4c, as the name of its unit and of village 7 (as a ledger made
    before names were checked may hold them)."""
    with app.context.session() as session:
        item = session.exec(select(Commitment).where(Commitment.code == "1.4c")).one()
        add_note(session=session, item=item, text=HOSTILE, user=USER, now=NOW)
        unit = session.get(Unit, item.unit_id)
        assert unit is not None
        unit.name = HOSTILE
        village = session.exec(select(Village).where(Village.number == 7)).one()
        village.name = HOSTILE
        session.add_all([unit, village])
        session.commit()


def test_stored_escapes_and_markup_are_shown_as_typed(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        make_hostile(app)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            app.open_item("1.4c")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DetailScreen)
            for part in ("detail-text", "detail-facts", "detail-log"):
                shown = plain(screen.query_one(f"#{part}", Static).content)
                assert "\x1b" not in shown and "\u202e" not in shown, part
                assert "[red]标记[/red] [/]" in shown, (part, shown)
                assert "\\x1b[31m红字" in shown, part
            app.open_item("3.3a")
            await settle(pilot)
            table = app.screen.query_one("#detail-instances", DataTable)
            cells = [
                plain(cell) for row in range(table.row_count) for cell in table.get_row_at(row)
            ]
            assert any("[red]标记[/red] [/]" in cell for cell in cells)
            assert not any("\x1b" in cell for cell in cells)

    asyncio.run(run())


def test_markup_typed_into_a_dialog_is_an_error_message_not_a_crash(
    make_app: Callable[..., TrackerApp],
) -> None:
    """A date typed as "[/]" is quoted by the refusal, which was read as markup."""

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.open_item("5.5a/2022")
            await settle(pilot)
            await pilot.press("l")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, LogDialog)
            await pilot.press("home", "ctrl+k", *"[/]")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog
            error = str(dialog.query_one("#dialog-error", Static).content)
            assert "“[/]”" in error
            assert dialog.query_one("#date", Input).value == "[/]"

    asyncio.run(run())


def test_a_notification_quoting_markup_is_shown_as_typed(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.notify("[/] [red]x[/red] \x1b[31m")
            await pilot.pause()
            [notice] = app._notifications
            assert notice.message == "[/] [red]x[/red] \\x1b[31m"
            assert notice.markup is False

    asyncio.run(run())
