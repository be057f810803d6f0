"""The editing dialogs: change a status, log an event, add a note.

Each dialog only asks: it checks what it can check by itself (a real date, a number, evidence
files that exist) and returns the officer's values; saving is the caller's job. A dialog can
be opened again with the values it returned and the reason the save failed, so that nothing
typed is lost.

Nothing changes unless chosen: a dialog opens on the item as it is, and saving it as it
opened returns nothing (and says so) rather than a default the officer never chose. A new
dialog subclasses `EditDialog[ItsResult]` and says three things: its `fields()`, when the
form is `unchanged()`, and how to `collect()` the checked values.

A dialog that changes an item asks when the change took effect (生效日期), prefilled with the
day it would take effect anyway (today, or the day the app shows when viewing the past). That
day is not a change: the field alone never makes a form changed, and left as it opened it
gives no date (None), so the save uses the app's day as it would without the field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static, TextArea

from tracker.errors import printable
from tracker.i18n import t
from tracker.labels import figure, status_label
from tracker.models import Status


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


ResultT = TypeVar("ResultT")

# Evidence paths are separated by new lines or semicolons (ASCII or full-width, as typed
# with a Chinese input method).
_PATH_SEPARATORS = re.compile(r"[\n;；]")


def split_paths(text: str) -> list[Path]:
    """The paths in `text`, one per line or separated by `;`; quotes from drag-and-drop go."""
    paths: list[Path] = []
    for part in _PATH_SEPARATORS.split(text):
        cleaned = part.strip().strip("\"'").strip()
        if cleaned:
            paths.append(Path(cleaned))
    return paths


class EditDialog(ModalScreen[ResultT | None]):
    """A centred form about one item: its code in the border, its title, fields, an error
    line, and Save / Cancel. Escape cancels, Ctrl+S saves from any field, and so does Enter
    in a one-line field; Enter in a choice list moves on to the next field.

    The dialog returns None when cancelled or saved unchanged, else its checked values."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", t("key.cancel"), id="cancel"),
        Binding("ctrl+s", "save", t("tui.edit.save"), id="save", priority=True),
    ]

    DEFAULT_CSS = """
    EditDialog {
        align: center middle;
    }
    EditDialog > #dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        overflow-y: auto;
        border: thick $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    EditDialog #dialog-item {
        color: $text-muted;
        margin-bottom: 1;
    }
    EditDialog .field {
        height: auto;
    }
    EditDialog .field > Label {
        width: 10;
        padding: 1 0 0 0;
    }
    EditDialog .field > Input, EditDialog .field > TextArea, EditDialog .field > RadioSet {
        width: 1fr;
    }
    EditDialog #evidence {
        height: 5;
    }
    EditDialog #dialog-error {
        color: $error;
        text-style: bold;
        display: none;
    }
    EditDialog #dialog-error.-shown {
        display: block;
    }
    EditDialog #dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    EditDialog #dialog-buttons > Button {
        margin-left: 2;
    }
    """

    def __init__(
        self,
        *,
        heading: str,
        code: str,
        title: str,
        error: str | None,
        effective: date | None = None,
    ) -> None:
        super().__init__()
        self.heading = heading
        self.code = code
        self.item_title = title
        self.error = error
        self.effective = effective  # the day the change would take effect; None: not asked

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = f"{self.heading} · {self.code}"
            # Stored text and messages quoting what was typed: never read as markup ("[/]"
            # typed as a date would break it), control characters escaped.
            yield Static(printable(self.item_title), id="dialog-item", markup=False)
            yield from self.fields()
            yield Static(
                printable(self.error or ""),
                id="dialog-error",
                classes="-shown" if self.error else "",
                markup=False,
            )
            with Horizontal(id="dialog-buttons"):
                yield Button(t("tui.cancel") + " Esc", id="cancel", compact=True)
                yield Button(
                    t("tui.edit.save") + " Ctrl+S", variant="primary", id="save", compact=True
                )

    def fields(self) -> ComposeResult:
        """The form's rows (see `field`)."""
        yield from ()

    @staticmethod
    def field(label: str, widget: Widget) -> Horizontal:
        """One row of the form: its label, then the field."""
        return Horizontal(Label(label), widget, classes="field")

    def effective_field(self, typed: date | None = None) -> Horizontal:
        """The 生效日期 row: the day the change would take effect, or the day typed before a
        refused save (`typed`), so that nothing typed is lost."""
        assert self.effective is not None, "a dialog asking for the date is given the day"
        shown = (typed or self.effective).isoformat()
        day = Input(shown, placeholder="YYYY-MM-DD", id="effective")
        return self.field(t("tui.edit.effective"), day)

    def _typed_effective(self) -> str | None:
        """What the 生效日期 field holds; None when it differs in nothing from the day it was
        prefilled with, or the dialog does not ask for it."""
        if self.effective is None:
            return None
        typed = self.query_one("#effective", Input).value.strip()
        return None if typed == self.effective.isoformat() else typed

    def chosen_effective(self) -> date | None:
        """The day typed for the change to take effect; None when left as prefilled (the
        save then uses the app's day, as it would without the field). `action_save` has
        checked it is a date before `collect` asks."""
        typed = self._typed_effective()
        return date.fromisoformat(typed) if typed is not None else None

    def _effective_is_a_date(self) -> bool:
        """Whether the 生效日期 field holds a date; if not, say so there. Whether the day is
        allowed (not in the future, not before the item begins) is the ledger's to say."""
        typed = self._typed_effective()
        if typed is None:
            return True
        try:
            date.fromisoformat(typed)
        except ValueError:
            field = self.query_one("#effective", Input)
            self.show_error(t("tui.edit.date_invalid", value=typed), field)
            return False
        return True

    def show_error(self, message: str, field: Widget | None = None) -> None:
        """Say what is wrong without closing, and put the cursor where it is to be fixed."""
        error = self.query_one("#dialog-error", Static)
        error.update(printable(message))
        error.set_class(True, "-shown")
        if field is not None:
            field.focus()

    def unchanged(self) -> bool:
        """Whether the form is as it opened on the item, so that saving it would change
        nothing (each editing dialog says how; a dialog that only chooses is never)."""
        return False

    def collect(self) -> ResultT | None:
        """The checked values of the form, or None after `show_error` said what is wrong."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        """Return the form's values; an unchanged form returns nothing, and says so, rather
        than a value the officer did not choose."""
        if self.unchanged():
            self.app.notify(t("tui.edit.nothing_changed", code=self.code))
            self.dismiss(None)
            return
        if not self._effective_is_a_date():
            return
        values = self.collect()
        if values is not None:
            self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        """Enter in any one-line field saves the form."""
        self.action_save()


class StatusChoice(RadioSet):
    """A choice list: the arrow keys choose (as radio buttons do in other programs), Enter
    moves on to the next field; it never saves by itself. It starts on the button that is
    on, or on none when the dialog has nothing chosen yet."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right", "choose(1)", show=False),
        Binding("up,left", "choose(-1)", show=False),
        Binding("enter", "app.focus_next", show=False),
    ]

    def on_mount(self) -> None:
        # RadioSet's own mount handler runs after this one and moves the highlight to the
        # first button; put it back on the button that is on once that is done.
        self.call_next(self._highlight_pressed)

    def _highlight_pressed(self) -> None:
        self._selected = self.pressed_index if self.pressed_index >= 0 else None

    def action_choose(self, step: int) -> None:
        """Turn on the button `step` away from the one that is on (the first or the last
        when none is). RadioSet's next/previous actions are left alone: its mount handler
        calls them, and choosing there would turn a button on that nobody chose."""
        self._highlight_pressed()
        if step > 0:
            self.action_next_button()
        else:
            self.action_previous_button()
        self.action_toggle_button()


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
        day = Input(initial.day.isoformat(), placeholder="YYYY-MM-DD", id="date")
        yield self.field(t("tui.edit.date"), day)
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
        day = self.query_one("#date", Input).value.strip()
        return day in ("", self.as_of.isoformat()) and not any(text.strip() for text in typed)

    def collect(self) -> NewEvent | None:
        date_input = self.query_one("#date", Input)
        typed_date = date_input.value.strip()
        try:
            day = date.fromisoformat(typed_date)
        except ValueError:
            self.show_error(t("tui.edit.date_invalid", value=typed_date), date_input)
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
