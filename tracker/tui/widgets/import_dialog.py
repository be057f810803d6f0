"""The 导入报告 dialog: which file to import, a town's report or a draft written before.

It opens the file through the function it is given (tracker.tui.importing): a refusal (not
a report of the genre, a draft that does not load, a draft already written for that report)
is said in the dialog in one line, with the path typed kept, so that it can be corrected.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static

from tracker.errors import TrackerError, printable
from tracker.i18n import t
from tracker.tui.widgets.edit_dialog import Dialog

OpenedT = TypeVar("OpenedT")


class ImportDialog(Dialog[OpenedT], Generic[OpenedT]):
    """Ask for a report or draft file; dismissed with what `open_file` made of it, or None
    (cancelled). Nothing is read or written before Ctrl+S (or Enter)."""

    DEFAULT_CSS = """
    ImportDialog #import-hint {
        color: $text-muted;
        margin-bottom: 1;
    }
    ImportDialog .field {
        height: 1;
    }
    ImportDialog .field > Label {
        width: 6;
    }
    ImportDialog .field > Input {
        width: 1fr;
    }
    """

    def __init__(self, *, folder: Path, open_file: Callable[[Path], OpenedT]) -> None:
        super().__init__(heading=t("key.import"))
        self.folder = folder
        self.open_file = open_file

    def body(self) -> ComposeResult:
        hint = t("tui.import.hint", folder=str(self.folder))
        yield Static(printable(hint), id="import-hint", markup=False)
        # The documents folder to begin with: where a report downloaded is likely to be.
        typed = Input(os.path.join(self.folder, ""), id="import-path", compact=True)
        yield Horizontal(Label(t("tui.import.file")), typed, classes="field")

    def buttons(self) -> ComposeResult:
        yield Button(t("tui.cancel") + " Esc", id="cancel", compact=True)
        label = t("tui.import.button") + " Ctrl+S"
        yield Button(label, variant="primary", id="save", compact=True)

    def on_mount(self) -> None:
        typed = self.query_one("#import-path", Input)
        typed.focus()
        typed.cursor_position = len(typed.value)

    def action_save(self) -> None:
        """Open the file typed; a refusal stays in the dialog."""
        typed = self.query_one("#import-path", Input)
        text = typed.value.strip().strip("\"'").strip()  # quotes from drag-and-drop go
        path = Path(text).expanduser()
        if not text or path.is_dir():
            self.show_error(t("tui.import.no_file"), typed)
            return
        try:
            opened = self.open_file(path)
        except TrackerError as exc:
            self.show_error(exc.message(), typed)
            return
        self.dismiss(opened)

    @on(Input.Submitted, "#import-path")
    def _submitted(self) -> None:
        self.action_save()
