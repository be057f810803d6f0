"""The curated seed against the report it claims to follow; no database needed.

Expectations come from the report text (its numbering, its figures, its wording) and from
the glossary, never from what the seed loader happens to produce.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tracker.errors import TrackerError
from tracker.models import Kind, Status
from tracker.schedule import Frequency
from tracker.services.report_text import parse_sections
from tracker.services.seed_file import Seed, SeedCommitment, load_seed_file

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "seed_data" / "baohe-2021.yaml"
REPORT_PATH = ROOT / "seed_data" / "baohe-2021-report.txt"
REPORT = REPORT_PATH.read_text(encoding="utf-8")
CN_NUMERALS = "一二三四五六七八九十"
# A phrase in Chinese quotation marks, innermost first when quotes nest.
QUOTED = re.compile(r"“([^“”]+)”")


def by_code(seed: Seed) -> dict[str, SeedCommitment]:
    return {c.code: c for c in seed.document.commitments}


def report_items() -> list[tuple[int, int]]:
    """(section, item) for every 一是/二是… of sections 一 to 七, read off the raw text."""
    found: list[tuple[int, int]] = []
    headings = list(re.finditer(rf"^([{CN_NUMERALS}])、", REPORT, re.MULTILINE))
    for number, heading in enumerate(headings[:7], start=1):
        end = headings[number].start() if number < len(headings) else len(REPORT)
        body = REPORT[heading.end() : end]
        items = re.findall(rf"(?:^|[。:：])([{CN_NUMERALS}])是", body, re.MULTILINE)
        found += [(number, CN_NUMERALS.index(token) + 1) for token in items]
    return found


# --- The report's structure ---


def test_report_has_seven_sections_with_the_seed_headings(seed: Seed) -> None:
    spans = parse_sections(REPORT)
    assert [s.number for s in spans] == [1, 2, 3, 4, 5, 6, 7]
    headings = {s.number: s.heading for s in seed.document.sections}
    for span in spans:
        assert REPORT[span.start :].startswith(f"{CN_NUMERALS[span.number - 1]}、{span.heading}")
        assert headings[span.number] == span.heading


def test_parser_finds_the_24_enumerated_items_of_the_report() -> None:
    expected = report_items()
    assert len(expected) == 24
    found = [(s.number, i.number) for s in parse_sections(REPORT) for i in s.items]
    assert found == expected


def test_misspelled_third_item_of_section_five_is_one_item() -> None:
    section_five = parse_sections(REPORT)[4]
    third = section_five.items[2]
    assert REPORT[third.start : third.end].startswith("三是是严格执行重大行政决策法定程序")
    assert len(section_five.items) == 6


def test_every_enumerated_item_is_covered_by_a_commitment_inside_it(seed: Seed) -> None:
    spans = parse_sections(REPORT)
    uncovered = []
    for section in spans:
        for item in section.items:
            inside = [
                c.code
                for c in seed.document.commitments
                if c.section == section.number
                and c.item == item.number
                and item.start <= seed.excerpt_offsets[c.code][0]
                and seed.excerpt_offsets[c.code][1] <= item.end
            ]
            if not inside:
                uncovered.append((section.number, item.number))
    assert uncovered == []


def test_every_excerpt_is_verbatim_at_its_recorded_offsets(seed: Seed) -> None:
    assert seed.text == REPORT
    for commitment in seed.document.commitments:
        start, end = seed.excerpt_offsets[commitment.code]
        assert REPORT[start:end] == commitment.excerpt, commitment.code


def test_every_excerpt_lies_inside_its_own_section(seed: Seed) -> None:
    spans = {s.number: s for s in parse_sections(REPORT)}
    for commitment in seed.document.commitments:
        start, end = seed.excerpt_offsets[commitment.code]
        span = spans[commitment.section]
        assert span.start <= start and end <= span.end, commitment.code


# --- The report's numbers, modelled as numbers ---


def test_one_legal_adviser_per_village_is_a_done_per_village_commitment(seed: Seed) -> None:
    advisers = [
        c
        for c in seed.document.commitments
        if c.kind is Kind.PER_VILLAGE and "法律顾问" in c.excerpt and "1名" in c.excerpt
    ]
    assert advisers
    assert all(c.status is Status.DONE for c in advisers)
    # 全镇23个村(社区): the village count is the report's, not a guess.
    assert "全镇23个村(社区)" in REPORT
    assert seed.document.villages == 23


@pytest.mark.parametrize("subject", ["讲座", "学习"])
def test_twice_a_year_duties_are_yearly_quotas_with_the_reports_count(
    seed: Seed, subject: str
) -> None:
    quotas = [c for c in seed.document.commitments if c.kind is Kind.QUOTA and subject in c.excerpt]
    assert len(quotas) == 1
    quota = quotas[0]
    assert "每年" in quota.excerpt
    times = re.search(r"(\d+)次", quota.excerpt)
    assert times is not None
    assert quota.target == int(times.group(1)) == 2
    assert quota.frequency is Frequency.YEARLY


def test_screening_routine_is_daily_weekly_and_monthly(seed: Seed) -> None:
    commitments = by_code(seed)
    cadence = {"3.2-D": Frequency.DAILY, "3.2-W": Frequency.WEEKLY, "3.2-M": Frequency.MONTHLY}
    for code, frequency in cadence.items():
        commitment = commitments[code]
        assert commitment.kind is Kind.RECURRING
        assert commitment.frequency is frequency
        assert "日排查、周研判、月分析" in commitment.excerpt


@pytest.mark.parametrize("baseline", [600, 180, 15, 16000, 76, 47, 230, 97.82])
def test_report_figure_is_an_indicator_whose_excerpt_states_it(seed: Seed, baseline: float) -> None:
    figure = f"{baseline:g}"
    assert figure in REPORT
    matching = [
        c for c in seed.document.commitments if c.kind is Kind.INDICATOR and c.baseline == baseline
    ]
    assert len(matching) == 1
    indicator = matching[0]
    # The figure stands as a number of its own in the excerpt (600 is not part of 1600).
    assert re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", indicator.excerpt)
    assert indicator.baseline_text is not None and indicator.baseline_text.startswith(figure)


def test_every_indicator_baseline_occurs_in_its_excerpt(seed: Seed) -> None:
    indicators = [c for c in seed.document.commitments if c.kind is Kind.INDICATOR]
    assert indicators
    for indicator in indicators:
        assert indicator.baseline is not None
        assert f"{indicator.baseline:g}" in indicator.excerpt, indicator.code


# --- Rectification and statuses ---


def test_each_weakness_of_section_six_is_a_rectification_item(seed: Seed) -> None:
    section_six = parse_sections(REPORT)[5]
    items = {c.item for c in seed.document.commitments if c.kind is Kind.RECTIFICATION}
    assert items == {item.number for item in section_six.items}
    assert all(c.section == 6 for c in seed.document.commitments if c.kind is Kind.RECTIFICATION)


def test_rectification_items_link_to_section_seven_measures(seed: Seed) -> None:
    commitments = by_code(seed)
    rectifications = [c for c in seed.document.commitments if c.kind is Kind.RECTIFICATION]
    assert rectifications
    for item in rectifications:
        assert item.addressed_by, item.code
        for code in item.addressed_by:
            assert commitments[code].section == 7, (item.code, code)
    linked = {code for item in rectifications for code in item.addressed_by}
    measures = {c.code for c in seed.document.commitments if c.section == 7}
    assert linked == measures


def test_statuses_are_set_only_with_a_note_quoting_the_report(seed: Seed) -> None:
    with_status = [c for c in seed.document.commitments if c.status is not None]
    assert with_status
    for commitment in with_status:
        assert commitment.status_note, commitment.code
        quotes = QUOTED.findall(commitment.status_note)
        assert any(q in REPORT for q in quotes), commitment.code
    assert all(c.status_note is None for c in seed.document.commitments if c.status is None)


def test_seed_without_a_status_note_for_its_status_is_refused(tmp_path: Path) -> None:
    text = SEED_PATH.read_text(encoding="utf-8")
    note = "    status_note: 报告称“我镇建立了领导班子定期学法制度”。\n"
    assert text.count(note) == 1
    broken = tmp_path / "seed.yaml"
    broken.write_text(text.replace(note, ""), encoding="utf-8")
    shutil.copy(REPORT_PATH, tmp_path / REPORT_PATH.name)
    with pytest.raises(TrackerError) as caught:
        load_seed_file(broken)
    assert caught.value.key == "seed_invalid"
    lines = broken.read_text(encoding="utf-8").splitlines()
    assert lines[caught.value.params["line"] - 1] == '  - code: "5.5c"'
    assert "status_note" in caught.value.params["reason"]


# --- Other numbering styles ---


def item_texts(text: str, section: int = 1) -> list[str]:
    span = parse_sections(text)[section - 1]
    return [text[item.start : item.end] for item in span.items]


def test_parser_accepts_parenthesised_chinese_item_numbers() -> None:
    text = "前言。\n一、工作情况\n（一）健全制度。制定计划。（二）加强培训。\n（三）强化监督。\n"
    assert item_texts(text) == [
        "（一）健全制度。制定计划。",
        "（二）加强培训。",
        "（三）强化监督。",
    ]


def test_parser_accepts_half_width_parentheses() -> None:
    text = "一、工作情况\n(一)健全制度。(二)加强培训。\n"
    assert item_texts(text) == ["(一)健全制度。", "(二)加强培训。"]


def test_parser_accepts_arabic_item_numbers() -> None:
    text = (
        "一、存在问题\n1. 执法水平有待提高。\n2、法治思维尚未形成。\n"
        "二、下一步\n1.以考促学。2.以案说法。"
    )
    assert item_texts(text, 1) == ["1. 执法水平有待提高。", "2、法治思维尚未形成。"]
    assert item_texts(text, 2) == ["1.以考促学。", "2.以案说法。"]


def test_decimal_figures_are_not_taken_for_arabic_items() -> None:
    text = "一、工作情况\n1.开展讲座。2.5倍于去年。2.发放资料。\n"
    assert item_texts(text) == ["1.开展讲座。2.5倍于去年。", "2.发放资料。"]


def test_items_must_count_from_one() -> None:
    text = "一、工作情况\n（三）不是开头。（一）健全制度。（二）加强培训。\n"
    assert item_texts(text) == ["（一）健全制度。", "（二）加强培训。"]


def test_section_headings_must_count_up_from_one() -> None:
    text = "三、引言\n一、第一部分\n一是甲。\n二、第二部分\n一是乙。\n"
    spans = parse_sections(text)
    assert [(s.number, s.heading) for s in spans] == [(1, "第一部分"), (2, "第二部分")]
