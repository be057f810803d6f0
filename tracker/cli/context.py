"""What every command shares: settings, the open ledger, dates, and one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, func, select

from tracker.config import DEFAULT_SEED, Settings
from tracker.db import begin_writing, database_url, make_engine, new_session
from tracker.errors import TrackerError, printable
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
from tracker.services.lookup import now
from tracker.services.retry import conflicts_refused, retrying

if TYPE_CHECKING:
    from tracker.services.seeding import SeedResult

T = TypeVar("T")


# The earliest year a date typed on the command line may have. The ledger's own floor is
# later (a report's year: require_not_before); before 1900 a date is a typo (0001-01-01,
# 1022 for 2022) that no check of an item's start should have to meet first.
EARLIEST_YEAR = 1900


def require_not_before(day: date, year: int, option: str) -> date:
    """`day`, unless it is before `year`: the one rule for dates too early to mean anything,
    applied to every date typed (from 1900) and to --as-of (from the report's year)."""
    if day.year < year:
        raise TrackerError("date_too_early", value=day.isoformat(), option=option, year=year)
    return day


def parse_date(text: str, option: str) -> date:
    """A date typed as YYYY-MM-DD, from 1900 on; anything else is a TrackerError naming the
    option. (The services refuse a day before the item it changes begins.)"""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise TrackerError("date_invalid", value=text, option=option) from exc
    return require_not_before(day, EARLIEST_YEAR, option)


# How far ahead an --as-of date may look. Viewing the ledger on a day creates the periods of
# every year up to it: a typo such as 2062 for 2026 would write 36 years of daily periods.
MAX_YEARS_AHEAD = 5


def parse_as_of(text: str) -> date:
    """The --as-of date: a real date, and no further ahead than MAX_YEARS_AHEAD years."""
    day = parse_date(text, "--as-of")
    latest = date.today().year + MAX_YEARS_AHEAD
    if day.year > latest:
        raise TrackerError("as_of_too_far", value=text.strip(), year=latest)
    return day


def parse_effective(text: str | None) -> date | None:
    """The --date of a change (a late entry, 补录), if given."""
    return parse_date(text, "--date") if text is not None else None


EffectiveDate = Annotated[
    str | None,
    typer.Option(
        "--date",
        metavar="YYYY-MM-DD",
        help="生效日期（补录时填写，默认今天）/ the day it took effect (late entry; default today)",
    ),
]


class StoredTextConsole(Console):
    """A console for text that officers typed or files held, shown as it is.

    No Rich markup is read in it (a note "[red]x[/red]" or "[link=…]" prints as typed) nor
    :emoji: codes, and its control and invisible formatting characters are escaped
    (errors.printable, line breaks kept): an escape sequence in a note cannot recolour the
    reader's terminal, nor a right-to-left override reorder a line. Strings are escaped
    before they are laid out, so table columns stay aligned; every segment is escaped again
    on its way out, which catches a `Text` built from stored text as well.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **options)

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(printable(text, keep_lines=True), **options)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control is None and segment.text:
                shown = printable(segment.text, keep_lines=True)
                if shown != segment.text:
                    segment = Segment(shown, segment.style)
            yield segment


def out() -> Console:
    """The console for results (stdout)."""
    return StoredTextConsole(soft_wrap=False)


def err() -> Console:
    """The console for messages (stderr)."""
    return StoredTextConsole(stderr=True, soft_wrap=True)


@dataclass
class AppState:
    """The global options, and what is built from them once per run."""

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
                raise TrackerError("holidays_invalid", reason=str(exc)) from exc
        return self._calendar

    def deadlines(self, as_of: date | None = None) -> Deadlines:
        day = as_of or self.as_of or date.today()
        return Deadlines(as_of=day, calendar=self.calendar(), warn_days=self.settings.warn_days)

    def warn_fallback(self) -> None:
        """Say once that working days beyond the official calendar are guesses."""
        if self._calendar is not None and self._calendar.fallback_years:
            years = ", ".join(str(y) for y in sorted(self._calendar.fallback_years))
            err().print(t("calendar_fallback", years=years), style="yellow")


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def open_engine(state: AppState, *, create: bool = False) -> Engine:
    """The engine for the chosen database. A missing database is created and seeded only
    when it is the default one or `create` is set (`tracker init`)."""
    url = database_url(state.settings.db)
    path = _sqlite_path(url)
    if path is not None:
        # A folder, pipe or device given as --db: SQLite would fail on it, or wait on it.
        require_not_special(path)
    if path is not None and not path.exists() and not (create or state.settings.db_is_default):
        raise TrackerError("db_missing", path=str(path))
    engine = make_engine(url)
    if not has_schema(engine):
        if not (create or state.settings.db_is_default):
            raise TrackerError("db_not_initialized", db=state.settings.db)
        create_schema(engine)
        if not create:
            result = seed_database(state, engine, DEFAULT_SEED)
            err().print(t("auto_initialized", db=state.settings.db, report=result.report))
    else:
        bring_up_to_date(engine, state.settings.db)
    return engine


def bring_up_to_date(engine: Engine, db: str) -> None:
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
    err().print(t("db_upgraded", old=str(revision), new=HEAD, backup=str(backup)))


def seed_database(state: AppState, engine: Engine, seed_path: Path) -> SeedResult:
    """Load, check and write a seed in one transaction."""
    # Imported here: only init and the first run read a seed (YAML and its checks cost
    # start-up time that every other command would pay).
    from tracker.services.seed_file import load_seed_file
    from tracker.services.seeding import apply_seed

    seed = load_seed_file(seed_path)
    today = state.deadlines().as_of
    with new_session(engine) as session:
        user = acting_user(session, state.settings.user)
        # Seeding writes commitments: an admin's work, except on a ledger with no account
        # yet, whose first seeder becomes its admin (in the same transaction).
        if has_accounts(session):
            require_role(session, user, Role.ADMIN)
        result = apply_seed(
            session=session,
            seed=seed,
            user=user,
            now=now(),
            through_year=max(today.year, seed.document.report.plan_year),
            calendar=state.calendar(),
        )
        ensure_first_admin(session=session, name=user, now=now())
        session.commit()
    return result


@dataclass(frozen=True)
class Ledger:
    """An open session and the deadlines view a command works with."""

    session: Session
    deadlines: Deadlines
    user: str
    report: str | None

    def effective_on(self, explicit: date | None = None) -> date | None:
        """The day a change takes effect: the one given (--date), else the as-of day when
        viewing the past (what the officer sees is what they change), else today (None)."""
        if explicit is not None:
            return explicit
        return self.deadlines.as_of if self.deadlines.past else None


def check_as_of(session: Session, deadlines: Deadlines, report: str | None) -> None:
    """Refuse viewing the ledger on a day before its report's year (before the earliest
    report's, when several are viewed at once): nothing was in it then."""
    if not deadlines.past:
        return
    query = select(func.min(Report.year))
    if report is not None:
        query = query.where(col(Report.slug) == report)
    first = session.exec(query).one()
    if first is not None:
        require_not_before(deadlines.as_of, first, "--as-of")


def add_new_periods(session: Session, deadlines: Deadlines) -> None:
    """Create the periods of any year begun since the last run, for every report."""
    for report in session.exec(select(Report)).all():
        through = max(deadlines.as_of.year, report.plan_year)
        ensure_period_instances(
            session=session, report=report, through_year=through, calendar=deadlines.calendar
        )


@contextmanager
def ledger(state: AppState, as_of: date | None = None) -> Iterator[Ledger]:
    """A session on the ledger; committed when the command succeeds, rolled back otherwise.

    A change that races another writer's on the same item is refused in one line and
    nothing is kept; `unit_of_work` runs it again instead.
    """
    engine = open_engine(state)
    deadlines = state.deadlines(as_of)
    try:
        with conflicts_refused(), _transaction(engine, state, deadlines) as led:
            yield led
    except DBAPIError as exc:
        raise refusal(exc, engine) from exc
    finally:
        engine.dispose()
    state.warn_fallback()


def unit_of_work(state: AppState, work: Callable[[Ledger], T], as_of: date | None = None) -> T:
    """Run `work` as one transaction on the ledger, committed when it returns; what it
    returns (what the command then prints).

    At the command line nobody has read the item's version before the change, so a change
    that loses a race with another writer is run again from scratch, in a fresh session
    that reads the item as it now is (services.retry); so `work` prints nothing, and what
    it does outside the session must be safe to repeat (copying evidence into the
    content-addressed store is).
    """
    engine = open_engine(state)
    deadlines = state.deadlines(as_of)

    def attempt() -> T:
        with _transaction(engine, state, deadlines, write=True) as led:
            return work(led)

    try:
        result = retrying(attempt)
    except DBAPIError as exc:
        raise refusal(exc, engine) from exc
    finally:
        engine.dispose()
    state.warn_fallback()
    return result


@contextmanager
def _transaction(
    engine: Engine, state: AppState, deadlines: Deadlines, *, write: bool = False
) -> Iterator[Ledger]:
    """One session on `engine`, committed when the block succeeds, closed (rolled back)
    otherwise; a writer's (db.begin_writing) when `write` says the block changes the ledger.
    Period instances of a year begun since the last run are created first, so every command
    sees the current year's periods."""
    with new_session(engine) as session:
        if write:
            begin_writing(session)
        check_as_of(session, deadlines, state.report)
        user = acting_user(session, state.settings.user)
        if may_write(session, user):
            add_new_periods(session, deadlines)
        set_actor(session, user)  # who the audit log names for rows that do not say
        yield Ledger(session, deadlines, user, state.report)
        session.commit()


def refusal(exc: DBAPIError, engine: Engine | None) -> Exception:
    """What the database refused, in the officer's words (tracker.db_errors), or `exc`."""
    from tracker.db_errors import explain

    return explain(exc, engine) or exc


def open_app(state: AppState) -> None:
    """Open the terminal app on the chosen database (created and seeded on first run)."""
    from tracker.tui import run_app
    from tracker.tui.context import TuiContext

    engine = open_engine(state)
    deadlines = state.deadlines()
    try:
        with new_session(engine) as session:
            check_as_of(session, deadlines, state.report)
            user = acting_user(session, state.settings.user)
            if may_write(session, user):
                add_new_periods(session, deadlines)
            session.commit()
        run_app(TuiContext(engine=engine, deadlines=deadlines, user=user, report=state.report))
    finally:
        engine.dispose()


def fail(message: str, code: int = 1) -> None:
    """Print one line to stderr and exit with `code`."""
    err().print(message, style="red", markup=False)
    sys.exit(code)


def late_text(day: date | None) -> str:
    """A note such as （补录，2022-05-10 生效） after a change back-dated to `day`."""
    if day is None or day >= now().date():
        return ""
    return f"（{t('late_entry', date=day.isoformat())}）"
