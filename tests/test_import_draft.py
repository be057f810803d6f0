"""tracker.importing.draft: whatever the drafting rules find (a quota, an indicator, units,
a leader) is written in the seed format, with its words as comments, and loads as a seed;
a kind the rules could not complete is written as a one-off for the reviewer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from tracker.importing import review
from tracker.importing.draft import PLACEHOLDER_UNIT, Meta, draft_seed
from tracker.importing.rules import Draft, Found, Role, draft_item, section_role
from tracker.importing.structure import outline
from tracker.models import Kind, Status
from tracker.schedule import Frequency
from tracker.services.seed_file import load_seed_file

TEXT = """某镇人民政府2021年法治政府建设年度报告

一、主要工作
一是开展法治讲座。全年由司法所牵头、派出所配合开展法治讲座15场次。二是坚持日排查。继续落实日排查制度。
二、存在的不足
一是执法水平有待提高。
三、下一步工作打算
一是每年至少举办2次法治专题讲座。由镇党委书记负责。

某镇人民政府
2022年3月1日
"""
META = Meta(
    slug="mou-2021",
    title="某镇人民政府2021年法治政府建设年度报告",
    issuer="某镇人民政府",
    town="某镇",
    year=2021,
    published=date(2022, 3, 1),
    words={"town": "某镇人民政府"},
)


def rich_drafter(text: str, role: Role) -> list[Draft]:
    """What the drafting rules may say about these items."""

    def at(words: str) -> tuple[int, int]:
        start = text.index(words)
        return start, start + len(words)

    if "15场次" in text:
        start, end = at("全年由司法所牵头、派出所配合开展法治讲座15场次。")
        unit = Found("司法所", "由司法所牵头", 0.9)
        return [
            Draft(start, end, "法治讲座", Found("indicator", "15场次", 0.8), unit=unit,
                  co_units=("派出所",), baseline=Found(15, "15场次", 0.9),
                  measure=Found("场次", "场次", 0.9), qualifier=None),
        ]  # fmt: skip
    if "日排查" in text:  # recurring without its frequency: the loader would refuse it so
        return [Draft(*at("继续落实日排查制度。"), "日排查", Found("recurring", "日排查", 0.7))]
    if "每年至少" in text:
        start, end = at("每年至少举办2次法治专题讲座。")
        return [
            Draft(start, end, "法治专题讲座", Found("quota", "每年至少举办2次", 0.9),
                  frequency=Found("yearly", "每年", 0.9), target=Found(2, "至少举办2次", 0.9),
                  leader=Found("镇党委书记", "镇党委书记", 0.8)),
        ]  # fmt: skip
    return draft_item(text, role)


def write(tmp_path: Path, drafter: Callable[[str, Role], list[Draft]] = rich_drafter) -> Path:
    found = outline(TEXT)
    written = draft_seed(TEXT, found, META, drafter=drafter, named=lambda text: ["综治中心"])
    (tmp_path / "mou-2021-report.txt").write_text(written.report, encoding="utf-8")
    path = tmp_path / "mou-2021.yaml"
    path.write_text(written.seed, encoding="utf-8")
    return path


def test_what_the_rules_found_is_written_and_loads(tmp_path: Path) -> None:
    seed = load_seed_file(write(tmp_path))
    by_code = {c.code: c for c in seed.document.commitments}
    assert list(by_code) == ["1.1a", "1.2a", "2.1a", "3.1a"]
    lecture = by_code["1.1a"]
    assert (lecture.kind, lecture.baseline, lecture.measure) == (Kind.INDICATOR, 15, "场次")
    assert (lecture.unit, lecture.co_units) == ("司法所", ["派出所"])
    quota = by_code["3.1a"]
    assert (quota.kind, quota.frequency, quota.target) == (Kind.QUOTA, Frequency.YEARLY, 2)
    assert quota.leader == "镇党委书记" and quota.due is None
    assert by_code["2.1a"].kind is Kind.RECTIFICATION and by_code["2.1a"].due == date(2022, 12, 31)
    # The units the report names come first, even one no draft leads.
    assert [u.name for u in seed.document.units] == [
        "综治中心",
        "司法所",
        "派出所",
        PLACEHOLDER_UNIT,
    ]


def test_a_kind_missing_what_it_needs_is_a_one_off_marked_for_review(tmp_path: Path) -> None:
    path = write(tmp_path)
    screening = load_seed_file(path).document.commitments[1]
    assert screening.kind is Kind.ONE_OFF and screening.due == date(2021, 12, 31)
    text = path.read_text(encoding="utf-8")
    assert "kind: one_off  # 待核定：原判为 recurring，但缺少 frequency" in text


def test_each_draft_says_its_confidence_and_the_words_that_decided_it(tmp_path: Path) -> None:
    text = write(tmp_path).read_text(encoding="utf-8")
    assert "# 置信度 0.80；kind ← “15场次”；unit ← “由司法所牵头”" in text
    assert "# 置信度 0.90；kind ← “每年至少举办2次”；frequency ← “每年”" in text


def test_an_item_in_which_no_rule_finds_a_duty_is_drafted_by_its_first_sentence() -> None:
    """Nothing enumerated is dropped: 一是学法。 has no verb of doing the rules know."""
    item = "一是学法。二是用法。"
    (draft,) = draft_item(item, Role.ACHIEVED)
    assert item[draft.start : draft.end] == "学法。"
    assert (draft.kind.value, draft.kind.confidence) == ("one_off", 0.2)
    (rectify,) = draft_item(item, Role.SHORTCOMING)
    assert rectify.kind.value == "rectification"
    assert section_role("认真查找不足,主动分析原因") is Role.SHORTCOMING
    assert section_role("实施有效举措,促进效能提升") is Role.PLAN
    assert section_role("健全决策机制,提升行政水平") is Role.ACHIEVED


def test_a_one_off_the_report_tells_as_done_is_drafted_done_quoting_it(tmp_path: Path) -> None:
    """As the hand-made seed records 2021's work (报告称“我镇优化了…”): a one-off of a part
    narrating the year is drafted done with the report's words, marked for the reviewer; a
    plan's one-off is not, nor a duty that goes on; edited into one, a draft loses it."""
    text = TEXT.replace(
        "二是坚持日排查。",
        "二是优化领导小组。我镇优化了依法治镇工作领导小组人员结构。三是坚持日排查。",
    )
    text = text.replace("一是每年至少举办2次法治专题讲座。", "一是加强干部法治思维培养。")
    text = text.replace("继续落实日排查制度。", "继续落实每日排查制度。")
    written = draft_seed(text, outline(text), META, named=lambda _: ["综治中心"])
    (tmp_path / "mou-2021-report.txt").write_text(written.report, encoding="utf-8")
    path = tmp_path / "mou-2021.yaml"
    path.write_text(written.seed, encoding="utf-8")
    by_code = {c.code: c for c in load_seed_file(path).document.commitments}
    group = by_code["1.2a"]
    assert (group.kind, group.status) == (Kind.ONE_OFF, Status.DONE)
    assert group.status_note == f"报告称“{group.excerpt}”"
    assert "    status: done  # 待核定：" in written.seed
    assert by_code["1.1a"].status is None  # an indicator: its figure is its record
    assert by_code["1.3a"].kind is Kind.RECURRING and by_code["1.3a"].status is None
    assert by_code["3.1a"].kind is Kind.ONE_OFF and by_code["3.1a"].status is None  # the plan
    review.edit(path, "1.2a", kind="recurring", frequency="monthly", due=None)
    assert load_seed_file(path).document.commitments[1].status is None
