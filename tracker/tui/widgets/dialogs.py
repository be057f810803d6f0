"""The editing dialogs of an item: change a status, log an event, add a note. They follow
`EditDialog` (tracker.tui.widgets.edit_dialog): they only ask, and saving unchanged
returns nothing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, RadioButton, TextArea

from tracker.i18n import t
from tracker.labels import figure, status_label
from tracker.models import Status
from tracker.tui.widgets.date_field import DateField
from tracker.tui.widgets.edit_dialog import EditDialog, StatusChoice, split_paths


@dataclass(frozen=True)
class StatusChange:
    """A new status and why; `effective` is the day typed for it (None: the app's day)."""

    status: Status
    note: str
    effective: date | None = None


@dataclass(frozen=True)
class NewNote:
    """A note to add; `effective` is the day typed for it (None: the app's day)."""

    text: str
    effective: date | None = None


@dataclass(frozen=True)
class NewEvent:
    """Something that happened: when, what, the evidence files (checked to exist), a figure."""

    day: date
    note: str
    evidence: tuple[Path, ...] = ()
    value: float | None = None
    # Logged although the same was logged before, because the officer said it happened
    # twice (asked after the first save was refused as a duplicate).
    again: bool = False


class StatusDialog(EditDialog[StatusChange]):
    """Choose a new status for an item, with a note saying why."""

    AUTO_FOCUS = "StatusChoice"

    def __init__(
        self,
        *,
        code: str,
        title: str,
        current: Status,
        effective: date,
        initial: StatusChange | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(
            heading=t("tui.edit.status_title"),
            code=code,
            title=title,
            error=error,
            effective=effective,
        )
        self.current = current
        self.initial = initial or StatusChange(current, "")

    def fields(self) -> ComposeResult:
        buttons = []
        for status in Status:
            if status is Status.VERIFIED and self.current is not Status.VERIFIED:
                continue  # 销号 is the supervisor's, through its own dialog
            label = status_label(status)
            if status is self.current:
                label = t("tui.edit.current", status=label)
            buttons.append(
                RadioButton(label, value=status is self.initial.status, name=status.value)
            )
        yield self.field(t("col.status"), StatusChoice(*buttons, id="status"))
        note = Input(self.initial.note, placeholder=t("tui.edit.note_optional"), id="note")
        yield self.field(t("tui.edit.note"), note)
        yield self.effective_field(self.initial.effective)

    @property
    def chosen(self) -> Status:
        """The status whose button is on."""
        button = self.query_one(StatusChoice).pressed_button
        return Status(button.name) if button is not None and button.name else self.current

    def unchanged(self) -> bool:
        """The item's status kept, and no note (a date alone changes nothing)."""
        return self.chosen is self.current and not self.query_one("#note", Input).value.strip()

    def collect(self) -> StatusChange:
        note = self.query_one("#note", Input).value.strip()
        return StatusChange(self.chosen, note, self.chosen_effective())


class LogDialog(EditDialog[NewEvent]):
    """Record what happened: the date (the as-of date unless changed), a note, evidence
    files, and for an indicator (`ask_value`) its figure, which it must have."""

    AUTO_FOCUS = "#date"

    def __init__(
        self,
        *,
        code: str,
        title: str,
        as_of: date,
        ask_value: bool = False,
        initial: NewEvent | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(heading=t("tui.edit.log_title"), code=code, title=title, error=error)
        self.ask_value = ask_value
        self.as_of = as_of
        self.initial = initial or NewEvent(as_of, "")

    def fields(self) -> ComposeResult:
        initial = self.initial
        label = t("tui.edit.date")
        day = DateField(initial.day.isoformat(), input_id="date", label=label, year=self.as_of.year)
        yield self.field(label, day)
        note = Input(initial.note, placeholder=t("tui.edit.event_note_hint"), id="note")
        yield self.field(t("tui.edit.note"), note)
        if self.ask_value:
            typed = "" if initial.value is None else figure(initial.value)
            value = Input(typed, placeholder=t("tui.edit.value_hint"), id="value")
            yield self.field(t("tui.edit.value"), value)
        evidence = TextArea(
            "\n".join(str(path) for path in initial.evidence),
            id="evidence",
            soft_wrap=True,
            placeholder=t("tui.edit.evidence_hint"),
        )
        yield self.field(t("tui.edit.evidence"), evidence)

    def unchanged(self) -> bool:
        """The date it opened on and nothing else: no note, figure or evidence."""
        typed = [self.query_one("#note", Input).value, self.query_one("#evidence", TextArea).text]
        if self.ask_value:
            typed.append(self.query_one("#value", Input).value)
        field = self.query_one("#date-field", DateField)
        day = field.read_or_none() if field.typed else self.as_of
        return day == self.as_of and not any(text.strip() for text in typed)

    def collect(self) -> NewEvent | None:
        day = self.read_date("date")
        if day is None:
            return None
        value: float | None = None
        if self.ask_value:
            value_input = self.query_one("#value", Input)
            typed_value = value_input.value.strip()
            if not typed_value:
                self.show_error(t("tui.edit.value_required"), value_input)
                return None
            try:
                value = float(typed_value)
            except ValueError:
                value = math.nan
            # float() takes "inf" and "nan" too; neither is a figure a ledger can hold.
            if not math.isfinite(value):
                self.show_error(t("tui.edit.value_invalid", value=typed_value), value_input)
                return None
        evidence = self.query_one("#evidence", TextArea)
        paths = split_paths(evidence.text)
        for path in paths:
            # Only whether the file is there: fingerprinting a large file is the save's work.
            if not path.expanduser().is_file():
                self.show_error(t("evidence_missing", path=str(path)), evidence)
                return None
        note = self.query_one("#note", Input).value.strip()
        return NewEvent(day, note, tuple(paths), value)


class NoteDialog(EditDialog[NewNote]):
    """Add a note to an item; earlier notes are kept."""

    AUTO_FOCUS = "#note"

    def __init__(
        self,
        *,
        code: str,
        title: str,
        effective: date,
        initial: NewNote | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(
            heading=t("tui.edit.note_title"),
            code=code,
            title=title,
            error=error,
            effective=effective,
        )
        self.initial = initial or NewNote("")

    def fields(self) -> ComposeResult:
        note = Input(self.initial.text, placeholder=t("tui.edit.note_hint"), id="note")
        yield self.field(t("tui.edit.note"), note)
        yield self.effective_field(self.initial.effective)

    def unchanged(self) -> bool:
        """No note written (spaces are none; a date alone is no note)."""
        return not self.query_one("#note", Input).value.strip()

    def collect(self) -> NewNote:
        return NewNote(self.query_one("#note", Input).value.strip(), self.chosen_effective())
