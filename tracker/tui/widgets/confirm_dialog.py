"""A yes-or-no question before the app does something the officer may not mean (确定/取消).

It returns True only when 确定 is pressed; Escape, 取消 and Enter on 取消 (where the focus
starts) return False, so that a reflexive Enter never does the thing asked about. For the
same reason Ctrl+S, which finishes a form, does not answer yes here: a second Ctrl+S pressed
out of habit after saving must not overwrite a file or log an event twice.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Static

from tracker.i18n import t
from tracker.tui.widgets.edit_dialog import Dialog


class ConfirmDialog(Dialog[bool]):
    """Ask `question` about `code`; dismissed with True for 确定, False otherwise."""

    AUTO_FOCUS = "#cancel"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", t("key.cancel"), id="cancel"),
        # Ctrl+S is the forms' save: here it stays on the question (see the module's doc).
        Binding("ctrl+s", "nothing", show=False, priority=True),
    ]

    DEFAULT_CSS = """
    ConfirmDialog > #dialog {
        width: 64;
        border: thick $warning;
    }
    """

    def __init__(self, *, heading: str, code: str, question: str) -> None:
        super().__init__(heading=f"{heading} · {code}")
        self.code = code
        self.question = question

    def body(self) -> ComposeResult:
        yield Static(self.question, id="confirm-question", markup=False)

    def buttons(self) -> ComposeResult:
        yield Button(t("tui.cancel") + " Esc", id="cancel", compact=True)
        yield Button(t("tui.confirm.ok"), variant="warning", id="ok", compact=True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_nothing(self) -> None:
        """Ctrl+S: a question is answered with its buttons only."""

    @on(Button.Pressed, "#ok")
    def _ok_pressed(self) -> None:
        self.dismiss(True)
