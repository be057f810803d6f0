"""The overdue review (逾期督办): by unit, red before yellow, opened and updated in place."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rich.text import Text
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input
from tui_helpers import settle

from tracker.models import Commitment, History, Status
from tracker.schedule import Light
from tracker.services.lookup import now
from tracker.services.updates import set_status
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.overdue import OverdueScreen
from tracker.tui.widgets.bars import FittedLine, LineList
from tracker.tui.widgets.dialogs import NoteDialog, StatusDialog

LEADING_GROUP = "依法治镇工作领导小组"  # has red and yellow items on 2026-11-26
ONE_OFF = "6.1"  # 整改：人员执法水平有待提高, due 2022-12-31, still open


def shown(app: TrackerApp) -> Screen[Any]:
    """The screen on top (a function, so that type narrowing does not outlive a key press)."""
    return app.screen


def on_top(app: TrackerApp, screen: Screen[Any]) -> bool:
    return app.screen is screen


async def open_review(app: TrackerApp, pilot: Pilot[None]) -> OverdueScreen:
    """Press `v` from the overview and wait for the review to load."""
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, OverdueScreen)
    return screen


def option_texts(lines: LineList, width: int = 100) -> list[tuple[str | None, str]]:
    """Each option of the list as (id, plain text); headings have no id."""
    texts: list[tuple[str | None, str]] = []
    for option in lines.options:
        prompt = option.prompt
        if isinstance(prompt, FittedLine):
            texts.append((option.id, prompt.fit(width).plain))
        else:
            assert isinstance(prompt, Text)
            texts.append((option.id, prompt.plain))
    return texts


def test_v_opens_the_review_grouped_by_unit_with_red_before_yellow(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_review(app, pilot)
            groups = screen.groups
            assert groups and groups[0].unit == LEADING_GROUP
            texts = option_texts(screen.query_one(LineList))
            # A heading per unit, in the service's order, each followed by its entries.
            headings = [text for option_id, text in texts if option_id is None]
            assert [h.split()[0] for h in headings] == [g.unit for g in groups]
            assert headings[0].startswith(f"{LEADING_GROUP}   ● 红 {groups[0].red}")
            position = 0
            for group in groups:
                assert texts[position][0] is None
                ids = [option_id for option_id, _ in texts[position + 1 :][: len(group.entries)]]
                assert ids == [entry.first_code for entry in group.entries]
                lights = [entry.light for entry in group.entries]
                assert lights == sorted(lights, key=lambda light: light is not Light.RED)
                position += 1 + len(group.entries)
            leading = groups[0]
            assert {e.light for e in leading.entries} == {Light.RED, Light.YELLOW}
            # Each late line says how late in calendar and working days.
            entry = next(e for e in leading.entries if e.first_code == ONE_OFF)
            line = dict(texts)[ONE_OFF]
            assert entry.lateness.calendar_days > entry.lateness.working_days > 0
            assert line.split()[-2:] == [
                str(entry.lateness.calendar_days),
                str(entry.lateness.working_days),
            ]
            yellow = next(e for e in leading.entries if e.light is Light.YELLOW)
            assert "即将到期" in dict(texts)[yellow.first_code]
            # The cursor starts on the first entry, not on a heading.
            assert screen.current == leading.entries[0]

    asyncio.run(run())


def test_enter_opens_the_detail_of_the_entry_under_the_cursor(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_review(app, pilot)
            entries = screen.groups[0].entries
            await pilot.press("down", "down")
            assert screen.current == entries[2]
            await pilot.press("enter")
            await pilot.pause()
            detail = shown(app)
            assert isinstance(detail, DetailScreen)
            assert detail.code == entries[2].first_code
            await pilot.press("escape")
            await pilot.pause()
            assert on_top(app, screen)
            # Down from a unit's last entry skips the next unit's heading.
            last = len(entries) - 1
            for _ in range(last - 2):
                await pilot.press("down")
            assert screen.current == entries[-1]
            await pilot.press("down")
            assert screen.current == screen.groups[1].entries[0]

    asyncio.run(run())


def test_s_marks_an_item_done_and_it_leaves_the_review_without_restart(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_review(app, pilot)
            lines = screen.query_one(LineList)
            lines.highlighted = lines.get_option_index(ONE_OFF)
            before = lines.highlighted
            await pilot.press("s")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, StatusDialog) and dialog.code == ONE_OFF
            await pilot.press("down", "down")  # 未开始 → 进行中 → 已完成
            assert dialog.chosen is Status.DONE
            dialog.query_one("#note", Input).value = "已组织整改"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert on_top(app, screen)
            assert ONE_OFF not in {e.first_code for g in screen.groups for e in g.entries}
            assert ONE_OFF not in {option.id for option in lines.options}
            # The cursor stays where the item was, on the next one.
            assert lines.highlighted == before
            assert screen.current is not None
            with app.context.session() as session:
                item = session.exec(select(Commitment).where(Commitment.code == ONE_OFF)).one()
                assert item.status == Status.DONE
                query = select(History).where(History.commitment_id == item.id)
                last = session.exec(query.order_by(col(History.id))).all()[-1]
                assert (last.kind, last.new, last.changed_by, last.note) == (
                    "status",
                    Status.DONE.value,
                    "王科员",
                    "已组织整改",
                )

    asyncio.run(run())


def test_n_adds_a_note_to_the_item_under_the_cursor(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_review(app, pilot)
            lines = screen.query_one(LineList)
            lines.highlighted = lines.get_option_index(ONE_OFF)
            await pilot.press("n")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, NoteDialog) and dialog.code == ONE_OFF
            dialog.query_one("#note", Input).value = "已约谈责任人"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert on_top(app, screen)
            assert screen.current is not None and screen.current.first_code == ONE_OFF
            with app.context.session() as session:
                item = session.exec(select(Commitment).where(Commitment.code == ONE_OFF)).one()
                assert "已约谈责任人" in (item.notes or "")

    asyncio.run(run())


def test_a_change_made_elsewhere_shows_when_the_review_is_opened_again(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_review(app, pilot)
            assert ONE_OFF in {option.id for option in screen.query_one(LineList).options}
            await pilot.press("d")
            await settle(pilot)
            with app.context.session() as session:
                item = session.exec(select(Commitment).where(Commitment.code == ONE_OFF)).one()
                set_status(
                    session=session,
                    item=item,
                    status=Status.DONE,
                    note="",
                    user="王科员",
                    now=now(),
                    # On the day the app shows (before today: a late entry).
                    effective_on=app.context.effective_on,
                )
            app.ledger_changed.publish(ONE_OFF)
            await pilot.press("v")
            await settle(pilot)
            assert on_top(app, screen)
            assert ONE_OFF not in {option.id for option in screen.query_one(LineList).options}

    asyncio.run(run())
