"""Printing from the app (`p`): the same printouts as `tracker report`, saved where asked."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select
from tui_helpers import settle

from tracker.db import make_engine, new_session
from tracker.i18n import t
from tracker.printouts.assembly import PrintKind, Scope, ledger_data
from tracker.printouts.make import PrintFormat
from tracker.services.deadlines import Deadlines
from tracker.tui.app import TrackerApp
from tracker.tui.widgets.confirm_dialog import ConfirmDialog
from tracker.tui.widgets.print_dialog import PrintDialog

AS_OF = date(2026, 11, 26)  # the day tests/tui/conftest.py builds the app on


def ledger_rows(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with new_session(engine) as session:
            data = ledger_data(
                session=session,
                scope=Scope(),
                deadlines=Deadlines(as_of=AS_OF),
                user="x",
                now=datetime(2026, 11, 26),
            )
            return len(data.rows)
    finally:
        engine.dispose()


def test_p_prints_the_ledger_to_an_excel_file_and_says_where_it_went(
    make_app: Callable[..., TrackerApp], tui_db_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "台账.xlsx"

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, PrintDialog)
            dialog.query_one("#print-kind", Select).value = PrintKind.LEDGER
            dialog.query_one("#print-format", Select).value = PrintFormat.XLSX
            dialog.query_one("#print-path", Input).value = str(target)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, PrintDialog)
            said = [str(n.message) for n in app._notifications]
            assert said == [
                t("print.making", path=str(target)),
                t("print.written", path=str(target)),
            ]

    asyncio.run(run())
    sheet = openpyxl.load_workbook(target).worksheets[0]
    numbers = [row[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert numbers == list(range(1, ledger_rows(tui_db_url) + 1))


def test_a_file_in_a_missing_folder_is_refused_in_the_dialog_and_nothing_is_written(
    make_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    target = tmp_path / "no-such-folder" / "汇总.pdf"

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, PrintDialog)
            dialog.query_one("#print-path", Input).value = str(target)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog  # still open, with what was typed
            assert dialog.query_one("#print-path", Input).value == str(target)
            assert "no-such-folder" in str(dialog.query_one("#dialog-error").render())

    asyncio.run(run())
    assert not target.parent.exists()


# --- Asking before overwriting, the documents folder, the section and the day -------------


async def open_print(app: TrackerApp, pilot: Pilot[None]) -> PrintDialog:
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, PrintDialog)
    return dialog


def choose(dialog: PrintDialog, target: Path, fmt: PrintFormat = PrintFormat.TXT) -> None:
    dialog.query_one("#print-kind", Select).value = PrintKind.LEDGER
    dialog.query_one("#print-format", Select).value = fmt
    dialog.query_one("#print-path", Input).value = str(target)


def test_an_existing_file_is_overwritten_only_when_the_officer_says_so(
    make_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    target = tmp_path / "台账.txt"
    target.write_text("上个月的台账", encoding="utf-8")

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_print(app, pilot)
            choose(dialog, target)
            dialog.query_one("#print-section", Select).value = 2
            await pilot.press("ctrl+s")
            await settle(pilot)
            question = app.screen
            assert isinstance(question, ConfirmDialog)
            assert str(target) in question.question
            # 取消: back to the dialog with everything as it was chosen and typed.
            await pilot.click("#cancel")
            await settle(pilot)
            again = app.screen
            assert isinstance(again, PrintDialog)
            assert again.query_one("#print-path", Input).value == str(target)
            assert again.query_one("#print-format", Select).value is PrintFormat.TXT
            assert again.query_one("#print-section", Select).value == 2
            assert target.read_text(encoding="utf-8") == "上个月的台账"
            # A second Ctrl+S out of habit does not answer yes; 确定 does.
            await pilot.press("ctrl+s")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            assert target.read_text(encoding="utf-8") == "上个月的台账"
            await pilot.click("#ok")
            await settle(pilot)
            assert not isinstance(app.screen, (ConfirmDialog, PrintDialog))

    asyncio.run(run())
    assert t("print.title.ledger") in target.read_text(encoding="utf-8")


def test_the_file_is_suggested_in_the_documents_folder_or_else_in_home(
    make_app: Callable[..., TrackerApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))  # no user-dirs file
    monkeypatch.chdir(tmp_path)  # never the folder the app was started in

    async def suggested() -> Path:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_print(app, pilot)
            return Path(dialog.query_one("#print-path", Input).value)

    assert asyncio.run(suggested()).parent == home  # no documents folder: home
    (home / "Documents").mkdir()
    path = asyncio.run(suggested())
    assert path.parent == home / "Documents"
    assert path.name == f"{t('print.title.ledger')}-{AS_OF.isoformat()}.xlsx"


def test_the_section_and_the_as_of_day_chosen_reach_the_printout(
    make_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    target = tmp_path / "第2部分.txt"

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_print(app, pilot)
            as_of = dialog.query_one("#print-as-of", Input)
            assert as_of.value == AS_OF.isoformat()  # the app's day unless changed
            choose(dialog, target)
            dialog.query_one("#print-section", Select).value = 2
            as_of.value = "2023-06-30"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert t("print.written", path=str(target)) in [
                str(n.message) for n in app._notifications
            ]

    asyncio.run(run())
    text = target.read_text(encoding="utf-8")
    assert "截至 2023-06-30" in text
    codes = re.findall(r"^\d+\s+(\d+)\.\d", text, flags=re.MULTILINE)
    assert codes and set(codes) == {"2"}


def test_a_day_that_is_no_day_is_refused_in_the_dialog_and_nothing_is_written(
    make_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    target = tmp_path / "台账.txt"

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_print(app, pilot)
            choose(dialog, target)
            dialog.query_one("#print-as-of", Input).value = "2023-02-30"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog
            assert "2023-02-30" in str(dialog.query_one("#dialog-error").render())
            assert app.focused is dialog.query_one("#print-as-of", Input)

    asyncio.run(run())
    assert not target.exists()


def test_a_day_before_the_report_is_refused_naming_the_dialogs_field(
    make_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    target = tmp_path / "台账.txt"

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_print(app, pilot)
            choose(dialog, target)
            dialog.query_one("#print-as-of", Input).value = "2019-06-30"
            await pilot.press("ctrl+s")
            await settle(pilot)
            again = app.screen
            assert isinstance(again, PrintDialog)  # back, with what was typed and why
            assert again.query_one("#print-as-of", Input).value == "2019-06-30"
            error = str(again.query_one("#dialog-error").render())
            assert "2019-06-30" in error and t("tui.print.as_of") in error
            assert "--as-of" not in error

    asyncio.run(run())
    assert not target.exists()
