"""Printing from the app (`p`): the same printouts as `tracker report`, saved where asked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
from textual.widgets import Input, Select
from tui_helpers import settle

from tracker.db import make_engine, new_session
from tracker.i18n import t
from tracker.printouts.assembly import PrintKind, Scope, ledger_data
from tracker.printouts.make import PrintFormat
from tracker.services.deadlines import Deadlines
from tracker.tui.app import TrackerApp
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
