"""Fixtures of the terminal app's tests: a copy of the seeded database and an app on it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tracker.db import make_engine
from tracker.services.deadlines import Deadlines
from tracker.tui.app import TrackerApp
from tracker.tui.context import TuiContext

AS_OF = date(2026, 11, 26)
USER = "王科员"


@pytest.fixture
def tui_db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A seeded SQLite database of the test's own, so saves in one test stay there."""
    path = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(tui_db_url: str) -> Iterator[Callable[..., TrackerApp]]:
    """Build the app on the test's database, as of a day, opening on a mode if given."""
    engines: list[Engine] = []

    def factory(*, as_of: date = AS_OF, mode: str | None = None) -> TrackerApp:
        engine = make_engine(tui_db_url)
        engines.append(engine)
        context = TuiContext(engine=engine, deadlines=Deadlines(as_of=as_of), user=USER)
        return TrackerApp(context, mode=mode)

    yield factory
    for engine in engines:
        engine.dispose()
