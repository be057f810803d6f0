"""The evidence dialog (`a` on an item, 佐证材料): the files of its events by their original
names, to save one into a folder or open it with the computer's own program.

Like the editing dialogs it only asks: it returns the file chosen, the folder and whether to
open it; the caller (tracker.tui.evidence) checks the stored copy and writes it. Nothing in
the ledger changes either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input, RadioButton, Static

from tracker.errors import printable
from tracker.i18n import t
from tracker.services.evidence_copies import EvidenceFile
from tracker.services.facts import file_size
from tracker.tui.widgets.edit_dialog import EditDialog, StatusChoice


@dataclass(frozen=True)
class EvidenceRequest:
    """The file to save into `folder`, or (`open`) to open with the system's program."""

    file: EvidenceFile
    folder: Path
    open: bool = False


def file_label(file: EvidenceFile) -> Text:
    """纪要.pdf  1.2 KB  #12 2022-05-10 5.5a/2022 (已作废): the name first, as officers
    look for it (a Text: a file name is not markup; control characters escaped)."""
    text = Text(printable(file.name), style="bold")
    text.append(printable(f"  {file_size(file.size)}  #{file.event_id} {file.day.isoformat()}"))
    text.append(printable(f"  {file.code}"), style="dim")
    if file.voided:
        text.append(f"  {t('tui.evidence.voided')}", style="strike dim")
    return text


class EvidenceDialog(EditDialog[EvidenceRequest]):
    """The item's evidence files: arrows choose one, Ctrl+S saves it into the folder typed,
    Ctrl+O opens it, Escape closes."""

    AUTO_FOCUS = "#evidence-files"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "open_file", t("tui.evidence.open"), id="open_file", priority=True),
    ]

    # A list of many files scrolls in itself, so that the folder and the buttons stay on an
    # 80×24 screen.
    DEFAULT_CSS = """
    EvidenceDialog #evidence-files {
        max-height: 8;
    }
    EvidenceDialog #evidence-hint {
        color: $text-muted;
    }
    """

    def __init__(
        self,
        *,
        code: str,
        title: str,
        files: list[EvidenceFile],
        folder: Path,
        initial: EvidenceRequest | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(heading=t("key.evidence"), code=code, title=title, error=error)
        self.files = files
        self.folder = folder
        self.initial = initial
        self.opening = False

    def fields(self) -> ComposeResult:
        chosen = self.initial.file if self.initial else (self.files[0] if self.files else None)
        buttons = [
            RadioButton(file_label(file), value=file == chosen, name=str(number))
            for number, file in enumerate(self.files)
        ]
        yield self.field(t("key.evidence"), StatusChoice(*buttons, id="evidence-files"))
        folder = str(self.initial.folder if self.initial else self.folder)
        yield self.field(t("tui.evidence.folder"), Input(folder, id="evidence-folder"))
        yield Static(t("tui.evidence.hint"), id="evidence-hint", markup=False)

    def on_mount(self) -> None:
        # The Open button beside Save (the base dialog has Cancel and Save).
        buttons = self.query_one("#dialog-buttons")
        label = t("tui.evidence.open") + " Ctrl+O"
        buttons.mount(Button(label, id="open", compact=True), before="#save")

    @property
    def chosen(self) -> EvidenceFile | None:
        """The file whose button is on, or None while none is."""
        button = self.query_one("#evidence-files", StatusChoice).pressed_button
        if button is None or not button.name:
            return None
        return self.files[int(button.name)]

    def collect(self) -> EvidenceRequest | None:
        opening, self.opening = self.opening, False
        file = self.chosen
        if file is None:
            choice = self.query_one("#evidence-files", StatusChoice)
            self.show_error(t("tui.evidence.choose"), choice)
            return None
        field = self.query_one("#evidence-folder", Input)
        folder = Path(field.value.strip()).expanduser()
        if not opening and (not field.value.strip() or not folder.is_dir()):
            self.show_error(t("evidence_out_not_dir", path=field.value.strip()), field)
            return None
        return EvidenceRequest(file, folder, open=opening)

    def action_open_file(self) -> None:
        """Open the chosen file rather than save it (the folder is not needed)."""
        self.opening = True
        self.action_save()

    @on(Button.Pressed, "#open")
    def _open_pressed(self) -> None:
        self.action_open_file()
