"""The app under many officers: a change based on a stale view is refused and the item read
again, while an append is saved after the other's change; a supervisor signs off, returns
and decides extensions from the detail screen."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import col, select
from textual.widgets import Input, RadioButton
from tui_helpers import settle

from tracker.db import make_engine, new_session
from tracker.i18n import t
from tracker.models import Account, History, Role, Status
from tracker.services.lookup import get_commitment
from tracker.services.signoff import Decision
from tracker.services.updates import set_status
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.widgets.dialogs import NoteDialog, StatusDialog
from tracker.tui.widgets.supervision_dialogs import SupervisorDialog

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def offered(app: TrackerApp) -> list[str]:
    """The keys the screen offers now (what its footer and palette are built from)."""
    return [active.binding.description for active in app.screen.active_bindings.values()]


def _change_elsewhere(db_url: str, code: str, status: Status, user: str = "李四") -> None:
    """Another officer's change, in another connection, while the app is open."""
    engine = make_engine(db_url)
    with new_session(engine) as session:
        item = get_commitment(session=session, code=code, report_slug=None)
        set_status(session=session, item=item, status=status, note="", user=user, now=NOW)
        session.commit()
    engine.dispose()


def _item(db_url: str, code: str) -> tuple[str, list[str]]:
    engine = make_engine(db_url)
    with new_session(engine) as session:
        item = get_commitment(session=session, code=code, report_slug=None)
        notes = session.exec(select(History.note).where(col(History.commitment_id) == item.id))
        found = (item.status, list(notes.all()))
    engine.dispose()
    return found


def test_a_note_on_an_item_changed_meanwhile_is_appended_after_the_other_change(
    make_app: Callable[..., TrackerApp], tui_db_url: str
) -> None:
    """A note builds on nothing the dialog showed: another officer's change in between is
    no reason to refuse it (issue 10)."""

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.open_item("1.4c")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, NoteDialog)
            _change_elsewhere(tui_db_url, "1.4c", Status.BLOCKED)
            dialog.query_one("#note", Input).value = "起草中"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, NoteDialog)
            assert t("note_added", code="1.4c") in [str(n.message) for n in app._notifications]

    asyncio.run(run())
    status, notes = _item(tui_db_url, "1.4c")
    assert status == Status.BLOCKED and notes.count("起草中") == 1


def test_a_status_change_on_an_item_changed_meanwhile_is_refused_then_saved_after_the_reload(
    make_app: Callable[..., TrackerApp], tui_db_url: str
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.open_item("1.4c")
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, StatusDialog) and dialog.chosen is Status.TODO
            _change_elsewhere(tui_db_url, "1.4c", Status.BLOCKED)
            await pilot.press("down", "down")  # 未开始 → 进行中 → 已完成
            assert dialog.chosen is Status.DONE
            await pilot.press("tab", *"已完成")
            await pilot.press("ctrl+s")
            await settle(pilot)
            again = app.screen
            assert isinstance(again, StatusDialog)  # back, with what was typed and why
            assert again.error is not None and "李四" in again.error
            assert t("tui.edit.reloaded") in again.error
            assert _item(tui_db_url, "1.4c")[0] == Status.BLOCKED
            await pilot.press("ctrl+s")  # the officer has seen it: saving now builds on it
            await settle(pilot)
            assert not isinstance(app.screen, StatusDialog)

    asyncio.run(run())
    status, notes = _item(tui_db_url, "1.4c")
    assert status == Status.DONE and notes.count("已完成") == 1


def test_x_signs_a_done_item_off_for_a_supervisor(
    make_app: Callable[..., TrackerApp], tui_db_url: str
) -> None:
    _change_elsewhere(tui_db_url, "1.4c", Status.DONE)

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.open_item("1.4c")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            await pilot.press("x")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, SupervisorDialog)
            labels = [str(b.label) for b in dialog.query(RadioButton)]
            assert labels == [t("tui.decision.verify"), t("tui.decision.return")]
            assert dialog.chosen is None  # 销号 is chosen, never a default
            await pilot.press("down")
            assert dialog.chosen is Decision.VERIFY
            dialog.query_one("#note", Input).value = "材料齐全"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            said = [str(n.message) for n in app._notifications]
            assert t("signed_off", code="1.4c", evidence=0) in said

    asyncio.run(run())
    status, notes = _item(tui_db_url, "1.4c")
    assert status == Status.VERIFIED and "材料齐全" in notes


def test_x_is_offered_only_to_supervisors(
    make_app: Callable[..., TrackerApp], tui_db_url: str
) -> None:
    engine = make_engine(tui_db_url)
    with new_session(engine) as session:
        me = session.exec(select(Account).where(Account.name == "王科员")).one()
        me.role = Role.OFFICER
        session.add(me)
        session.commit()
    engine.dispose()
    _change_elsewhere(tui_db_url, "1.4c", Status.DONE)

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.open_item("1.4c")
            await settle(pilot)
            footer = offered(app)
            assert t("key.note") in footer and t("key.supervise") not in footer
            await pilot.press("x")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)  # no dialog: nothing to decide here

    asyncio.run(run())
    assert _item(tui_db_url, "1.4c")[0] == Status.DONE


def test_a_supervisor_sees_x_in_the_footer(make_app: Callable[..., TrackerApp]) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.open_item("1.4c")
            await settle(pilot)
            footer = offered(app)
            assert t("key.supervise") in footer

    asyncio.run(run())
