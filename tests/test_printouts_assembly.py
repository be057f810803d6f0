"""What the printouts gather: checked against the services they are built from."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import CLOSED_STATUSES, Commitment, Kind, Status
from tracker.printouts.assembly import (
    REPLY_WORKDAYS,
    LedgerRow,
    PrintKind,
    Scope,
    ledger_data,
    notice_data,
    summary_data,
)
from tracker.services.deadlines import Deadlines
from tracker.services.events import log_event
from tracker.services.list_filter import ListFilter
from tracker.services.listing import list_items
from tracker.services.overdue import overdue_by_unit
from tracker.services.seed_file import Seed
from tracker.services.updates import add_note

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone(timedelta(hours=8)))
PRINTER = "王科员"


def test_summary_covers_every_section_and_every_late_unit(
    session: Session, deadlines: Deadlines, seed: Seed
) -> None:
    data = summary_data(session=session, scope=Scope(), deadlines=deadlines, user=PRINTER, now=NOW)
    assert data.heading.kind is PrintKind.SUMMARY
    assert (data.heading.town, data.heading.as_of) == ("保和镇", deadlines.as_of)
    assert data.heading.printed_by == PRINTER
    assert [s.number for s in data.sections] == [s.number for s in seed.document.sections]
    late = overdue_by_unit(session=session, deadlines=deadlines)
    assert [g.unit for g in data.overdue] == [g.unit for g in late]
    assert {row.code for row in data.quotas} == {
        f"{c.code}/{deadlines.as_of.year}" for c in seed.document.commitments if c.target
    }
    assert data.villages is not None and len(data.villages.rows) == seed.document.villages
    baselines = {c.code: c.baseline for c in seed.document.commitments if c.kind == "indicator"}
    assert {line.code: line.baseline for line in data.indicators} == baselines


def _past_open_periods(session: Session, deadlines: Deadlines) -> dict[str, int]:
    """Code of every period that ended before the as-of date still open -> its commitment's id."""
    found = session.exec(
        select(Commitment).where(
            col(Commitment.period_end) < deadlines.as_of,
            col(Commitment.status).in_([s.value for s in Status if s not in CLOSED_STATUSES]),
        )
    ).all()
    return {c.code: c.parent_id for c in found if c.parent_id is not None}


def test_ledger_folds_past_open_periods_into_their_oldest_and_keeps_everything_else(
    session: Session, deadlines: Deadlines
) -> None:
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user=PRINTER, now=NOW)
    # A duty with periods is printed as its periods, not also as itself.
    with_periods = set(
        session.exec(
            select(Commitment.parent_id).where(col(Commitment.period_key).is_not(None))
        ).all()
    )
    everything = list_items(session=session, flt=ListFilter(), deadlines=deadlines).rows
    listed = [row for row in everything if row.id not in with_periods]
    assert len(listed) < len(everything)
    past = _past_open_periods(session, deadlines)
    per_commitment = Counter(past.values())
    expected: list[tuple[str, int]] = []
    seen: set[int] = set()
    for row in listed:  # ledger order: a commitment's periods in date order
        if row.code not in past:
            expected.append((row.code, 0))
        elif past[row.code] not in seen:
            seen.add(past[row.code])
            count = per_commitment[past[row.code]]
            expected.append((row.code, count if count > 1 else 0))
    assert [(row.item.code, row.folded) for row in data.rows] == expected
    assert [row.number for row in data.rows] == list(range(1, len(expected) + 1))
    # Nothing is lost: the rows, each counted for the periods it stands for, are the list.
    assert sum(max(row.folded, 1) for row in data.rows) == len(listed)


def test_a_daily_duty_missed_on_many_days_is_one_ledger_row_from_its_oldest_day(
    session: Session, deadlines: Deadlines
) -> None:
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user=PRINTER, now=NOW)
    daily = [row for row in data.rows if row.item.parent == "3.2-D"]
    missed = sorted(
        code for code in _past_open_periods(session, deadlines) if code.startswith("3.2-D/")
    )
    assert len(missed) > 100
    (folded,) = [row for row in daily if row.folded]
    assert (folded.item.code, folded.folded) == (missed[0], len(missed))
    assert folded.item.overdue
    assert all(row.item.code not in missed[1:] for row in data.rows)


def test_ledger_progress_is_the_latest_event_and_evidence_is_named(
    session: Session, deadlines: Deadlines, tmp_path: Path
) -> None:
    minutes = tmp_path / "讲座纪要.pdf"
    minutes.write_bytes(b"minutes")
    lectures = session.exec(select(Commitment).where(Commitment.code == "5.5a")).one()
    for day, note in ((date(2026, 3, 10), "宪法讲座"), (date(2026, 9, 8), "民法典讲座")):
        log_event(
            session=session,
            item=lectures,
            day=day,
            note=note,
            evidence=[minutes],
            user=PRINTER,
            now=NOW,
            calendar=deadlines.calendar,
        )
    session.flush()
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user=PRINTER, now=NOW)
    (row,) = [r for r in data.rows if r.item.code == "5.5a/2026"]
    assert row.progress == "2026-09-08 民法典讲座"
    assert row.evidence == ["讲座纪要.pdf", "讲座纪要.pdf"]
    assert row.leader is not None


def test_ledger_outcome_is_the_reports_words_or_an_officers_note_not_the_curators_remark(
    session: Session, deadlines: Deadlines, seed: Seed
) -> None:
    stated = next(c for c in seed.document.commitments if c.status_note)
    # A one-off item (a duty with periods prints its periods, not a row of its own).
    remarked = next(
        c
        for c in seed.document.commitments
        if c.notes and not c.status_note and c.kind == Kind.ONE_OFF
    )
    item = session.exec(select(Commitment).where(Commitment.code == remarked.code)).one()
    assert not any(row.progress for row in _ledger_rows(session, deadlines, remarked.code))
    add_note(session=session, item=item, text="已起草方案，待党委会审议", user=PRINTER, now=NOW)
    session.flush()
    (stated_row,) = _ledger_rows(session, deadlines, stated.code)
    (noted_row,) = _ledger_rows(session, deadlines, remarked.code)
    assert stated_row.progress == " ".join(stated.status_note.split())
    assert noted_row.progress == "2026-11-26 已起草方案，待党委会审议"


def _ledger_rows(session: Session, deadlines: Deadlines, code: str) -> list[LedgerRow]:
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user=PRINTER, now=NOW)
    return [row for row in data.rows if row.item.code == code]


def test_notices_are_one_per_late_unit_with_a_reply_date_after_working_days(
    session: Session, deadlines: Deadlines
) -> None:
    data = notice_data(session=session, scope=Scope(), deadlines=deadlines, user=PRINTER, now=NOW)
    late = overdue_by_unit(session=session, deadlines=deadlines)
    assert [n.unit for n in data.notices] == [g.unit for g in late]
    expected_reply = deadlines.calendar.add_workdays(deadlines.as_of, REPLY_WORKDAYS)
    assert {n.reply_by for n in data.notices} == {expected_reply}


def test_a_notice_for_one_unit_lists_exactly_its_late_items(
    session: Session, deadlines: Deadlines
) -> None:
    scope = Scope(unit="镇党委")
    data = notice_data(session=session, scope=scope, deadlines=deadlines, user=PRINTER, now=NOW)
    (notice,) = data.notices
    late = overdue_by_unit(session=session, deadlines=deadlines, unit="镇党委")
    assert [e.first_code for e in notice.group.entries] == [
        e.first_code for g in late for e in g.entries
    ]


def test_a_section_scope_keeps_that_sections_items_only(
    session: Session, deadlines: Deadlines
) -> None:
    scope = Scope(section=3)
    ledger = ledger_data(session=session, scope=scope, deadlines=deadlines, user=PRINTER, now=NOW)
    assert ledger.rows and {row.item.section for row in ledger.rows} == {3}
    notices = notice_data(session=session, scope=scope, deadlines=deadlines, user=PRINTER, now=NOW)
    codes = [e.code for n in notices.notices for e in n.group.entries]
    assert codes and all(code.startswith("3.") for code in codes)


def test_an_unknown_unit_is_refused_rather_than_printing_an_empty_page(
    session: Session, deadlines: Deadlines
) -> None:
    with pytest.raises(TrackerError) as caught:
        notice_data(
            session=session, scope=Scope(unit="边防所"), deadlines=deadlines, user=PRINTER, now=NOW
        )
    assert caught.value.key == "unit_unknown"
