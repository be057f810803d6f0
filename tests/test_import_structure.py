"""tracker.importing: the shipped report's parts, items and metadata, read from every kind
of file an officer may have downloaded it as."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from import_helpers import REPORT, SEED, report_text, write_docx, write_html, write_pdf

from tracker.errors import TrackerError
from tracker.importing.reading import read_report
from tracker.importing.structure import Outline, outline
from tracker.services.report_text import parse_sections

CN = "一二三四五六七八九十"


def seed_items() -> dict[int, set[int]]:
    """The hand-made seed's enumerated items: section -> its item numbers."""
    document = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    items: dict[int, set[int]] = {}
    for commitment in document["commitments"]:
        items.setdefault(commitment["section"], set()).add(commitment["item"])
    return items


def seed_excerpts() -> list[tuple[int, int, str]]:
    document = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return [(c["section"], c["item"], c["excerpt"]) for c in document["commitments"]]


def signature(text: str, found: Outline) -> list[tuple[str, list[str]]]:
    """Each part's heading and its items' text, blanks aside: what must not depend on the
    kind of file the report came in."""
    return [
        (section.heading, ["".join(text[i.start : i.end].split()) for i in section.items])
        for section in found.sections
    ]


def test_all_24_items_of_the_shipped_report_are_found_in_their_part_with_their_ordinal() -> None:
    text = read_report(REPORT).text
    found = outline(text)
    expected = seed_items()
    assert sum(len(items) for items in expected.values()) == 24
    assert [len(s.items) for s in found.sections] == [len(expected[n]) for n in range(1, 8)]
    assert found.item_count == 24
    for section in found.sections:
        assert {item.number for item in section.items} == expected[section.number]
        for item in section.items:  # 一是, 二是 … in the order the report counts them
            assert text[item.start : item.end].startswith(f"{CN[item.number - 1]}是")
    # Every hand-picked excerpt lies inside the item the hand-made seed puts it in.
    for section_number, item_number, excerpt in seed_excerpts():
        item = found.sections[section_number - 1].items[item_number - 1]
        assert text.find(excerpt, item.start, item.end) != -1, excerpt


def test_the_shipped_reports_town_issuer_year_and_date_are_found() -> None:
    found = outline(read_report(REPORT).text)
    assert found.title == "资阳市雁江区保和镇人民政府2021年法治政府建设年度报告"
    assert found.town is not None and found.town.value == "保和镇"
    assert found.issuer is not None and found.issuer.value == "资阳市雁江区保和镇人民政府"
    assert found.year is not None and found.year.value == 2021
    assert found.published is not None and str(found.published.value) == "2022-03-10"
    assert found.genre


def _same_as_the_text(path: Path, source: str) -> None:
    plain = read_report(REPORT)
    read = read_report(path)
    assert read.source == source
    found, expected = outline(read.text), outline(plain.text)
    assert signature(read.text, found) == signature(plain.text, expected)
    for fact in ("town", "issuer", "year", "published"):
        assert getattr(found, fact).value == getattr(expected, fact).value, fact


def test_the_report_saved_as_gbk_text_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    # GBK has no no-break space (the page's &nbsp; saved in the UTF-8 text): a space, as a
    # GBK page would have it.
    path.write_bytes(report_text().replace("\xa0", " ").encode("gbk"))
    assert read_report(path).encoding == "GB18030"
    _same_as_the_text(path, "text")


def test_utf8_with_a_byte_order_mark_reads_the_same(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(b"\xef\xbb\xbf" + report_text().encode("utf-8"))
    read = read_report(path)
    assert read.encoding == "UTF-8" and not read.text.startswith("\ufeff")
    _same_as_the_text(path, "text")


def test_the_report_saved_as_a_web_page_reads_the_same_without_the_portal(
    tmp_path: Path,
) -> None:
    path = write_html(tmp_path / "report.html")
    text = read_report(path).text
    furnitures = ("【打印本稿】", "【关闭】", "ICP备", "公网安备", "网站地图", "您现在的位置")
    for furniture in (*furnitures, "var nav"):
        assert furniture not in text, furniture
    assert text.startswith("资阳市雁江区保和镇人民政府2021年法治政府建设年度报告\n")
    assert text.rstrip().endswith("促进我镇法治政府建设再上新台阶。")
    _same_as_the_text(path, "html")


def test_the_report_as_a_word_file_reads_the_same(tmp_path: Path) -> None:
    _same_as_the_text(write_docx(tmp_path / "report.docx"), "docx")


def test_a_word_files_tables_are_read_in_their_place(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("前言")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "普法活动"
    table.cell(0, 1).text = "180余次"
    document.add_paragraph("结尾")
    path = tmp_path / "t.docx"
    document.save(str(path))
    assert read_report(path).text == "前言\n普法活动\t180余次\n结尾\n"


def _cjk_font() -> Path | None:
    from tracker.printouts.pdf import find_font

    try:
        return find_font()
    except TrackerError:
        return None


@pytest.mark.skipif(_cjk_font() is None, reason="no Chinese font (CI installs fonts-wqy-microhei)")
def test_the_report_as_a_pdf_with_a_text_layer_reads_the_same(tmp_path: Path) -> None:
    font = _cjk_font()
    assert font is not None
    _same_as_the_text(write_pdf(tmp_path / "report.pdf", font), "pdf")


SUBPARTS = """某某街道办事处2023年度法治政府建设工作报告

一、主要工作
（一）加强组织领导
一是成立领导小组。二是召开专题会议。
（二）推进依法决策
第一，完善重大决策目录。第二，开展合法性审查。
（三）深化普法宣传
全年开展普法活动30场次。
二、存在的问题
（一）学法不够深入。
（二）执法不够规范。
三、2024年工作计划
1.每季度至少开展学法1次。
2.开展执法人员培训。

某某街道办事处
2024年2月1日
"""


def test_sub_parts_and_each_numbering_style_are_found() -> None:
    found = outline(SUBPARTS)
    texts = [[SUBPARTS[i.start : i.end] for i in s.items] for s in found.sections]
    assert texts[0] == [
        "一是成立领导小组。",
        "二是召开专题会议。",
        "第一，完善重大决策目录。",
        "第二，开展合法性审查。",
        "（三）深化普法宣传\n全年开展普法活动30场次。",
    ]
    assert [(p.number, p.heading, len(p.items)) for p in found.sections[0].subparts] == [
        (1, "加强组织领导", 2),
        (2, "推进依法决策", 2),
        (3, "深化普法宣传", 1),
    ]
    # Without enumerations inside, （一）（二） are the part's items themselves.
    assert texts[1] == ["（一）学法不够深入。", "（二）执法不够规范。"]
    assert found.sections[1].subparts == ()
    assert texts[2] == ["1.每季度至少开展学法1次。", "2.开展执法人员培训。"]


def test_a_street_offices_report_signed_with_a_date_names_its_street_and_date() -> None:
    found = outline(SUBPARTS)
    assert found.issuer is not None and found.issuer.value == "某某街道办事处"
    assert found.town is not None and found.town.value == "某某街道"
    assert found.year is not None and found.year.value == 2023
    assert found.published is not None and str(found.published.value) == "2024-02-01"


def test_a_responsibility_named_first_is_not_an_item() -> None:
    """第一责任人 is not 第一、: the ordinal must be followed by a pause."""
    text = "一、职责\n推进法治建设第一责任人职责。第二批次。\n"
    assert parse_sections(text)[0].items == ()


def test_a_pdfs_lines_are_joined_into_paragraphs_across_pages() -> None:
    from tracker.importing.reading import _paragraphs

    lines = (
        "一、主要工作\n一是完善制度建设并严格执行\n到位。二是开展培训。\n— 2 —\n"
        "二、存在不足\n一是不够。"
    )
    assert _paragraphs(lines) == (
        "一、主要工作\n一是完善制度建设并严格执行到位。二是开展培训。\n二、存在不足\n一是不够。"
    )


TWO_LINE_TITLE = """城东街道办事处
关于2022年度法治政府建设情况的报告

一、2022年度推进法治政府建设的主要举措和成效
（一）坚持党的领导。全年召开专题会议5次。
（二）健全依法决策机制。

城东街道办事处
二〇二三年一月二十日
"""


def test_a_two_line_title_and_a_date_in_chinese_numerals_are_read() -> None:
    found = outline(TWO_LINE_TITLE)
    assert found.title == "城东街道办事处关于2022年度法治政府建设情况的报告"
    assert found.issuer is not None and found.issuer.value == "城东街道办事处"
    assert found.town is not None and found.town.value == "城东街道"
    assert found.year is not None and found.year.value == 2022
    assert found.published is not None and str(found.published.value) == "2023-01-20"


def test_a_long_title_broken_after_the_issuer_and_a_last_part_without_items_are_read() -> None:
    """A title set on two lines, the issuer on the first (as Word breaks it), and a last
    part that is one paragraph with no 一是: the signature's date is still found."""
    found = outline(
        "资阳市雁江区保和镇人民政府\n2022年法治政府建设年度报告\n\n一、主要举措和成效\n"
        "一是开展讲座。二是编印资料。\n五、其他需要报告的情况\n　　无。\n\n"
        "资阳市雁江区保和镇人民政府\n2023年1月10日\n"
    )
    assert found.title == "资阳市雁江区保和镇人民政府2022年法治政府建设年度报告"
    assert found.town is not None and found.town.value == "保和镇"
    assert found.published is not None and str(found.published.value) == "2023-01-10"


def test_a_part_on_what_was_done_is_not_a_plan_for_naming_its_measures() -> None:
    from tracker.importing.rules import Role, section_role

    assert section_role("2022年度推进法治政府建设的主要举措和成效") is Role.ACHIEVED
    assert section_role("2023年推进法治政府建设的主要安排") is Role.PLAN
    assert section_role("存在的不足和原因") is Role.SHORTCOMING


def test_a_title_that_opens_with_the_town_names_it() -> None:
    """三都镇2025年法治政府建设年度报告, with no 人民政府 anywhere: the town is read from the
    title; the issuer is not invented from it (the command asks for --issuer)."""
    for title, town in (
        ("三都镇2025年法治政府建设年度报告", "三都镇"),
        ("东湖街道2024年度法治政府建设情况报告", "东湖街道"),
        ("可大乡关于2023年法治政府建设情况的报告", "可大乡"),
    ):
        found = outline(f"{title}\n一、工作情况\n一是学法。二是用法。\n")
        assert found.town is not None and found.town.value == town, title
        assert found.issuer is None


def test_a_report_without_a_title_names_its_town_and_year_in_its_opening_sentence() -> None:
    """A report addressed to 市委、市政府 with no title line (下蜀镇 2025, as its portal shows
    it): the town is the subject of the opening sentence; 我镇 and 全镇 name none."""
    for opening, town in (
        ("2025年,下蜀镇坚持以习近平新时代中国特色社会主义思想为指导", "下蜀镇"),
        ("2022年，城东街道深入学习贯彻习近平法治思想", "城东街道"),
        ("2021年,我镇认真按照市、区法治政府建设相关工作部署", None),
        ("2021年，全镇上下深入推进依法行政", None),
    ):
        found = outline(f"市委、市政府:\n{opening}。\n一、工作情况\n一是学法。二是用法。\n")
        assert (found.town.value if found.town else None) == town, opening
        # …and the year it narrates, as its opening says it.
        assert found.year is not None and found.year.value == int(opening[:4])
