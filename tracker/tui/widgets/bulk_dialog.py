"""The bulk logging dialog (批量记录): a range of days, a note and evidence files, for every
period of a recurring duty in the range that has no record yet.

Like the editing dialogs it only asks, and checks what it can check by itself (real dates
in order, evidence files that exist); the service decides the rest and the caller saves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, Static, TextArea

from tracker.i18n import t
from tracker.tui.widgets.date_field import DateField
from tracker.tui.widgets.edit_dialog import EditDialog, split_paths


@dataclass(frozen=True)
class BulkEntry:
    """What the officer asked for: the range, the note, the evidence files."""

    start: date
    end: date
    note: str
    evidence: tuple[Path, ...] = ()


class BulkDialog(EditDialog[BulkEntry]):
    """Log a range of a recurring duty's periods. The dates start empty: a range logs many
    periods at once, so it is typed, never taken from a default."""

    AUTO_FOCUS = "#from"

    def __init__(
        self,
        *,
        code: str,
        title: str,
        initial: BulkEntry | None = None,
        error: str | None = None,
        as_of: date | None = None,
    ) -> None:
        super().__init__(heading=t("tui.bulk.title"), code=code, title=title, error=error)
        self.initial = initial
        self.year = as_of.year if as_of else None  # of a day typed without one (5月10日)

    def fields(self) -> ComposeResult:
        initial = self.initial
        yield Static(t("tui.bulk.explain"), id="bulk-explain")
        start = initial.start.isoformat() if initial else ""
        end = initial.end.isoformat() if initial else ""
        for value, field_id, key in ((start, "from", "tui.bulk.from"), (end, "to", "tui.bulk.to")):
            label = t(key)
            yield self.field(
                label, DateField(value, input_id=field_id, label=label, year=self.year)
            )
        typed = initial.note if initial else ""
        note = Input(typed, placeholder=t("tui.bulk.note_hint"), id="note")
        yield self.field(t("tui.edit.note"), note)
        evidence = TextArea(
            "\n".join(str(path) for path in initial.evidence) if initial else "",
            id="evidence",
            soft_wrap=True,
            placeholder=t("tui.edit.evidence_hint"),
        )
        yield self.field(t("tui.edit.evidence"), evidence)

    def unchanged(self) -> bool:
        """Nothing typed: no range, note or evidence (a dialog opened again after a refusal
        holds what was typed, which is a change)."""
        typed = [self.query_one(f"#{name}", Input).value.strip() for name in ("from", "to", "note")]
        evidence = self.query_one("#evidence", TextArea).text.strip()
        return self.initial is None and not any(typed) and not evidence

    def collect(self) -> BulkEntry | None:
        start = self.read_date("from")
        if start is None:
            return None
        end = self.read_date("to")
        if end is None:
            return None
        if start > end:
            self.show_error(
                t("bulk_range_reversed", start=start.isoformat(), end=end.isoformat()),
                self.query_one("#from", Input),
            )
            return None
        evidence = self.query_one("#evidence", TextArea)
        paths = split_paths(evidence.text)
        for path in paths:
            # Only whether the file is there: fingerprinting is the save's work.
            if not path.expanduser().is_file():
                self.show_error(t("evidence_missing", path=str(path)), evidence)
                return None
        note = self.query_one("#note", Input).value.strip()
        return BulkEntry(start, end, note, tuple(paths))
