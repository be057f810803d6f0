"""The changes made from the app: status, event, note; the supervisor's decisions and
extension requests.

Each opens its dialog, saves the result in one transaction, says what changed in one line,
and tells every screen through `app.ledger_changed`. A save the ledger refuses is rolled back
and the dialog comes back with what the officer typed and the reason.

Another officer's change to the same item in between refuses a change built on what the
dialog showed (a status, a supervisor's decision: `_item_session`), but not an append (an
event, a note, an extension request: `_append`), which is run again from scratch instead.

Saves are single short transactions on one row and its history, so they run on the UI thread:
the officer waits for the confirmation anyway, and there is no half-saved state to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.labels import clock_time, localized, progress_label, status_label
from tracker.models import Commitment, Kind, Role, Status
from tracker.services.access import require_role
from tracker.services.events import LoggedEvent
from tracker.services.events import log_event as save_event
from tracker.services.listing import ItemRow, row_of
from tracker.services.lookup import get_commitment, now
from tracker.services.retry import conflicts_refused, retrying
from tracker.services.signoff import (
    decide_extension,
    pending_extension,
    request_extension,
    return_item,
    verify,
)
from tracker.services.updates import add_note as save_note
from tracker.services.updates import set_status
from tracker.tui.widgets.confirm_dialog import ConfirmDialog
from tracker.tui.widgets.dialogs import (
    LogDialog,
    NewEvent,
    NewNote,
    NoteDialog,
    StatusChange,
    StatusDialog,
)
from tracker.tui.widgets.supervision_dialogs import (
    Decision,
    ExtensionAsk,
    ExtensionDialog,
    SupervisorChoice,
    SupervisorDialog,
)

if TYPE_CHECKING:
    from textual.screen import Screen

    from tracker.tui.app import TrackerApp


class Refused(Exception):
    """The ledger refused to read or save an item; the reason is in the officer's language.
    `stale` says the item changed since the officer opened it (reload, then decide again);
    `key` and `params` are the refusal's, for a save that answers one by asking."""

    def __init__(
        self,
        message: str,
        *,
        stale: bool = False,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.stale = stale
        self.key = key
        self.params = params or {}


T = TypeVar("T")
STALE_KEYS = frozenset({"item_changed", "item_changed_now"})
DUPLICATE = "event_duplicate"  # the same date and note as an event that counts: asked about


@dataclass(frozen=True)
class _Item:
    """What a dialog shows about the item it changes."""

    code: str
    title: str
    status: Status
    kind: Kind
    version: int  # as read when the dialog opened: the save is refused if it has changed


def _tracker(screen: Screen[Any]) -> TrackerApp:
    from tracker.tui.app import TrackerApp

    assert isinstance(screen.app, TrackerApp)
    return screen.app


@contextmanager
def _refused(engine: Engine) -> Iterator[None]:
    """Within the block, what the ledger refuses (or cannot do) becomes `Refused`, in the
    officer's language; a conflict with another writer is a stale refusal."""
    try:
        with conflicts_refused():
            yield
    except TrackerError as exc:
        raise Refused(
            exc.message(), stale=exc.key in STALE_KEYS, key=exc.key, params=exc.params
        ) from exc
    except SQLAlchemyError as exc:
        from tracker.db_errors import explain

        # A refusal by the database itself, or a wait for someone's lock (who, asked on
        # `engine`), in the officer's words.
        known = explain(exc, engine) if isinstance(exc, DBAPIError) else None
        if known is not None:
            raise Refused(known.message(), key=known.key, params=known.params) from exc
        # The driver's own message when there is one; its first line is the reason.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise Refused(t("tui.edit.save_failed", reason=reason)) from exc


@contextmanager
def _item_session(app: TrackerApp, code: str) -> Iterator[tuple[Session, Commitment]]:
    """One transaction on the item `code`: committed when the block succeeds; rolled back
    and turned into `Refused` when the ledger refuses, as when the item changed since the
    dialog read it (a change built on what the officer saw is never rerun)."""
    context = app.context
    with _refused(context.engine), context.session() as session:
        yield session, get_commitment(session=session, code=code, report_slug=context.report)


def _append(app: TrackerApp, code: str, work: Callable[[Session, Commitment], T]) -> T:
    """Run `work` on the item `code` as one writer's transaction and return what it returns.
    For an append (an event, a note, a range of periods, an extension request): it does not
    build on the version the dialog showed, so when it loses a race with another writer it
    is run again from scratch (services.retry) rather than refused."""
    context = app.context

    def attempt() -> T:
        with context.session(write=True) as session:
            item = get_commitment(session=session, code=code, report_slug=context.report)
            return work(session, item)

    with _refused(context.engine):
        return retrying(attempt)


def _load(app: TrackerApp, code: str) -> _Item | None:
    """The item as the dialog should show it, or None (and a notice) when it cannot be read."""
    try:
        with _item_session(app, code) as (_, item):
            title = localized(item.title, item.title_en)
            return _Item(item.code, title, Status(item.status), Kind(item.kind), item.version)
    except Refused as exc:
        app.notify(str(exc), severity="error")
        return None


def _reload_if_stale(app: TrackerApp, code: str, item: _Item, refused: Refused) -> _Item:
    """After a save refused because the item changed meanwhile: read it again, so that the
    dialog that comes back shows (and the next save builds on) what is there now."""
    if not refused.stale:
        return item
    app.ledger_changed.publish(code)  # every screen shows the other officer's change
    return _load(app, code) or item


def _refusal(refused: Refused) -> str:
    """The refusal; for a stale read, with what the officer can do now."""
    return f"{refused} {t('tui.edit.reloaded')}" if refused.stale else str(refused)


def _default_day(app: TrackerApp) -> date:
    """The day a change takes effect unless the officer types another: the day the app shows
    when viewing the past, else today. The dialogs' 生效日期 field opens on it."""
    return app.context.effective_on or now().date()


def _effective(app: TrackerApp, typed: date | None) -> date | None:
    """The effective date passed to the ledger: the day typed in the dialog, else the app's."""
    return typed or app.context.effective_on


def change_status(screen: Screen[Any], code: str) -> None:
    """Ask for a new status of `code` and save it with the officer's note."""
    app = _tracker(screen)
    item = _load(app, code)
    if item is None:
        return
    shown = item  # what the dialog shows; read again if a save finds it stale

    def ask(initial: StatusChange | None = None, error: str | None = None) -> None:
        dialog = StatusDialog(
            code=shown.code,
            title=shown.title,
            current=shown.status,
            effective=_default_day(app),
            initial=initial,
            error=error,
        )
        app.push_screen(dialog, save)

    def save(change: StatusChange | None) -> None:
        nonlocal shown
        if change is None:
            return
        try:
            with _item_session(app, code) as (session, commitment):
                old = Status(commitment.status)
                changed = set_status(
                    session=session,
                    item=commitment,
                    status=change.status,
                    note=change.note,
                    user=app.context.user,
                    now=now(),
                    expected_version=shown.version,
                    effective_on=_effective(app, change.effective),
                )
        except Refused as exc:
            shown = _reload_if_stale(app, code, shown, exc)
            ask(change, _refusal(exc))
            return
        if not changed:
            app.notify(t("status_unchanged", code=shown.code, new=status_label(change.status)))
            return
        app.notify(
            t(
                "status_changed",
                code=shown.code,
                old=status_label(old),
                new=status_label(change.status),
            )
        )
        app.ledger_changed.publish(shown.code)

    ask()


def log_event(screen: Screen[Any], code: str) -> None:
    """Ask what happened on `code` and record it; a periodic item's event counts for the
    period it falls in."""
    app = _tracker(screen)
    item = _load(app, code)
    if item is None:
        return
    shown = item  # what the dialog shows; read again if a save finds it stale
    as_of = app.context.deadlines.as_of

    def ask(initial: NewEvent | None = None, error: str | None = None) -> None:
        dialog = LogDialog(
            code=shown.code,
            title=shown.title,
            as_of=as_of,
            ask_value=shown.kind is Kind.INDICATOR,
            initial=initial,
            error=error,
        )
        app.push_screen(dialog, save)

    def confirm_again(entry: NewEvent, question: str, kept: str) -> None:
        """The same date and note as an event that counts: log it again only if the officer
        says it really happened twice; else back to the form with what was typed."""

        def answered(again: bool | None) -> None:
            if again:
                save(entry, again=True)
            else:
                ask(entry, kept)

        heading = t("tui.log.duplicate_title")
        dialog = ConfirmDialog(heading=heading, code=shown.code, question=question)
        app.push_screen(dialog, answered)

    def save(entry: NewEvent | None, again: bool = False) -> None:
        nonlocal shown
        if entry is None:
            return

        def record(session: Session, commitment: Commitment) -> tuple[LoggedEvent, ItemRow]:
            logged = save_event(
                session=session,
                item=commitment,
                day=entry.day,
                note=entry.note,
                evidence=list(entry.evidence),
                value=entry.value,
                user=app.context.user,
                now=now(),
                calendar=app.context.deadlines.calendar,
                again=again,
            )
            assert logged.item.id is not None
            row = row_of(session=session, item_id=logged.item.id, deadlines=app.context.deadlines)
            return logged, row

        try:
            logged, row = _append(app, code, record)
        except Refused as exc:
            if exc.key == DUPLICATE and not again:
                question = t("tui.log.duplicate", **exc.params)
                confirm_again(entry, question, t("tui.log.duplicate_kept", **exc.params))
                return
            shown = _reload_if_stale(app, code, shown, exc)
            ask(entry, _refusal(exc))
            return
        target, done, status = logged.item.code, logged.done_count, Status(logged.item.status)
        if logged.repeated:
            # This officer logged the very same moments ago (the app may have been closed
            # before it said so): asked, as a duplicate is, rather than logged twice.
            said = {
                "code": target,
                "date": entry.day.isoformat(),
                "id": logged.event.id,
                "at": clock_time(logged.event.recorded_at),
            }
            confirm_again(entry, t("tui.log.repeated", **said), t("tui.log.repeated_kept", **said))
            return
        day = entry.day.isoformat()
        if done is None:
            app.notify(t("event_logged", code=target, date=day, files=len(entry.evidence)))
        else:
            app.notify(
                t(
                    "tui.edit.logged_progress",
                    code=target,
                    date=day,
                    progress=progress_label(row),
                    status=status_label(status),
                )
            )
        app.ledger_changed.publish(target)

    ask()


def add_note(screen: Screen[Any], code: str) -> None:
    """Ask for a note and append it to `code`'s notes, signed and dated."""
    app = _tracker(screen)
    item = _load(app, code)
    if item is None:
        return
    shown = item  # what the dialog shows; read again if a save finds it stale

    def ask(initial: NewNote | None = None, error: str | None = None) -> None:
        dialog = NoteDialog(
            code=shown.code,
            title=shown.title,
            effective=_default_day(app),
            initial=initial,
            error=error,
        )
        app.push_screen(dialog, save)

    def save(note: NewNote | None) -> None:
        nonlocal shown
        if note is None:
            return

        def append(session: Session, commitment: Commitment) -> None:
            save_note(
                session=session,
                item=commitment,
                text=note.text,
                user=app.context.user,
                now=now(),
                effective_on=_effective(app, note.effective),
            )

        try:
            _append(app, code, append)
        except Refused as exc:
            shown = _reload_if_stale(app, code, shown, exc)
            ask(note, _refusal(exc))
            return
        app.notify(t("note_added", code=shown.code))
        app.ledger_changed.publish(shown.code)

    ask()


def _decisions(session: Session, item: Commitment) -> list[Decision]:
    """What a supervisor can decide about `item` in its present state."""
    status = Status(item.status)
    found = []
    if status is Status.DONE:
        found.append(Decision.VERIFY)
    if status in (Status.DONE, Status.VERIFIED):
        found.append(Decision.RETURN)
    if pending_extension(session, item) is not None:
        found += [Decision.APPROVE, Decision.REFUSE]
    return found


def supervise(screen: Screen[Any], code: str) -> None:
    """The supervisor's decisions on `code`: 销号, 退回, approving or refusing an extension.
    Offered only to a supervisor (or admin), and only those the item's state allows."""
    app = _tracker(screen)
    try:
        with _item_session(app, code) as (session, commitment):
            require_role(session, app.context.user, Role.SUPERVISOR)
            decisions = _decisions(session, commitment)
            shown = _Item(
                commitment.code,
                localized(commitment.title, commitment.title_en),
                Status(commitment.status),
                Kind(commitment.kind),
                commitment.version,
            )
    except Refused as exc:
        app.notify(str(exc), severity="error")
        return
    if not decisions:
        app.notify(t("tui.supervise.nothing", code=shown.code, status=status_label(shown.status)))
        return

    def ask(initial: SupervisorChoice | None = None, error: str | None = None) -> None:
        dialog = SupervisorDialog(
            code=shown.code,
            title=shown.title,
            decisions=decisions,
            effective=_default_day(app),
            initial=initial,
            error=error,
        )
        app.push_screen(dialog, save)

    def save(choice: SupervisorChoice | None) -> None:
        nonlocal shown
        if choice is None:
            return
        try:
            with _item_session(app, code) as (session, commitment):
                line = _decide(
                    session,
                    commitment,
                    choice,
                    app.context.user,
                    shown.version,
                    _effective(app, choice.effective),
                )
        except Refused as exc:
            shown = _reload_if_stale(app, code, shown, exc)
            ask(choice, _refusal(exc))
            return
        app.notify(line)
        app.ledger_changed.publish(shown.code)

    ask()


def _decide(
    session: Session,
    item: Commitment,
    choice: SupervisorChoice,
    user: str,
    version: int,
    effective_on: date | None = None,
) -> str:
    """Carry out a supervisor's decision; the line that says what was done."""
    at = now()
    if choice.decision is Decision.VERIFY:
        done = verify(
            session=session,
            item=item,
            note=choice.note,
            user=user,
            now=at,
            expected_version=version,
            effective_on=effective_on,
        )
        return t("signed_off", code=done.code, evidence=done.evidence)
    if choice.decision is Decision.RETURN:
        back = return_item(
            session=session,
            item=item,
            reason=choice.note,
            user=user,
            now=at,
            expected_version=version,
            effective_on=effective_on,
        )
        return t(
            "returned",
            code=back.code,
            old=status_label(back.old),
            new=status_label(back.new),
            reason=choice.note,
        )
    approve = choice.decision is Decision.APPROVE
    decided = decide_extension(
        session=session,
        item=item,
        approve=approve,
        note=choice.note,
        user=user,
        now=at,
        expected_version=version,
        effective_on=effective_on,
    )
    return t(
        "extension_approved" if approve else "extension_refused",
        code=item.code,
        old=decided.old_due.isoformat(),
        new=decided.new_due.isoformat(),
        due=item.due.isoformat() if item.due else "-",
    )


def ask_extension(screen: Screen[Any], code: str) -> None:
    """延期申请 for `code`: a later date and the reason, for a supervisor to decide."""
    app = _tracker(screen)
    try:
        with _item_session(app, code) as (_, commitment):
            due = commitment.extended_due or commitment.due
            title = localized(commitment.title, commitment.title_en)
            shown_code = commitment.code
    except Refused as exc:
        app.notify(str(exc), severity="error")
        return
    if due is None:
        app.notify(t("extension_no_deadline", code=shown_code), severity="error")
        return

    def ask(initial: ExtensionAsk | None = None, error: str | None = None) -> None:
        dialog = ExtensionDialog(
            code=shown_code,
            title=title,
            due=due,
            effective=_default_day(app),
            initial=initial,
            error=error,
        )
        app.push_screen(dialog, save)

    def save(entry: ExtensionAsk | None) -> None:
        if entry is None:
            return

        def request(session: Session, commitment: Commitment) -> str:
            asked = request_extension(
                session=session,
                item=commitment,
                new_due=entry.to,
                reason=entry.reason,
                user=app.context.user,
                now=now(),
                today=app.context.deadlines.as_of,
                effective_on=_effective(app, entry.effective),
            )
            return t(
                "extension_requested",
                code=commitment.code,
                old=asked.old_due.isoformat(),
                new=asked.new_due.isoformat(),
            )

        try:
            line = _append(app, code, request)
        except Refused as exc:
            ask(entry, str(exc))
            return
        app.notify(line)
        app.ledger_changed.publish(shown_code)

    ask()
