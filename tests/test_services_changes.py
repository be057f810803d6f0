"""A change reads the same wherever an officer meets it: a history row (`tracker show`, the
app's detail screen) and the audit entry it wrote (`tracker history`) give the same words, in
Chinese and in English; the audit adds only what its own columns need."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tracker.i18n import set_language, zh
from tracker.services.audit_chain import AuditRecord
from tracker.services.changes import action_label, audit_change, history_line
from tracker.services.detail import HistoryEntry

RECORDED = datetime(2026, 11, 21, 10, 0).astimezone()  # local time, as officers read it
OFFICER = "王科员"


@pytest.fixture(params=["zh", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield str(request.param)
    set_language("zh")


def row(
    kind: str, old: str | None, new: str | None, note: str = "", day: date | None = None
) -> HistoryEntry:
    """A history row recorded at RECORDED, taking effect on `day` (that day when None)."""
    return HistoryEntry(kind, old, new, note, OFFICER, RECORDED, day or RECORDED.date())


def audited(entry: HistoryEntry) -> AuditRecord:
    """The audit entry that writing `entry` adds (services.audit keeps what is not empty)."""
    detail: dict[str, Any] = {"history": 7}
    detail.update({k: v for k, v in (("old", entry.old), ("new", entry.new)) if v})
    if entry.note:
        detail["note"] = entry.note
    if entry.late_entry:
        detail["effective"] = entry.effective_on.isoformat()
    at = entry.at.astimezone(UTC)
    return AuditRecord(id=7, at=at, actor=entry.by, action=entry.kind, target="t", detail=detail)


ROWS = [
    row("seed", None, "done", "据报告已完成"),
    row("status", "todo", "in_progress", "本期开始"),
    row("auto_status", "in_progress", "done"),
    row("note", None, None, "已请讲师"),
    row("village", "村(社区)07", "石桥村"),
    row("void", "2026-03-10", None, "重复录入"),
]


@pytest.mark.parametrize("entry", ROWS, ids=[entry.kind for entry in ROWS])
def test_a_history_row_and_its_audit_entry_read_the_same(
    language: str, entry: HistoryEntry
) -> None:
    listed = history_line(entry).change
    logged = audit_change(audited(entry))
    assert logged == listed
    assert logged.what == action_label(entry.kind)
    assert logged.sentence().startswith(logged.what)


def test_a_status_change_reads_as_officers_know_it() -> None:
    line = history_line(row("status", "todo", "done", "会议纪要已归档"))
    assert line.text() == f"2026-11-21 10:00  {OFFICER}  状态 未开始 → 已完成  会议纪要已归档"
    assert line.late == ""


def test_a_late_entry_leads_with_its_day_in_show_and_says_so_in_the_audit_table() -> None:
    entry = row("status", "todo", "done", "会议纪要已归档", day=date(2022, 5, 1))
    line = history_line(entry)
    assert line.text() == (
        "2022-05-01  状态 未开始 → 已完成  会议纪要已归档"
        f"  （补录，记录于 2026-11-21 10:00 {OFFICER}）"
    )
    change = audit_change(audited(entry))
    # The audit row's time is when it was recorded: its detail names the day it took effect.
    effective = zh.MESSAGES["history_effective_mark"].format(date="2022-05-01")
    assert change.detail() == f"未开始 → 已完成  会议纪要已归档  {effective}"
    assert change.sentence() == f"{line.change.sentence()}  {effective}"


def test_an_event_in_the_audit_gives_its_day_figure_note_and_evidence() -> None:
    record = AuditRecord(
        id=3,
        at=RECORDED,
        actor=OFFICER,
        action="event",
        target="t",
        detail={"event": 3, "date": "2026-03-10", "value": 12, "note": "讲座", "evidence": [1, 2]},
    )
    change = audit_change(record)
    assert (change.what, change.detail()) == ("记录事件", "2026-03-10 12  讲座  佐证材料 2 份")


def test_an_item_edit_names_each_field_and_an_unknown_action_is_kept_as_written() -> None:
    edit = AuditRecord(
        id=4,
        at=RECORDED,
        actor=OFFICER,
        action="commitment.edit",
        target="t",
        detail={
            "changes": {"status": {"old": "todo", "new": "blocked"}, "x": {"old": 1, "new": 2}}
        },
    )
    assert audit_change(edit).detail() == "状态：未开始 → 受阻、x：1 → 2"
    odd = AuditRecord(
        id=5, at=RECORDED, actor="?", action="later.kind", target="t", detail={"a": 1}
    )
    assert (audit_change(odd).what, audit_change(odd).detail()) == ("later.kind", '{"a":1}')
