"""What the app works with: the database, the deadlines view, the user. No Textual here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker.db import begin_writing, new_session
from tracker.models import Report
from tracker.services.audit import set_actor
from tracker.services.deadlines import Deadlines
from tracker.services.lookup import require_report


@dataclass(frozen=True)
class TuiContext:
    """The app's ledger: one engine, the as-of view, who is working, which report."""

    engine: Engine
    deadlines: Deadlines
    user: str
    report: str | None = None

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A unit of work: committed when the block succeeds, rolled back otherwise; a
        writer's from its start (db.begin_writing) when `write` says it changes the ledger."""
        with new_session(self.engine) as session:
            if write:
                begin_writing(session)
            set_actor(session, self.user)  # who the audit log names for rows that do not say
            yield session
            session.commit()

    @property
    def effective_on(self) -> date | None:
        """The day a change made in the app takes effect: the as-of day when viewing the past
        (what the officer sees is what they change, a late entry), else today (None)."""
        return self.deadlines.as_of if self.deadlines.past else None

    def report_slugs(self) -> list[str]:
        """The reports in the database, e.g. one per town of a district."""
        with self.session() as session:
            return list(session.exec(select(Report.slug).order_by(col(Report.slug))).all())

    def the_report(self, session: Session) -> Report:
        """The report the app shows (the only one, or the one chosen with --report)."""
        return require_report(session=session, slug=self.report)

    def on(self, as_of: date) -> TuiContext:
        """The same ledger viewed as of another day."""
        return replace(self, deadlines=replace(self.deadlines, as_of=as_of))
