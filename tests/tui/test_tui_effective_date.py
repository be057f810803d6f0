"""The 生效日期 field of the app's status (s), note (n), 督办 (x) and extension (e) dialogs
(issue 9, point 2): it opens on the day the change would take effect, which is no change by
itself; a day typed there is the change's effective date (补录 when earlier than today); a
day that is not a date, in the future or before the item begins is refused in the dialog,
which keeps what was typed, and nothing is written. The status dialog fits 80x24.

On SQLite and (when configured) PostgreSQL.
"""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static
from tui_helpers import settle

from tracker.db import make_engine, new_session
from tracker.i18n import t
from tracker.models import AuditEntry, Commitment, Extension, History, Status
from tracker.services.lookup import get_commitment, now
from tracker.services.updates import set_status
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.widgets.dialogs import NoteDialog, StatusDialog
from tracker.tui.widgets.edit_dialog import EditDialog
from tracker.tui.widgets.supervision_dialogs import ExtensionDialog, SupervisorDialog

USER = "王科员"  # an admin of the seeded ledger (tests/conftest.py), so `x` is offered
CODE = "1.4c"  # a one-off item due 2022-12-31 (a rest day: 2023-01-03), 未开始 in the seed
TODAY = date.today()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The seeded ledger of the test, on SQLite and (when configured) PostgreSQL."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def open_app(db_url: str, app_factory: Callable[..., TrackerApp]) -> Callable[..., TrackerApp]:
    """The app on the test's seeded ledger, built as `tracker` builds it."""
    return functools.partial(app_factory, db_url, as_of=TODAY)


def written(engine: Engine) -> dict[str, int]:
    """How many rows each table that records a change holds."""
    with Session(engine) as session:
        return {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in (History, Extension, AuditEntry)
        }


def history(engine: Engine) -> list[History]:
    with Session(engine) as session:
        item = session.exec(select(Commitment).where(Commitment.code == CODE)).one()
        query = select(History).where(History.commitment_id == item.id)
        return list(session.exec(query.order_by(col(History.id))).all())


def give_status(engine: Engine, status: Status) -> None:
    """Set the item's status through the service, as an officer would have before."""
    with new_session(engine) as session:
        item = get_commitment(session=session, code=CODE, report_slug=None)
        set_status(
            session=session,
            item=item,
            status=status,
            note="",
            user=USER,
            now=now(),
            effective_on=date(2022, 4, 1),
        )
        session.commit()


async def open_dialog(app: TrackerApp, pilot: Pilot[None], key: str) -> EditDialog[Any]:
    """Open the detail screen of CODE, then the dialog of `key` on it."""
    await settle(pilot)
    app.open_item(CODE)
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen)
    await pilot.press(key)
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, EditDialog)
    return dialog


def effective(dialog: EditDialog[Any]) -> Input:
    return dialog.query_one("#effective", Input)


def error_of(dialog: EditDialog[Any]) -> str:
    return str(dialog.query_one("#dialog-error", Static).content)


async def choose_done_and_date(pilot: Pilot[None], dialog: StatusDialog, day: str) -> None:
    """已完成 chosen (未开始 → 进行中 → 已完成), a note, and `day` typed as the effective date."""
    await pilot.press("down", "down")
    assert dialog.chosen is Status.DONE
    await pilot.press("tab", *"会议纪要已归档", "tab")
    assert pilot.app.focused is effective(dialog)
    effective(dialog).value = day


def detail_log(screen: DetailScreen) -> list[str]:
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(screen.query_one("#detail-log", Static).content)
    return console.export_text().splitlines()


def test_the_status_dialog_fits_80x24_with_every_field_and_button_on_screen(
    engine: Engine,
    open_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot, "s")
            screen = dialog.region
            assert (screen.width, screen.height) == (80, 24)
            parts = [
                dialog.query_one("#status"),
                dialog.query_one("#note"),
                effective(dialog),
                dialog.query_one("#cancel", Button),
                dialog.query_one("#save", Button),
            ]
            for part in parts:
                region = part.region
                assert region.area > 0, part
                assert screen.contains_region(region), (part, region)
            # The label beside the date says what it is.
            labels = [str(label.content) for label in dialog.query("Label")]
            assert t("tui.edit.effective") in labels

    asyncio.run(run())


@pytest.mark.parametrize("key", ["s", "n", "x", "e"])
def test_the_date_field_opens_on_today_and_changing_only_it_writes_nothing(
    engine: Engine, open_app: Callable[..., TrackerApp], key: str
) -> None:
    if key == "x":
        give_status(engine, Status.DONE)  # so that there is a decision to make
    before = written(engine)

    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await open_dialog(app, pilot, key)
            assert isinstance(
                dialog, StatusDialog | NoteDialog | SupervisorDialog | ExtensionDialog
            )
            assert effective(dialog).value == TODAY.isoformat()
            effective(dialog).value = "2022-05-01"  # a day, but no change to date
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            said = [str(n.message) for n in app._notifications]
            assert t("tui.edit.nothing_changed", code=CODE) in said

    asyncio.run(run())
    assert written(engine) == before


def test_the_date_field_opens_on_the_day_the_app_shows_when_viewing_the_past(
    engine: Engine,
    open_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = open_app(as_of=date(2022, 6, 30))
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await open_dialog(app, pilot, "n")
            assert effective(dialog).value == "2022-06-30"

    asyncio.run(run())


def test_a_back_dated_status_change_is_recorded_on_its_day_and_marked_as_a_late_entry(
    engine: Engine,
    open_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(160, 40)) as pilot:
            dialog = await open_dialog(app, pilot, "s")
            assert isinstance(dialog, StatusDialog)
            await choose_done_and_date(pilot, dialog, "2022-05-01")
            await pilot.press("ctrl+s")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DetailScreen)
            last = history(engine)[-1]
            assert (last.old, last.new, last.effective_on) == ("todo", "done", date(2022, 5, 1))
            assert last.changed_at.date() == TODAY
            recorded = last.changed_at.astimezone().strftime("%Y-%m-%d %H:%M")
            assert (
                "2022-05-01  状态 未开始 → 已完成  会议纪要已归档"
                f"  （补录，记录于 {recorded} {USER}）"
            ) in detail_log(screen)

    asyncio.run(run())


@pytest.mark.parametrize(
    ("typed", "key", "params"),
    [
        (TOMORROW, "effective_in_future", {"date": TOMORROW}),
        ("2001-01-01", "effective_before_start", None),
        (
            "2022-13-01",
            "date_no_such_month",
            {"value": "2022-13-01", "option": "生效日期", "month": 13},
        ),
        ("6/1/22", "date_invalid", {"value": "6/1/22", "option": "生效日期"}),
    ],
    ids=["future", "before the item begins", "no such month", "not a date"],
)
def test_a_bad_effective_date_is_refused_in_the_dialog_which_keeps_what_was_typed(
    engine: Engine,
    open_app: Callable[..., TrackerApp],
    typed: str,
    key: str,
    params: dict[str, str] | None,
) -> None:
    before, before_history = written(engine), len(history(engine))

    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await open_dialog(app, pilot, "s")
            assert isinstance(dialog, StatusDialog)
            await choose_done_and_date(pilot, dialog, typed)
            await pilot.press("ctrl+s")
            await settle(pilot)
            again = app.screen  # the same dialog, or the one that comes back after a refusal
            assert isinstance(again, StatusDialog)
            if params is not None:
                assert error_of(again) == t(key, **params)
            else:  # the item's start day comes from the ledger
                assert error_of(again).startswith(f"{CODE} ") and typed in error_of(again)
            assert effective(again).value == typed
            assert again.chosen is Status.DONE
            assert again.query_one("#note", Input).value == "会议纪要已归档"

    asyncio.run(run())
    assert written(engine) == before
    assert len(history(engine)) == before_history


def test_a_back_dated_note_and_extension_request_take_the_day_typed(
    engine: Engine, open_app: Callable[..., TrackerApp]
) -> None:
    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await open_dialog(app, pilot, "n")
            await pilot.press(*"已起草试行办法")
            effective(dialog).value = "2022-03-01"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)

            # The deadline (2023-01-03) has passed today; asked on paper before it, it counts.
            dialog = await open_dialog(app, pilot, "e")
            dialog.query_one("#to", Input).value = "2023-03-31"
            dialog.query_one("#reason", Input).value = "等待上级文件"
            effective(dialog).value = "2022-06-01"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)

    asyncio.run(run())
    note, asked = history(engine)[-2:]
    assert (note.kind, note.effective_on) == ("note", date(2022, 3, 1))
    assert (asked.kind, asked.new, asked.effective_on) == (
        "extension",
        "2023-03-31",
        date(2022, 6, 1),
    )
