"""`tracker` on a terminal opens the app built by the one factory the tests use too
(tracker.tui.make_app), on the ledger opened the way every command opens it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.cli.context import AppState, open_app
from tracker.config import load_settings
from tracker.errors import TrackerError
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
