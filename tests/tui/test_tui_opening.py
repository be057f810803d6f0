"""`tracker` on a terminal opens the app built by the one factory the tests use too
(tracker.tui.make_app), on the ledger opened the way every command opens it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from tui_helpers import settle

from tracker.cli.context import AppState, open_app
from tracker.config import load_settings
from tracker.errors import TrackerError
from tracker.i18n import set_language
from tracker.tui import make_app
from tracker.tui.app import TrackerApp
from tracker.work import OpenLedger

USER = "王科员"  # an admin of the seeded ledger (tests/conftest.py)


def test_tracker_opens_the_app_on_the_chosen_ledger_as_the_chosen_user_and_closes_it(
    tui_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[TrackerApp] = []
    closed: list[OpenLedger] = []
    monkeypatch.setattr(TrackerApp, "run", lambda self: ran.append(self))
    monkeypatch.setattr(OpenLedger, "close", lambda self: closed.append(self))
    state = AppState(load_settings(db=tui_db_url, user=USER), as_of=date(2026, 11, 26))
    open_app(state)
    [app] = ran
    assert (app.context.user, app.context.deadlines.as_of) == (USER, date(2026, 11, 26))
    assert closed == [app.context]  # its connections closed once the officer quits


def test_tracker_refuses_a_database_that_is_not_there_before_drawing_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TrackerApp, "run", lambda self: pytest.fail("the app was drawn"))
    state = AppState(load_settings(db=f"{tmp_path}/nowhere.db", user=USER))
    with pytest.raises(TrackerError) as refused:
        open_app(state)
    assert refused.value.key == "db_missing"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh", "首次运行：已在 {db} 创建数据库"), ("en", "First run: created the database at {db}")],
)
def test_a_first_run_says_where_the_database_was_made_on_the_terminal_and_in_the_app(
    tmp_path: Path, lang: str, expected: str
) -> None:
    """The default database, missing: created and seeded, said on stderr before the app
    covers the terminal, and again in the app, in its language, once it opens."""
    set_language(lang)
    path = tmp_path / "data" / "tracker.db"
    path.parent.mkdir()
    settings = replace(load_settings(db=str(path), user=USER), db_is_default=True)
    told: list[str] = []
    app = make_app(AppState(settings, as_of=date(2026, 11, 26)), say=told.append)
    try:
        line = expected.format(db=path)
        assert [message for message in told if message.startswith(line)] == told
        assert len(told) == 1  # on the terminal before the app is drawn

        async def run() -> None:
            async with app.run_test(size=(80, 24)) as pilot:
                await settle(pilot)
                shown = [str(notice.message) for notice in app._notifications]
                assert told[0] in shown

        asyncio.run(run())
    finally:
        app.context.close()
        set_language("zh")


def test_an_app_opened_on_an_existing_ledger_has_nothing_to_tell(tui_db_url: str) -> None:
    told: list[str] = []
    app = make_app(AppState(load_settings(db=tui_db_url, user=USER)), say=told.append)
    try:

        async def run() -> None:
            async with app.run_test(size=(80, 24)) as pilot:
                await settle(pilot)
                assert list(app._notifications) == []

        asyncio.run(run())
    finally:
        app.context.close()
    assert told == []


def test_a_dialog_opened_while_the_first_run_notice_shows_is_not_covered_by_it(
    tmp_path: Path,
) -> None:
    """The notice sits over the bottom right of the screen, where a dialog's buttons are at
    80×24: opening a dialog puts it away."""
    path = tmp_path / "data" / "tracker.db"
    path.parent.mkdir()
    settings = replace(load_settings(db=str(path), user=USER), db_is_default=True)
    app = make_app(AppState(settings, as_of=date(2026, 11, 26)), say=lambda _: None)
    try:

        async def run() -> None:
            # Toasts drawn, as on a terminal (the test driver leaves them out by default).
            async with app.run_test(size=(80, 24), notifications=True) as pilot:
                await settle(pilot)
                assert app.screen.query("Toast")
                await pilot.press("i")
                await settle(pilot)
                await pilot.press("f")
                await settle(pilot)
                assert type(app.screen).__name__ == "FilterDialog"
                assert list(app._notifications) == []
                # Nor on the screen under it, which shows through the dialog's background.
                assert [s for s in app.screen_stack if s.query("Toast")] == []

        asyncio.run(run())
    finally:
        app.context.close()
