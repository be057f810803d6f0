"""草稿审核 alone: the terminal app `tracker review DRAFT.yaml` opens on a draft seed file.

The review itself is a screen (tracker.tui.screens.draft_review), which the officers' app
also opens after its 导入; this app only shows it, with no database, and `q` quits.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tracker.i18n import t
from tracker.importing import review
from tracker.importing.review import Draft, DraftRow
from tracker.tui.screens.draft_review import DraftReviewScreen


class ReviewApp(App[None]):
    """Review the drafts of one draft seed file, each decision saved at once."""

    ENABLE_COMMAND_PALETTE = False  # its commands are Textual's own, in English
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", t("key.quit"), id="quit"),
    ]

    def __init__(self, path: Path, draft: Draft | None = None) -> None:
        self.path = path
        self.draft = draft if draft is not None else review.load_draft(path)
        super().__init__()

    def get_default_screen(self) -> Screen[None]:
        # The review is the app's first screen: there is nothing under it to go back to.
        return DraftReviewScreen(self.path, self.draft)

    def on_mount(self) -> None:
        self.title = t("review.title")

    @property
    def review(self) -> DraftReviewScreen:
        """The review screen (under any dialog open on it)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, DraftReviewScreen)
        return screen

    @property
    def current(self) -> DraftRow | None:
        """The draft under the list's cursor."""
        return self.review.current

    @property
    def rows(self) -> list[DraftRow]:
        """The drafts as the screen lists them."""
        return self.review.rows
