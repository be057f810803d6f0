"""The changes made from the app: status, event, note; the supervisor's decisions and
extension requests. Each is an `Edit` of tracker.tui.edit_flow, which reads the item, opens
the dialog, saves, reads again when the item changed meanwhile, and says what changed: each
here gives only what it shows, its dialog, its save and its notice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from textual.screen import Screen

from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.labels import clock_time, progress_label, status_label
from tracker.models import Commitment, Kind, Status
from tracker.services.events import LoggedEvent
from tracker.services.events import log_event as save_event
from tracker.services.listing import ItemRow, row_of
from tracker.services.lookup import now
from tracker.services.signoff import (
    Decision,
    decide_extension,
    open_decisions,
    request_extension,
    return_item,
    verify,
)
from tracker.services.updates import add_note as save_note
from tracker.services.updates import set_status
from tracker.tui.edit_flow import Ask, Edit, Nothing, Said, Shown, form, run_edit
from tracker.tui.widgets.dialogs import (
    LogDialog,
    NewEvent,
    NewNote,
    NoteDialog,
    StatusChange,
    StatusDialog,
)
from tracker.tui.widgets.supervision_dialogs import (
    ExtensionAsk,
    ExtensionDialog,
    SupervisorChoice,
    SupervisorDialog,
)
from tracker.work import Ledger, OpenLedger

DUPLICATE = "event_duplicate"  # the same date and note as an event that counts: asked about


def default_day(context: OpenLedger) -> date:
    """The day a change takes effect unless the officer types another: the day the app shows
    when viewing the past, else today. The dialogs' 生效日期 field opens on it."""
    return context.effective_on or now().date()


def said_as_is(said: Said) -> Said:
    """For a save that says what it did itself."""
    return said


def read_item(_: Ledger, item: Commitment) -> Shown:
    """What most dialogs show: the item as it is."""
    return Shown.of(item)


# --- Status ---------------------------------------------------------------------------------


def _status_dialog(
    context: OpenLedger, shown: Shown, initial: StatusChange | None, error: str | None
) -> StatusDialog:
    return StatusDialog(
        current=shown.status, effective=default_day(context), **form(shown, initial, error)
    )


def _save_status(work: Ledger, item: Commitment, shown: Shown, change: StatusChange) -> Said:
    old = Status(item.status)
    changed = set_status(
        session=work.session,
        item=item,
        status=change.status,
        note=change.note,
        user=work.user,
        now=now(),
        expected_version=shown.version,
        effective_on=work.effective_on(change.effective),
    )
    new = status_label(change.status)
    if not changed:
        return Said(t("status_unchanged", code=shown.code, new=new), None)
    return Said(t("status_changed", code=shown.code, old=status_label(old), new=new), shown.code)


STATUS: Edit[Shown, StatusChange, Said] = Edit(read_item, _status_dialog, _save_status, said_as_is)


def change_status(screen: Screen[Any], code: str) -> None:
    """Ask for a new status of `code` and save it with the officer's note."""
    run_edit(screen, code, STATUS)


# --- Event ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    """An event logged, and its period's progress."""

    entry: NewEvent
    logged: LoggedEvent
    row: ItemRow


def _log_dialog(
    context: OpenLedger, shown: Shown, initial: NewEvent | None, error: str | None
) -> LogDialog:
    return LogDialog(
        as_of=context.deadlines.as_of,
        ask_value=shown.kind is Kind.INDICATOR,
        **form(shown, initial, error),
    )


def _save_event(work: Ledger, item: Commitment, _: Shown, entry: NewEvent) -> Logged:
    logged = save_event(
        session=work.session,
        item=item,
        day=entry.day,
        note=entry.note,
        evidence=list(entry.evidence),
        value=entry.value,
        user=work.user,
        now=now(),
        calendar=work.deadlines.calendar,
        again=entry.again,
    )
    assert logged.item.id is not None
    return Logged(
        entry,
        logged,
        row_of(session=work.session, item_id=logged.item.id, deadlines=work.deadlines),
    )


def _event_said(done: Logged) -> Said:
    code, day = done.logged.item.code, done.entry.day.isoformat()
    if done.logged.done_count is None:
        return Said(t("event_logged", code=code, date=day, files=len(done.entry.evidence)), code)
    status = status_label(Status(done.logged.item.status))
    progress = progress_label(done.row)
    line = t("tui.edit.logged_progress", code=code, date=day, progress=progress, status=status)
    return Said(line, code)


def _twice(entry: NewEvent, outcome: Logged | TrackerError) -> Ask[NewEvent] | None:
    """The same date and note as an event that counts is logged again only if the officer
    says it really happened twice; so is the very same, logged moments ago by this officer
    (the app may have been closed before it said so)."""
    heading, again = t("tui.log.duplicate_title"), replace(entry, again=True)
    if isinstance(outcome, TrackerError):
        if outcome.key != DUPLICATE or entry.again:
            return None
        question, kept = t("tui.log.duplicate", **outcome.params), "tui.log.duplicate_kept"
        return Ask(heading, question, t(kept, **outcome.params), again)
    if not outcome.logged.repeated:
        return None
    event = outcome.logged.event
    said = {
        "code": outcome.logged.item.code,
        "date": entry.day.isoformat(),
        "id": event.id,
        "at": clock_time(event.recorded_at),
    }
    return Ask(heading, t("tui.log.repeated", **said), t("tui.log.repeated_kept", **said), again)


EVENT: Edit[Shown, NewEvent, Logged] = Edit(
    read_item, _log_dialog, _save_event, _event_said, append=True, ask=_twice
)


def log_event(screen: Screen[Any], code: str) -> None:
    """Ask what happened on `code` and record it; a periodic item's event counts for the
    period it falls in."""
    run_edit(screen, code, EVENT)


# --- Note -----------------------------------------------------------------------------------


def _note_dialog(
    context: OpenLedger, shown: Shown, initial: NewNote | None, error: str | None
) -> NoteDialog:
    effective = default_day(context)
    return NoteDialog(effective=effective, **form(shown, initial, error))


def _save_note(work: Ledger, item: Commitment, shown: Shown, note: NewNote) -> Said:
    save_note(
        session=work.session,
        item=item,
        text=note.text,
        user=work.user,
        now=now(),
        effective_on=work.effective_on(note.effective),
    )
    return Said(t("note_added", code=shown.code), shown.code)


NOTE: Edit[Shown, NewNote, Said] = Edit(
    read_item, _note_dialog, _save_note, said_as_is, append=True
)


def add_note(screen: Screen[Any], code: str) -> None:
    """Ask for a note and append it to `code`'s notes, signed and dated."""
    run_edit(screen, code, NOTE)


# --- The supervisor's decisions -------------------------------------------------------------


@dataclass(frozen=True)
class Decidable(Shown):
    """The item, and the decisions open to this supervisor on it (services.signoff)."""

    decisions: list[Decision]


def _read_decisions(work: Ledger, item: Commitment) -> Decidable:
    decisions = open_decisions(work.session, work.user, item)
    shown = Shown.of(item)
    if not decisions:
        raise Nothing(
            t("tui.supervise.nothing", code=shown.code, status=status_label(shown.status))
        )
    return Decidable(**vars(shown), decisions=decisions)


def _supervisor_dialog(
    context: OpenLedger, shown: Decidable, initial: SupervisorChoice | None, error: str | None
) -> SupervisorDialog:
    return SupervisorDialog(
        decisions=shown.decisions, effective=default_day(context), **form(shown, initial, error)
    )


def _decide(work: Ledger, item: Commitment, shown: Decidable, choice: SupervisorChoice) -> Said:
    """Carry out a supervisor's decision; the line that says what was done."""
    at, note, version = now(), choice.note, shown.version
    common: dict[str, Any] = {
        "session": work.session,
        "item": item,
        "user": work.user,
        "now": at,
        "expected_version": version,
        "effective_on": work.effective_on(choice.effective),
    }
    if choice.decision is Decision.VERIFY:
        done = verify(note=note, **common)
        return Said(t("signed_off", code=done.code, evidence=done.evidence), shown.code)
    if choice.decision is Decision.RETURN:
        back = return_item(reason=note, **common)
        old, new = status_label(back.old), status_label(back.new)
        return Said(t("returned", code=back.code, old=old, new=new, reason=note), shown.code)
    approve = choice.decision is Decision.APPROVE
    decided = decide_extension(approve=approve, note=note, **common)
    line = t(
        "extension_approved" if approve else "extension_refused",
        code=item.code,
        old=decided.old_due.isoformat(),
        new=decided.new_due.isoformat(),
        due=item.due.isoformat() if item.due else "-",
    )
    return Said(line, shown.code)


DECISION: Edit[Decidable, SupervisorChoice, Said] = Edit(
    _read_decisions, _supervisor_dialog, _decide, said_as_is
)


def supervise(screen: Screen[Any], code: str) -> None:
    """The supervisor's decisions on `code`: 销号, 退回, approving or refusing an extension.
    Offered only to a supervisor (or admin), and only those the item's state allows."""
    run_edit(screen, code, DECISION)


# --- Extension requests ---------------------------------------------------------------------


@dataclass(frozen=True)
class Extendable(Shown):
    """The item and the deadline an extension would move."""

    due: date


def _read_due(_: Ledger, item: Commitment) -> Extendable:
    due = item.extended_due or item.due
    if due is None:
        raise TrackerError("extension_no_deadline", code=item.code)
    return Extendable(**vars(Shown.of(item)), due=due)


def _extension_dialog(
    context: OpenLedger, shown: Extendable, initial: ExtensionAsk | None, error: str | None
) -> ExtensionDialog:
    return ExtensionDialog(
        due=shown.due, effective=default_day(context), **form(shown, initial, error)
    )


def _request(work: Ledger, item: Commitment, shown: Extendable, entry: ExtensionAsk) -> Said:
    asked = request_extension(
        session=work.session,
        item=item,
        new_due=entry.to,
        reason=entry.reason,
        user=work.user,
        now=now(),
        today=work.deadlines.as_of,
        effective_on=work.effective_on(entry.effective),
    )
    old, new = asked.old_due.isoformat(), asked.new_due.isoformat()
    return Said(t("extension_requested", code=item.code, old=old, new=new), shown.code)


EXTENSION: Edit[Extendable, ExtensionAsk, Said] = Edit(
    _read_due, _extension_dialog, _request, said_as_is, append=True
)


def ask_extension(screen: Screen[Any], code: str) -> None:
    """延期申请 for `code`: a later date and the reason, for a supervisor to decide."""
    run_edit(screen, code, EXTENSION)
