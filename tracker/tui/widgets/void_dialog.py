"""The void dialog (作废): which of an item's events was logged by mistake, and why.

The detail screen draws events as text with no cursor, so the dialog lists the events that
still count to choose from. Nothing is chosen when it opens: voiding one is a decision,
never a default. Like the other editing dialogs it only asks; the caller voids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, RadioButton

from tracker.errors import printable
from tracker.i18n import t
from tracker.tui.widgets.edit_dialog import EditDialog, StatusChoice


@dataclass(frozen=True)
class Voidable:
    """An event that may be voided, as the list names it."""

    id: int
    day: date
    note: str

    def label(self) -> Text:
        """#12  2022-03-15  第一次法治专题讲座 (a Text: a note is not markup; its control
        characters escaped)."""
        return Text(printable(f"#{self.id}  {self.day.isoformat()}  {self.note or '-'}"))


@dataclass(frozen=True)
class VoidChoice:
    """The event to void, and why."""

    event_id: int
    reason: str


class VoidDialog(EditDialog[VoidChoice]):
    """Choose one of the item's events that still count and say why it is void."""

    AUTO_FOCUS = "#event"

    def __init__(
        self,
        *,
        code: str,
        title: str,
        events: list[Voidable],
        initial: VoidChoice | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(heading=t("tui.void.title"), code=code, title=title, error=error)
        self.events = events
        self.initial = initial

    def fields(self) -> ComposeResult:
        chosen = self.initial.event_id if self.initial else None
        buttons = [
            RadioButton(event.label(), value=event.id == chosen, name=str(event.id))
            for event in self.events
        ]
        # A choice list: the arrows choose, Enter moves on to the reason and never saves.
        yield self.field(t("tui.void.event"), StatusChoice(*buttons, id="event"))
        typed = self.initial.reason if self.initial else ""
        reason = Input(typed, placeholder=t("tui.void.reason_hint"), id="reason")
        yield self.field(t("tui.void.reason"), reason)

    @property
    def chosen(self) -> int | None:
        """The id of the event whose button is on, or None while none is."""
        button = self.query_one("#event", StatusChoice).pressed_button
        return int(button.name) if button is not None and button.name else None

    def unchanged(self) -> bool:
        """No event chosen and no reason written."""
        return self.chosen is None and not self.query_one("#reason", Input).value.strip()

    def collect(self) -> VoidChoice | None:
        event_id = self.chosen
        if event_id is None:
            self.show_error(t("tui.void.choose"), self.query_one("#event", StatusChoice))
            return None
        reason = self.query_one("#reason", Input)
        if not reason.value.strip():
            self.show_error(t("tui.void.reason_needed"), reason)
            return None
        return VoidChoice(event_id, reason.value.strip())
