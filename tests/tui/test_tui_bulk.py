"""批量记录 in the app: `b` on a recurring commitment's detail screen opens the bulk dialog,
which logs a range with the same service as `tracker log CODE --from --to` and says in one
notice what it did; a refused range keeps the dialog open with what was typed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import col, func, select
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea
from tui_helpers import settle

from tracker.i18n import t
from tracker.models import Commitment, Event, Evidence, Status
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.help import HelpScreen
from tracker.tui.widgets.bulk_dialog import BulkDialog

DAILY = "3.2-D"


def shown(app: TrackerApp) -> Screen[Any]:
    return app.screen


async def open_detail(app: TrackerApp, pilot: Pilot[None], code: str) -> DetailScreen:
    await settle(pilot)
    app.open_item(code)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    return screen


async def fill(
    pilot: Pilot[None], dialog: BulkDialog, start: str, end: str, note: str, evidence: str = ""
) -> None:
    """Type the range and the note as an officer would; paste the evidence paths."""
    await pilot.press(*start)  # the first date has the focus
    await pilot.press("tab", *end, "tab", *note)
    dialog.query_one("#evidence", TextArea).text = evidence


def event_count(app: TrackerApp) -> int:
    with app.context.session() as session:
        return session.exec(select(func.count()).select_from(Event)).one()


def test_b_logs_a_month_of_daily_screening_and_says_how_many_periods(
    make_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    register = tmp_path / "排查登记表.pdf"
    register.write_bytes(b"register")

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(app, pilot, DAILY)
            await pilot.press("b")
            await pilot.pause()
            dialog = shown(app)
            assert isinstance(dialog, BulkDialog)
            assert dialog.query_one("#from", Input).value == ""  # typed, never defaulted
            await fill(pilot, dialog, "2022-01-04", "2022-01-31", "1月日排查记录", str(register))
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert shown(app) is screen
            said = [str(n.message) for n in app._notifications]
            assert t("bulk_logged", code=DAILY, logged=21, recorded=0) in said
            with app.context.session() as session:
                periods = session.exec(
                    select(Commitment).where(
                        col(Commitment.code).like(f"{DAILY}/2022-01-%"),
                        Commitment.status == Status.DONE,
                    )
                ).all()
                assert len(periods) == 21
                proofs = session.exec(select(Evidence)).all()
                assert len(proofs) == 21 and {p.path for p in proofs} == {str(register)}

            # The same range again adds nothing, and says so.
            await pilot.press("b")
            await pilot.pause()
            again = shown(app)
            assert isinstance(again, BulkDialog)
            await fill(pilot, again, "2022-01-04", "2022-01-31", "")
            await pilot.press("ctrl+s")
            await settle(pilot)
            said = [str(n.message) for n in app._notifications]
            assert t("bulk_logged", code=DAILY, logged=0, recorded=21) in said
            assert event_count(app) == 21

    asyncio.run(run())


def test_a_refused_range_keeps_the_dialog_open_with_what_was_typed(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_detail(app, pilot, DAILY)
            await pilot.press("b")
            await pilot.pause()
            first = shown(app)
            assert isinstance(first, BulkDialog)
            # Real dates in order, but before the duty starts: only the save can tell.
            await fill(pilot, first, "2021-12-01", "2022-01-31", "补录")
            await pilot.press("ctrl+s")
            await settle(pilot)
            dialog = shown(app)
            assert isinstance(dialog, BulkDialog)
            message = str(dialog.query_one("#dialog-error", Static).content)
            assert message == t(
                "bulk_before_start", code=DAILY, begins="2022-01-01", start="2021-12-01"
            )
            assert dialog.query_one("#from", Input).value == "2021-12-01"
            assert dialog.query_one("#note", Input).value == "补录"
            assert event_count(app) == 0
            # The dialog itself refuses a range the wrong way round.
            dialog.query_one("#to", Input).value = "2021-11-01"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert shown(app) is dialog
            assert "晚于" in str(dialog.query_one("#dialog-error", Static).content)
            await pilot.press("escape")
            assert event_count(app) == 0

    asyncio.run(run())


def test_b_is_offered_on_a_recurring_commitment_only_and_listed_in_the_help(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(app, pilot, DAILY)
            assert screen.check_action("bulk", ()) is True
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = shown(app)
            assert isinstance(help_screen, HelpScreen)
            lines = [line for _, lines in help_screen.sections for line in lines]
            assert any(line.keys == "b" and line.meaning == t("tui.help.bulk") for line in lines)
            await pilot.press("escape")
            await pilot.press("escape")
            for code in ("5.5a", f"{DAILY}/2022-01-04"):
                other = await open_detail(app, pilot, code)
                assert other.check_action("bulk", ()) is False
                await pilot.press("b")
                await pilot.pause()
                assert shown(app) is other  # no dialog
                await pilot.press("escape")

    asyncio.run(run())
