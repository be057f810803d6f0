"""The one flow of every change made from the app: read the item, ask (its dialog), save in
one transaction, and say what changed in one line, telling every screen through
`app.ledger_changed`. Each change (tracker.tui.editing, supervising, bulk, voiding) is an
`Edit`: what it reads for its dialog, the dialog, its save and what it says.

A save the ledger refuses is rolled back and the dialog comes back with what the officer
typed and the reason. Another officer's change to the same item in between refuses a change
built on what the dialog showed (a status, a supervisor's decision, voiding an event), and
the item is read again so that the dialog shows what is there now; an append (an event, a
note, a range of periods, an extension request: `Edit.append`) does not build on it, so it
is run again from scratch instead (tracker.work.OpenLedger.run).

Saves are single short transactions on one row and its history, so they run on the UI thread:
the officer waits for the confirmation anyway, and there is no half-saved state to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.screen import ModalScreen

from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.labels import localized
from tracker.models import Commitment, Kind, Status
from tracker.services.lookup import get_commitment
from tracker.tui.widgets.confirm_dialog import ConfirmDialog
from tracker.work import Ledger, OpenLedger

if TYPE_CHECKING:
    from textual.screen import Screen

    from tracker.tui.app import TrackerApp

STALE_KEYS = frozenset({"item_changed", "item_changed_now"})
# The app words a write the database could not do as a failed save (the command line says
# it could not read the database).
FAILED_KEYS = {"db_unreadable": "tui.edit.save_failed"}


@dataclass(frozen=True)
class Shown:
    """What a dialog shows about the item it changes."""

    code: str
    title: str
    status: Status
    kind: Kind
    version: int  # as read when the dialog opened: a save built on it is refused if changed

    @classmethod
    def of(cls, item: Commitment) -> Shown:
        title = localized(item.title, item.title_en)
        return cls(item.code, title, Status(item.status), Kind(item.kind), item.version)


class Nothing(Exception):
    """There is nothing to change on this item (nothing to decide, to void): said as a
    notice instead of opening the dialog."""


@dataclass(frozen=True)
class Said:
    """What a save did, in one notice, and the item whose screens show it (None: nothing
    changed)."""

    line: str
    changed: str | None


SeenT = TypeVar("SeenT", bound=Shown)
ChoiceT = TypeVar("ChoiceT")
DoneT = TypeVar("DoneT")


@dataclass(frozen=True)
class Ask(Generic[ChoiceT]):
    """An outcome asked about before it stands (an event logged twice): yes saves `again`,
    no goes back to the dialog, which says `kept`."""

    heading: str
    question: str
    kept: str
    again: ChoiceT


@dataclass(frozen=True)
class Edit(Generic[SeenT, ChoiceT, DoneT]):
    """One change made from the app: only its own parts; the flow is `run_edit`'s."""

    # What the dialog shows, read in a transaction; raises Nothing, or a TrackerError.
    read: Callable[[Ledger, Commitment], SeenT]
    # The dialog on what was read, opened again with what was typed and the refusal.
    dialog: Callable[[OpenLedger, SeenT, ChoiceT | None, str | None], ModalScreen[ChoiceT | None]]
    # The save, in one transaction, on the item as it now is.
    save: Callable[[Ledger, Commitment, SeenT, ChoiceT], DoneT]
    said: Callable[[DoneT], Said]
    append: bool = False  # run again from scratch when it loses a race, rather than refused
    # An outcome (what was saved, or a refusal's key and parameters) to ask about first.
    ask: Callable[[ChoiceT, DoneT | TrackerError], Ask[ChoiceT] | None] | None = None


def form(shown: Shown, initial: object, error: str | None) -> dict[str, Any]:
    """What every dialog opens with: the item's code and title, and, when it comes back
    after a refused save, what was typed and why it was refused."""
    return {"code": shown.code, "title": shown.title, "initial": initial, "error": error}


def tracker_app(screen: Screen[Any]) -> TrackerApp:
    from tracker.tui.app import TrackerApp

    assert isinstance(screen.app, TrackerApp)
    return screen.app


def run_edit(screen: Screen[Any], code: str, edit: Edit[SeenT, ChoiceT, DoneT]) -> None:
    """Read `code`, ask with `edit`'s dialog, and save what the officer chose."""
    flow = _Flow(tracker_app(screen), code, edit)
    shown = flow.read()
    if shown is not None:
        flow.shown = shown
        flow.ask()


class _Flow(Generic[SeenT, ChoiceT, DoneT]):
    """One edit in progress: what the dialog shows, read again when a save finds it stale."""

    shown: SeenT

    def __init__(self, app: TrackerApp, code: str, edit: Edit[SeenT, ChoiceT, DoneT]) -> None:
        self.app = app
        self.code = code
        self.edit = edit

    def read(self) -> SeenT | None:
        """What the dialog shows, or None (and a notice saying why) when there is none."""
        context = self.app.context
        try:
            with context.transaction() as work:
                item = get_commitment(session=work.session, code=self.code, report_slug=work.report)
                return self.edit.read(work, item)
        except Nothing as exc:
            self.app.notify(str(exc))
        except TrackerError as exc:
            self.app.notify(_message(exc), severity="error")
        return None

    def ask(self, initial: ChoiceT | None = None, error: str | None = None) -> None:
        dialog = self.edit.dialog(self.app.context, self.shown, initial, error)
        self.app.push_screen(dialog, self.save)

    def save(self, choice: ChoiceT | None) -> None:
        if choice is None:  # cancelled, or saved as it opened: nothing changes
            return
        try:
            done = self._saved(choice)
        except TrackerError as exc:
            if self._asked(choice, exc):
                return
            stale = exc.key in STALE_KEYS
            if stale:  # every screen shows the other officer's change; so does the dialog
                self.app.ledger_changed.publish(self.code)
                again = self.read()
                if again is None:
                    return
                self.shown = again
            reason = _message(exc)
            self.ask(choice, f"{reason} {t('tui.edit.reloaded')}" if stale else reason)
            return
        if self._asked(choice, done):
            return
        said = self.edit.said(done)
        self.app.notify(said.line)
        if said.changed is not None:
            self.app.ledger_changed.publish(said.changed)

    def _saved(self, choice: ChoiceT) -> DoneT:
        context, shown, save = self.app.context, self.shown, self.edit.save

        def change(work: Ledger) -> DoneT:
            item = get_commitment(session=work.session, code=self.code, report_slug=work.report)
            return save(work, item, shown, choice)

        if self.edit.append:
            return context.run(change)
        with context.transaction() as work:
            return change(work)

    def _asked(self, choice: ChoiceT, outcome: DoneT | TrackerError) -> bool:
        """Whether `outcome` is asked about first: yes saves the choice again, no goes back
        to the dialog with what was typed."""
        question = self.edit.ask(choice, outcome) if self.edit.ask is not None else None
        if question is None:
            return False

        def answered(yes: bool | None) -> None:
            if yes:
                self.save(question.again)
            else:
                self.ask(choice, question.kept)

        dialog = ConfirmDialog(
            heading=question.heading, code=self.shown.code, question=question.question
        )
        self.app.push_screen(dialog, answered)
        return True


def _message(exc: TrackerError) -> str:
    """The refusal in the officer's language, as the app words it."""
    key = FAILED_KEYS.get(exc.key)
    return t(key, **exc.params) if key is not None else exc.message()
