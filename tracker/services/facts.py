"""The facts of one item and its events, in the current language: built once here, drawn by
`tracker show` (with Rich) and by the app's detail screen (with its widgets), so both say the
same thing.

Values are plain strings, as stored: each front end escapes them its own way (the command
line's console reads no markup, the app draws them as `Text`).
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.i18n import t
from tracker.labels import (
    baseline_label,
    due_text,
    figure,
    kind_label,
    light_label,
    localized,
    progress_label,
    recorded_at,
    status_label,
    village_label,
)
from tracker.schedule import Light
from tracker.services.detail import EventEntry, EvidenceEntry, ItemDetail


@dataclass(frozen=True)
class Fact:
    """One line of an item's facts: 经办单位 司法所."""

    label: str
    value: str
    # Drawn in this light's colour: the light itself, or a checkpoint already met (green).
    light: Light | None = None
    strong: bool = False  # the status, which officers look for first


def item_heading(detail: ItemDetail) -> str:
    """What the item is called: its title, and the village of a village item
    (公共法律服务室规范化建设 · 村(社区)07). The code is drawn beside it by each front end."""
    row = detail.row
    title = localized(row.title, row.title_en)
    if row.village is None:
        return title
    return f"{title} · {village_label(row.village, row.village_name)}"


def light_value(detail: ItemDetail) -> str:
    """● 红  逾期 1610 天（1098 个工作日）: the light and, when late or nearly, by how much."""
    row = detail.row
    text = f"● {light_label(row.light)}"
    if row.overdue:
        return f"{text}  {t('overdue_days', days=row.days_overdue, workdays=row.workdays_overdue)}"
    if row.light is Light.YELLOW:
        return f"{text}  {t('due_soon')}"
    return text


def item_facts(detail: ItemDetail) -> list[Fact]:
    """The facts of an item, in the order both front ends show them; a fact the item does
    not have (no leader, no village, no checkpoint) is left out rather than shown as "-"."""
    row = detail.row
    heading = localized(detail.section_heading, detail.section_heading_en)
    section = f"{row.section} {heading if detail.section_heading else ''}".strip()
    facts = [
        Fact(t("col.section"), section),
        Fact(t("col.kind"), kind_label(row.kind)),
        Fact(t("col.unit"), localized(row.unit, row.unit_en)),
    ]
    if detail.co_units:
        names = map(localized, detail.co_units, detail.co_units_en)
        facts.append(Fact(t("col.co_units"), t("list_separator").join(names)))
    if detail.leader:
        facts.append(Fact(t("col.leader"), detail.leader))
    if row.village is not None:
        facts.append(Fact(t("col.village"), village_label(row.village, row.village_name)))
    if row.period:
        facts.append(Fact(t("col.period"), row.period))
    facts.append(Fact(t("col.status"), status_label(row.status), strong=True))
    due = due_text(
        row.due,
        detail.extended_due,
        detail.extension_asked,
        detail.stated_due,
        period=bool(row.period),
    )
    facts.append(Fact(t("col.due"), due))
    facts.append(Fact(t("col.light"), light_value(detail), light=row.light))
    if row.done_count is not None:
        facts.append(Fact(t("col.progress"), progress_label(row)))
    for when, count in detail.checkpoints:
        # A checkpoint already met is ticked, so that the officer sees what is left to do.
        met = row.done_count is not None and row.done_count >= count
        line = t("checkpoint", date=when.isoformat(), count=count)
        facts.append(
            Fact(t("col.checkpoint"), f"{line} ✓" if met else line, Light.GREEN if met else None)
        )
    if detail.baseline is not None:
        baseline = baseline_label(detail.baseline, detail.baseline_text, detail.measure)
        facts.append(Fact(t("col.baseline"), baseline))
    if detail.linked:
        facts.append(Fact(t("col.linked"), t("list_separator").join(detail.linked)))
    return facts


@dataclass(frozen=True)
class EventWords:
    """An event as listed under an item: #12 2026-05-10  宪法专题讲座  [12]  王科员
    2026-05-10 14:00. A voided one is struck through, and says instead who voided it, from
    when and why (it stays in the ledger but no longer counts)."""

    id: str  # what `tracker void` and the app's `v` name it by: #12
    day: str
    body: str  # the note (or "-"), and the figure of an indicator in brackets
    recorded: str  # who recorded it and when
    voided: str = ""  # the void mark, for a voided event

    def text(self) -> str:
        """The line as plain text."""
        return f"{self.id} {self.day}  {self.body}  {self.voided or self.recorded}"


def event_words(event: EventEntry) -> EventWords:
    """How an event reads in an item's list of events."""
    body = event.note or "-"
    if event.value is not None:
        body += f"  [{figure(event.value)}]"
    voided = ""
    if event.voided_on is not None:
        voided = t(
            "event_voided_mark",
            reason=event.void_reason,
            by=event.voided_by,
            date=event.voided_on.isoformat(),
        )
    recorded = f"{event.by} {recorded_at(event.at)}"
    return EventWords(f"#{event.id}", event.day.isoformat(), body, recorded, voided)


def file_size(size: int) -> str:
    """A file's size as people read it: 812 B, 1.2 KB, 3.4 MB."""
    value = float(size)
    for unit in ("B", "KB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} MB"


def evidence_words(file: EvidenceEntry) -> str:
    """An evidence file under its event: 佐证 /档案/签到表.pdf  1.2 KB  sha256 3f2a…, the
    start of its hash enough to tell it from another copy."""
    return f"{t('detail.evidence')} {file.path}  {file_size(file.size)}  sha256 {file.sha256[:12]}…"
