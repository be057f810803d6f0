"""Fixtures of the terminal app's tests: a copy of the seeded database and an app on it,
built by the factory `tracker` itself uses (tracker.tui.make_app), so that every Pilot test
opens the ledger the real way: upgraded if need be, the as-of day checked, the acting user,
the periods of a new year."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from tracker.config import load_settings
from tracker.tui import make_app as build_app
from tracker.tui.app import TrackerApp
from tracker.work import Opening

AS_OF = date(2026, 11, 26)
USER = "王科员"


@pytest.fixture
def tui_db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A seeded SQLite database of the test's own, so saves in one test stay there."""
    path = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_factory() -> Iterator[Callable[..., TrackerApp]]:
    """Build the app on a database URL, as `tracker --db URL --user USER --as-of DAY` does
    (as of today when `as_of` is None), opening on a mode if given; closed after the test."""
    apps: list[TrackerApp] = []

    def factory(
        db: str, *, as_of: date | None = AS_OF, user: str = USER, mode: str | None = None
    ) -> TrackerApp:
        opening = Opening(load_settings(db=db, user=user), as_of=as_of)
        app = build_app(opening, mode=mode)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.context.close()


@pytest.fixture
def make_app(tui_db_url: str, app_factory: Callable[..., TrackerApp]) -> Callable[..., TrackerApp]:
    """Build the app on the test's database, as of a day, opening on a mode if given."""

    def factory(*, as_of: date = AS_OF, mode: str | None = None) -> TrackerApp:
        return app_factory(tui_db_url, as_of=as_of, mode=mode)

    return factory
