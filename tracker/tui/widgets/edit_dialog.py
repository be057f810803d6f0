"""The base of every dialog (`Dialog`: a title, a body that scrolls, buttons always in
sight), of every editing dialog (`EditDialog`), its choice list (`StatusChoice`), and how
evidence paths are typed.

Each dialog only asks: it checks what it can check by itself (a real date, a number, evidence
files that exist) and returns the officer's values; saving is the caller's job
(tracker.tui.edit_flow). A dialog can be opened again with the values it returned and the
reason the save failed, so that nothing typed is lost.

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

import re
from datetime import date
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.scalar import Scalar
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, RadioSet, Static

from tracker.errors import TrackerError, printable
from tracker.i18n import t
from tracker.tui.widgets.date_field import DateField

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


class Dialog(ModalScreen[ResultT | None]):
    """Every dialog of the app: a title in its border, a body that scrolls when the terminal
    is too short for it (80×24 is the smallest the app is made for), then an error line and
    a row of buttons that stay in sight below the body whatever its length. Escape cancels
    (returns None), Ctrl+S finishes the form (`action_save`) from any field.

    A dialog supplies its `heading`, its `body()` and `action_save`; `buttons()` are Cancel
    and Save unless it says otherwise."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", t("key.cancel"), id="cancel"),
        Binding("ctrl+s", "save", t("tui.edit.save"), id="save", priority=True),
    ]

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog > #dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    /* The body is as tall as it needs, up to what the error line and the buttons leave
       (`_fit`), and scrolls beyond it (the focused field is scrolled into view): the
       buttons stay in sight below it. */
    Dialog #dialog-body {
        height: auto;
    }
    Dialog #dialog-footer {
        height: auto;
    }
    Dialog #dialog-error {
        color: $error;
        text-style: bold;
        display: none;
    }
    Dialog #dialog-error.-shown {
        display: block;
    }
    Dialog #dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    Dialog #dialog-buttons > Button {
        margin-left: 2;
    }
    """

    def __init__(self, *, heading: str, error: str | None = None) -> None:
        super().__init__()
        self.heading = heading
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = self.heading
            with VerticalScroll(id="dialog-body", can_focus=False):
                yield from self.body()
            with Vertical(id="dialog-footer"):
                # Messages quoting what was typed: never read as markup ("[/]" typed as a
                # date would break it), control characters escaped.
                yield Static(
                    printable(self.error or ""),
                    id="dialog-error",
                    classes="-shown" if self.error else "",
                    markup=False,
                )
                with Horizontal(id="dialog-buttons"):
                    yield from self.buttons()

    def on_mount(self) -> None:
        # A notification stands over the dialog's buttons on an 80×24 screen; what it said
        # (a save done, where the database was made) was for the screen the officer left.
        self.app.clear_notifications()
        # Textual takes them off the current screen only; the screen under the dialog shows
        # through its dimmed background with its own still on it.
        for screen in self.app.screen_stack:
            for rack in screen.query("ToastRack"):
                rack.remove_children()

    def body(self) -> ComposeResult:
        """What the dialog asks (it scrolls when the terminal is too short)."""
        yield from ()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """Let the body have the height the border, the error line and the buttons leave.
        (Textual's CSS cannot say "the rest, but no more than the content" of an auto
        height box: a `1fr` body would stretch every dialog to the terminal's height.)"""
        box = self.query_one("#dialog")
        footer = self.query_one("#dialog-footer")
        room = self.size.height - box.styles.gutter.height - footer.outer_size.height
        body = self.query_one("#dialog-body")
        if body.styles.max_height != Scalar.from_number(max(room, 3)):
            body.styles.max_height = max(room, 3)
            # A field given the cursor before the body shrank (a refused save) stays in sight.
            self.call_after_refresh(self._show_focused)

    def _show_focused(self) -> None:
        if self.focused is not None:
            self.focused.scroll_visible(animate=False, immediate=True)

    def buttons(self) -> ComposeResult:
        """The buttons, each naming its key: Cancel (Esc) and Save (Ctrl+S)."""
        yield Button(t("tui.cancel") + " Esc", id="cancel", compact=True)
        yield Button(t("tui.edit.save") + " Ctrl+S", variant="primary", id="save", compact=True)

    def show_error(self, message: str, field: Widget | None = None) -> None:
        """Say what is wrong without closing, and put the cursor where it is to be fixed."""
        error = self.query_one("#dialog-error", Static)
        error.update(printable(message))
        error.set_class(True, "-shown")
        self.call_after_refresh(self._fit)  # the error line takes room from the body
        if field is not None:
            field.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        """Finish the form (each dialog says how)."""
        raise NotImplementedError

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()


class EditDialog(Dialog[ResultT]):
    """A form about one item: its code in the border, its title, fields, an error line, and
    Save / Cancel. Escape cancels, Ctrl+S saves from any field, and so does Enter in a
    one-line field; Enter in a choice list moves on to the next field.

    The dialog returns None when cancelled or saved unchanged, else its checked values."""

    DEFAULT_CSS = """
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
        super().__init__(heading=f"{heading} · {code}", error=error)
        self.code = code
        self.item_title = title
        self.effective = effective  # the day the change would take effect; None: not asked

    def body(self) -> ComposeResult:
        # Stored text: never read as markup, control characters escaped.
        yield Static(printable(self.item_title), id="dialog-item", markup=False)
        yield from self.fields()

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
        label = t("tui.edit.effective")
        day = DateField(shown, input_id="effective", label=label, year=self.effective.year)
        return self.field(label, day)

    def chosen_effective(self) -> date | None:
        """The day typed for the change to take effect; None when it reads as the day it
        was prefilled with (the save then uses the app's day, as it would without the
        field). `action_save` has checked it is a date before `collect` asks."""
        if self.effective is None:
            return None
        day = self.query_one("#effective-field", DateField).read()
        return None if day == self.effective else day

    def read_date(self, field_id: str) -> date | None:
        """The day typed in the date field `field_id` (a DateField's input id), or None
        after saying, above the form and beneath the field, what is wrong with it."""
        field = self.query_one(f"#{field_id}-field", DateField)
        try:
            return field.read()
        except TrackerError as exc:
            self.show_error(exc.message(), field.input)
            return None

    def _effective_is_a_date(self) -> bool:
        """Whether the 生效日期 field holds a date; if not, say so there. Whether the day is
        allowed (not in the future, not before the item begins) is the ledger's to say."""
        return self.effective is None or self.read_date("effective") is not None

    def unchanged(self) -> bool:
        """Whether the form is as it opened on the item, so that saving it would change
        nothing (each editing dialog says how; a dialog that only chooses is never)."""
        return False

    def collect(self) -> ResultT | None:
        """The checked values of the form, or None after `show_error` said what is wrong."""
        raise NotImplementedError

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
