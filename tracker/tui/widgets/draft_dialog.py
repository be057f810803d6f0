"""The dialog that edits one draft commitment while reviewing a draft (草稿审核): its title,
kind, lead unit, deadline, frequency and target (a quota needs both of the last two).

The dialog saves through the function it is given (tracker.importing.review.edit, which
checks the whole file as seeding would): a refusal is said in the dialog, in one line, with
everything typed kept, and the file is unchanged. Only the fields changed are given to it,
so a field left alone keeps its 待核定 mark; an untouched dialog saves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.app import ComposeResult
from textual.widgets import Input, Select

from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.importing.review import DraftRow
from tracker.models import Kind
from tracker.schedule import Frequency
from tracker.tui.widgets.date_field import DateField
from tracker.tui.widgets.edit_dialog import EditDialog

# The changed fields, by their names in the seed file.
DraftChanges = dict[str, object]


class DraftDialog(EditDialog[DraftChanges]):
    """Edit a draft's fields; dismissed with the changes saved, or None (cancelled or
    untouched)."""

    def __init__(self, row: DraftRow, *, save: Callable[[DraftChanges], object]) -> None:
        heading = t("review.edit.heading")
        super().__init__(heading=heading, code=row.code, title=row.title, error=None)
        self.row = row
        self.save = save
        self.opened = self._typed_from(row)

    @staticmethod
    def _typed_from(row: DraftRow) -> dict[str, str]:
        return {
            "title": row.title,
            "kind": row.kind.value,
            "unit": row.unit,
            "due": row.due.isoformat() if row.due is not None else "",
            "frequency": row.frequency.value if row.frequency is not None else "",
            "target": str(row.target) if row.target is not None else "",
        }

    def fields(self) -> ComposeResult:
        opened = self.opened
        kinds = [(t(f"kind.{kind.value}"), kind.value) for kind in Kind]
        yield self.field(t("review.field.title"), Input(opened["title"], id="draft-title"))
        yield self.field(
            t("review.field.kind"),
            Select(kinds, value=opened["kind"], allow_blank=False, id="draft-kind"),
        )
        yield self.field(t("review.field.unit"), Input(opened["unit"], id="draft-unit"))
        due_label = t("review.field.due")
        year = self.row.due.year if self.row.due is not None else None
        yield self.field(
            due_label, DateField(opened["due"], input_id="draft-due", label=due_label, year=year)
        )
        often = [(t(f"review.frequency.{f.value}"), f.value) for f in Frequency]
        chosen = opened["frequency"] or Select.NULL
        yield self.field(
            t("review.field.frequency"),
            Select(often, value=chosen, prompt="—", id="draft-frequency"),
        )
        target = Input(opened["target"], id="draft-target", type="integer")
        yield self.field(t("review.field.target"), target)

    def _typed(self) -> dict[str, str]:
        kind = self.query_one("#draft-kind", Select).value
        often = self.query_one("#draft-frequency", Select).value
        return {
            "title": self.query_one("#draft-title", Input).value.strip(),
            "kind": str(kind),
            "unit": self.query_one("#draft-unit", Input).value.strip(),
            "due": self.query_one("#draft-due-field", DateField).typed,
            "frequency": "" if often is Select.NULL else str(often),
            "target": self.query_one("#draft-target", Input).value.strip(),
        }

    def unchanged(self) -> bool:
        return self._typed() == self.opened

    def collect(self) -> DraftChanges | None:
        typed = self._typed()
        changes: DraftChanges = {}
        for name in ("title", "unit"):
            if typed[name] != self.opened[name]:
                changes[name] = typed[name]
        if typed["kind"] != self.opened["kind"]:
            changes["kind"] = Kind(typed["kind"])
        if typed["due"] != self.opened["due"]:
            due: date | None = None
            if typed["due"]:
                due = self.read_date("draft-due")
                if due is None:
                    return None
            changes["due"] = due
        if typed["frequency"] != self.opened["frequency"]:
            changes["frequency"] = Frequency(typed["frequency"]) if typed["frequency"] else None
        if typed["target"] != self.opened["target"]:
            changes["target"] = int(typed["target"]) if typed["target"] else None
        return changes

    def action_save(self) -> None:
        """Save the changed fields through `save`; a refusal stays in the dialog."""
        if self.unchanged():
            self.app.notify(t("tui.edit.nothing_changed", code=self.code))
            self.dismiss(None)
            return
        changes = self.collect()
        if changes is None:
            return
        try:
            self.save(changes)
        except TrackerError as exc:
            self.show_error(exc.message())
            return
        self.dismiss(changes)


class SplitDialog(EditDialog[str]):
    """Split a draft: the officer types (or pastes) the words of its excerpt where the new
    draft begins; dismissed with the new draft's code, or None (cancelled or left empty)."""

    def __init__(self, row: DraftRow, excerpt: str, *, split: Callable[[str], str]) -> None:
        heading = t("review.split.heading")
        super().__init__(heading=heading, code=row.code, title=excerpt, error=None)
        self.split = split

    def fields(self) -> ComposeResult:
        words = Input("", placeholder=t("review.split.placeholder"), id="split-words")
        yield self.field(t("review.field.split_at"), words)

    def unchanged(self) -> bool:
        return not self.query_one("#split-words", Input).value.strip()

    def action_save(self) -> None:
        if self.unchanged():
            self.app.notify(t("tui.edit.nothing_changed", code=self.code))
            self.dismiss(None)
            return
        try:
            new = self.split(self.query_one("#split-words", Input).value)
        except TrackerError as exc:
            self.show_error(exc.message())
            return
        self.dismiss(new)
