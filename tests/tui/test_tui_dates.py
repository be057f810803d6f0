"""The app's date fields read dates as officers type them (issue 12, point 4) and show, as
they are typed and before anything is saved, the day they read as (读作 2022年5月10日 星期二)
or why they are no date: the log (l), status (s), bulk (b) and extension (e) dialogs alike."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import col, func, select
from textual.pilot import Pilot
from textual.widgets import Input, Static
from tui_helpers import settle

from tracker.i18n import set_language, t
from tracker.models import Commitment, Event, History
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.widgets.bulk_dialog import BulkDialog
from tracker.tui.widgets.date_field import DateField
from tracker.tui.widgets.dialogs import LogDialog, StatusDialog
from tracker.tui.widgets.edit_dialog import EditDialog
from tracker.tui.widgets.supervision_dialogs import ExtensionDialog

LECTURES_2022 = "5.5a/2022"  # a quota: two lectures in 2022
DAILY = "3.2-D"  # daily screening
ONE_OFF = "1.4c"  # a one-off item due 2023-01-03, 未开始 in the seed


async def open_dialog(app: TrackerApp, pilot: Pilot[None], code: str, key: str) -> EditDialog[Any]:
    await settle(pilot)
    app.open_item(code)
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen)
    await pilot.press(key)
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, EditDialog)
    return dialog


async def retype(pilot: Pilot[None], dialog: EditDialog[Any], field_id: str, text: str) -> None:
    """Clear the date field `field_id` and type `text` into it key by key."""
    field = dialog.query_one(f"#{field_id}", Input)
    field.focus()
    await pilot.pause()
    await pilot.press("end", *["backspace"] * len(field.value), *text)
    await pilot.pause()


def reading(dialog: EditDialog[Any], field_id: str) -> tuple[str, bool]:
    """What the field says it reads as, and whether that says it is no date."""
    shown = dialog.query_one(f"#{field_id}-field", DateField).reading
    return str(shown.content), shown.has_class("-invalid")


def events_on(app: TrackerApp, code: str) -> list[date]:
    with app.context.session() as session:
        query = (
            select(Event.happened_on)
            .join(Commitment, col(Event.commitment_id) == col(Commitment.id))
            .where(Commitment.code == code)
        )
        return sorted(session.exec(query).all())


def event_count(app: TrackerApp) -> int:
    with app.context.session() as session:
        return session.exec(select(func.count()).select_from(Event)).one()


def test_the_log_dialog_reads_a_chinese_date_shows_it_back_and_saves_that_day(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot, LECTURES_2022, "l")
            assert isinstance(dialog, LogDialog)
            # It opens on the app's day, read back with its weekday.
            assert reading(dialog, "date") == ("读作 2026年11月26日 星期四", False)
            await retype(pilot, dialog, "date", "2022年5月10日")
            assert reading(dialog, "date") == ("读作 2022年5月10日 星期二", False)
            assert events_on(app, LECTURES_2022) == []  # shown before anything is saved
            await pilot.press("tab", *"宪法专题讲座", "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            assert events_on(app, LECTURES_2022) == [date(2022, 5, 10)]

    asyncio.run(run())


def test_a_day_the_month_has_not_is_said_as_it_is_typed_and_nothing_is_saved(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            before = event_count(app)
            dialog = await open_dialog(app, pilot, LECTURES_2022, "l")
            await retype(pilot, dialog, "date", "2022年2月30日")
            refusal = t(
                "date_no_such_day",
                option=t("tui.edit.date"),
                value="2022年2月30日",
                year=2022,
                month=2,
                days=28,
            )
            assert reading(dialog, "date") == (refusal, True)
            await pilot.press("tab", *"讲座", "ctrl+s")
            await settle(pilot)
            assert app.screen is dialog  # kept open, with what was typed
            assert str(dialog.query_one("#dialog-error", Static).content) == refusal
            assert dialog.query_one("#date", Input).value == "2022年2月30日"
            assert event_count(app) == before

    asyncio.run(run())


def test_the_status_dialogs_effective_day_without_a_year_is_in_the_year_viewed(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(as_of=date(2022, 7, 1))
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot, ONE_OFF, "s")
            assert isinstance(dialog, StatusDialog)
            await pilot.press("down")  # 未开始 → 进行中
            await retype(pilot, dialog, "effective", "５月１０日")
            assert reading(dialog, "effective") == ("读作 2022年5月10日 星期二", False)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            with app.context.session() as session:
                item = session.exec(select(Commitment).where(Commitment.code == ONE_OFF)).one()
                query = select(History).where(History.commitment_id == item.id)
                last = session.exec(query.order_by(col(History.id).desc())).first()
            assert last is not None
            assert (last.new, last.effective_on) == ("in_progress", date(2022, 5, 10))

    asyncio.run(run())


def test_the_bulk_dialog_reads_both_days_of_the_range_as_typed(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app(as_of=date(2022, 3, 1))
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot, DAILY, "b")
            assert isinstance(dialog, BulkDialog)
            assert reading(dialog, "from") == (t("date.forms"), False)  # what may be typed
            await retype(pilot, dialog, "from", "2022/1/4")
            await retype(pilot, dialog, "to", "1月31日")
            assert reading(dialog, "from") == ("读作 2022年1月4日 星期二", False)
            assert reading(dialog, "to") == ("读作 2022年1月31日 星期一", False)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            said = [str(n.message) for n in app._notifications]
            assert t("bulk_logged", code=DAILY, logged=21, recorded=0) in said

    asyncio.run(run())


def test_the_extension_dialog_shows_the_new_deadline_as_read_in_english(
    make_app: Callable[..., TrackerApp],
) -> None:
    set_language("en")

    async def run() -> None:
        app = make_app(as_of=date(2022, 6, 1))
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot, ONE_OFF, "e")
            assert isinstance(dialog, ExtensionDialog)
            await retype(pilot, dialog, "to", "2023年3月31日")
            assert reading(dialog, "to") == ("Read as Fri 31 Mar 2023", False)
            await retype(pilot, dialog, "to", "tomorrow")
            assert reading(dialog, "to") == (
                "Cannot read this; write 2022-5-10, 2022年5月10日, 5月10日 or today",
                True,
            )
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog  # the whole refusal above the form, naming the field
            refusal = t("date_invalid", option="New date", value="tomorrow")
            assert str(dialog.query_one("#dialog-error", Static).content) == refusal

    try:
        asyncio.run(run())
    finally:
        set_language("zh")
