"""Year over year (issue 13, point 4): a town's next report imported against its ledger
proposes, for each draft, the earlier commitment it continues or the earlier plan item it
says was done; accepted, the links are written onto those commitments (notes, the new
year's figures, plan items closed with the sentence as evidence), not as new commitments.

The next report is tests/data/yoy/baohe-2022-constructed.txt: made for these tests in the
words of 保和镇's 2021 report (its README says what it is), imported against a ledger
seeded with the real 2021 report, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from test_import_apply import ADMIN, codes_of, invoke, message

from tracker.db import make_engine
from tracker.importing import review
from tracker.importing.linking import Candidate, Earlier, likeness, pairs, propose
from tracker.models import Commitment, Event, History, Kind, Report, Status
from tracker.services.asof import status_of as replayed_status
from tracker.services.dashboard import dashboard
from tracker.services.deadlines import Deadlines
from tracker.services.seed_file import PLACEHOLDER_UNIT, load_seed_file

NEXT_REPORT = Path(__file__).parent / "data" / "yoy" / "baohe-2022-constructed.txt"
SLUG = "baohe-2022"
# What a reader of the two reports links: the duties the 2022 text says again, its figures
# for 2021's indicators, and 2021's three measures for 2022 it says were carried out.
CONTINUED = {
    "2.1-N1", "2.1-N3", "2.1-N5", "3.2-D", "3.2-W", "3.2-M", "3.2-N1", "3.2-N3",
    "3.3a", "3.3b", "5.5a", "5.5b",
}  # fmt: skip
CLOSED = {"7.1a", "7.1b", "7.1c"}
LINK_LINE = re.compile(r'^    (continues|closes): "baohe-2021/([^"]+)"', re.MULTILINE)


def draft_against(url: str, folder: Path) -> Path:
    """The constructed 2022 report imported against the ledger at `url`."""
    folder.mkdir(exist_ok=True)
    result = invoke("--db", url, "import", str(NEXT_REPORT), "--out", str(folder), "--slug", SLUG)
    assert result.exit_code == 0, result.output
    return folder / f"{SLUG}.yaml"


def links_in(draft: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"continues": set(), "closes": set()}
    for field, code in LINK_LINE.findall(draft.read_text(encoding="utf-8")):
        found[field].add(code)
    return found


def accept_all(draft: Path, unit: str = "镇司法所") -> None:
    """Accept every draft, naming a unit where the report names none (as a reviewer must)."""
    text = draft.read_text(encoding="utf-8").replace("review: undecided", "review: accepted")
    text = re.sub(rf'unit: "{PLACEHOLDER_UNIT}".*', f'unit: "{unit}"', text)
    draft.write_text(text, encoding="utf-8")


def apply_now(url: str, draft: Path) -> tuple[int, str, str]:
    result = invoke("--db", url, "--user", ADMIN, "import", "--apply", str(draft))
    return result.exit_code, result.stdout, result.stderr


def item(session: Session, code: str, slug: str = "baohe-2021") -> Commitment:
    report = session.exec(select(Report).where(Report.slug == slug)).one()
    return session.exec(
        select(Commitment).where(Commitment.report_id == report.id, Commitment.code == code)
    ).one()


# --- proposing links ------------------------------------------------------------------------


def test_the_next_report_is_linked_to_the_duties_and_plan_items_it_goes_on_with(
    db_url: str, tmp_path: Path
) -> None:
    draft = draft_against(db_url, tmp_path / "out")
    assert links_in(draft) == {"continues": CONTINUED, "closes": CLOSED}
    result = invoke(
        "--db", db_url, "import", str(NEXT_REPORT), "--out", str(tmp_path), "--slug", "x"
    )
    said = message("import.found.links", compared=66, continues=15, closes=3)
    assert said in result.stdout.splitlines()


def test_each_link_tells_the_reviewer_which_duty_and_why(db_url: str, tmp_path: Path) -> None:
    rows = {row.code: row for row in review.drafts(draft_against(db_url, tmp_path / "out"))}
    lecture = next(row for row in rows.values() if row.continues == "baohe-2021/5.5a")
    assert "每年至少2次法治专题讲座" in lecture.link_note and "2021" in lecture.link_note
    exam = next(row for row in rows.values() if row.closes == "baohe-2021/7.1a")
    assert "以考促学" in exam.link_note
    assert exam.earlier == "baohe-2021/7.1a"


def test_without_a_ledger_or_an_earlier_report_nothing_is_linked(
    empty_db_url: str, tmp_path: Path
) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    result = invoke(
        "--db", str(tmp_path / "none.db"), "import", str(NEXT_REPORT), "--out", str(alone)
    )
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "none.db").exists()  # reading a report makes no database
    written = next(alone.glob("*.yaml"))
    assert links_in(written) == {"continues": set(), "closes": set()}
    assert "往年" not in result.stdout


def _earlier(kind: Kind, title: str, **fields: object) -> Earlier:
    values: dict[str, object] = {
        "ref": f"old/{title}", "year": 2021, "kind": kind, "frequency": None, "measure": None,
        "unit": "司法所", "title": title, "excerpt": title, "status": Status.TODO, "due": None,
    }  # fmt: skip
    values.update(fields)
    return Earlier(**values)  # type: ignore[arg-type]


def _candidate(kind: str, words: str, **fields: object) -> Candidate:
    values: dict[str, object] = {
        "kind": kind, "frequency": None, "measure": None, "unit": None, "title": words,
        "excerpt": words, "achieved": True,
    }  # fmt: skip
    values.update(fields)
    return Candidate(**values)  # type: ignore[arg-type]


def test_a_duty_of_another_cadence_kind_or_measure_is_not_linked() -> None:
    weekly = _earlier(Kind.RECURRING, "矛盾纠纷排查", frequency="weekly")
    daily = _candidate("recurring", "矛盾纠纷排查", frequency="daily")
    assert propose([daily], [weekly], 2022) == {}
    sheets = _earlier(Kind.INDICATOR, "编印法治宣传资料", measure="份")
    assert (
        propose([_candidate("indicator", "编印法治宣传资料", measure="张")], [sheets], 2022) == {}
    )
    assert propose([_candidate("one_off", "编印法治宣传资料")], [sheets], 2022) == {}
    same = propose([daily], [_earlier(Kind.RECURRING, "矛盾纠纷排查", frequency="daily")], 2022)
    assert [link.field for link in same.values()] == ["continues"]


def test_a_plan_item_is_closed_only_by_the_year_it_was_planned_for_and_only_once() -> None:
    plan = _earlier(Kind.ONE_OFF, "以考促学", due=date(2022, 12, 31))
    said = _candidate("one_off", "我镇通过以考促学组织干部职工参加考试")
    assert propose([said], [plan], 2023) == {}  # the 2023 report narrates another year
    planned = _candidate("one_off", "我镇通过以考促学组织干部职工参加考试", achieved=False)
    # Next year's plan says nothing was done: the open item is carried over, not closed ...
    carried = propose([planned], [plan], 2022)
    assert [link.field for link in carried.values()] == ["continues"]
    done = _earlier(Kind.ONE_OFF, "以考促学", due=date(2022, 12, 31), status=Status.DONE)
    assert propose([said], [done], 2022) == {}
    assert propose([planned], [done], 2023) == {}  # ... and a closed one is not carried
    twice = propose([said, said], [plan], 2022)
    assert list(twice) == [0]


def test_unrelated_words_are_not_alike() -> None:
    lecture = pairs("每年至少举办2次法治专题讲座")
    assert likeness(lecture, pairs("我镇每年至少举办2次法治专题讲座")) > 0.8
    assert likeness(lecture, pairs("依规受理信息公开申请")) == 0.0


# --- applying them --------------------------------------------------------------------------


def test_accepted_links_go_on_in_the_earlier_commitments_not_as_new_ones(
    db_url: str, tmp_path: Path
) -> None:
    draft = draft_against(db_url, tmp_path / "out")
    accept_all(draft)
    seed = load_seed_file(draft)
    code, out, err = apply_now(db_url, draft)
    assert code == 0, err
    assert message("import.apply.carried", continued=15, figures=5, closed=3) in out
    new_codes = codes_of(db_url, SLUG)
    assert new_codes == {c.code for c in seed.new_commitments()}
    assert len(new_codes) == len(seed.document.commitments) - 18
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            # The figure of 2022 continues the 2021 indicator's series.
            sheets = item(session, "2.1-N1")
            year = item(session, "2.1-N1/2022")
            events = session.exec(select(Event).where(Event.commitment_id == year.id)).all()
            assert [(e.value, e.happened_on) for e in events] == [(800.0, date(2022, 12, 31))]
            assert "2022年报告（baohe-2022）" in sheets.notes and "800余份" in sheets.notes
            # The lecture quota is one duty still, its note quoting the new report.
            lectures = item(session, "5.5a")
            assert "每年至少举办2次法治专题讲座" in lectures.notes
            # 以考促学 is done from the last day of 2022, the sentence as its evidence.
            exam = item(session, "7.1a")
            assert exam.status == Status.DONE
            assert exam.id is not None
            assert replayed_status(session, exam.id, date(2022, 12, 30)) is Status.TODO
            assert replayed_status(session, exam.id, date(2022, 12, 31)) is Status.DONE
            said = session.exec(select(Event).where(Event.commitment_id == exam.id)).one()
            assert "以考促学" in said.note and said.recorded_by == ADMIN
            # Nothing of the new report was written as a second lecture quota.
            quotas = session.exec(
                select(Commitment).where(
                    col(Commitment.kind) == Kind.QUOTA, col(Commitment.parent_id).is_(None)
                )
            ).all()
            assert sorted(c.code for c in quotas) == ["5.5a", "5.5b"]
    finally:
        engine.dispose()
    assert invoke("--db", db_url, "--user", ADMIN, "audit", "verify").exit_code == 0


def test_a_plan_item_already_closed_is_left_as_it_was(db_url: str, tmp_path: Path) -> None:
    done = invoke(
        "--db", db_url, "--user", ADMIN, "--report", "baohe-2021", "status", "7.1b", "done",
        "--note", "已于年中完成",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    draft = draft_against(db_url, tmp_path / "out")
    assert "7.1b" not in links_in(draft)["closes"]  # a closed item is not proposed
    text = draft.read_text(encoding="utf-8")
    code_line = '  - code: "1.1c"\n'
    draft.write_text(
        text.replace(code_line, code_line + '    closes: "baohe-2021/7.1b"\n', 1), encoding="utf-8"
    )
    accept_all(draft)
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            before = len(session.exec(select(History)).all())
    finally:
        engine.dispose()
    code, out, err = apply_now(db_url, draft)
    assert code == 0, err
    assert message("import.apply.already_closed", count=1) in out
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            exam = item(session, "7.1b")
            history = session.exec(select(History).where(History.commitment_id == exam.id)).all()
            assert [h.note for h in history if h.kind == "status"] == ["已于年中完成"]
            assert len(session.exec(select(History)).all()) > before  # the others were written
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("ref", "key"),
    [("baohe-2021/9.9z", "import.apply.earlier_missing"), ("baohe-2022/1.1a", "")],
)
def test_a_link_to_no_earlier_commitment_of_the_town_is_refused_and_nothing_written(
    db_url: str, tmp_path: Path, ref: str, key: str
) -> None:
    draft = draft_against(db_url, tmp_path / "out")
    text = draft.read_text(encoding="utf-8")
    text = text.replace('continues: "baohe-2021/5.5a"', f'continues: "{ref}"', 1)
    draft.write_text(text, encoding="utf-8")
    accept_all(draft)
    code, out, err = apply_now(db_url, draft)
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    if key:
        assert err.strip() == message(key, code=_code_linking(draft, ref), ref=ref)
    else:  # the report being imported is no earlier report: it is not there yet
        assert ref in err
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            assert session.exec(select(Report).where(Report.slug == SLUG)).first() is None
            assert item(session, "7.1a").status == Status.TODO
    finally:
        engine.dispose()


def _code_linking(draft: Path, ref: str) -> str:
    return next(c.code for c in load_seed_file(draft).document.commitments if c.continues == ref)


def test_a_draft_unlinked_in_review_becomes_a_new_commitment(db_url: str, tmp_path: Path) -> None:
    draft = draft_against(db_url, tmp_path / "out")
    row = next(r for r in review.drafts(draft) if r.continues == "baohe-2021/5.5a")
    assert review.unlink(draft, row.code) is True
    assert review.unlink(draft, row.code) is False
    unlinked = next(r for r in review.drafts(draft) if r.code == row.code)
    assert unlinked.earlier is None and unlinked.link_note == ""
    accept_all(draft)
    code, _, err = apply_now(db_url, draft)
    assert code == 0, err
    assert row.code in codes_of(db_url, SLUG)


def test_a_database_that_cannot_be_read_is_said_and_the_draft_written_all_the_same(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all, but a file")
    out = tmp_path / "out"
    out.mkdir()
    result = invoke("--db", str(broken), "import", str(NEXT_REPORT), "--out", str(out))
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"未能读取数据库 {broken}（") and "草稿照常写出" in last
    assert links_in(next(out.glob("*.yaml"))) == {"continues": set(), "closes": set()}
    assert broken.read_bytes() == b"not a database at all, but a file"


def test_a_quota_said_again_with_another_target_keeps_its_own_and_says_so(
    db_url: str, tmp_path: Path
) -> None:
    """The ledger's quota is not changed by a report's words: its note says the new target,
    for an admin to decide on."""
    draft = draft_against(db_url, tmp_path / "out")
    text = draft.read_text(encoding="utf-8")
    at = text.index('continues: "baohe-2021/5.5a"')
    target = text.index("    target: 2", at)
    draft.write_text(text[:target] + "    target: 4" + text[target + 13 :], encoding="utf-8")
    accept_all(draft)
    code, _, err = apply_now(db_url, draft)
    assert code == 0, err
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            lectures = item(session, "5.5a")
            assert lectures.target == 2
            assert "（新报告为 4 次，本项仍按 2 次）" in lectures.notes
    finally:
        engine.dispose()


def test_the_parts_of_several_reports_are_each_their_own_in_the_overview(
    db_url: str, tmp_path: Path
) -> None:
    """With the town's 2022 report beside its 2021 one, the overview of both (a district's
    printout, or no --report) keeps each report's parts under its own headings: part 1 of
    2022 is not counted into 2021's 健全决策机制."""
    draft = draft_against(db_url, tmp_path / "out")
    accept_all(draft)
    assert apply_now(db_url, draft)[0] == 0
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            deadlines = Deadlines(as_of=date(2026, 11, 26))
            alone = dashboard(session=session, deadlines=deadlines, report="baohe-2021")
            both = dashboard(session=session, deadlines=deadlines)
    finally:
        engine.dispose()
    assert [(s.number, s.total) for s in alone.sections][:1] == [(1, 8)]
    assert not any(" · " in s.heading for s in alone.sections)
    first = [s for s in both.sections if s.heading.startswith("baohe-2021 · ")]
    later = [s for s in both.sections if s.heading.startswith(f"{SLUG} · ")]
    assert [(s.number, s.total) for s in first] == [(s.number, s.total) for s in alone.sections]
    assert first[0].heading == "baohe-2021 · " + alone.sections[0].heading
    assert sum(s.total for s in later) == len(codes_of(db_url, SLUG))
    assert len(first) + len(later) == len(both.sections)
