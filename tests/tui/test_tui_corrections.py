"""Corrections without deletion in the app: `v` on an item's detail voids one of its events
(kept, struck through with who and why, no longer counted, the count and status following
at once), and logging the same event twice asks first and logs only on 确定.

The void runs on SQLite and (when configured) PostgreSQL; the rest on SQLite."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, RadioButton, Static
from tui_helpers import settle

from tracker.db import make_engine, new_session
from tracker.i18n import t
from tracker.models import Event, History, HistoryKind, Status
from tracker.schedule import WorkCalendar
from tracker.services.events import log_event
from tracker.services.lookup import get_commitment
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.help import HelpScreen
from tracker.tui.widgets.confirm_dialog import ConfirmDialog
from tracker.tui.widgets.dialogs import LogDialog
from tracker.tui.widgets.void_dialog import VoidDialog

AS_OF = date(2026, 11, 26)  # the app's day; before today, so a change takes effect on it
USER = "王科员"  # an admin of the seeded ledger (tests/conftest.py)
LECTURES_2022 = "5.5a/2022"  # at least two lectures in 2022
FIRST = ("2022-03-15", "第一次法治专题讲座")
SECOND = ("2022-09-20", "第二次法治专题讲座")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The seeded ledger of the test, on SQLite and (when configured) PostgreSQL."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def open_app(db_url: str, app_factory: Callable[..., TrackerApp]) -> Callable[..., TrackerApp]:
    """The app on the test's seeded ledger, built as `tracker` builds it."""
    return functools.partial(app_factory, db_url)


def logged(engine: Engine, *events: tuple[str, str]) -> list[int]:
    """Log `events` (date, note) on the 2022 lectures, as an officer did before; their ids."""
    ids = []
    with new_session(engine) as session:
        item = get_commitment(session=session, code=LECTURES_2022, report_slug=None)
        for day, note in events:
            done = log_event(
                session=session,
                item=item,
                day=date.fromisoformat(day),
                note=note,
                evidence=[],
                user=USER,
                now=datetime(2026, 11, 20, 10, 0).astimezone(),
                calendar=WorkCalendar(),
            )
            ids.append(done.event.id or 0)
        session.commit()
    return ids


def events(engine: Engine) -> list[Event]:
    with Session(engine) as session:
        return list(session.exec(select(Event).order_by(col(Event.id))).all())


def shown(app: TrackerApp) -> Screen[Any]:
    """The screen on top (a function, so that type narrowing does not outlive a key press)."""
    return app.screen


def said(app: TrackerApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_detail(app: TrackerApp, pilot: Pilot[None], code: str) -> DetailScreen:
    await settle(pilot)
    app.open_item(code)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, DetailScreen) and screen.detail is not None
    return screen


def test_v_voids_the_chosen_event_and_the_count_and_status_follow_at_once(
    engine: Engine,
    open_app: Callable[..., TrackerApp],
) -> None:
    first, second = logged(engine, FIRST, SECOND)  # 2/2: done

    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await open_detail(app, pilot, LECTURES_2022)
            assert screen.detail is not None and screen.detail.row.done_count == 2
            assert screen.detail.row.status is Status.DONE
            assert screen.check_action("void", ()) is True
            await pilot.press("v")
            await settle(pilot)
            dialog = shown(app)
            assert isinstance(dialog, VoidDialog)
            listed = [str(button.label) for button in dialog.query(RadioButton)]
            assert listed == [f"#{first}  {'  '.join(FIRST)}", f"#{second}  {'  '.join(SECOND)}"]
            assert dialog.chosen is None  # which one is void is chosen, never a default
            await pilot.press("down", "down")  # the first, then the second
            assert dialog.chosen == second
            await pilot.press("enter")  # moves on to the reason
            assert shown(app) is dialog and app.focused is dialog.query_one("#reason", Input)
            await pilot.press(*"重复录入", "ctrl+s")
            await settle(pilot)
            assert shown(app) is screen
            assert screen.detail is not None
            assert screen.detail.row.done_count == 1
            assert screen.detail.row.status is Status.IN_PROGRESS
            notice = t(
                "event_voided",
                code=LECTURES_2022,
                id=second,
                date=SECOND[0],
                effective=AS_OF.isoformat(),
            )
            assert any(message.startswith(notice) for message in said(app))
            # Kept and listed, struck through, with why, who and from when.
            log = screen.query_one("#detail-log", Static).content
            assert not isinstance(log, str)
            voided_line = next(
                text
                for text in getattr(log, "renderables", [])
                if SECOND[1] in getattr(text, "plain", "")
            )
            assert f"已作废（重复录入，{USER}，{AS_OF.isoformat()}）" in voided_line.plain
            assert any("strike" in str(span.style) for span in voided_line.spans)
            # The other event still counts, so there is still one to void.
            assert screen.check_action("void", ()) is True

    asyncio.run(run())
    voided = {event.id: event for event in events(engine)}
    assert voided[first].voided_on is None
    assert (voided[second].voided_on, voided[second].voided_by) == (AS_OF, USER)
    assert voided[second].void_reason == "重复录入"
    with Session(engine) as session:
        kinds = session.exec(select(History.kind).order_by(col(History.id))).all()
    assert HistoryKind.VOID in kinds


def test_v_saved_without_an_event_chosen_or_a_reason_asks_and_writes_nothing(
    engine: Engine,
    open_app: Callable[..., TrackerApp],
) -> None:
    logged(engine, FIRST)

    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await open_detail(app, pilot, LECTURES_2022)
            await pilot.press("v")
            await settle(pilot)
            dialog = shown(app)
            assert isinstance(dialog, VoidDialog)
            await pilot.press("tab", *"录错了", "ctrl+s")  # a reason, but no event chosen
            await settle(pilot)
            assert shown(app) is dialog
            error = dialog.query_one("#dialog-error", Static).content
            assert str(error) == t("tui.void.choose")
            assert app.focused is dialog.query_one("#event")  # where it is to be fixed
            await pilot.press("down", "tab", "home", "ctrl+k", "ctrl+s")  # the reason cleared
            await settle(pilot)
            assert shown(app) is dialog  # an event, but no reason
            error = dialog.query_one("#dialog-error", Static).content
            assert str(error) == t("tui.void.reason_needed")

    asyncio.run(run())
    assert [event.voided_on for event in events(engine)] == [None]


def test_v_is_offered_only_on_an_item_with_an_event_to_void_and_to_one_who_may_change_it(
    engine: Engine,
    open_app: Callable[..., TrackerApp],
) -> None:
    logged(engine, FIRST)

    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await open_detail(app, pilot, LECTURES_2022)
            assert screen.check_action("void", ()) is True
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = shown(app)
            assert isinstance(help_screen, HelpScreen)
            lines = [line for _, lines in help_screen.sections for line in lines]
            assert any(line.keys == "v" and line.meaning == t("tui.help.void") for line in lines)
            await pilot.press("escape")
            # The commitment itself has no events (they are its periods'): v says so, and
            # stays here rather than taking the officer to the overdue review.
            other = await open_detail(app, pilot, "5.5a")
            assert other.check_action("void", ()) is False
            await pilot.press("v")
            await settle(pilot)
            assert shown(app) is other
            assert t("tui.void.nothing", code="5.5a") in said(app)

        reader = open_app(user="路人")  # no account: reads, changes nothing
        async with reader.run_test(size=(120, 36)) as pilot:
            screen = await open_detail(reader, pilot, LECTURES_2022)
            assert screen.check_action("void", ()) is False
            await pilot.press("v")
            await settle(pilot)
            assert shown(reader) is screen  # no dialog

    asyncio.run(run())
    assert [event.voided_on for event in events(engine)] == [None]


async def log_again(app: TrackerApp, pilot: Pilot[None], day: str, note: str) -> None:
    """Open the log dialog and type an event the ledger already has."""
    await pilot.press("l")
    await settle(pilot)
    assert isinstance(shown(app), LogDialog)
    await pilot.press("home", "ctrl+k", *day, "tab", *note, "ctrl+s")
    await settle(pilot)


def test_logging_the_same_event_again_asks_and_logs_only_on_confirm(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        logged(app.context.engine, FIRST)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await open_detail(app, pilot, LECTURES_2022)
            await log_again(app, pilot, *FIRST)
            question = shown(app)
            assert isinstance(question, ConfirmDialog)
            assert len(events(app.context.engine)) == 1  # nothing logged while asking
            await pilot.press("enter")  # the focus starts on 取消: Enter logs nothing
            await settle(pilot)
            dialog = shown(app)
            assert isinstance(dialog, LogDialog)  # back, with what was typed
            assert dialog.query_one("#date", Input).value == FIRST[0]
            assert dialog.query_one("#note", Input).value == FIRST[1]
            assert "#" in str(dialog.query_one("#dialog-error", Static).content)
            assert len(events(app.context.engine)) == 1
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(shown(app), ConfirmDialog)
            await pilot.click("#ok")  # 确定: it really happened twice that day
            await settle(pilot)
            assert shown(app) is screen
            assert screen.detail is not None and screen.detail.row.done_count == 2

    asyncio.run(run())


def test_escape_on_the_question_logs_nothing_either(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        logged(app.context.engine, FIRST)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_detail(app, pilot, LECTURES_2022)
            await log_again(app, pilot, *FIRST)
            assert isinstance(shown(app), ConfirmDialog)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(shown(app), LogDialog)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(shown(app), DetailScreen)
            with Session(app.context.engine) as session:
                count = session.exec(select(func.count()).select_from(Event)).one()
            assert count == 1

    asyncio.run(run())


def test_the_very_same_event_again_moments_later_asks_naming_when_it_was_recorded(
    make_app: Callable[..., TrackerApp],
) -> None:
    """As after the app was closed before it said so (issue 10): the same officer's same
    event minutes later is told as recorded at HH:MM, and logged again only on 确定."""

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await open_detail(app, pilot, LECTURES_2022)
            await log_again(app, pilot, *FIRST)
            assert shown(app) is screen and len(events(app.context.engine)) == 1
            await log_again(app, pilot, *FIRST)
            question = shown(app)
            assert isinstance(question, ConfirmDialog)
            [event] = events(app.context.engine)
            at = event.recorded_at.astimezone().strftime("%H:%M")
            asked = t("tui.log.repeated", code=LECTURES_2022, date=FIRST[0], id=event.id, at=at)
            assert question.question == asked
            await pilot.click("#ok")
            await settle(pilot)
            assert shown(app) is screen and len(events(app.context.engine)) == 2

    asyncio.run(run())
