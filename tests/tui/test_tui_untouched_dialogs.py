"""Nothing changes unless chosen: every editing dialog of the app opens on the item as it is,
and saving it untouched (Ctrl+S) writes nothing and says so; Enter in a choice list moves on
to the note instead of saving.

A new editing dialog gets a row in DIALOGS; the last test fails until it has one."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from textual.pilot import Pilot
from textual.widgets import Input, Static
from tui_helpers import settle

from tracker.db import make_engine, new_session
from tracker.i18n import t
from tracker.models import AuditEntry, Event, Extension, History, Status
from tracker.schedule import WorkCalendar
from tracker.services.events import log_event
from tracker.services.lookup import get_commitment
from tracker.services.updates import set_status
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.widgets.bulk_dialog import BulkDialog
from tracker.tui.widgets.dialogs import LogDialog, NoteDialog, StatusDialog
from tracker.tui.widgets.draft_dialog import DraftDialog, SplitDialog
from tracker.tui.widgets.edit_dialog import EditDialog, StatusChoice
from tracker.tui.widgets.evidence_dialog import EvidenceDialog
from tracker.tui.widgets.print_dialog import PrintDialog
from tracker.tui.widgets.supervision_dialogs import ExtensionDialog, SupervisorDialog
from tracker.tui.widgets.void_dialog import VoidDialog

AS_OF = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
USER = "王科员"  # an admin of the seeded ledger (tests/conftest.py), so `x` is offered
CODE = "1.4c"  # a one-off item due 2022-12-31 (a rest day: 2023-01-03), 未开始 in the seed


@dataclass(frozen=True)
class Opened:
    """One editing dialog: the key that opens it on the detail screen, and the status the
    item is given first (so that the dialog has something to show or decide)."""

    key: str
    dialog: type[EditDialog[Any]]
    status: Status | None = None
    event: bool = False  # an event logged first (v voids one)
    code: str = CODE  # the item it is opened on


DIALOGS = [
    Opened("s", StatusDialog, Status.IN_PROGRESS),  # the dialog once fell to 未开始 on opening
    Opened("l", LogDialog),
    Opened("n", NoteDialog),
    Opened("x", SupervisorDialog, Status.DONE),  # 销号 or 退回 to decide
    Opened("e", ExtensionDialog),
    Opened("v", VoidDialog, event=True),  # no event is chosen to void until one is
    Opened("b", BulkDialog, code="3.2-D"),  # a recurring duty: its range is typed, never given
]
# Dialogs that choose something other than a change to the ledger: a file to write.
NOT_EDITS: set[type[object]] = {PrintDialog, EvidenceDialog}
# i13-app: the draft review's dialogs edit a draft file, not the ledger; their untouched
# saves are checked in test_tui_review.py.
NOT_EDITS |= {DraftDialog, SplitDialog}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The seeded ledger of the test, on SQLite and (when configured) PostgreSQL."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def open_app(db_url: str, app_factory: Callable[..., TrackerApp]) -> Callable[..., TrackerApp]:
    """The app on the test's seeded ledger, built as `tracker` builds it."""
    return functools.partial(app_factory, db_url, as_of=AS_OF.date())


def give_status(engine: Engine, status: Status) -> None:
    """Set the item's status through the service, as an officer would have before."""
    with new_session(engine) as session:
        item = get_commitment(session=session, code=CODE, report_slug=None)
        set_status(session=session, item=item, status=status, note="", user=USER, now=AS_OF)
        session.commit()


def give_event(engine: Engine) -> None:
    """Log an event on the item through the service, as an officer would have before."""
    with new_session(engine) as session:
        item = get_commitment(session=session, code=CODE, report_slug=None)
        log_event(
            session=session,
            item=item,
            day=date(2022, 6, 1),
            note="印发试行办法",
            evidence=[],
            user=USER,
            now=AS_OF,
            calendar=WorkCalendar(),
        )
        session.commit()


def written(engine: Engine) -> dict[str, int]:
    """How many rows each table that records a change holds."""
    with Session(engine) as session:
        return {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in (History, Event, Extension, AuditEntry)
        }


def status_of(engine: Engine) -> str:
    with new_session(engine) as session:
        return get_commitment(session=session, code=CODE, report_slug=None).status


async def open_dialog(
    app: TrackerApp, pilot: Pilot[None], key: str, code: str = CODE
) -> EditDialog[Any]:
    """Open the detail screen of `code`, then the dialog of `key` on it."""
    await settle(pilot)
    app.open_item(code)
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen)
    await pilot.press(key)
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, EditDialog)
    return dialog


@pytest.mark.parametrize("opened", DIALOGS, ids=lambda o: o.dialog.__name__)
def test_saving_an_untouched_dialog_writes_nothing_and_says_so(
    engine: Engine, open_app: Callable[..., TrackerApp], opened: Opened
) -> None:
    if opened.status is not None:
        give_status(engine, opened.status)
    if opened.event:
        give_event(engine)
    before_status = status_of(engine)
    before = written(engine)

    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await open_dialog(app, pilot, opened.key, opened.code)
            assert isinstance(dialog, opened.dialog)
            if isinstance(dialog, StatusDialog):
                assert dialog.chosen is Status.IN_PROGRESS  # opens on the item's status
            if isinstance(dialog, SupervisorDialog):
                assert dialog.chosen is None  # 销号 is chosen, never a default
            if isinstance(dialog, ExtensionDialog):
                # The deadline: the report's 2022-12-31 is a rest day, so the next working day.
                assert dialog.query_one("#to", Input).value == "2023-01-03"
            if isinstance(dialog, VoidDialog):
                assert dialog.chosen is None  # which event is void is chosen, never a default
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)  # closed
            said = [str(n.message) for n in app._notifications]
            assert t("tui.edit.nothing_changed", code=opened.code) in said

    asyncio.run(run())
    assert written(engine) == before
    assert status_of(engine) == before_status


@pytest.mark.parametrize("key", ["s", "x"])
def test_enter_in_a_choice_list_moves_to_the_note_and_writes_nothing(
    engine: Engine, open_app: Callable[..., TrackerApp], key: str
) -> None:
    give_status(engine, Status.DONE)  # so that `x` has decisions to offer
    before = written(engine)

    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await open_dialog(app, pilot, key)
            assert isinstance(app.focused, StatusChoice)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is dialog  # still open
            assert app.focused is dialog.query_one("#note", Input)

    asyncio.run(run())
    assert written(engine) == before
    assert status_of(engine) == Status.DONE


def test_a_supervisors_note_without_a_decision_asks_for_one_and_writes_nothing(
    engine: Engine,
    open_app: Callable[..., TrackerApp],
) -> None:
    give_status(engine, Status.DONE)
    before = written(engine)

    async def run() -> None:
        app = open_app()
        async with app.run_test(size=(100, 30)) as pilot:
            dialog = await open_dialog(app, pilot, "x")
            dialog.query_one("#note", Input).value = "材料齐全"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog
            assert dialog.query_one("#dialog-error", Static).content == t("tui.supervise.choose")
            assert isinstance(app.focused, StatusChoice)

    asyncio.run(run())
    assert written(engine) == before
    assert status_of(engine) == Status.DONE


def test_every_editing_dialog_of_the_app_is_checked_here() -> None:
    def subclasses(cls: type[object]) -> set[type[object]]:
        found = set(cls.__subclasses__())
        return found.union(*(subclasses(sub) for sub in found))

    assert subclasses(EditDialog) - NOT_EDITS == {opened.dialog for opened in DIALOGS}
