"""`tracker draft-report` from the command line: formats, the clean copy, refusals, and the
round trip: the published draft read back by `tracker import` into next year's ledger."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from annual_year import log_year
from docx import Document
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.i18n import zh
from tracker.models import Commitment, Report
from tracker.schedule import WorkCalendar

runner = CliRunner()
ADMIN = "王科员"
TITLE = "资阳市雁江区保和镇人民政府2022年法治政府建设年度报告"


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "250"}, catch_exceptions=False)


def one_line_error(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def logged(db_url: str, engine: Engine, calendar: WorkCalendar, tmp_path: Path) -> str:
    log_year(engine, calendar, tmp_path)
    return db_url


def test_the_draft_prints_with_its_codes_and_the_clean_copy_without(logged: str) -> None:
    marked = invoke("--db", logged, "draft-report", "--year", "2022")
    assert marked.exit_code == 0, marked.output
    assert marked.stdout.startswith(TITLE + "\n")
    assert (
        "完成年度目标2次（5月10日宪法专题讲座、11月8日民法典专题讲座）。〔5.5a〕" in marked.stdout
    )
    plain = invoke("--db", logged, "draft-report", "--year", "2022", "--plain")
    assert plain.exit_code == 0, plain.output
    assert "〔" not in plain.stdout and "草稿：" not in plain.stdout
    assert "完成年度目标2次（5月10日宪法专题讲座、11月8日民法典专题讲座）。二是" in plain.stdout
    # The officer's gaps stay in the clean copy: they must be written before it is final.
    assert "【请概述2022年本镇法治政府建设的总体情况】" in plain.stdout


def test_the_word_draft_carries_the_codes_as_comments(logged: str, tmp_path: Path) -> None:
    out = tmp_path / "2022年度报告.docx"
    result = invoke(
        "--db", logged, "draft-report", "--year", "2022", "--format", "docx", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout
    doc = Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0].replace("\n", "") == TITLE  # broken after the issuer, as Word sets it
    comments = [c.text for c in doc.comments]
    assert any("5.5a" in text for text in comments)
    clean = tmp_path / "clean.docx"
    result = invoke(
        "--db", logged, "draft-report", "--year", "2022", "--format", "docx", "--plain",
        "--out", str(clean),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert list(Document(str(clean)).comments) == []


def test_one_unit_and_english(logged: str) -> None:
    party = invoke("--db", logged, "draft-report", "--year", "2022", "--unit", "镇党委")
    assert party.exit_code == 0, party.output
    assert "〔5.5a〕" in party.stdout and "〔3.2-D〕" not in party.stdout
    english = invoke("--db", logged, "--lang", "en", "draft-report", "--year", "2022")
    assert english.exit_code == 0, english.output
    assert "1. Main measures and results" in english.stdout
    # English sentences are spaced apart; Chinese ones run on after their 。.
    assert ".〔5.5a〕 (2) " in english.stdout
    assert "。〔5.5a〕二是" in party.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2020"], zh.MESSAGES["annual.no_report"].format(town="保和镇", year=2020)),
        (
            ["--year", "2022", "--unit", "无此单位"],
            zh.MESSAGES["unit_unknown"].format(unit="无此单位"),
        ),
        (["--format", "docx"], zh.MESSAGES["print_needs_out"].format(format="docx")),
    ],
)
def test_what_cannot_be_drafted_is_said_in_one_line(
    shared_db_url: str, args: list[str], message: str
) -> None:
    assert one_line_error(invoke("--db", shared_db_url, "draft-report", *args)) == message


def test_a_year_not_begun_on_the_day_viewed_and_bad_usage(
    shared_db_url: str, tmp_path: Path
) -> None:
    early = invoke("--db", shared_db_url, "--as-of", "2021-06-01", "draft-report", "--year", "2022")
    assert one_line_error(early) == zh.MESSAGES["annual.year_not_begun"].format(
        year=2022, day="2021-06-01"
    )
    assert invoke("--db", shared_db_url, "draft-report", "--year", "二〇二二").exit_code == 2
    assert invoke("--db", shared_db_url, "draft-report", "--format", "pdf").exit_code == 2
    missing = tmp_path / "没有的文件夹" / "d.txt"
    result = invoke("--db", shared_db_url, "draft-report", "--out", str(missing))
    assert str(missing.parent) in one_line_error(result)


# --- the round trip -------------------------------------------------------------------------

LINK = re.compile(r'^    (continues|closes): "baohe-2021/([^"]+)"', re.MULTILINE)


def test_the_published_draft_is_read_back_into_next_years_ledger(
    logged: str, engine: Engine, tmp_path: Path
) -> None:
    """The clean copy, its gaps written by the officer, imported against the same ledger:
    the town, year and parts are read, the duties it says go on are linked to the 2021
    commitments rather than made anew, next year's arrangements become plan items, and
    applying it keeps the audit chain whole."""
    published = tmp_path / "保和镇2022年法治政府建设年度报告.txt"
    result = invoke(
        "--db", logged, "draft-report", "--year", "2022", "--plain", "--out", str(published)
    )
    assert result.exit_code == 0, result.output
    text = published.read_text(encoding="utf-8")
    # What the officer does before publishing: every bracketed gap written or deleted.
    text = re.sub(r"【[^】]*】", "", text).replace(
        "　　现将", "　　2022年，我镇扎实推进法治政府建设。现将"
    )
    published.write_text(text, encoding="utf-8")
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    imported = invoke(
        "--db", logged, "import", str(published), "--out", str(drafts), "--slug", "baohe-2022"
    )
    assert imported.exit_code == 0, imported.output
    for said in ("保和镇", "2022", TITLE, "部分：5"):
        assert said in imported.stdout, imported.stdout
    draft = drafts / "baohe-2022.yaml"
    seed = draft.read_text(encoding="utf-8")
    links: dict[str, set[str]] = {"continues": set(), "closes": set()}
    for field, code in LINK.findall(seed):
        links[field].add(code)
    # The figures and the duties said again go on in the 2021 commitments.
    assert {"2.1-N1", "3.2-N3", "3.2-D", "3.2-W", "3.2-M", "5.5a", "5.5b"} <= links["continues"]
    # Part 四's arrangements are plan items of 2023, each titled by its lead; one that
    # carries over an item still open goes on in it rather than beside it.
    assert re.search(r'title: "人员执法水平有待提高".*\n(?:.*\n){0,12}?    due: 2023-12-31', seed)
    assert {"1.4c", "6.1", "7.1b"} <= links["continues"]
    accepted = seed.replace("review: undecided", "review: accepted")
    # The reviewer names the unit the report did not: here the leading group.
    accepted = re.sub(r'"待核定单位".*', '"依法治镇工作领导小组"', accepted)
    draft.write_text(accepted, encoding="utf-8")
    applied = invoke("--db", logged, "--user", ADMIN, "import", "--apply", str(draft))
    assert applied.exit_code == 0, applied.output
    with Session(engine) as session:
        report = session.exec(select(Report).where(Report.slug == "baohe-2022")).one()
        assert (report.town, report.year) == ("保和镇", 2022)
        titles = set(
            session.exec(select(Commitment.title).where(Commitment.report_id == report.id)).all()
        )
    # Went on in 3.2-D and 1.4c, not made anew.
    assert not titles & {"坚持每日开展矛盾纠纷日排查", "推开执法过程全记录"}
    verified = invoke("--db", logged, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    # The next year's draft spans the town's two reports, each code named with its report.
    following = invoke("--db", logged, "draft-report", "--year", "2023")
    assert following.exit_code == 0, following.output
    assert "坚持每日开展矛盾纠纷日排查。〔baohe-2021/3.2-D〕" in following.stdout
    assert "〔baohe-2022/" in following.stdout
    assert "原因：2022年报告" not in following.stdout  # the link's note is no reason
