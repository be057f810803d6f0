"""What every command shares: settings, the open ledger (tracker.work, as the app opens it
too), dates, and one-line errors."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text
from sqlalchemy.engine import Engine

from tracker import work
from tracker.dates import parse_day, parse_view_day
from tracker.errors import printable
from tracker.i18n import t
from tracker.services.lookup import now
from tracker.work import Ledger, Opening

if TYPE_CHECKING:
    from tracker.services.seeding import SeedResult

T = TypeVar("T")


# What the help of every date option says is accepted (tracker.dates reads them).
DATE_METAVAR = "DATE"
DATE_FORMS = "2022-5-10, 2022/5/10, 2022年5月10日, 5月10日, 今天/today"


def date_help(text: str) -> str:
    """The help of a date option: what it is (`text`), then the forms it accepts."""
    return f"{text}: {DATE_FORMS}"


def parse_date(text: str, option: str, as_of: date | None = None) -> date:
    """A date as officers type it (tracker.dates: 2022-5-10, 2022/5/10, 2022年5月10日,
    5月10日 in the year of `as_of` or this year, 今天, 昨天), from 1900 on; anything else is
    a TrackerError naming the option. (The services refuse a day before the item it
    changes begins.)"""
    today = now().date()
    return parse_day(text, field=option, today=today, year=(as_of or today).year)


def parse_as_of(text: str) -> date:
    """The --as-of date: a real date, and no further ahead than MAX_YEARS_AHEAD years
    (tracker.dates)."""
    return parse_view_day(text, field="--as-of", today=now().date())


def parse_effective(text: str | None, as_of: date | None = None) -> date | None:
    """The --date of a change (a late entry, 补录), if given; a day without a year is in
    the year of `as_of` (the day viewed) or this year."""
    return parse_date(text, "--date", as_of) if text is not None else None


EffectiveDate = Annotated[
    str | None,
    typer.Option(
        "--date",
        metavar=DATE_METAVAR,
        help=date_help("生效日期（补录时填写，默认今天）/ the day it took effect (default today)"),
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
        # Whether this thread is inside a render of this console (a progress bar renders
        # from a thread of its own).
        self._rendering = threading.local()

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(printable(text, keep_lines=True), **options)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        if getattr(self._rendering, "inside", False):
            # A part (a table's cell) rendered while the whole is: its segments are escaped
            # on their way out of the whole's render. Escaping them at every level of a
            # table as well cost a tenth of drawing it.
            yield from super().render(renderable, options)
            return
        self._rendering.inside = True
        try:
            for segment in super().render(renderable, options):
                if segment.control is None and segment.text:
                    shown = printable(segment.text, keep_lines=True)
                    if shown != segment.text:
                        segment = Segment(shown, segment.style)
                yield segment
        finally:
            self._rendering.inside = False


def out() -> Console:
    """The console for results (stdout)."""
    return StoredTextConsole(soft_wrap=False)


def err() -> Console:
    """The console for messages (stderr)."""
    return StoredTextConsole(stderr=True, soft_wrap=True)


class AppState(Opening):
    """The global options, and what is built from them once per run (tracker.work.Opening),
    with the command line's way of telling what the calendar guessed."""

    def warn_fallback(self) -> None:
        """Say once that working days beyond the official calendar are guesses."""
        years = self.guessed_years()
        if years:
            err().print(t("calendar_fallback", years=", ".join(map(str, years))), style="yellow")


def say(message: str) -> None:
    """What opening the ledger tells the officer (a database created, a file upgraded)."""
    err().print(message)


def open_engine(state: AppState, *, create: bool = False) -> Engine:
    """The engine for the chosen database (tracker.work.open_engine), telling on stderr."""
    return work.open_engine(state, create=create, say=say)


def seed_database(state: AppState, engine: Engine, seed_path: Path) -> SeedResult:
    """Load, check and write a seed in one transaction."""
    return work.seed_database(state, engine, seed_path)


@contextmanager
def ledger(state: AppState, as_of: date | None = None) -> Iterator[Ledger]:
    """A session on the ledger; committed when the command succeeds, rolled back otherwise.

    A change that races another writer's on the same item is refused in one line and
    nothing is kept; `unit_of_work` runs it again instead.
    """
    opened = work.open_ledger(state, as_of, say=say)
    try:
        with opened.transaction() as led:
            yield led
    finally:
        opened.close()
    state.warn_fallback()


def unit_of_work(state: AppState, change: Callable[[Ledger], T], as_of: date | None = None) -> T:
    """Run `change` as one transaction on the ledger, committed when it returns; what it
    returns (what the command then prints).

    At the command line nobody has read the item's version before the change, so a change
    that loses a race with another writer is run again from scratch, in a fresh session
    that reads the item as it now is (services.retry); so `change` prints nothing, and what
    it does outside the session must be safe to repeat (copying evidence into the
    content-addressed store is).
    """
    opened = work.open_ledger(state, as_of, say=say)
    try:
        result = opened.run(change)
    finally:
        opened.close()
    state.warn_fallback()
    return result


def open_app(state: AppState) -> None:
    """Open the terminal app on the chosen database (created and seeded on first run)."""
    from tracker.tui import make_app

    app = make_app(state, say=say)
    try:
        app.run()
    finally:
        app.context.close()


def fail(message: str, code: int = 1) -> None:
    """Print one line to stderr and exit with `code`."""
    err().print(message, style="red", markup=False)
    sys.exit(code)


def late_text(day: date | None, *, typed: bool = False) -> str:
    """A note such as （补录，2022-05-10 生效） after a change back-dated to `day`. When the
    officer typed the date (`typed`), the day it was read as is said even if it is today,
    （2026-12-05 生效）, so that a date typed as 今天 or 5月10日 is seen as it was taken."""
    if day is None:
        return ""
    if day < now().date():
        return f"（{t('late_entry', date=day.isoformat())}）"
    return f"（{t('date.effective_on', date=day.isoformat())}）" if typed else ""
