"""The annual draft on a ledger with a realistic 2022 logged (tests/annual_year.py): every
number in it is re-counted here with queries of the test's own, every code it cites is a
commitment of the year, a year with nothing logged gives bracketed gaps and no achievement,
and a draft seen on an earlier day knows nothing that happened after it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from annual_year import EXTENSION_REASON, LATE_REASON, RENEWED_VILLAGES, log_year
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from test_proof_2022 import OFFICER, item

from tracker.annual.draft import annual_draft
from tracker.annual.model import AnnualDraft, Figure, Query, Sentence
from tracker.db import new_session
from tracker.i18n import set_language
from tracker.schedule import WorkCalendar
from tracker.services.deadlines import Deadlines
from tracker.services.events import log_event
from tracker.services.lookup import now

TOWN = "保和镇"
YEAR = 2022
YEAR_END = date(2022, 12, 31)
TODAY = date(2026, 12, 5)


def drafted(
    engine: Engine, calendar: WorkCalendar, view_day: date = YEAR_END, unit: str | None = None
) -> AnnualDraft:
    with new_session(engine) as session:
        return annual_draft(
            session=session,
            town=TOWN,
            year=view_day.year,
            deadlines=Deadlines(as_of=view_day, calendar=calendar, today=TODAY),
            unit=unit,
            today=TODAY,
        )


@pytest.fixture
def logged(engine: Engine, calendar: WorkCalendar, tmp_path: Path) -> Engine:
    log_year(engine, calendar, tmp_path)
    return engine


# --- the test's own queries ---------------------------------------------------------------

COUNTS = (
    "e.happened_on >= :start AND e.happened_on <= :view "
    "AND (e.voided_on IS NULL OR e.voided_on > :view)"
)


def _id(db: Connection, code: str) -> int:
    return int(
        db.execute(text("SELECT id FROM commitment WHERE code = :c"), {"c": code}).scalar_one()
    )


def _figure_of(db: Connection, parent: int, year: int, view: date) -> float | None:
    return db.execute(
        text(
            "SELECT e.value FROM event e JOIN commitment c ON c.id = e.commitment_id "
            "WHERE c.parent_id = :p AND c.period_key = :k AND e.value IS NOT NULL "
            "AND e.happened_on <= :view AND (e.voided_on IS NULL OR e.voided_on > :view) "
            "ORDER BY e.happened_on DESC, e.id DESC LIMIT 1"
        ),
        {"p": parent, "k": str(year), "view": view},
    ).scalar()


def _instances_done(db: Connection, parent: int, view: date) -> list[bool]:
    """Each of the year's begun periods: whether its counted events reach its target."""
    rows = db.execute(
        text(
            "SELECT c.id, COALESCE(p.target, 1) FROM commitment c JOIN commitment p "
            "ON p.id = c.parent_id WHERE c.parent_id = :p AND c.period_start >= :start "
            "AND c.period_start <= :view"
        ),
        {"p": parent, "start": date(view.year, 1, 1), "view": view},
    ).all()
    done = []
    for instance, target in rows:
        count = db.execute(
            text(f"SELECT COUNT(*) FROM event e WHERE e.commitment_id = :i AND {COUNTS}"),
            {"i": instance, "start": date(view.year, 1, 1), "view": view},
        ).scalar_one()
        done.append(count >= (target if target else 1))
    return done


def recount(db: Connection, figure: Figure, view: date) -> float:
    """`figure`'s number counted again, with SQL written for the test."""
    year = view.year
    args = {"start": date(year, 1, 1), "view": view}
    parent = _id(db, figure.code) if figure.code else 0
    if figure.query is Query.EVENTS:
        return db.execute(
            text(
                "SELECT COUNT(*) FROM event e JOIN commitment c ON c.id = e.commitment_id "
                f"WHERE (c.id = :p OR c.parent_id = :p) AND {COUNTS}"
            ),
            {"p": parent, **args},
        ).scalar_one()
    if figure.query is Query.PERIODS:
        return len(_instances_done(db, parent, view))
    if figure.query is Query.PERIODS_DONE:
        return sum(_instances_done(db, parent, view))
    if figure.query is Query.PERIODS_MISSED:
        return len([d for d in _instances_done(db, parent, view) if not d])
    if figure.query is Query.QUOTA_TARGET:
        sql = "SELECT target FROM commitment WHERE id = :p"
        return db.execute(text(sql), {"p": parent}).scalar_one()
    if figure.query is Query.INDICATOR:
        found = _figure_of(db, parent, year, view)
        assert found is not None
        return found
    if figure.query in (Query.INDICATOR_BEFORE, Query.CHANGE):
        before = _figure_of(db, parent, year - 1, view)
        if before is None:  # the 2021 report's own figure
            sql = "SELECT baseline FROM commitment WHERE id = :p"
            before = db.execute(text(sql), {"p": parent}).scalar_one()
        if figure.query is Query.INDICATOR_BEFORE:
            return before
        now_figure = _figure_of(db, parent, year, view)
        assert now_figure is not None
        return abs(now_figure - before)
    if figure.query is Query.VILLAGES:
        return db.execute(
            text(
                "SELECT COUNT(*) FROM village WHERE town = :t "
                "AND (retired_on IS NULL OR retired_on > :view)"
            ),
            {"t": TOWN, "view": view},
        ).scalar_one()
    if figure.query is Query.VILLAGES_DONE:
        return db.execute(
            text(
                "SELECT COUNT(DISTINCT c.village_id) FROM event e JOIN commitment c "
                f"ON c.id = e.commitment_id WHERE c.parent_id = :p AND {COUNTS}"
            ),
            {"p": parent, **args},
        ).scalar_one()
    if figure.query is Query.SIGNED_OFF:
        return db.execute(
            text(
                "SELECT COUNT(DISTINCT commitment_id) FROM history WHERE kind = 'status' "
                "AND new = 'verified' AND effective_on >= :start AND effective_on <= :view"
            ),
            args,
        ).scalar_one()
    if figure.query is Query.EVIDENCE:
        return db.execute(
            text(
                f"SELECT COUNT(*) FROM evidence v JOIN event e ON e.id = v.event_id WHERE {COUNTS}"
            ),
            args,
        ).scalar_one()
    raise AssertionError(f"no test query for {figure.query}")


def numbers_outside_figures(sentence: Sentence, titles: list[str]) -> list[str]:
    """The numbers a sentence states that are not its figures: dates, the commitment's own
    title, words in brackets (notes, the report's own wording) and a reason an officer
    gave left out."""
    rest = sentence.text
    for title in titles:
        rest = rest.replace(title, "")
    rest = re.sub(r"（[^（）]*）|原因：.*$", "", rest)
    rest = re.sub(r"\d{4}年(\d{1,2}月\d{1,2}日)?|\d{1,2}月\d{1,2}日", "", rest)
    said = re.findall(r"\d+(?:\.\d+)?", rest)
    figures = {figure.text for figure in sentence.figures}
    return [number for number in said if number not in figures]


# --- the tests ----------------------------------------------------------------------------


def test_every_number_in_the_draft_is_the_query_it_cites(
    logged: Engine, calendar: WorkCalendar
) -> None:
    draft = drafted(logged, calendar)
    with logged.connect() as db:
        titles = list(db.execute(text("SELECT title FROM commitment")).scalars())
        checked = 0
        for sentence in draft.sentences():
            assert numbers_outside_figures(sentence, titles) == [], sentence.text
            for figure in sentence.figures:
                assert figure.text in sentence.text, (figure, sentence.text)
                assert figure.value == pytest.approx(recount(db, figure, YEAR_END)), (
                    figure,
                    sentence.text,
                )
                checked += 1
    # Every kind of number the year gave is there, and was checked.
    queries = {figure.query for s in draft.sentences() for figure in s.figures}
    assert queries >= set(Query) - {Query.PERIODS_DONE, Query.PERIODS_MISSED}
    said = "".join(s.text for s in draft.sentences())
    assert "全年开展2次，完成年度目标2次" in said  # the voided twin lecture does not count
    assert f"全镇23个村(社区)中已有{RENEWED_VILLAGES}个办理" in said
    assert "调解成功率98.1%，较2021年（97.82%）提高0.28个百分点" in said


def test_every_code_cited_is_a_commitment_of_the_year(
    logged: Engine, calendar: WorkCalendar
) -> None:
    draft = drafted(logged, calendar)
    assert {"2.1-N1", "3.2-D", "3.3b", "5.5a", "6.1", "7.1a", "7.1b"} <= set(draft.codes())
    with logged.connect() as db:
        for code in draft.codes():
            row = db.execute(
                text(
                    "SELECT c.id, r.year FROM commitment c JOIN report r ON r.id = c.report_id "
                    "WHERE c.code = :c AND c.parent_id IS NULL"
                ),
                {"c": code},
            ).one()
            assert row.year <= YEAR, code
            # Of the year: something of it took effect in 2022, or it was still open in it
            # (not closed before the year began).
            acted = db.execute(
                text(
                    "SELECT COUNT(*) FROM commitment c LEFT JOIN event e ON e.commitment_id = c.id "
                    "AND e.happened_on BETWEEN :start AND :end "
                    "LEFT JOIN history h ON h.commitment_id = c.id "
                    "AND h.effective_on BETWEEN :start AND :end AND h.kind <> 'seed' "
                    "WHERE (c.id = :i OR c.parent_id = :i) "
                    "AND (e.id IS NOT NULL OR h.id IS NOT NULL OR c.period_key LIKE '2022%')"
                ),
                {"i": row.id, "start": date(YEAR, 1, 1), "end": YEAR_END},
            ).scalar_one()
            closed_before = db.execute(
                text(
                    "SELECT COUNT(*) FROM history WHERE commitment_id = :i AND kind = 'seed' "
                    "AND new IN ('done', 'verified', 'cancelled')"
                ),
                {"i": row.id},
            ).scalar_one()
            assert acted or not closed_before, code


def test_the_draft_follows_the_five_parts_and_says_what_fell_short_with_its_reasons(
    logged: Engine, calendar: WorkCalendar
) -> None:
    draft = drafted(logged, calendar)
    assert draft.title == "资阳市雁江区保和镇人民政府2022年法治政府建设年度报告"
    assert [p.title[:2] for p in draft.parts] == ["一、", "二、", "三、", "四、", "五、"]
    achieved, short, leaders, plans, other = (p.sentences() for p in draft.parts)

    def about(part: list[Sentence], code: str) -> str:
        return "".join(s.text for s in part if code in s.codes)

    assert "以考促学，已于6月20日完成（考试已组织，成绩已通报）" in about(achieved, "7.1a")
    assert "全年249期均已开展" in about(achieved, "3.2-D")
    assert f"原因：{LATE_REASON}" in about(short, "1.4c")
    assert f"经批准由2023年1月3日延期至2023年6月30日，原因：{EXTENSION_REASON}" in about(
        short, "6.1"
    )
    assert "至年底仍未完成" not in about(short, "6.1")  # given more time: not missed
    assert "7.1a" not in {c for s in short for c in s.codes}
    # The principal leaders' quotas are told in part 三, not again in part 一.
    assert {"5.5a", "5.5b"} <= {c for s in leaders for c in s.codes}
    assert not {"5.5a", "5.5b"} & {c for s in achieved for c in s.codes}
    assert "人员执法水平有待提高。经批准延期至2023年6月30日前完成" in about(plans, "6.1")
    assert "坚持每日开展矛盾纠纷日排查" in about(plans, "3.2-D")
    assert "坚持每年至少2次法治专题讲座。" in about(plans, "5.5a")
    assert "推开执法过程全记录。原定2022年12月31日完成，结转下一年度" in about(plans, "1.4c")
    # An indicator is counted, not planned: the ledger asks for its next figure itself.
    assert not {c for s in plans for c in s.codes} & {"2.1-N1", "3.2-N3"}
    assert "7.1a" not in {c for s in plans for c in s.codes}  # done: not next year's work
    assert [s.text for s in other] == ["一是全年经督办核验销号1项。", "二是全年归档佐证材料1份。"]
    assert draft.parts[0].blocks[0].text == "（一）推进队伍建设,提高执法水平"  # type: ignore[union-attr]


def test_a_year_with_nothing_logged_gives_gaps_and_no_achievement(
    engine: Engine, calendar: WorkCalendar
) -> None:
    draft = drafted(engine, calendar)
    achieved, short, leaders, _plans, other = (p.sentences() for p in draft.parts)
    for part in (achieved, leaders, other):
        assert part and all(s.gap for s in part), [s.text for s in part if not s.gap]
    assert all(not s.figures for s in achieved + leaders + other)
    assert [s.text for s in leaders] == ["台账中本年度没有党政主要负责人牵头事项的记录，请据实补写"]
    # The indicators without a 2022 figure are named, each in brackets for the officer.
    assert {"2.1-N1", "3.2-N3"} <= {c for s in achieved for c in s.codes}
    # What fell short is still said: nothing was screened, nothing was held.
    assert "全年有249期未按期完成" in "".join(s.text for s in short)
    assert "全年目标2次，实际开展0次" in "".join(s.text for s in short)
    assert "调解成功率，2022年数据未按期填报" in "".join(s.text for s in short)


def test_a_draft_seen_on_an_earlier_day_uses_only_what_took_effect_by_then(
    logged: Engine, calendar: WorkCalendar
) -> None:
    midyear = drafted(logged, calendar, date(2022, 6, 30))
    said = "".join(s.text for s in midyear.sentences())
    assert midyear.view_day == date(2022, 6, 30)
    assert "全年开展1次" in said and "5月10日宪法专题讲座" in said
    assert "民法典专题讲座" not in said  # held on 11-08
    assert "以考促学，已于6月20日完成" in said
    assert "以身边案例" not in said and "经批准" not in said and "销号" not in said
    with logged.connect() as db:
        for sentence in midyear.sentences():
            for figure in sentence.figures:
                assert figure.value == pytest.approx(recount(db, figure, date(2022, 6, 30)))


def test_the_next_year_does_not_leak_into_the_year_drafted(
    logged: Engine, calendar: WorkCalendar
) -> None:
    with new_session(logged) as session:
        log_event(
            session=session, item=item(session, "5.5a"), day=date(2023, 2, 1),
            note="2023年第一次讲座", evidence=[], user=OFFICER, now=now(), calendar=calendar,
        )  # fmt: skip
        session.commit()
    said = "".join(s.text for s in drafted(logged, calendar).sentences())
    assert "2023年第一次讲座" not in said and "全年开展2次" in said


def test_one_unit_only_drafts_that_units_commitments(
    logged: Engine, calendar: WorkCalendar
) -> None:
    with logged.connect() as db:
        party = set(
            db.execute(
                text(
                    "SELECT c.code FROM commitment c JOIN unit u ON u.id = c.unit_id "
                    "WHERE u.name = '镇党委' AND c.parent_id IS NULL"
                )
            ).scalars()
        )
    draft = drafted(logged, calendar, unit="镇党委")
    assert draft.codes() and set(draft.codes()) <= party


def test_the_draft_in_english_uses_the_english_words(
    logged: Engine, calendar: WorkCalendar
) -> None:
    set_language("en")
    draft = drafted(logged, calendar)
    assert draft.parts[0].title == "1. Main measures and results"
    said = " ".join(s.text for s in draft.sentences())
    assert "up 0.28 percentage points on 2021 (97.82%)" in said
    # The words around the report's (Chinese) titles are English.
    for chinese in ("全年", "较20", "已于", "原因", "一是"):
        assert chinese not in said
