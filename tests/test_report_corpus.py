"""The corpus of real township reports under tests/data/reports is consistent with its expectations.

Each `<slug>.txt` is a public 法治政府建设 report (or its opening) kept verbatim, and each
`<slug>.expected.yaml` is a hand-made reading of it (parts, sub-parts, enumerated items,
figures, units). Before the importer is scored against these files, the files themselves
must hold together: every verbatim snippet is in the text, in the part it is said to be in,
ordinals count up, and no number in the text was forgotten. See tests/data/reports/README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPORTS = Path(__file__).parent / "data" / "reports"
SLUGS = sorted(p.name.removesuffix(".expected.yaml") for p in REPORTS.glob("*.expected.yaml"))
NUMERALS = "一二三四五六七八九十"
PROVINCES = {
    "北京", "天津", "上海", "重庆", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏",
    "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
}  # fmt: skip
# A sub-part marker as the stored copies write it: （一） or, after width folding, (一).
SUB_MARK = re.compile(r"^[（(]([一二三四五六七八九十]+)[)）]")
# How each enumeration style writes ordinal n, and how to find its markers in a span:
# 一是 anywhere after a sentence end or line start; 1. (or 1、) only at a line start.
STYLE_MARK = {"一是": lambda n: NUMERALS[n - 1] + "是", "1.": lambda n: f"{n}."}
STYLE_FIND = {
    "一是": re.compile(r"(?:^|[。;；\s])([一二三四五六七八九十]是)"),
    "1.": re.compile(r"(?m)^\s*(\d+)[.．、]"),
}


@dataclass(frozen=True)
class Report:
    slug: str
    text: str
    expected: dict[str, Any]


def _load(slug: str) -> Report:
    raw = (REPORTS / f"{slug}.txt").read_bytes()
    expected = yaml.safe_load((REPORTS / f"{slug}.expected.yaml").read_text(encoding="utf-8"))
    return Report(slug, raw.decode("utf-8"), expected)


@pytest.fixture(params=SLUGS)
def report(request: pytest.FixtureRequest) -> Report:
    return _load(request.param)


def _line_start(text: str, snippet: str) -> int:
    """Offset of the line that begins (after indentation) with snippet; fails if none."""
    for match in re.finditer(re.escape(snippet), text):
        line_head = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        if line_head.strip() == "":
            return match.start()
    raise AssertionError(f"no line starts with {snippet!r}")


def _spans(report: Report) -> dict[tuple[int, int | None], tuple[int, int]]:
    """Text span of each part (key (n, None)) and sub-part (key (n, m))."""
    starts: list[tuple[int, tuple[int, int | None]]] = []
    for part in report.expected["parts"]:
        starts.append((_line_start(report.text, part["heading"]), (part["number"], None)))
        for sub in part["sub_parts"]:
            offset = _line_start(report.text, sub["heading"])
            starts.append((offset, (part["number"], sub["number"])))
    starts.sort()
    spans: dict[tuple[int, int | None], tuple[int, int]] = {}
    for i, (start, key) in enumerate(starts):
        # A part runs to the next part; a sub-part to the next part or sub-part.
        later = [s for s, k in starts[i + 1 :] if k[1] is None or key[1] is not None]
        spans[key] = (start, later[0] if later else len(report.text))
    return spans


def test_the_corpus_has_at_least_five_reports_from_different_provinces_and_years() -> None:
    reports = [_load(slug) for slug in SLUGS]
    assert len({r.expected["province"] for r in reports}) >= 5
    assert len({r.expected["year"] for r in reports}) >= 5
    towns = {r.expected["town"] for r in reports}
    assert len({r.expected["province"] for r in reports}) == len(towns), "one town per province"


def test_a_same_town_pair_names_the_same_town_in_other_years(report: Report) -> None:
    for other_slug in report.expected.get("same_town_as") or []:
        other = _load(other_slug)
        assert other.expected["town"] == report.expected["town"]
        assert other.expected["county"].split("(")[0] in report.expected["county"] or (
            report.expected["county"].split("(")[0] in other.expected["county"]
        )
        assert other.expected["year"] != report.expected["year"]
        assert report.slug in (other.expected.get("same_town_as") or [])


def test_every_expected_file_has_its_text_and_every_text_its_expected_file() -> None:
    texts = {p.stem for p in REPORTS.glob("*.txt")}
    assert texts == set(SLUGS)


def test_text_is_plain_utf8_without_bom_or_carriage_returns(report: Report) -> None:
    raw = (REPORTS / f"{report.slug}.txt").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    assert report.text.strip(), "empty report text"


def test_source_metadata_names_a_public_address_and_the_report(report: Report) -> None:
    exp = report.expected
    assert re.match(r"https?://[^\s/]+\.[a-z]{2,}/\S+$", exp["source"]["url"])
    assert exp["source"]["fetched"]
    assert exp["province"] in PROVINCES
    assert 2019 <= exp["year"] <= 2025
    assert exp["town"] in report.text
    assert report.slug.endswith(f"-{exp['year']}")
    title = "".join(line for line in report.text.splitlines()[:4])
    assert "报告" in title and str(exp["year"]) in title, "title must name the report and year"


def test_an_incomplete_text_says_so_and_stops_at_a_sentence_end(report: Report) -> None:
    exp = report.expected
    if exp["complete"]:
        return
    assert exp["extent"], "an opening-only text must say what it holds"
    assert report.text.rstrip().endswith("。")


def test_parts_and_sub_parts_are_numbered_in_order_at_line_starts(report: Report) -> None:
    parts = report.expected["parts"]
    assert [p["number"] for p in parts] == list(range(1, len(parts) + 1))
    offsets = []
    for part in parts:
        assert part["heading"].startswith(NUMERALS[part["number"] - 1] + "、")
        offsets.append(_line_start(report.text, part["heading"]))
        subs = part["sub_parts"]
        assert [s["number"] for s in subs] == list(range(1, len(subs) + 1))
        for sub in subs:
            mark = SUB_MARK.match(sub["heading"])
            assert mark and mark.group(1) == NUMERALS[sub["number"] - 1], sub["heading"]
            offsets.append(_line_start(report.text, sub["heading"]))
    assert offsets == sorted(offsets), "headings out of text order"


def test_items_count_up_from_one_inside_the_part_they_are_given(report: Report) -> None:
    spans = _spans(report)
    items = report.expected["items"]
    groups: dict[tuple[int, int | None, str], list[int]] = {}
    for item in items:
        key = (item["part"], item.get("sub_part"), item["style"])
        groups.setdefault(key, []).append(item["ordinal"])
        assert item["starts"].startswith(STYLE_MARK[item["style"]](item["ordinal"])), item
        begin, end = spans[(item["part"], item.get("sub_part"))]
        assert item["starts"] in report.text[begin:end], item["starts"]
    for key, ordinals in groups.items():
        assert ordinals == list(range(1, len(ordinals) + 1)), key


def test_no_enumerated_item_of_the_text_is_missing_from_the_list(report: Report) -> None:
    listed = {
        (item["style"], item["ordinal"], item["part"], item.get("sub_part"))
        for item in report.expected["items"]
    }
    spans = _spans(report)
    found = set()
    for (part, sub), (begin, end) in spans.items():
        if sub is None and any(k[0] == part and k[1] is not None for k in spans):
            continue  # items belong to the sub-part that holds them
        for style, finder in STYLE_FIND.items():
            for match in finder.finditer(report.text[begin:end]):
                marker = match.group(1)
                ordinal = int(marker) if marker.isdigit() else NUMERALS.index(marker[0]) + 1
                found.add((style, ordinal, part, sub))
    assert found == listed


def test_figures_are_verbatim_and_in_their_part(report: Report) -> None:
    spans = _spans(report)
    for fig in report.expected["figures"]:
        assert fig["written"] in fig["context"], fig
        assert fig["measure"] in fig["written"], fig
        if fig["qualifier"]:
            assert fig["qualifier"] in fig["written"], fig
        digits = re.search(r"\d+(?:\.\d+)?", fig["written"])
        if digits:
            assert float(digits.group()) == fig["value"], fig
        begin, end = spans[(fig["part"], fig.get("sub_part"))]
        assert fig["context"] in report.text[begin:end], fig["context"]


def test_every_number_in_the_text_is_a_year_or_accounted_for(report: Report) -> None:
    exp = report.expected
    # An item's own marker (1. 2.) is a number too, and accounted for by the item list.
    snippets = [f["context"] for f in exp["figures"]] + list(exp.get("not_figures") or [])
    snippets += [item["starts"] for item in exp["items"]]
    covered: list[tuple[int, int]] = []
    for snippet in snippets:
        hits = [(m.start(), m.end()) for m in re.finditer(re.escape(snippet), report.text)]
        assert hits, f"snippet not in text: {snippet!r}"
        covered += hits
    for match in re.finditer(r"\d+(?:\.\d+)?", report.text):
        if re.fullmatch(r"(19|20)\d\d", match.group()):
            continue  # a year: 2022年, 2021—2025
        assert any(a <= match.start() and match.end() <= b for a, b in covered), (
            f"number {match.group()!r} at {match.start()} is neither a figure nor a not_figure"
        )


def test_units_leaders_and_cadences_are_named_in_the_text(report: Report) -> None:
    exp = report.expected
    for name in list(exp["units"]) + list(exp.get("leaders") or []):
        assert name in report.text, name
    for cadence in exp.get("cadences") or []:
        assert cadence["words"] in cadence["context"] and cadence["context"] in report.text, cadence
