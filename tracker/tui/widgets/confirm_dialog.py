"""A yes-or-no question before the app does something the officer may not mean (确定/取消).

It returns True only when 确定 is pressed; Escape, 取消 and Enter on 取消 (where the focus
starts) return False, so that a reflexive Enter never does the thing asked about.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tracker.i18n import t


class ConfirmDialog(ModalScreen[bool]):
    """Ask `question` about `code`; dismissed with True for 确定, False otherwise."""

    AUTO_FOCUS = "#cancel"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", t("key.cancel"), id="cancel"),
    ]

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog > #confirm-box {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    ConfirmDialog #confirm-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ConfirmDialog #confirm-buttons > Button {
        margin-left: 2;
    }
    """

    def __init__(self, *, heading: str, code: str, question: str) -> None:
        super().__init__()
        self.heading = heading
        self.code = code
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box") as box:
            box.border_title = f"{self.heading} · {self.code}"
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(t("tui.cancel") + " Esc", id="cancel", compact=True)
                yield Button(t("tui.confirm.ok"), variant="warning", id="ok", compact=True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#ok")
    def _ok_pressed(self) -> None:
        self.dismiss(True)
