"""What every screen that shows the ledger does the same way: read it in a thread worker,
draw what arrives (or say why nothing did), and read it again after each change."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast

from sqlmodel import Session
from textual import on, work
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tracker.errors import printable_copy
from tracker.failures import reason_of
from tracker.work import OpenLedger, refusal_of

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp

T = TypeVar("T")

LOAD = "ledger"  # the worker group of a screen's reads (exclusive per screen, not per app)
# A first read quicker than this (seconds) shows no loading indicator: it would only flash,
# and mounting, animating and removing it costs a first visit more than most reads take.
LOADING_AFTER = 0.2


class LedgerScreen(Screen[None], Generic[T]):
    """A screen drawn from one read of the ledger, `T`, redone after every saved change.

    Subclasses implement `read` (run in a thread), `show` and `show_error` (run on the UI
    thread). A subclass may have its own `on_mount`: Textual calls it as well as this one's,
    and before it.
    """

    # The widget (a selector) that shows Textual's loading indicator until the first read
    # arrives; None when the screen says it is loading in its own way.
    LOADING: ClassVar[str | None] = None

    def __init__(self) -> None:
        super().__init__()
        self._stale = False  # changed while out of sight: read again when shown
        self._arrived = False  # the first read has come back (or failed)

    @property
    def tracker(self) -> TrackerApp:
        from tracker.tui.app import TrackerApp

        assert isinstance(self.app, TrackerApp)
        return self.app

    def on_mount(self) -> None:
        self.tracker.ledger_changed.subscribe(self, self._ledger_changed)
        if self.LOADING is not None:
            self.set_timer(LOADING_AFTER, self._still_loading)
        self.load()

    def _still_loading(self) -> None:
        if not self._arrived and self.LOADING is not None:
            self.query_one(self.LOADING).loading = True

    # --- what a screen supplies ---------------------------------------------------------

    def read(self, session: Session, context: OpenLedger) -> T:
        """What the screen shows, read from the database (in a worker thread)."""
        raise NotImplementedError

    def show(self, data: T) -> None:
        """Draw what `read` returned."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        """Say why the ledger could not be read."""
        raise NotImplementedError

    # --- reading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group=LOAD)
    def load(self) -> T:
        """Read the screen's data off the UI thread; a newer load cancels an older one.
        Its stored text comes printable: an escape sequence or a right-to-left override in
        a note is shown escaped, not obeyed by the terminal."""
        context = self.tracker.context
        with context.session() as session:
            return printable_copy(self.read(session, context))

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        # Workers of the screen's widgets report here too; only its own reads are ours.
        if worker.node is not self or worker.group != LOAD:
            return
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self._arrived = True
        if self.LOADING is not None and (widget := self.query_one(self.LOADING)).loading:
            widget.loading = False
            # A loading widget counts as disabled, so its keys (Enter…) were left out of the
            # footer, and Textual does not rebuild the footer when loading ends.
            self.refresh_bindings()
        if event.state is WorkerState.SUCCESS:
            # The worker ran `load`, which returns a T.
            self.show(cast("T", worker.result))
        else:
            error = worker.error or RuntimeError()
            # A library's own words (English) are never shown: the reason in the officer's.
            known = refusal_of(error)
            self.show_error(known.message() if known is not None else reason_of(error))

    def _ledger_changed(self, _code: str) -> None:
        # A screen out of sight reads again when it is shown again, not on every save.
        if self.is_current:
            self.load()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.load()
