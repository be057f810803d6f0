"""`tracker list --format csv|xlsx`: lists an officer opens in Excel, in the interface language.

The CSV is read back with the csv module (utf-8-sig, as Excel reads a file with a BOM) and
the workbook with openpyxl, in Chinese and in English, against the JSON rows of the same
list (the JSON stays English keys and raw values: it is the machine's format).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.i18n import CATALOGS

AS_OF = "2026-11-26"
USER = "测试员"
runner = CliRunner()


def invoke(db: str, *args: str, lang: str = "zh") -> Result:
    return runner.invoke(
        app,
        ["--db", db, "--user", USER, "--as-of", AS_OF, "--lang", lang, *args],
        env={"COLUMNS": "250"},
        catch_exceptions=False,
    )


def msg(lang: str, key: str, **params: Any) -> str:
    return CATALOGS[lang][key].format(**params)


def json_rows(db: str, *args: str) -> list[dict[str, Any]]:
    result = invoke(db, "list", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def expected_cells(row: dict[str, Any], lang: str) -> dict[str, str]:
    """What the CSV must say of a JSON row, in the catalogs' words."""
    return {
        msg(lang, "col.code"): row["code"],
        msg(lang, "col.status"): msg(lang, f"status.{row['status']}"),
        msg(lang, "col.light"): msg(lang, f"light.{row['light']}"),
        msg(lang, "col.due"): row["due"] or "",
        msg(lang, "col.section"): str(row["section"]),
        msg(lang, "col.kind"): msg(lang, f"kind.{row['kind']}"),
        msg(lang, "export.days_overdue"): str(row["days_overdue"]),
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_is_utf8_with_bom_and_speaks_the_interface_language(
    shared_db_url: str, lang: str
) -> None:
    """Excel shows a double-clicked CSV right only with the BOM; headers and values (状态
    已完成, 亮灯 红) are the officer's words, the same rows as the JSON in the same order."""
    records = json_rows(shared_db_url, "--section", "3")
    result = invoke(shared_db_url, "list", "--section", "3", "--format", "csv", lang=lang)
    assert result.exit_code == 0, result.stderr
    raw = result.stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert reader.fieldnames is not None
    assert reader.fieldnames[:7] == [
        msg(lang, key)
        for key in ("col.code", "col.title", "col.unit", "col.due", "col.status", "col.light")
    ] + [msg(lang, "col.progress")]
    rows = list(reader)
    assert [row[msg(lang, "col.code")] for row in rows] == [r["code"] for r in records]
    for row, record in zip(rows, records, strict=True):
        expected = expected_cells(record, lang)
        assert {key: row[key] for key in expected} == expected
    # Statuses and lights are words, never the raw values of the JSON.
    statuses = {row[msg(lang, "col.status")] for row in rows}
    if lang == "zh":
        assert statuses <= {msg("zh", f"status.{s}") for s in ("todo", "in_progress", "done",
                                                                 "verified", "blocked",
                                                                 "cancelled")}  # fmt: skip
        assert "done" not in statuses and "red" not in {row["亮灯"] for row in rows}


def test_csv_titles_and_units_are_chinese_by_default_and_english_with_lang_en(
    shared_db_url: str,
) -> None:
    (record,) = [r for r in json_rows(shared_db_url, "--search", "1.4c") if r["code"] == "1.4c"]

    def row_of(lang: str) -> dict[str, str]:
        result = invoke(shared_db_url, "list", "--search", "1.4c", "--format", "csv", lang=lang)
        text = result.stdout_bytes.decode("utf-8-sig")
        rows = csv.DictReader(io.StringIO(text, newline=""))
        return next(row for row in rows if row[msg(lang, "col.code")] == "1.4c")

    assert row_of("zh")["事项"] == record["title"]
    assert row_of("zh")["责任单位"] == record["unit"]
    assert row_of("en")["Item"] == record["title_en"]


def test_csv_to_a_file_with_out_is_the_same_bytes_as_on_stdout(
    shared_db_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "清单.csv"
    written = invoke(shared_db_url, "list", "--section", "5", "--format", "csv", "--out",
                     str(target))  # fmt: skip
    assert written.exit_code == 0, written.stderr
    assert written.stdout.strip() == msg("zh", "print.written", path=str(target))
    stdout = invoke(shared_db_url, "list", "--section", "5", "--format", "csv")
    assert target.read_bytes() == stdout.stdout_bytes


def test_an_empty_csv_still_has_its_bom_and_header(shared_db_url: str) -> None:
    result = invoke(shared_db_url, "list", "--search", "没有这样的事项", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout_bytes.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 and lines[0].startswith("编号,事项,责任单位")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_has_a_bold_frozen_header_and_typed_cells_in_the_language(
    shared_db_url: str, tmp_path: Path, lang: str
) -> None:
    records = json_rows(shared_db_url, "--section", "3")
    target = tmp_path / "清单.xlsx"
    result = invoke(shared_db_url, "list", "--section", "3", "--format", "xlsx", "--out",
                    str(target), lang=lang)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == msg(lang, "print.written", path=str(target))
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet.title == msg(lang, "export.sheet")
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == [
        msg(lang, key)
        for key in ("col.code", "col.title", "col.unit", "col.due", "col.status", "col.light")
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width
    columns = {name: index for index, name in enumerate(header)}
    body = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(body) == len(records)
    for cells, record in zip(body, records, strict=True):
        assert cells[columns[msg(lang, "col.code")]] == record["code"]
        assert cells[columns[msg(lang, "col.status")]] == msg(lang, f"status.{record['status']}")
        assert cells[columns[msg(lang, "col.light")]] == msg(lang, f"light.{record['light']}")
        due = cells[columns[msg(lang, "col.due")]]
        if record["due"] is None:
            assert due is None
        else:  # a real date, not text: Excel sorts and filters it as one
            assert isinstance(due, datetime)
            assert due.date() == date.fromisoformat(record["due"])
        days = cells[columns[msg(lang, "export.days_overdue")]]
        assert days == record["days_overdue"]


def test_xlsx_code_and_stored_text_stay_text(db_url: str, tmp_path: Path) -> None:
    """A village named like a formula is a name in the workbook (never run by Excel), and
    cannot run from the CSV either."""
    renamed = invoke(db_url, "villages", "rename", "7", "=1+1")
    assert renamed.exit_code == 0, renamed.stderr
    target = tmp_path / "村.xlsx"
    result = invoke(db_url, "list", "--village", "7", "--all", "--format", "xlsx", "--out",
                    str(target))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(target).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    village = header.index("村(社区)")
    cells = [row[village] for row in sheet.iter_rows(min_row=2)]
    assert cells and all(cell.value == "=1+1" and cell.data_type == "s" for cell in cells)
    text = invoke(db_url, "list", "--village", "7", "--all", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text.stdout_bytes.decode("utf-8-sig"), newline="")))
    assert rows and all(row["村(社区)"] == "'=1+1" for row in rows)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_without_out_is_refused_in_one_line(shared_db_url: str, lang: str) -> None:
    result = invoke(shared_db_url, "list", "--format", "xlsx", lang=lang)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [msg(lang, "print_needs_out", format="xlsx")]
    assert result.stdout == ""


def test_a_table_with_out_is_refused_in_one_line(shared_db_url: str, tmp_path: Path) -> None:
    target = tmp_path / "清单.txt"
    result = invoke(shared_db_url, "list", "--out", str(target))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [msg("zh", "list_out_table")]
    assert not target.exists()


def test_xlsx_into_a_missing_folder_is_refused_before_any_work(
    shared_db_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "没有" / "清单.xlsx"
    result = invoke(shared_db_url, "list", "--format", "xlsx", "--out", str(target))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        msg("zh", "print_out_dir_missing", path=str(target.parent))
    ]


def test_json_keeps_english_keys_and_raw_values(shared_db_url: str) -> None:
    rows = json_rows(shared_db_url, "--section", "3")
    assert {"code", "status", "light", "due"} <= set(rows[0])
    assert {row["status"] for row in rows} <= {
        "todo", "in_progress", "done", "verified", "blocked", "cancelled"
    }  # fmt: skip
