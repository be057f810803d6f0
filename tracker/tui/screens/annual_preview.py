"""年度报告草稿 before it is written: the draft as the file will read, scrollable, with what
will be written where on the line above it. `w` (or Ctrl+S) 写入文件, Escape 返回 to the print
dialog with every choice kept; nothing is written until `w` (tracker.tui.annual asks about
an existing file, then writes)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tracker.annual.model import AnnualDraft
from tracker.i18n import t
from tracker.tui.widgets.draft_text import DraftText
from tracker.tui.widgets.print_dialog import DraftChoice


def preview_line(choice: DraftChoice) -> str:
    """What `w` does: docx · 草稿（标注事项编号） · 写入 PATH."""
    copy = t("tui.annual.copy.plain" if choice.plain else "tui.annual.copy.draft")
    return " · ".join([choice.fmt.value, copy, t("tui.annual.write_to", path=str(choice.path))])


class AnnualPreviewScreen(Screen[bool]):
    """The draft shown before it is written; dismissed with True to write it, False to go
    back to the dialog."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "write", t("key.write_draft"), id="write_draft"),
        # Ctrl+S, as the dialog before it finishes: the same word, one key in the footer.
        Binding("ctrl+s", "write", t("key.write_draft"), show=False),
        Binding("escape", "back", t("key.back"), id="back"),
    ]
    AUTO_FOCUS = "#preview-body"

    def __init__(self, draft: AnnualDraft, choice: DraftChoice) -> None:
        super().__init__()
        self.draft = draft
        self.choice = choice
        self.sub_title = t("tui.annual.preview")

    def compose(self) -> ComposeResult:
        yield Header()
        # A path is never read as markup; it may hold "[".
        yield Static(preview_line(self.choice), id="preview-info", markup=False)
        with VerticalScroll(id="preview-body"):
            yield DraftText(self.draft, plain=self.choice.plain, id="preview-draft")
        yield Footer(compact=True)

    def action_write(self) -> None:
        """写入文件 (the flow asks first if the file is there already)."""
        self.dismiss(True)

    def action_back(self) -> None:
        """返回: to the dialog, with nothing written."""
        self.dismiss(False)
