"""`tracker report` from the command line: formats, files, refusals and languages."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.db import make_engine
from tracker.i18n import en, zh
from tracker.printouts.assembly import Scope, ledger_data
from tracker.schedule import WorkCalendar
from tracker.services.deadlines import Deadlines
from tracker.services.overdue import overdue_by_unit

AS_OF = "2026-11-26"
runner = CliRunner()
NOW = datetime(2026, 11, 26, 10, 0)


def invoke(db: str, *args: str) -> Result:
    return runner.invoke(
        app,
        ["--db", db, "--user", "测试员", "--as-of", AS_OF, *args],
        env={"COLUMNS": "250"},
        catch_exceptions=False,
    )


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    return lines[0]


def test_binary_format_without_out_is_refused(shared_db_url: str) -> None:
    result = invoke(shared_db_url, "report", "--format", "xlsx")
    assert one_line_error(result) == zh.MESSAGES["print_needs_out"].format(format="xlsx")
    assert result.stdout == ""


def test_out_in_a_missing_folder_is_refused(shared_db_url: str, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "ledger.html"
    result = invoke(shared_db_url, "report", "--format", "html", "--out", str(target))
    assert str(target.parent) in one_line_error(result)
    assert not target.parent.exists()


def test_unknown_kind_or_format_is_a_usage_error(shared_db_url: str) -> None:
    assert invoke(shared_db_url, "report", "--kind", "memo").exit_code == 2
    assert invoke(shared_db_url, "report", "--format", "pdf2").exit_code == 2


def test_out_writes_the_html_file(
    shared_db_url: str, tmp_path: Path, calendar: WorkCalendar
) -> None:
    target = tmp_path / "ledger.html"
    result = invoke(
        shared_db_url, "report", "--kind", "ledger", "--format", "html", "--out", str(target)
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        zh.MESSAGES["print.written"].format(path=str(target))
    ]
    html = target.read_text(encoding="utf-8")
    assert f"<h1>{zh.MESSAGES['print.title.ledger']}</h1>" in html
    engine = make_engine(shared_db_url)
    try:
        with Session(engine) as session:
            deadlines = Deadlines(as_of=date.fromisoformat(AS_OF), calendar=calendar)
            data = ledger_data(
                session=session, scope=Scope(), deadlines=deadlines, user="测试员", now=NOW
            )
    finally:
        engine.dispose()
    body = html.split('<table class="ledger">', 1)[1].split("</table>", 1)[0]
    assert body.count("<tr") == len(data.rows) + 1  # and the header row


def test_notice_for_one_unit_on_the_terminal(shared_db_url: str, calendar: WorkCalendar) -> None:
    unit = "镇党委"
    result = invoke(shared_db_url, "report", "--kind", "notice", "--unit", unit)
    assert result.exit_code == 0, result.stderr
    engine = make_engine(shared_db_url)
    try:
        with Session(engine) as session:
            deadlines = Deadlines(as_of=date.fromisoformat(AS_OF), calendar=calendar)
            late = overdue_by_unit(session=session, deadlines=deadlines, unit=unit)
    finally:
        engine.dispose()
    rows = [line for line in result.stdout.splitlines() if re.match(r"^\d+  ", line)]
    assert [re.split(r"\s{2,}", row)[1] for row in rows] == [e.code for e in late[0].entries]
    assert zh.MESSAGES["print.notice.to"].format(unit=unit) in result.stdout


def test_summary_is_the_default_and_english_is_offered(shared_db_url: str) -> None:
    chinese = invoke(shared_db_url, "report")
    assert chinese.exit_code == 0, chinese.stderr
    assert zh.MESSAGES["print.title.summary"] in chinese.stdout
    for kind in ("summary", "ledger", "notice"):
        english = invoke(shared_db_url, "--lang", "en", "report", "--kind", kind, "--format", "md")
        assert english.exit_code == 0, english.stderr
        assert f"# {en.MESSAGES[f'print.title.{kind}']}" in english.stdout


def test_pdf_needs_an_out_file_like_the_other_binary_formats(db_url: str) -> None:
    result = runner.invoke(app, ["--db", db_url, "report", "--format", "pdf"])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
