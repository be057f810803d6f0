"""The ledger's per-row facts gathered in bulk: its 完成情况 (what was done), and its evidence
files by name."""

from __future__ import annotations

from sqlmodel import Session, col, select

from tracker.models import Event, Evidence, History, HistoryKind
from tracker.services.asof import AsOf

# History rows whose note says what was done: the report's own words for what it states as
# achieved (seed), an officer's note, and the reason given with a change of status.
_OUTCOME_KINDS = [HistoryKind.SEED.value, HistoryKind.NOTE.value, HistoryKind.STATUS.value]


def outcomes(session: Session, ids: list[int], view: AsOf) -> dict[int, str]:
    """Each item's 完成情况: its latest event (date and note), else the latest note written
    in its history. The item's 备注 (guidance the seed gives the officers) is not an outcome."""
    found: dict[int, str] = {}
    if not ids:
        return found
    for commitment_id, day, note in session.exec(
        select(col(Event.commitment_id), col(Event.happened_on), col(Event.note))
        .where(col(Event.commitment_id).in_(ids), view.event_filter())
        .order_by(col(Event.commitment_id), col(Event.happened_on), col(Event.id))
    ).all():
        found[commitment_id] = f"{day.isoformat()} {note}".strip()
    noted: dict[int, str] = {}
    for item_id, kind, changed_at, note in session.exec(
        select(
            col(History.commitment_id),
            col(History.kind),
            col(History.changed_at),
            col(History.note),
        )
        .where(
            col(History.commitment_id).in_(ids),
            col(History.kind).in_(_OUTCOME_KINDS),
            col(History.note) != "",
            col(History.effective_on) <= view.deadlines.as_of,
        )
        .order_by(col(History.commitment_id), col(History.changed_at), col(History.id))
    ).all():
        text = " ".join(note.split())
        if item_id is not None:
            # The report's words are dated by the report, not by the day they were seeded.
            noted[item_id] = text if kind == HistoryKind.SEED else f"{changed_at:%Y-%m-%d} {text}"
    return {item_id: text for item_id, text in noted.items() if item_id not in found} | found


def evidence_names(session: Session, ids: list[int], view: AsOf) -> dict[int, list[str]]:
    """Each item's evidence files by name (佐证材料)."""
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    for commitment_id, path in session.exec(
        select(Event.commitment_id, Evidence.path)
        .join(Evidence, col(Evidence.event_id) == Event.id)
        .where(col(Event.commitment_id).in_(ids), view.event_filter())
        .order_by(col(Evidence.id))
    ).all():
        found.setdefault(commitment_id, []).append(path.replace("\\", "/").rsplit("/", 1)[-1])
    return found
