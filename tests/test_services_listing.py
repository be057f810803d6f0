"""Listing: the default view, every filter, the lights in SQL, the JSON shape and paging.

Expectations are computed from the rows themselves with the rules stated in plain words
(current or still-open instances; a commitment coloured by its most urgent open instance),
or taken from the seed file and the official working-day calendar.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import CLOSED_STATUSES, Commitment, Kind, Status, Village
from tracker.schedule import Light, WorkCalendar
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import ListFilter, Order
from tracker.services.listing import ItemRow, Page, count_items, list_items
from tracker.services.seed_file import Seed, SeedCommitment

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone(timedelta(hours=8)))
SEEDED_THROUGH = 2026
ONE_DAY = timedelta(days=1)


# --- Helpers: what the rules say, computed in Python from the rows themselves ---


def all_rows(session: Session) -> list[Commitment]:
    return list(session.exec(select(Commitment)).all())


def item(session: Session, code: str) -> Commitment:
    return session.exec(select(Commitment).where(Commitment.code == code)).one()


def mark(session: Session, status: Status, *codes: str) -> None:
    for code in codes:
        row = item(session, code)
        row.status = status
        session.add(row)
    session.flush()


def is_open(row: Commitment) -> bool:
    return Status(row.status) not in CLOSED_STATUSES


def instances_by_parent(rows: list[Commitment]) -> dict[int, list[Commitment]]:
    by_parent: dict[int, list[Commitment]] = {}
    for r in rows:
        if r.parent_id is not None:
            by_parent.setdefault(r.parent_id, []).append(r)
    return by_parent


def own_or_instances_due(
    row: Commitment, instances: dict[int, list[Commitment]], as_of: date
) -> date | None:
    """A row's due date; for a commitment without one, that of its most urgent open
    instance among those that have begun."""
    if row.due is not None:
        return row.due
    dues = [
        r.due
        for r in instances.get(row.id or 0, [])
        if r.due is not None and is_open(r) and (r.period_start is None or r.period_start <= as_of)
    ]
    return min(dues, default=None)


def codes(page: Page) -> set[str]:
    return {row.code for row in page.rows}


def listed(session: Session, deadlines: Deadlines, **filters: Any) -> Page:
    return list_items(session=session, flt=ListFilter(**filters), deadlines=deadlines)


# --- What the default list shows ---


def test_default_list_shows_commitments_and_only_current_or_open_instances(
    session: Session, seed: Seed, deadlines: Deadlines
) -> None:
    as_of = deadlines.as_of
    mark(session, Status.DONE, "3.2-M/2026-10")
    mark(session, Status.TODO, "3.3a-V02")
    rows = all_rows(session)
    expected = {
        r.code
        for r in rows
        if r.parent_id is None
        or (r.village_id is not None and is_open(r))
        or (
            r.period_start is not None
            and r.period_end is not None
            and r.period_start <= as_of
            and (r.period_end >= as_of or is_open(r))
        )
    }
    page = listed(session, deadlines)
    assert codes(page) == expected
    assert page.total == len(expected)
    assert {c.code for c in seed.document.commitments} <= codes(page)
    assert {"3.2-M/2026-11", "3.2-M/2026-09", "3.3a-V02"} <= codes(page)
    assert not {"3.2-M/2026-10", "3.2-M/2026-12", "3.2-D/2026-11-27", "3.3a-V01"} & codes(page)


def test_show_all_lists_every_row(session: Session, deadlines: Deadlines) -> None:
    page = listed(session, deadlines, show_all=True)
    assert codes(page) == {r.code for r in all_rows(session)}
    assert page.total == len(page.rows)


# --- Filters ---


def test_status_filter_keeps_only_that_status(
    session: Session, seed: Seed, deadlines: Deadlines
) -> None:
    done = listed(session, deadlines, statuses=[Status.DONE])
    # By default done village items are out of sight, so these are the report's own.
    assert codes(done) == {c.code for c in seed.document.commitments if c.status is Status.DONE}
    both = listed(session, deadlines, statuses=[Status.DONE, Status.IN_PROGRESS], show_all=True)
    assert all(row.status in (Status.DONE, Status.IN_PROGRESS) for row in both.rows)
    assert "3.3a-V01" in codes(both)


@pytest.mark.parametrize("unit", ["派出所", "Police station", "police STATION"])
def test_unit_filter_takes_the_chinese_or_english_name(
    session: Session, seed: Seed, deadlines: Deadlines, unit: str
) -> None:
    page = listed(session, deadlines, unit=unit, show_all=True)
    involved = {c.code for c in seed.document.commitments if "派出所" in (c.unit, *c.co_units)}
    assert codes(page) == involved


def test_unit_filter_includes_what_the_unit_co_operates_on(
    session: Session, seed: Seed, deadlines: Deadlines
) -> None:
    involved = {c.code for c in seed.document.commitments if "司法所" in (c.unit, *c.co_units)}
    assert any(c.unit != "司法所" for c in seed.document.commitments if c.code in involved)
    page = listed(session, deadlines, unit="司法所")
    assert {row.code for row in page.rows if row.parent is None} == involved
    # Instances come with their commitment: village items of 3.3a (co-operated by 司法所).
    everything = listed(session, deadlines, unit="司法所", show_all=True)
    assert {row.parent for row in everything.rows if row.parent} <= involved
    assert any(row.parent for row in everything.rows)


def test_unknown_unit_is_an_error(session: Session, deadlines: Deadlines) -> None:
    with pytest.raises(TrackerError) as caught:
        listed(session, deadlines, unit="边防所")
    assert caught.value.key == "unit_unknown"


def test_section_filter_keeps_that_sections_rows(
    session: Session, seed: Seed, deadlines: Deadlines
) -> None:
    assert codes(listed(session, deadlines, section=6)) == {
        c.code for c in seed.document.commitments if c.section == 6
    }
    every = listed(session, deadlines, section=3, show_all=True)
    assert codes(every) == {r.code for r in all_rows(session) if r.section == 3}


def test_kind_filter_includes_the_instances_of_that_kind(
    session: Session, seed: Seed, deadlines: Deadlines
) -> None:
    quotas = [c.code for c in seed.document.commitments if c.kind is Kind.QUOTA]
    expected = {*quotas, *(f"{code}/{year}" for code in quotas for year in range(2022, 2027))}
    assert codes(listed(session, deadlines, kind=Kind.QUOTA, show_all=True)) == expected


@pytest.mark.parametrize("key", ["7", "07", "V07", "v7"])
def test_village_filter_lists_that_villages_items_done_or_not(
    session: Session, seed: Seed, deadlines: Deadlines, key: str
) -> None:
    per_village = [c.code for c in seed.document.commitments if c.kind is Kind.PER_VILLAGE]
    page = listed(session, deadlines, village=key)
    assert codes(page) == {f"{code}-V07" for code in per_village}
    assert all(row.village == 7 for row in page.rows)


def test_village_filter_finds_a_village_by_its_name(session: Session, deadlines: Deadlines) -> None:
    village = session.exec(select(Village).where(Village.number == 7)).one()
    village.name = "金鸡村"
    session.add(village)
    session.flush()
    page = listed(session, deadlines, village="金鸡村")
    assert codes(page) == codes(listed(session, deadlines, village="7"))
    assert {row.village_name for row in page.rows} == {"金鸡村"}


@pytest.mark.parametrize("key", ["不存在村", "99", "V99", "²"])
def test_unknown_village_is_an_error(session: Session, deadlines: Deadlines, key: str) -> None:
    with pytest.raises(TrackerError) as caught:
        listed(session, deadlines, village=key)
    assert caught.value.key == "village_unknown"


def test_overdue_filter_keeps_exactly_the_red_rows(session: Session, deadlines: Deadlines) -> None:
    everything = listed(session, deadlines)
    red = {row.code for row in everything.rows if row.light is Light.RED}
    overdue = listed(session, deadlines, overdue=True)
    assert red and codes(overdue) == red
    assert all(row.overdue and row.days_overdue > 0 for row in overdue.rows)


def test_due_within_counts_working_days_across_a_holiday(
    session: Session, calendar: WorkCalendar
) -> None:
    # Thursday 28 Sep 2023; 29 Sep - 6 Oct off, Saturday 7 and Sunday 8 Oct worked (调休).
    as_of = date(2023, 9, 28)
    deadlines = Deadlines(as_of=as_of, calendar=calendar, today=as_of)
    limit, worked = as_of, 0
    while worked < 2:
        limit += ONE_DAY
        worked += calendar.is_workday(limit)
    assert limit == date(2023, 10, 8)
    rows = all_rows(session)
    instances = instances_by_parent(rows)
    expected = set()
    for r in rows:
        due = own_or_instances_due(r, instances, as_of)
        if is_open(r) and due is not None and as_of <= due <= limit:
            expected.add(r.code)
    page = listed(session, deadlines, due_within=2, show_all=True)
    assert codes(page) == expected
    assert {"3.2-D/2023-09-28", "3.2-D/2023-10-08", "3.2-W/2023-W40"} <= expected
    assert "3.2-D/2023-10-09" not in expected


# --- Search ---


@pytest.mark.parametrize("word", ["讲座", "lecture", "LECTURES"])
def test_search_matches_titles_and_descriptions_in_either_language(
    session: Session, seed: Seed, deadlines: Deadlines, word: str
) -> None:
    def mentions(c: SeedCommitment) -> bool:
        text = " ".join((c.code, c.title, c.title_en or "", c.description)).lower()
        return word.lower() in text

    expected_parents = {c.code for c in seed.document.commitments if mentions(c)}
    assert expected_parents
    page = listed(session, deadlines, search=word)
    assert expected_parents <= codes(page)
    assert all((row.parent or row.code) in expected_parents for row in page.rows)


def test_search_treats_percent_and_underscore_literally(
    session: Session, deadlines: Deadlines
) -> None:
    for code, title in (("1.3", "覆盖率100%达标"), ("1.4a", "a_b事项"), ("1.4b", "axb事项")):
        row = item(session, code)
        row.title = title
        session.add(row)
    session.flush()
    assert codes(listed(session, deadlines, search="100%")) == {"1.3"}
    assert codes(listed(session, deadlines, search="%")) == {"1.3"}
    assert codes(listed(session, deadlines, search="a_b")) == {"1.4a"}
    assert codes(listed(session, deadlines, search="_")) == {"1.4a"}
    assert codes(listed(session, deadlines, search="0%达")) == {"1.3"}


# --- Lights ---


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_light_filter_agrees_with_the_rows_light_through_a_holiday_week(
    session: Session, calendar: WorkCalendar
) -> None:
    # A smaller ledger around the National Day holiday of 2023 (29 Sep - 6 Oct off, 7-8 Oct
    # worked): periods of August to November only, those ended before September closed.
    session.execute(
        delete(Commitment).where(
            or_(
                col(Commitment.period_start) < date(2023, 8, 1),
                col(Commitment.period_start) > date(2023, 11, 30),
            )
        )
    )
    session.execute(
        update(Commitment)
        .where(col(Commitment.period_end) < date(2023, 9, 1))
        .values(status=Status.DONE.value)
    )
    session.expire_all()
    rows = all_rows(session)
    instances = instances_by_parent(rows)
    by_code = {r.code: r for r in rows}
    seen: set[Light] = set()
    for as_of in days_between(date(2023, 9, 28), date(2023, 10, 9)):
        deadlines = Deadlines(as_of=as_of, calendar=calendar, today=as_of)
        page = listed(session, deadlines, show_all=True)
        assert page.total == len(rows)
        for row in page.rows:
            source = by_code[row.code]
            due = own_or_instances_due(source, instances, as_of)
            assert row.due == due, (as_of, row.code)
            assert row.light is deadlines.light(due, source.status), (as_of, row.code)
        for light in Light:
            filtered = listed(session, deadlines, lights=[light], show_all=True)
            expected = {r.code for r in page.rows if r.light is light}
            assert codes(filtered) == expected, (as_of, light)
        seen |= {row.light for row in page.rows}
    assert seen == set(Light)


def test_yellow_reaches_three_working_days_ahead_across_a_holiday(
    session: Session, calendar: WorkCalendar
) -> None:
    # Thursday 28 Sep 2023: the next working days are Sat 7, Sun 8 and Mon 9 Oct.
    deadlines = Deadlines(as_of=date(2023, 9, 28), calendar=calendar, today=date(2023, 9, 28))
    yellow = codes(listed(session, deadlines, lights=[Light.YELLOW], show_all=True))
    green = codes(listed(session, deadlines, lights=[Light.GREEN], show_all=True))
    assert {"3.2-D/2023-09-28", "3.2-D/2023-10-07", "3.2-D/2023-10-09"} <= yellow
    assert "3.2-M/2023-09" in yellow  # due 28 Sep: the 29th and 30th were days off
    assert "3.2-D/2023-10-10" in green


def test_light_filter_on_a_make_up_sunday(session: Session, calendar: WorkCalendar) -> None:
    # Sunday 8 Oct 2023 was a working day: the day's screening is yellow, not a day off.
    deadlines = Deadlines(as_of=date(2023, 10, 8), calendar=calendar, today=date(2023, 10, 8))
    yellow = codes(listed(session, deadlines, lights=[Light.YELLOW]))
    assert "3.2-D/2023-10-08" in yellow
    assert "3.2-W/2023-W40" in yellow
    red = codes(listed(session, deadlines, lights=[Light.RED]))
    assert "3.2-D/2023-09-28" in red


def test_commitment_takes_the_light_of_its_most_urgent_open_instance(
    session: Session, calendar: WorkCalendar
) -> None:
    # Friday 26 Jun 2026: 5.5a/2026 is due at its 06-30 checkpoint, three working days on.
    deadlines = Deadlines(as_of=date(2026, 6, 26), calendar=calendar, today=date(2026, 6, 26))

    def parent_row() -> ItemRow:
        page = listed(session, deadlines, search="5.5a", show_all=True)
        return next(row for row in page.rows if row.code == "5.5a")

    mark(session, Status.DONE, "5.5a/2022", "5.5a/2023", "5.5a/2024", "5.5a/2025")
    current = item(session, "5.5a/2026")
    assert parent_row().due == current.due
    assert parent_row().light is Light.YELLOW is deadlines.light(current.due, current.status)

    mark(session, Status.TODO, "5.5a/2024")
    assert parent_row().due == item(session, "5.5a/2024").due
    assert parent_row().light is Light.RED

    mark(session, Status.DONE, "5.5a/2024", "5.5a/2026")
    # Nothing open has begun: later years' instances do not colour it yet.
    assert parent_row().due is None
    assert parent_row().light is Light.GREEN


# --- Shape and paging ---

JSON_KEYS = {
    "code",
    "report",
    "title",
    "title_en",
    "section",
    "kind",
    "unit",
    "status",
    "due",
    "light",
    "overdue",
    "days_overdue",
    "workdays_overdue",
    "village",
    "village_name",
    "period",
    "target",
    "done_count",
    "value",
    "baseline",
    "baseline_text",
    "measure",
    "source",
    "parent",
}


def test_item_row_json_has_the_documented_keys_and_plain_values(
    session: Session, seed: Seed, deadlines: Deadlines
) -> None:
    page = listed(session, deadlines, search="3.3a-V01", show_all=True)
    (village_row,) = page.rows
    data = json.loads(json.dumps(village_row.as_json(), ensure_ascii=False))
    assert set(data) == JSON_KEYS
    entry = next(c for c in seed.document.commitments if c.code == "3.3a")
    assert data["code"] == "3.3a-V01"
    assert data["parent"] == "3.3a"
    assert data["village"] == 1
    assert data["source"] == entry.excerpt
    assert entry.due is not None and data["due"] == entry.due.isoformat()
    assert (data["status"], data["light"], data["overdue"]) == ("done", "none", False)
    assert data["kind"] == "per_village" and data["report"] == "baohe-2021"

    (quota_row,) = listed(session, deadlines, search="5.5a/2026").rows
    quota = quota_row.as_json()
    assert (quota["period"], quota["target"], quota["done_count"]) == ("2026", 2, 0)
    assert quota["source"] == next(c.excerpt for c in seed.document.commitments if c.code == "5.5a")


@pytest.mark.parametrize("order", list(Order), ids=str)
@pytest.mark.parametrize("overdue", [False, True], ids=["all", "overdue"])
def test_pages_in_every_order_are_the_whole_list_cut_in_pieces(
    session: Session, deadlines: Deadlines, order: Order, overdue: bool
) -> None:
    flt = ListFilter(show_all=not overdue, overdue=overdue, order=order)
    whole = list_items(session=session, flt=flt, deadlines=deadlines)
    assert len(whole.rows) == whole.total > 50
    size = 37
    pages = [
        list_items(session=session, flt=flt, deadlines=deadlines, limit=size, offset=offset)
        for offset in range(0, whole.total + size, size)
    ]
    assert [row for page in pages for row in page.rows] == whole.rows


def test_paging_covers_every_row_exactly_once(session: Session, deadlines: Deadlines) -> None:
    whole = listed(session, deadlines)
    assert whole.total == len(whole.rows) > 1000
    seen: list[str] = []
    size = 173
    for offset in range(0, whole.total + size, size):
        page = list_items(
            session=session, flt=ListFilter(), deadlines=deadlines, limit=size, offset=offset
        )
        assert page.total == whole.total
        assert len(page.rows) <= size
        seen += [row.code for row in page.rows]
    assert seen == [row.code for row in whole.rows]
    assert len(set(seen)) == len(seen)


@pytest.mark.parametrize(
    "flt", [ListFilter(show_all=True), ListFilter(), ListFilter(search="lecture", show_all=True)]
)
def test_a_full_page_asked_uncounted_is_counted_apart_to_the_same_total(
    session: Session, deadlines: Deadlines, flt: ListFilter
) -> None:
    """The app shows a page at once and counts its query after: the page's rows are those
    of the counted page, its total only as far as the page reaches, and `count_items` gives
    the total `list_items` counts."""
    counted = list_items(session=session, flt=flt, deadlines=deadlines, limit=5, offset=2)
    uncounted = list_items(
        session=session, flt=flt, deadlines=deadlines, limit=5, offset=2, count=False
    )
    assert uncounted.rows == counted.rows
    if counted.total > 7:  # a full page
        assert (uncounted.total, uncounted.counted) == (7, False)
    else:  # the last page: counted without a count
        assert (uncounted.total, uncounted.counted) == (counted.total, True)
    assert count_items(session=session, flt=flt, deadlines=deadlines) == counted.total
