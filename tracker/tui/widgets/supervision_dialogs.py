"""The supervisor's dialog (销号, 退回, deciding an extension) and the extension request.

Like the editing dialogs, they only ask and check what they can check themselves (a real
date, a reason where one is required); saving is the caller's job. Neither chooses for the
officer: no decision is on until one is chosen, and the request opens on the deadline as it
is. Both ask when the decision or request took effect (see `EditDialog.effective_field`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.app import ComposeResult
from textual.widgets import Input, RadioButton

from tracker.i18n import t
from tracker.services.signoff import Decision
from tracker.tui.widgets.date_field import DateField
from tracker.tui.widgets.edit_dialog import EditDialog, StatusChoice

# Decisions that must say why.
NEEDS_REASON = frozenset({Decision.RETURN, Decision.REFUSE})


@dataclass(frozen=True)
class SupervisorChoice:
    decision: Decision
    note: str
    effective: date | None = None  # the day typed for it; None: the app's day


@dataclass(frozen=True)
class ExtensionAsk:
    to: date
    reason: str
    effective: date | None = None  # the day it was asked for; None: the app's day


class SupervisorDialog(EditDialog[SupervisorChoice]):
    """Choose what to do with an item: the decisions its state allows, and a note."""

    AUTO_FOCUS = "StatusChoice"

    def __init__(
        self,
        *,
        code: str,
        title: str,
        decisions: list[Decision],
        effective: date,
        initial: SupervisorChoice | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(
            heading=t("tui.supervise.title"),
            code=code,
            title=title,
            error=error,
            effective=effective,
        )
        self.decisions = decisions
        self.initial = initial  # what was chosen before a refused save; else nothing is

    def fields(self) -> ComposeResult:
        chosen = self.initial.decision if self.initial else None
        buttons = [
            RadioButton(t(f"tui.decision.{d.value}"), value=d is chosen, name=d.value)
            for d in self.decisions
        ]
        yield self.field(t("tui.supervise.decision"), StatusChoice(*buttons, id="decision"))
        typed = self.initial.note if self.initial else ""
        note = Input(typed, placeholder=t("tui.supervise.note_hint"), id="note")
        yield self.field(t("tui.edit.note"), note)
        yield self.effective_field(self.initial.effective if self.initial else None)

    @property
    def chosen(self) -> Decision | None:
        """The decision whose button is on, if any."""
        button = self.query_one(StatusChoice).pressed_button
        return Decision(button.name) if button is not None and button.name else None

    def unchanged(self) -> bool:
        """No decision and no note (a date alone decides nothing)."""
        return self.chosen is None and not self.query_one("#note", Input).value.strip()

    def collect(self) -> SupervisorChoice | None:
        decision, note = self.chosen, self.query_one("#note", Input)
        if decision is None:
            self.show_error(t("tui.supervise.choose"), self.query_one(StatusChoice))
            return None
        if decision in NEEDS_REASON and not note.value.strip():
            self.show_error(t("tui.supervise.reason_needed"), note)
            return None
        return SupervisorChoice(decision, note.value.strip(), self.chosen_effective())


class ExtensionDialog(EditDialog[ExtensionAsk]):
    """Ask for a later deadline (延期申请), with the reason; it opens on the deadline as it
    is, to be moved."""

    AUTO_FOCUS = "#to"

    def __init__(
        self,
        *,
        code: str,
        title: str,
        due: date,
        effective: date,
        initial: ExtensionAsk | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(
            heading=t("tui.extension.title"),
            code=code,
            title=title,
            error=error,
            effective=effective,
        )
        self.due = due
        self.initial = initial

    def fields(self) -> ComposeResult:
        typed = (self.initial.to if self.initial else self.due).isoformat()
        label = t("tui.extension.to")
        # A day typed without its year (5月10日) is in the year the app shows.
        effective_year = self.effective.year if self.effective else None
        hint = t("tui.extension.to_hint", due=self.due.isoformat())
        to = DateField(typed, input_id="to", label=label, year=effective_year, placeholder=hint)
        yield self.field(label, to)
        reason = Input(self.initial.reason if self.initial else "", id="reason")
        yield self.field(t("tui.extension.reason"), reason)
        yield self.effective_field(self.initial.effective if self.initial else None)

    def unchanged(self) -> bool:
        """The deadline as it is (or cleared), and no reason (a date alone asks nothing)."""
        field = self.query_one("#to-field", DateField)
        day = field.read_or_none() if field.typed else self.due
        reason = self.query_one("#reason", Input).value.strip()
        return day == self.due and not reason

    def collect(self) -> ExtensionAsk | None:
        day = self.read_date("to")
        if day is None:
            return None
        reason = self.query_one("#reason", Input)
        if not reason.value.strip():
            self.show_error(t("extension_reason_empty"), reason)
            return None
        return ExtensionAsk(day, reason.value.strip(), self.chosen_effective())
