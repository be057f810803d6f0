"""`tracker import REPORT`: a draft seed file that seeding accepts, written beside the report
text, with no database touched; and bad input refused in one line with nothing written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_helpers import REPORT, report_text, write_html
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.i18n import CATALOGS
from tracker.importing.draft import PLACEHOLDER_UNIT
from tracker.services.seed_file import load_seed_file

# The 24 enumerated items of the shipped report: (part, ordinal), 4+3+3+4+6+2+2.
ITEMS = {(s, i) for s, n in enumerate([4, 3, 3, 4, 6, 2, 2], 1) for i in range(1, n + 1)}

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "250"}, catch_exceptions=False)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_import_writes_a_draft_that_loads_as_a_seed_and_says_what_it_found(out: Path) -> None:
    result = invoke("import", str(REPORT), "--out", str(out))
    assert result.exit_code == 0, result.output
    seed_path, text_path = out / "baohe-2021.yaml", out / "baohe-2021-report.txt"
    assert sorted(out.iterdir()) == [text_path, seed_path]
    found = ("保和镇", "资阳市雁江区保和镇人民政府", "2021", "2022-03-10", "事项：24")
    for said in (*found, str(seed_path)):
        assert said in result.stdout, said
    seed = load_seed_file(seed_path)  # every excerpt checked inside its item
    document = seed.document
    assert seed.text == text_path.read_text(encoding="utf-8")
    assert document.report.town == "保和镇" and document.report.year == 2021
    assert str(document.report.published) == "2022-03-10" and document.report.plan_year == 2022
    assert document.villages == 23
    assert [s.heading for s in document.sections][0] == "健全决策机制,提升行政水平"
    # Every one of the 24 enumerated items has its drafts (one per duty and figure).
    assert {(c.section, c.item) for c in document.commitments} == ITEMS
    assert f"草稿：{len(document.commitments)}" in result.stdout
    assert document.commitments[0].code == "1.1a"
    assert "优化了依法治镇工作领导小组人员结构" in document.commitments[0].excerpt


def test_the_draft_finds_the_hand_made_seeds_commitments_in_its_own_words(out: Path) -> None:
    """Point 5 of issue 13 on the written file: at least 90% of the 66 hand-made
    commitments have a draft in the same item whose excerpt overlaps theirs."""
    invoke("import", str(REPORT), "--out", str(out))
    draft = load_seed_file(out / "baohe-2021.yaml")
    hand = load_seed_file(REPORT.with_name("baohe-2021.yaml"))
    # The report's words at the same offsets in both (the import tidies only the portal's
    # lines after the report, such as a trailing no-break space).
    for start, end in hand.excerpt_offsets.values():
        assert draft.text[start:end] == hand.text[start:end]

    def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return a[0] < b[1] and b[0] < a[1]

    drafted = [
        (c.section, c.item, draft.excerpt_offsets[c.code]) for c in draft.document.commitments
    ]
    matched = {
        c.code
        for c in hand.document.commitments
        if any(
            (s, i) == (c.section, c.item) and overlaps(span, hand.excerpt_offsets[c.code])
            for s, i, span in drafted
        )
    }
    missed = sorted({c.code for c in hand.document.commitments} - matched)
    assert len(matched) / len(hand.document.commitments) >= 0.9, missed


def test_what_the_text_does_not_say_is_marked_for_the_reviewer(out: Path) -> None:
    invoke("import", str(REPORT), "--out", str(out))
    lines = (out / "baohe-2021.yaml").read_text(encoding="utf-8").splitlines()
    placeholder = [line for line in lines if PLACEHOLDER_UNIT in line and "name:" in line]
    assert len(placeholder) == 1 and "# 待核定：" in placeholder[0]
    assert all("# 待核定：" in line for line in lines if line.strip().startswith("due:"))
    assert any(line.strip().startswith("plan_year:") and "待核定" in line for line in lines)
    # The words a metadatum came from are beside it.
    town = next(line for line in lines if line.strip().startswith("town:"))
    assert "资阳市雁江区保和镇人民政府" in town
    drafts = sum(line.strip().startswith("- code:") for line in lines)
    assert sum(line.startswith("  # 置信度") for line in lines) == drafts > 24


def test_options_override_what_was_found(out: Path) -> None:
    result = invoke(
        "import", str(REPORT), "--out", str(out), "--slug", "bh", "--town", "保和",
        "--issuer", "保和镇政府", "--year", "2020", "--published", "2021-01-05",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = load_seed_file(out / "bh.yaml").document.report
    given = (report.town, report.issuer, report.year, report.plan_year)
    assert given == ("保和", "保和镇政府", 2020, 2021)
    assert str(report.published) == "2021-01-05"
    assert "（按选项）" in result.stdout


def test_a_web_page_imports_as_the_report(tmp_path: Path, out: Path) -> None:
    page = write_html(tmp_path / "baohe.html")
    result = invoke("import", str(page), "--out", str(out))
    assert result.exit_code == 0, result.output
    seed = load_seed_file(out / "baohe.yaml")
    assert {(c.section, c.item) for c in seed.document.commitments} == ITEMS
    assert "【关闭】" not in seed.text


def test_an_existing_file_is_never_replaced(out: Path) -> None:
    (out / "baohe-2021-report.txt").write_text("mine", encoding="utf-8")
    result = invoke("import", str(REPORT), "--out", str(out))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "已存在" in result.stderr
    assert (out / "baohe-2021-report.txt").read_text(encoding="utf-8") == "mine"
    assert not (out / "baohe-2021.yaml").exists()


def test_import_touches_no_database(
    tmp_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "ledger.db"
    monkeypatch.setenv("TRACKER_DB", str(db))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    result = invoke("--db", str(tmp_path / "other.db"), "import", str(REPORT), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert not db.exists() and not (tmp_path / "other.db").exists()
    assert os.environ["TRACKER_DB"] == str(db)
    assert not any(p.suffix in (".db", ".sqlite") for p in tmp_path.rglob("*"))


def _refused(path: Path, out: Path, *, lang: str = "zh") -> str:
    result = invoke("--lang", lang, "import", str(path), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert list(out.iterdir()) == []  # nothing written
    return result.stderr


def test_an_empty_file_is_refused(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n\n")
    assert "是空的" in _refused(path, out)


def test_a_binary_file_is_refused(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(bytes(range(256)) * 8)
    assert "不是文本" in _refused(path, out)


def test_text_in_neither_utf8_nor_gbk_is_refused(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes("法治政府建设年度报告".encode("utf-16-le").replace(b"\x00", b"\x81"))
    said = _refused(path, out)
    assert "UTF-8" in said and "GBK" in said


def test_an_image_only_pdf_is_refused(tmp_path: Path, out: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 100, 100, style="F")  # a scan: marks, no text
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    assert "没有文字层" in _refused(path, out)


def test_a_damaged_word_file_is_refused(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert "Word" in _refused(path, out)


def test_a_news_article_is_refused_as_having_no_parts(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "news.txt"
    path.write_text(
        "保和镇开展法治宣传进村活动\n\n3月5日，保和镇司法所在各村开展法治宣传活动，发放资料600余份。\n",
        encoding="utf-8",
    )
    said = _refused(path, out)
    assert "没有找到“一、二、……”编号的部分" in said


def test_a_government_work_report_is_refused_as_another_genre(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "gzbg.txt"
    path.write_text(
        "某某镇2021年政府工作报告\n\n一、过去一年的工作\n一是经济发展。二是项目建设。\n"
        "二、今年的主要任务\n一是招商引资。二是乡村振兴。\n",
        encoding="utf-8",
    )
    said = _refused(path, out)
    assert "不像法治政府建设年度报告" in said and "2 个部分" in said


def test_parts_without_items_are_refused(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text("某镇2021年法治政府建设年度报告\n一、工作\n做了工作。\n二、打算\n继续努力。\n")
    assert "没有找到“一是、二是”" in _refused(path, out)


def test_a_report_without_a_town_asks_for_the_option(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text("2021年法治政府建设年度报告\n一、工作\n一是学法。二是用法。\n")
    assert "--town" in _refused(path, out)
    given = ("--town", "某镇", "--issuer", "某镇人民政府")
    result = invoke("import", str(path), "--out", str(out), *given)
    assert result.exit_code == 0, result.output
    assert load_seed_file(out / "r.yaml").document.report.town == "某镇"


def test_refusals_are_in_english_too(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "is empty" in _refused(path, out, lang="en")


def test_a_missing_output_folder_is_refused(tmp_path: Path) -> None:
    result = invoke("import", str(REPORT), "--out", str(tmp_path / "nowhere"))
    assert result.exit_code == 1 and "不存在" in result.stderr


def test_every_import_message_is_in_both_catalogs() -> None:
    zh = {k for k in CATALOGS["zh"] if k.startswith("import.")}
    en = {k for k in CATALOGS["en"] if k.startswith("import.")}
    assert zh == en and len(zh) > 30


def test_a_gbk_report_imports_and_its_text_is_saved_as_utf8(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "baohe.txt"
    path.write_bytes(report_text().replace("\xa0", " ").encode("gbk"))
    result = invoke("import", str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "GB18030" in result.stdout
    drafted = load_seed_file(out / "baohe.yaml").document.commitments
    assert {(c.section, c.item) for c in drafted} == ITEMS
    written = yaml.safe_load((out / "baohe.yaml").read_text(encoding="utf-8"))
    assert written["report"]["year"] == 2021


def test_a_report_with_sub_parts_imports_and_loads(tmp_path: Path, out: Path) -> None:
    from test_import_structure import SUBPARTS

    path = tmp_path / "jiedao-2023.txt"
    path.write_text(SUBPARTS, encoding="utf-8")
    result = invoke("import", str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "子部分：3" in result.stdout and "事项：9" in result.stdout
    document = load_seed_file(out / "jiedao-2023.yaml").document
    assert (document.report.town, str(document.report.published)) == ("某某街道", "2024-02-01")
    assert [c.code for c in document.commitments][:5] == ["1.1a", "1.2a", "1.3a", "1.4a", "1.5a"]
    assert document.commitments[4].excerpt == "深化普法宣传"


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--published", "2022-02-30", "--published"),
        ("--year", "1800", "1800"),
        ("--slug", "../elsewhere", "../elsewhere"),
    ],
)
def test_a_bad_option_value_is_refused_before_anything_is_written(
    out: Path, option: str, value: str, said: str
) -> None:
    result = invoke("import", str(REPORT), "--out", str(out), option, value)
    assert result.exit_code == 1, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and said in result.stderr
    assert list(out.iterdir()) == []


def test_paragraphs_indented_with_full_width_spaces_read_as_text(tmp_path: Path, out: Path) -> None:
    """Word and portals indent each paragraph with two \\u3000: text, not binary."""
    from test_import_structure import SUBPARTS

    path = tmp_path / "jiedao-2023.txt"
    path.write_text("\n".join("\u3000\u3000" + line for line in SUBPARTS.split("\n")))
    result = invoke("import", str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert len(load_seed_file(out / "jiedao-2023.yaml").document.commitments) == 9


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(min_size=0, max_size=400),
        st.text(max_size=300).map(lambda text: text.encode("utf-8")),
        st.sampled_from([b"%PDF-1.4 broken", b"PK\x03\x04broken", b"<html><p>\xff</p>"]),
    ),
    suffix=st.sampled_from([".txt", ".html", ".docx", ".pdf", ""]),
)
def test_any_bytes_are_imported_or_refused_in_one_line_never_half_written(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    from tracker.errors import TrackerError
    from tracker.importing.run import Overrides, import_report

    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = folder / f"report{suffix}"
    path.write_bytes(data)
    out = folder / "out"
    out.mkdir()
    try:
        done = import_report(path, out, Overrides(town="某镇", issuer="某镇人民政府", year=2021))
    except TrackerError as exc:
        assert "\n" not in exc.message()
        assert list(out.iterdir()) == []
    else:
        load_seed_file(done.seed_path)


def test_a_damaged_pdf_is_refused_in_one_line_without_the_librarys_warnings(
    tmp_path: Path, out: Path
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 nothing else")
    assert "PDF" in _refused(path, out)


def test_an_old_word_file_is_refused_as_one_to_save_anew(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "report.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    assert "旧版 Word" in _refused(path, out)
