"""Fixtures of the terminal app's tests: a copy of the seeded database and an app on it,
built by the factory `tracker` itself uses (tracker.tui.make_app), so that every Pilot test
opens the ledger the real way: upgraded if need be, the as-of day checked, the acting user,
the periods of a new year. `district_db_url` adds a second town's report (a district's
database holds several)."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from tracker.config import load_settings
from tracker.db import make_engine, new_session
from tracker.schedule import WorkCalendar
from tracker.services.lookup import now
from tracker.services.seed_file import Seed
from tracker.services.seeding import apply_seed
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


SECOND = "town-02-2021"


@pytest.fixture
def district_db_url(tui_db_url: str, seed: Seed, calendar: WorkCalendar) -> str:
    """The test's database with a second town's report: the 2021 seed again under its own
    slug and town, less one commitment, so the two reports differ in size. It is
    seeded through 2025 only: opening the app creates its periods of 2026, as `tracker`
    does."""
    document = seed.document
    report = document.report.model_copy(update={"slug": SECOND, "town": "保和镇-02"})
    referenced = {code for entry in document.commitments for code in entry.addressed_by}
    dropped = next(c for c in reversed(document.commitments) if c.code not in referenced)
    kept = [c for c in document.commitments if c is not dropped]
    second = dataclasses.replace(
        seed,
        document=document.model_copy(update={"report": report, "commitments": kept}),
        excerpt_offsets={k: v for k, v in seed.excerpt_offsets.items() if k != dropped.code},
    )
    engine = make_engine(tui_db_url)
    try:
        with new_session(engine) as session:
            apply_seed(
                session=session,
                seed=second,
                user="seeder",
                now=now(),
                through_year=2025,
                calendar=calendar,
            )
            session.commit()
    finally:
        engine.dispose()
    return tui_db_url
