"""The supervisor's dialog (销号, 退回, deciding an extension) and the extension request.

Like the editing dialogs, they only ask and check what they can check themselves (a real
date, a reason where one is required); saving is the caller's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from textual.app import ComposeResult
from textual.widgets import Input, RadioButton

from tracker.i18n import t
from tracker.tui.widgets.dialogs import EditDialog, StatusChoice


class Decision(StrEnum):
    VERIFY = "verify"  # 销号
    RETURN = "return"  # 退回
    APPROVE = "approve"  # 批准延期
    REFUSE = "refuse"  # 不予延期


# Decisions that must say why.
NEEDS_REASON = frozenset({Decision.RETURN, Decision.REFUSE})


@dataclass(frozen=True)
class SupervisorChoice:
    decision: Decision
    note: str


@dataclass(frozen=True)
class ExtensionAsk:
    to: date
    reason: str


class SupervisorDialog(EditDialog[SupervisorChoice | None]):
    """Choose what to do with an item: the decisions its state allows, and a note."""

    AUTO_FOCUS = "StatusChoice"

    def __init__(
        self,
        *,
        code: str,
        title: str,
        decisions: list[Decision],
        initial: SupervisorChoice | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(heading=t("tui.supervise.title"), code=code, title=title, error=error)
        self.decisions = decisions
        self.initial = initial or SupervisorChoice(decisions[0], "")

    def fields(self) -> ComposeResult:
        buttons = [
            RadioButton(
                t(f"tui.decision.{d.value}"), value=d is self.initial.decision, name=d.value
            )
            for d in self.decisions
        ]
        yield self.field(t("tui.supervise.decision"), StatusChoice(*buttons, id="decision"))
        note = Input(self.initial.note, placeholder=t("tui.supervise.note_hint"), id="note")
        yield self.field(t("tui.edit.note"), note)

    def action_save(self) -> None:
        button = self.query_one(StatusChoice).pressed_button
        decision = Decision(button.name) if button and button.name else self.decisions[0]
        note = self.query_one("#note", Input)
        if decision in NEEDS_REASON and not note.value.strip():
            self.show_error(t("tui.supervise.reason_needed"), note)
            return
        self.dismiss(SupervisorChoice(decision, note.value.strip()))


class ExtensionDialog(EditDialog[ExtensionAsk | None]):
    """Ask for a later deadline (延期申请), with the reason."""

    AUTO_FOCUS = "#to"

    def __init__(
        self,
        *,
        code: str,
        title: str,
        due: date,
        initial: ExtensionAsk | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__(heading=t("tui.extension.title"), code=code, title=title, error=error)
        self.due = due
        self.initial = initial

    def fields(self) -> ComposeResult:
        typed = self.initial.to.isoformat() if self.initial else ""
        to = Input(typed, placeholder=t("tui.extension.to_hint", due=self.due.isoformat()), id="to")
        yield self.field(t("tui.extension.to"), to)
        reason = Input(self.initial.reason if self.initial else "", id="reason")
        yield self.field(t("tui.extension.reason"), reason)

    def action_save(self) -> None:
        to = self.query_one("#to", Input)
        try:
            day = date.fromisoformat(to.value.strip())
        except ValueError:
            self.show_error(t("date_invalid", value=to.value, option=t("tui.extension.to")), to)
            return
        reason = self.query_one("#reason", Input)
        if not reason.value.strip():
            self.show_error(t("extension_reason_empty"), reason)
            return
        self.dismiss(ExtensionAsk(day, reason.value.strip()))
