"""An item's facts, built once for `tracker show` and the app's detail screen: what each
says, in which order, and the light, due-soon and checkpoint marks both now give."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlmodel import Session

from tracker.i18n import en, set_language, zh
from tracker.schedule import Light
from tracker.services.deadlines import Deadlines
from tracker.services.detail import EventEntry, EvidenceEntry, ItemDetail, item_detail
from tracker.services.facts import (
    Fact,
    event_words,
    evidence_words,
    file_size,
    item_facts,
    item_heading,
)
from tracker.services.lookup import get_commitment


def detail_of(session: Session, deadlines: Deadlines, code: str) -> ItemDetail:
    item = get_commitment(session=session, code=code, report_slug=None)
    return item_detail(session=session, item=item, deadlines=deadlines)


def by_label(facts: list[Fact]) -> dict[str, Fact]:
    return {fact.label: fact for fact in facts}


def test_a_village_item_names_its_village_and_co_units_in_the_order_both_show(
    session: Session, deadlines: Deadlines
) -> None:
    detail = detail_of(session, deadlines, "3.3a-V07")
    facts = item_facts(detail)
    m = zh.MESSAGES
    labels = [fact.label for fact in facts]
    first = ("col.section", "col.kind", "col.unit", "col.co_units", "col.village")
    assert labels[:5] == [m[key] for key in first]
    assert labels.index(m["col.status"]) < labels.index(m["col.due"]) < labels.index(m["col.light"])
    assert m["col.period"] not in labels  # a village item has no period
    assert by_label(facts)[m["col.co_units"]].value == "司法所、镇法律服务中心"
    assert by_label(facts)[m["col.status"]].strong
    village = by_label(facts)[m["col.village"]].value
    assert item_heading(detail).endswith(f" · {village}")


def test_the_light_says_how_late_or_that_it_is_due_soon_and_takes_its_colour(
    session: Session, deadlines: Deadlines
) -> None:
    detail = detail_of(session, deadlines, "5.5a/2022")
    light = by_label(item_facts(detail))[zh.MESSAGES["col.light"]]
    row = detail.row
    assert (row.light, light.light) == (Light.RED, Light.RED)
    late = zh.MESSAGES["overdue_days"].format(days=row.days_overdue, workdays=row.workdays_overdue)
    assert light.value == f"● 红  {late}"
    soon = replace(detail, row=replace(row, light=Light.YELLOW, overdue=False))
    light = by_label(item_facts(soon))[zh.MESSAGES["col.light"]]
    assert (light.value, light.light) == (f"● 黄  {zh.MESSAGES['due_soon']}", Light.YELLOW)
    green = replace(detail, row=replace(row, light=Light.GREEN, overdue=False))
    assert by_label(item_facts(green))[zh.MESSAGES["col.light"]].value == "● 绿"


def test_a_met_checkpoint_is_ticked_in_green_and_one_still_to_do_is_not(
    session: Session, deadlines: Deadlines
) -> None:
    detail = detail_of(session, deadlines, "5.5a/2022")
    assert [count for _, count in detail.checkpoints] == [1, 2]
    halfway = replace(detail, row=replace(detail.row, done_count=1))
    checkpoints = [f for f in item_facts(halfway) if f.label == zh.MESSAGES["col.checkpoint"]]
    assert [(f.value.endswith(" ✓"), f.light) for f in checkpoints] == [
        (True, Light.GREEN),
        (False, None),
    ]


def test_the_facts_are_in_english_when_the_officer_reads_english(
    session: Session, deadlines: Deadlines
) -> None:
    detail = detail_of(session, deadlines, "3.3a-V07")
    set_language("en")
    try:
        facts = item_facts(detail)
    finally:
        set_language("zh")
    assert [fact.label for fact in facts][:3] == [
        en.MESSAGES["col.section"],
        en.MESSAGES["col.kind"],
        en.MESSAGES["col.unit"],
    ]
    assert en.MESSAGES["list_separator"] in by_label(facts)[en.MESSAGES["col.co_units"]].value


def test_an_event_gives_its_id_day_note_figure_and_who_and_a_voided_one_why_instead() -> None:
    at = datetime(2026, 5, 10, 14, 0).astimezone()
    event = EventEntry(date(2026, 5, 10), "宪法专题讲座", 12.0, "王科员", at, [], id=12)
    assert (
        event_words(event).text() == "#12 2026-05-10  宪法专题讲座  [12]  王科员 2026-05-10 14:00"
    )
    voided = replace(event, note="", value=None, voided_on=date(2026, 6, 1), voided_by="李四")
    voided = replace(voided, void_reason="重复录入")
    mark = zh.MESSAGES["event_voided_mark"].format(reason="重复录入", by="李四", date="2026-06-01")
    assert event_words(voided).text() == f"#12 2026-05-10  -  {mark}"


def test_an_evidence_file_gives_its_size_as_people_read_it_and_the_start_of_its_hash() -> None:
    assert [file_size(n) for n in (812, 1229, 3 * 1024 * 1024 + 400 * 1024)] == [
        "812 B",
        "1.2 KB",
        "3.4 MB",
    ]
    file = EvidenceEntry("/档案/签到表.pdf", "3f2a" * 16, 1229)
    assert evidence_words(file) == "佐证 /档案/签到表.pdf  1.2 KB  sha256 3f2a3f2a3f2a…"
