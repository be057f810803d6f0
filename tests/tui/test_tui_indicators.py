"""Indicators in the app: the list and the detail give a period's figure against the 2021
baseline (12 / 2021年基数 15场次), not its count of events, and the log dialog of an
indicator asks for a figure it must have and that must be a finite number."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlmodel import select
from test_tui_detail import fill_log_dialog, open_detail, plain, shown
from textual.widgets import Input, Static
from tui_helpers import settle

from tracker.i18n import t
from tracker.models import Commitment, Event
from tracker.services.events import log_event
from tracker.tui.app import TrackerApp
from tracker.tui.screens.items import ItemsScreen
from tracker.tui.widgets.dialogs import LogDialog
from tracker.tui.widgets.item_list import ItemList, row_text

LECTURES = "2.1-N3"  # 开展各类法治讲座15场次
YEAR = "2.1-N3/2026"
USER = "王科员"  # the officer of tests/tui/conftest.py


def log_figure(app: TrackerApp, value: float) -> None:
    """Log a figure for 2026 as the command line would, before the app shows anything."""
    with app.context.session() as session:
        lectures = session.exec(select(Commitment).where(Commitment.code == LECTURES)).one()
        log_event(
            session=session,
            item=lectures,
            day=date(2026, 5, 1),
            note="上半年法治讲座",
            evidence=[],
            user=USER,
            now=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
            calendar=app.context.deadlines.calendar,
            value=value,
        )
        session.commit()


def events(app: TrackerApp) -> list[float | None]:
    with app.context.session() as session:
        return list(session.exec(select(Event.value)).all())


def test_the_list_and_the_detail_give_the_figure_against_the_baseline(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(mode="items")
        log_figure(app, 12)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ItemsScreen)
            app.screen.query_one("#search", Input).value = YEAR
            await settle(pilot)
            items = app.screen.query_one(ItemList)
            (row,) = [row for row in items.rows_loaded() if row.code == YEAR]
            assert (row.value, row.done_count) == (12, 1)
            drawn = row_text(row, items.row_width).plain
            assert drawn.rstrip().endswith("12 / 2021年基数 15场次")
            # A terminal too narrow for the baseline still gives the figure, not the count.
            assert row_text(row, 78).plain.rstrip().endswith(" 12")

            screen = await open_detail(app, pilot, YEAR)
            facts = plain(screen, "detail-facts", width=100)
            assert f"{t('col.progress')}" in facts
            assert "12 / 2021年基数 15场次" in facts

    asyncio.run(run())


def test_the_log_dialog_of_an_indicator_wants_a_finite_figure(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(app, pilot, LECTURES)
            await pilot.press("l")
            await pilot.pause()
            dialog = shown(app)
            assert isinstance(dialog, LogDialog)
            await fill_log_dialog(pilot, dialog, day="2026-05-01", note="上半年法治讲座")
            error = dialog.query_one("#dialog-error", Static)
            await pilot.press("ctrl+s")  # no figure
            await pilot.pause()
            assert shown(app) is dialog
            assert str(error.content) == t("tui.edit.value_required")
            for typed in ("inf", "nan"):
                dialog.query_one("#value", Input).value = typed
                await pilot.press("ctrl+s")
                await pilot.pause()
                assert shown(app) is dialog
                assert str(error.content) == t("tui.edit.value_invalid", value=typed)
            assert events(app) == []
            dialog.query_one("#value", Input).value = "12"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert shown(app) is screen
            assert events(app) == [12]
            notices = [str(n.message) for n in app._notifications]
            assert any("12 / 2021年基数 15场次" in notice for notice in notices)

    asyncio.run(run())
