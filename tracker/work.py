"""One unit of work for every front end: the command line and the app open the ledger, act
as a user, create the periods of a year begun since, run a change as one transaction, and
say what went wrong in one line, all through this module (no Typer, no Textual here).

The opening path (`open_ledger`): the database is created and seeded on a first run (the
default one, or any with `create`), an older officer's SQLite file is backed up and
upgraded, the as-of day is checked against the report's year, the acting user is resolved
(on PostgreSQL, the login), and a user who may write creates the periods of any year begun
since the last run. What it has to tell the officer on the way (a database created, a file
upgraded) goes to `say`, the front end's way of telling.

A change is one transaction (`OpenLedger.transaction`, `OpenLedger.run`), and whatever the
ledger refuses or cannot do leaves it as a `TrackerError` (`refusal_of`): a lost race with
another writer (services.retry), a refusal by PostgreSQL itself (tracker.db_errors), a
number or text the database cannot take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import Session, col, func, select

from tracker.config import DEFAULT_SEED, Settings
from tracker.db import begin_writing, database_url, make_engine, new_session
from tracker.errors import TrackerError, printable
from tracker.failures import reason_of
from tracker.files import require_not_special
from tracker.i18n import t
from tracker.models import Report, Role
from tracker.schedule import CalendarFileError, WorkCalendar
from tracker.schema import (
    HEAD,
    REVISIONS,
    backup_before_upgrade,
    create_schema,
    current_revision,
    has_schema,
    sqlite_file,
    upgrade,
)
from tracker.services.access import acting_user, has_accounts, may_write, require_role
from tracker.services.accounts import ensure_first_admin
from tracker.services.audit import set_actor
from tracker.services.deadlines import Deadlines
from tracker.services.instances import ensure_period_instances
from tracker.services.lookup import now, require_report
from tracker.services.retry import conflicts_refused, is_conflict, retrying
from tracker.services.retry import refusal as conflict_refusal

if TYPE_CHECKING:
    from tracker.services.seed_file import Seed
    from tracker.services.seeding import SeedResult

T = TypeVar("T")
Say = Callable[[str], None]


def quiet(_: str) -> None:
    """Tell nobody (the default `say`)."""


@dataclass
class Opening:
    """What a front end opens the ledger with: the settings, the day it is viewed on (None:
    today) and the report chosen (None: the only one, or all). The working calendar is read
    once, when first needed."""

    settings: Settings
    as_of: date | None = None
    report: str | None = None
    _calendar: WorkCalendar | None = field(default=None, repr=False)

    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            path = self.settings.holidays
            try:
                self._calendar = WorkCalendar.from_file(path) if path else WorkCalendar()
            except CalendarFileError as exc:
                raise TrackerError("holidays_invalid", reason=exc.message()) from exc
        return self._calendar

    def deadlines(self, as_of: date | None = None) -> Deadlines:
        day = as_of or self.as_of or date.today()
        return Deadlines(as_of=day, calendar=self.calendar(), warn_days=self.settings.warn_days)

    def guessed_years(self) -> list[int]:
        """The years whose working days are guesses (beyond the official calendar), once the
        calendar has been read."""
        return sorted(self._calendar.fallback_years) if self._calendar is not None else []


def require_not_before(day: date, year: int, option: str) -> date:
    """`day`, unless it is before `year`: the one rule for dates too early to mean anything,
    applied to every date typed (from 1900) and to --as-of (from the report's year)."""
    if day.year < year:
        raise TrackerError("date_too_early", value=day.isoformat(), option=option, year=year)
    return day


def sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def open_engine(opening: Opening, *, create: bool = False, say: Say = quiet) -> Engine:
    """The engine for the chosen database. A missing database is created and seeded only
    when it is the default one or `create` is set (`tracker init`, which seeds itself)."""
    settings = opening.settings
    url = database_url(settings.db)
    path = sqlite_path(url)
    if path is not None:
        # A folder, pipe or device given as --db: SQLite would fail on it, or wait on it.
        require_not_special(path)
    if path is not None and not path.exists() and not (create or settings.db_is_default):
        raise TrackerError("db_missing", path=str(path))
    engine = make_engine(url)
    if not has_schema(engine):
        if not (create or settings.db_is_default):
            raise TrackerError("db_not_initialized", db=settings.db)
        create_schema(engine)
        if not create:
            result = seed_database(opening, engine, DEFAULT_SEED)
            say(t("auto_initialized", db=settings.db, report=result.report))
    else:
        bring_up_to_date(engine, settings.db, say)
    return engine


def bring_up_to_date(engine: Engine, db: str, say: Say = quiet) -> None:
    """An officer's SQLite file made by an older tracker is backed up, then upgraded; a shared
    PostgreSQL database is left for `tracker db upgrade`; one from a newer tracker is refused."""
    revision = current_revision(engine)
    if revision == HEAD:
        return
    if revision not in REVISIONS:
        raise TrackerError("db_newer", db=db, revision=str(revision), head=HEAD)
    path = sqlite_file(engine)
    if path is None:
        raise TrackerError("db_needs_upgrade", db=db, revision=str(revision), head=HEAD)
    backup = backup_before_upgrade(path, revision, now())
    upgrade(engine)
    say(t("db_upgraded", old=str(revision), new=HEAD, backup=str(backup)))


def seed_database(opening: Opening, engine: Engine, seed_path: Path) -> SeedResult:
    """Load, check and write a seed in one transaction."""
    # Imported here: only init and the first run read a seed (YAML and its checks cost
    # start-up time that every other command would pay).
    from tracker.services.seed_file import load_seed_file

    return write_seed(opening, engine, load_seed_file(seed_path))


def write_seed(
    opening: Opening, engine: Engine, seed: Seed, *, new_report: bool = False
) -> SeedResult:
    """Write a checked seed in one transaction: nothing of it is kept if any step fails.
    With `new_report` (`tracker import --apply`), a report slug already in the database is
    refused rather than completed."""
    from tracker.services.seeding import apply_seed, require_reviewed

    require_reviewed(seed)
    today = opening.deadlines().as_of
    with new_session(engine) as session:
        user = acting_user(session, opening.settings.user)
        # Seeding writes commitments: an admin's work, except on a ledger with no account
        # yet, whose first seeder becomes its admin (in the same transaction).
        if has_accounts(session):
            require_role(session, user, Role.ADMIN)
        slug = seed.document.report.slug
        if new_report and session.exec(select(Report.id).where(Report.slug == slug)).first():
            raise TrackerError("import.apply.slug_taken", slug=slug)
        # The first seeder is the admin before anything is written: a later report's links
        # are written as that admin's changes.
        ensure_first_admin(session=session, name=user, now=now())
        result = apply_seed(
            session=session,
            seed=seed,
            user=user,
            now=now(),
            through_year=max(today.year, seed.document.report.plan_year),
            calendar=opening.calendar(),
        )
        session.commit()
    return result


def check_as_of(
    session: Session, deadlines: Deadlines, report: str | None, option: str = "--as-of"
) -> None:
    """Refuse viewing the ledger on a day before its report's year (before the earliest
    report's, when several are viewed at once): nothing was in it then. `option` is what
    the refusal names the day by (the print dialog's 截至日期)."""
    if not deadlines.past:
        return
    query = select(func.min(Report.year))
    if report is not None:
        query = query.where(col(Report.slug) == report)
    first = session.exec(query).one()
    if first is not None:
        require_not_before(deadlines.as_of, first, option)


def add_new_periods(session: Session, deadlines: Deadlines) -> None:
    """Create the periods of any year begun since the last run, for every report."""
    for report in session.exec(select(Report)).all():
        through = max(deadlines.as_of.year, report.plan_year)
        ensure_period_instances(
            session=session, report=report, through_year=through, calendar=deadlines.calendar
        )


@dataclass(frozen=True)
class Ledger:
    """One transaction's view of the ledger: its session, the deadlines view, who acts, the
    report chosen. What a unit of work is given."""

    session: Session
    deadlines: Deadlines
    user: str
    report: str | None

    def effective_on(self, explicit: date | None = None) -> date | None:
        """The day a change takes effect: the one given (--date, the dialog's 生效日期), else
        the as-of day when viewing the past (what the officer sees is what they change, a
        late entry), else today (None)."""
        if explicit is not None:
            return explicit
        return self.deadlines.as_of if self.deadlines.past else None


@dataclass(frozen=True)
class OpenLedger:
    """The ledger as a front end opened it: one engine, the as-of view, who is working,
    which report. The app keeps one for its life; a command, for its run."""

    engine: Engine
    deadlines: Deadlines
    user: str
    report: str | None = None

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session committed when the block succeeds, rolled back otherwise; a writer's
        from its start (db.begin_writing) when `write` says the block changes the ledger."""
        with new_session(self.engine) as session:
            if write:
                begin_writing(session)
            set_actor(session, self.user)  # who the audit log names for rows that do not say
            yield session
            session.commit()

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Ledger]:
        """One transaction, committed when the block succeeds. A change built on what the
        officer saw is never rerun: losing a race with another writer is refused in one
        line, as is anything else the ledger refuses (`refusal_of`)."""
        with refused(self.engine), conflicts_refused(), self.session(write=write) as session:
            yield self._view(session)

    def run(self, work: Callable[[Ledger], T]) -> T:
        """Run `work` as one writer's transaction and return what it returns. When it loses
        a race with another writer it is run again from scratch, in a fresh session that
        reads the item as it now is (services.retry): for a change that does not build on a
        version the officer read (an append, or anything typed at the command line). So
        what `work` does outside the session must be safe to repeat."""

        def attempt() -> T:
            with self.session(write=True) as session:
                return work(self._view(session))

        with refused(self.engine):
            return retrying(attempt)

    def _view(self, session: Session) -> Ledger:
        return Ledger(session, self.deadlines, self.user, self.report)

    @property
    def effective_on(self) -> date | None:
        """The day a change takes effect unless another is given: the as-of day when
        viewing the past, else today (None)."""
        return self.deadlines.as_of if self.deadlines.past else None

    def report_slugs(self) -> list[str]:
        """The reports in the database, e.g. one per town of a district."""
        with self.session() as session:
            return list(session.exec(select(Report.slug).order_by(col(Report.slug))).all())

    def the_report(self, session: Session) -> Report:
        """The report shown (the only one, or the one chosen with --report)."""
        return require_report(session=session, slug=self.report)

    def on(self, as_of: date) -> OpenLedger:
        """The same ledger viewed as of another day."""
        return replace(self, deadlines=replace(self.deadlines, as_of=as_of))

    def close(self) -> None:
        """Close the engine's connections (the front end is done with the ledger)."""
        self.engine.dispose()


def open_ledger(opening: Opening, as_of: date | None = None, *, say: Say = quiet) -> OpenLedger:
    """Open the chosen ledger (created, seeded or upgraded as `open_engine` says), viewed as
    of `as_of` (else the opening's day), as the acting user; a user who may write creates
    the periods of any year begun since the last run."""
    engine = open_engine(opening, say=say)
    deadlines = opening.deadlines(as_of)
    try:
        with refused(engine), new_session(engine) as session:
            check_as_of(session, deadlines, opening.report)
            user = acting_user(session, opening.settings.user)
            if may_write(session, user):
                add_new_periods(session, deadlines)
            session.commit()
    except BaseException:
        engine.dispose()
        raise
    return OpenLedger(engine, deadlines, user, opening.report)


def refusal_of(exc: BaseException, engine: Engine | None = None) -> TrackerError | None:
    """What went wrong, as the one line the officer reads; None for what is no refusal but
    a defect (its traceback is wanted). `engine` lets a wait for a lock say who holds it."""
    if isinstance(exc, TrackerError):
        return exc
    if is_conflict(exc):
        # A race lost: the same refusal whoever meets it, never the library's own words.
        return conflict_refusal(exc)
    if isinstance(exc, SQLAlchemyError):
        from tracker.db_errors import explain

        known = explain(exc, engine) if isinstance(exc, DBAPIError) else None
        if known is not None:
            return known
        # The driver's own words are English: the reason in the officer's words instead.
        return TrackerError("db_unreadable", reason=reason_of(exc))
    if isinstance(exc, OverflowError):
        # A number too large for the database (`list --section 99999999999999999999` on
        # SQLite) or a date past 9999; the session is rolled back.
        return TrackerError("value_out_of_range", reason=reason_of(exc))
    if isinstance(exc, UnicodeEncodeError):
        # Text in bytes that are not UTF-8 (a GBK terminal), which Python keeps as lone
        # surrogates that no database driver can encode; the session is rolled back.
        return TrackerError("text_not_readable", chars=printable(exc.object[exc.start : exc.end]))
    return None


@contextmanager
def refused(engine: Engine | None = None) -> Iterator[None]:
    """Within the block, what the ledger refuses or cannot do leaves as a `TrackerError`
    (`refusal_of`); a defect passes through untouched."""
    try:
        yield
    except TrackerError:
        raise
    except Exception as exc:
        known = refusal_of(exc, engine)
        if known is None:
            raise
        raise known from exc
