"""The report itself within the page it was saved from: where its body begins and ends."""

from __future__ import annotations

from pathlib import Path

from tracker.services.report_text import (
    parse_sections,
    report_body_bounds,
    report_shown_parts,
)

SEED_REPORT = Path(__file__).resolve().parent.parent / "seed_data" / "baohe-2021-report.txt"
TITLE = "资阳市雁江区保和镇人民政府2021年法治政府建设年度报告"

PLAIN = (
    "某某镇人民政府2022年法治政府建设年度报告\n\n"
    "一、健全机制\n\n一是建立制度。我镇建立了制度。二是定期开会。\n\n"
    "二、存在不足\n\n一是学习不够。\n\n"
    "某某镇人民政府\n2023年3月1日\n"
)


def test_the_seed_reports_body_runs_from_its_title_to_its_last_paragraph() -> None:
    text = SEED_REPORT.read_text(encoding="utf-8")
    start, end = report_body_bounds(text)
    assert text[start:].startswith(TITLE + "\n")
    assert text[:end].endswith("促进我镇法治政府建设再上新台阶。")
    before, after = text[:start], text[end:]
    assert "您现在的位置" in before and "官方微信" in before
    assert "网站地图" in after and "蜀ICP备" in after and "川公网安备" in after
    # The stored title finds the same line.
    assert report_body_bounds(text, TITLE) == (start, end)


def test_every_section_of_the_seed_report_lies_in_the_shown_parts() -> None:
    text = SEED_REPORT.read_text(encoding="utf-8")
    parts = report_shown_parts(text, TITLE)
    shown = "".join(text[a:b] for a, b in parts)
    assert "【打印本稿】" not in shown and "【关闭】" not in shown
    assert "2022-03-10 来源:雁江区保和镇人民政府" in shown  # the byline dates the report
    for section in parse_sections(text):
        assert any(a <= section.start and section.end <= b for a, b in parts)


def test_a_report_without_the_portals_page_is_shown_whole_to_its_signature_date() -> None:
    assert report_body_bounds(PLAIN) == (0, PLAIN.rindex("日") + 1)
    assert report_shown_parts(PLAIN) == ((0, PLAIN.rindex("日") + 1),)


def test_the_body_ends_at_the_signature_date_before_a_footer() -> None:
    text = "首页 > 政务公开 > 工作报告\n" + PLAIN + "扫一扫在手机打开当前页\n主办：某某县人民政府\n"
    start, end = report_body_bounds(text)
    assert text[start:end] == PLAIN.strip()


def test_a_paragraph_that_begins_with_a_bracketed_heading_is_kept() -> None:
    text = PLAIN.replace("一是学习不够。", "【典型案例】某村调解成功。\n一是学习不够。")
    shown = "".join(text[a:b] for a, b in report_shown_parts(text))
    assert "【典型案例】某村调解成功。" in shown


def test_a_text_with_no_title_line_starts_at_its_beginning() -> None:
    text = "一、健全机制\n\n一是建立制度。\n"
    assert report_body_bounds(text) == (0, len(text.rstrip()))
