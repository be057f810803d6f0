"""What the printouts gather: checked against the services they are built from."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tracker.errors import TrackerError
from tracker.models import Commitment
from tracker.printouts.assembly import (
    REPLY_WORKDAYS,
    PrintKind,
    Scope,
    ledger_data,
    notice_data,
    summary_data,
)
from tracker.services.deadlines import Deadlines
from tracker.services.listing import ListFilter, list_items
from tracker.services.overdue import overdue_by_unit
from tracker.services.seed_file import Seed
from tracker.services.updates import log_event

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


def test_ledger_has_a_row_for_each_item_the_list_shows_numbered_from_one(
    session: Session, deadlines: Deadlines
) -> None:
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user=PRINTER, now=NOW)
    listed = list_items(session=session, flt=ListFilter(), deadlines=deadlines)
    assert [row.item.code for row in data.rows] == [row.code for row in listed.rows]
    assert [row.number for row in data.rows] == list(range(1, listed.total + 1))


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
