"""A change to an item in words, in the current language: built once here for the history
that `tracker show` and the app's detail screen list, and for the audit entries that
`tracker history` lists, so that a change reads the same wherever an officer meets it.

A history row and the audit entry it wrote carry the same kind, values and note; the audit
log also holds changes that have no history row (evidence, edits, extensions, accounts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.i18n import t
from tracker.labels import recorded_at, status_label
from tracker.models import Status
from tracker.services.audit_chain import AuditRecord, canonical_json
from tracker.services.detail import HistoryEntry

_STATUSES = frozenset(status.value for status in Status)


@dataclass(frozen=True)
class Change:
    """What changed (状态), how (未开始 → 已完成), and the note given (会议纪要已归档)."""

    what: str
    how: str = ""
    note: str = ""
    # What only the audit log adds after the note: the day a late entry (补录) took effect,
    # as its time is when it was recorded; how many evidence files came with an event.
    mark: str = ""

    def detail(self) -> str:
        """How and why, without what: the audit table's 内容 column, beside its 操作."""
        return "  ".join(part for part in (self.how, self.note, self.mark) if part)

    def sentence(self) -> str:
        """The whole change in a line: 状态 未开始 → 已完成  会议纪要已归档."""
        head = f"{self.what} {self.how}" if self.how else self.what
        rest = "  ".join(part for part in (self.note, self.mark) if part)
        return f"{head}  {rest}" if rest else head


@dataclass(frozen=True)
class HistoryLine:
    """A history row as listed: when and who, the change, and for a late entry (补录) the
    mark saying when it was recorded and by whom."""

    when: str
    change: Change
    late: str = ""

    def text(self) -> str:
        """The line as plain text: 2022-05-01  状态 未开始 → 已完成  （补录，记录于 …）."""
        parts = (self.when, self.change.sentence(), self.late)
        return "  ".join(part for part in parts if part)


def value_text(value: Any) -> str:
    """A value a change holds: a status by its label, nothing as "-"."""
    if value is None or value == "":
        return "-"
    return status_label(value) if value in _STATUSES else str(value)


def _history_change(
    kind: str, old: Any, new: Any, note: Any, effective_on: date | None = None
) -> Change:
    """The change of a history row (or of the audit entry it wrote): 状态 进行中 → 已完成,
    据报告初始 已完成, 备注, 记录事件 (with the event's day when it is not the row's day),
    作废记录 2022-03-15 (the day of the event voided)."""
    what = t(f"history.{kind}")
    note_text = str(note) if note else ""
    if kind == "event":
        day = str(new) if new else ""
        shown = day and (effective_on is None or day != effective_on.isoformat())
        return Change(what, day if shown else "", note_text)
    if kind == "void":
        return Change(what, str(old) if old else "-", note_text)
    if old:
        return Change(what, f"{value_text(old)} → {value_text(new)}", note_text)
    if new:  # a first status, as the report stated it
        return Change(what, value_text(new), note_text)
    return Change(what, "", note_text)


def history_line(entry: HistoryEntry) -> HistoryLine:
    """A history row as `show` and the detail screen list it. It leads with the day the
    change took effect: for one recorded that day, the time and who (2026-11-21 10:00
    王科员); for a late entry (补录), the day alone, and the line ends with the mark saying
    when it was recorded and by whom (（补录，记录于 2026-11-21 10:00 王科员）)."""
    change = _history_change(entry.kind, entry.old, entry.new, entry.note, entry.effective_on)
    if entry.late_entry:
        mark = t("history_late_mark", at=recorded_at(entry.at), by=entry.by)
        return HistoryLine(entry.effective_on.isoformat(), change, mark)
    return HistoryLine(f"{recorded_at(entry.at)}  {entry.by}", change)


# Audit actions that have no history row, by their names in the catalogs.
_ACTIONS = {
    "evidence": "audit.action.evidence",
    "commitment.edit": "audit.action.commitment_edit",
    "extension.request": "audit.action.extension_request",
    "extension.approve": "audit.action.extension_approve",
    "extension.refuse": "audit.action.extension_refuse",
    "account.add": "audit.action.account_add",
    "account.role": "audit.action.account_role",
    "account.unit": "audit.action.account_unit",
    "account.unit.remove": "audit.action.account_unit_remove",
    "account.remove": "audit.action.account_remove",
    "event.void": "audit.action.event_void",
    "account.disable": "audit.action.account_disable",
    "account.enable": "audit.action.account_enable",
    "account.password": "audit.action.account_password",
}
_HISTORY_KINDS = frozenset({"seed", "status", "auto_status", "note", "event", "village", "void"})


def action_label(action: str) -> str:
    """An audit action's name in the current language; an unknown one as written."""
    if action in _HISTORY_KINDS:
        return t(f"history.{action}")
    return t(_ACTIONS[action]) if action in _ACTIONS else action


def _field(name: str) -> str:
    labels = {
        "status": t("col.status"),
        "due": t("col.due"),
        "extended_due": t("audit.field.extended_due"),
        "unit": t("col.unit"),
        "title": t("col.title"),
    }
    return labels.get(name, name)


def audit_change(entry: AuditRecord) -> Change:
    """What an audit entry changed; its detail as stored for anything unforeseen. An entry a
    history row wrote reads as that row does in `show`, with the day it took effect when it
    was recorded later (补录)."""
    detail, action = entry.detail, entry.action
    what = action_label(action)
    if "history" in detail or action in ("seed", "status", "auto_status", "village", "void"):
        change = _history_change(action, detail.get("old"), detail.get("new"), detail.get("note"))
        if "effective" not in detail:
            return change
        mark = t("history_effective_mark", date=detail["effective"])
        return Change(change.what, change.how, change.note, mark)
    if action == "account.role":
        how = value_text(detail.get("new"))
        if "old" in detail:
            how = f"{value_text(detail['old'])} → {how}"
        return Change(what, how, str(detail.get("note") or ""))
    if action == "note":
        return Change(what, "", str(detail.get("note", "")))
    if action == "event":
        # The event's day (and figure) first, as the row's time is when it was recorded;
        # then its note, as the history's 记录事件 line gives it.
        how = " ".join(str(detail[key]) for key in ("date", "value") if key in detail)
        files = detail.get("evidence") or []
        count = t("audit.detail.evidence", count=len(files)) if files else ""
        return Change(what, how, str(detail.get("note") or ""), count)
    if action == "event.void":
        how = f"#{detail.get('event')} {value_text(detail.get('date'))}"
        return Change(what, how, str(detail.get("reason") or ""))
    if action in ("account.disable", "account.enable"):
        return Change(what, str(detail.get("reason", "")))
    if action == "account.password":  # the entry says whose; it holds nothing more
        return Change(what, "")
    if action == "evidence":
        digest = str(detail.get("sha256", ""))[:12]
        return Change(what, f"{detail.get('path', '')}  sha256:{digest}…")
    if action == "commitment.edit":
        changes: dict[str, dict[str, Any]] = detail.get("changes", {})
        how = t("list_separator").join(
            t(
                "audit.detail.change",
                field=_field(name),
                old=value_text(c["old"]),
                new=value_text(c["new"]),
            )
            for name, c in changes.items()
        )
        return Change(what, how)
    if action == "extension.request":
        how = f"{value_text(detail.get('old_due'))} → {value_text(detail.get('new_due'))}"
        return Change(what, how, str(detail.get("reason") or ""))
    if action.startswith("extension."):
        return Change(what, value_text(detail.get("new_due")), str(detail.get("note") or ""))
    return Change(what, canonical_json(detail))
