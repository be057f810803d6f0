"""佐证材料 in the app (`a` on an item): its events' files listed by their original names, one
saved into a folder or opened with the system's program, checked against its fingerprint."""

from __future__ import annotations

import asyncio
import hashlib
import io
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, RadioButton, Static
from tui_helpers import settle
from typer.testing import CliRunner

from tracker.cli import app as cli
from tracker.i18n import CATALOGS, set_language
from tracker.tui import evidence as evidence_flow
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.widgets.evidence_dialog import EvidenceDialog

PERIOD = "5.5a/2026"
USER = "王科员"


def msg(key: str, lang: str = "zh", **params: Any) -> str:
    return CATALOGS[lang][key].format(**params)


def shown(app: TrackerApp) -> Screen[Any]:
    return app.screen


def said(app: TrackerApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.fixture
def logged(tui_db_url: str, tmp_path: Path) -> dict[str, Path]:
    """An event on 5.5a/2026 with 纪要.pdf and 签到表.jpg, and a second with another
    纪要.pdf, logged through the command line into the store beside the database."""
    (tmp_path / "一月").mkdir()
    (tmp_path / "二月").mkdir()
    files = {
        "minutes": tmp_path / "一月" / "纪要.pdf",
        "sheet": tmp_path / "一月" / "签到表.jpg",
        "minutes2": tmp_path / "二月" / "纪要.pdf",
    }
    files["minutes"].write_bytes("一月纪要".encode() * 50)
    files["sheet"].write_bytes(b"sign-in sheet")
    files["minutes2"].write_bytes("二月纪要".encode() * 50)
    for day, paths in (
        ("2026-05-10", [files["minutes"], files["sheet"]]),
        ("2026-06-10", [files["minutes2"]]),
    ):
        args = [arg for path in paths for arg in ("--evidence", str(path))]
        result = CliRunner().invoke(
            cli,
            ["--db", tui_db_url, "--user", USER, "log", PERIOD, "--date", day, "--note", day,
             *args],
            catch_exceptions=False,
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
    return files


async def open_dialog(app: TrackerApp, pilot: Pilot[None], code: str = PERIOD) -> EvidenceDialog:
    await settle(pilot)
    app.open_item(code)
    await settle(pilot)
    assert isinstance(shown(app), DetailScreen)
    await pilot.press("a")
    await settle(pilot)
    dialog = shown(app)
    assert isinstance(dialog, EvidenceDialog)
    return dialog


async def save_into(pilot: Pilot[None], dialog: EvidenceDialog, folder: Path, moves: int) -> None:
    """Choose the file `moves` down from the first, type the folder, Ctrl+S."""
    for _ in range(moves):
        await pilot.press("down")
    dialog.query_one("#evidence-folder", Input).value = str(folder)
    await pilot.press("ctrl+s")
    await settle(pilot)


def labels(dialog: EvidenceDialog) -> list[str]:
    return [str(button.label) for button in dialog.query(RadioButton)]


def test_a_lists_the_files_by_their_original_names_and_the_events_heading_says_so(
    make_app: Callable[..., TrackerApp], logged: dict[str, Path]
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot)
            names = [label.split("  ")[0] for label in labels(dialog)]
            assert names == ["纪要.pdf", "签到表.jpg", "纪要.pdf"]
            assert "#" in labels(dialog)[0] and "2026-05-10" in labels(dialog)[0]
            # Save, Open and Cancel are all on an 80×24 screen.
            for button in ("#save", "#open", "#cancel"):
                region = dialog.query_one(button).region
                assert region.bottom <= 24 and region.right <= 80
            await pilot.press("escape")
            await settle(pilot)
            screen = shown(app)
            assert isinstance(screen, DetailScreen)
            console = Console(width=200, record=True, file=io.StringIO())
            console.print(screen.query_one("#detail-log", Static).content)
            assert msg("tui.evidence.count", count=3) in console.export_text()

    asyncio.run(run())


def test_ctrl_s_saves_the_chosen_file_under_its_name_and_a_taken_name_gets_a_number(
    make_app: Callable[..., TrackerApp], logged: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "存档"
    folder.mkdir()

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot)
            await save_into(pilot, dialog, folder, 0)
            assert (folder / "纪要.pdf").read_bytes() == logged["minutes"].read_bytes()
            assert any(str(folder / "纪要.pdf") in line for line in said(app))
            assert isinstance(shown(app), DetailScreen)

            dialog = await open_dialog(app, pilot)
            await save_into(pilot, dialog, folder, 2)  # the other 纪要.pdf
            assert (folder / "纪要.pdf").read_bytes() == logged["minutes"].read_bytes()
            assert (folder / "纪要 (2).pdf").read_bytes() == logged["minutes2"].read_bytes()

    asyncio.run(run())


def test_a_tampered_stored_file_is_refused_and_nothing_written(
    make_app: Callable[..., TrackerApp], logged: dict[str, Path], tmp_path: Path
) -> None:
    digest = hashlib.sha256(logged["sheet"].read_bytes()).hexdigest()
    stored = tmp_path / "evidence" / digest[:2] / digest  # TRACKER_EVIDENCE_DIR of the tests
    stored.chmod(stored.stat().st_mode | stat.S_IWUSR)
    stored.write_bytes(b"swapped")
    folder = tmp_path / "存档"
    folder.mkdir()

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot)
            await save_into(pilot, dialog, folder, 1)  # 签到表.jpg
            again = shown(app)
            assert isinstance(again, EvidenceDialog)  # back, with the reason and the choice
            error = str(again.query_one("#dialog-error", Static).content)
            assert error == msg("evidence_get_changed", name="签到表.jpg", event=1,
                                date="2026-05-10")  # fmt: skip
            assert again.chosen is not None and again.chosen.name == "签到表.jpg"
            assert list(folder.iterdir()) == []

    asyncio.run(run())


def test_a_folder_that_does_not_exist_is_said_in_the_dialog(
    make_app: Callable[..., TrackerApp], logged: dict[str, Path], tmp_path: Path
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot)
            missing = tmp_path / "没有"
            await save_into(pilot, dialog, missing, 0)
            assert shown(app) is dialog
            error = str(dialog.query_one("#dialog-error", Static).content)
            assert error == msg("evidence_out_not_dir", path=str(missing))
            assert not missing.exists()

    asyncio.run(run())


def test_ctrl_o_opens_a_checked_copy_under_its_name_with_the_system_opener(
    make_app: Callable[..., TrackerApp],
    logged: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(evidence_flow, "system_opener", lambda: opened.append)

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_dialog(app, pilot)
            await pilot.press("down", "ctrl+o")
            await settle(pilot)
            assert [path.name for path in opened] == ["签到表.jpg"]
            assert opened[0].read_bytes() == logged["sheet"].read_bytes()
            assert msg("tui.evidence.opened", name="签到表.jpg") in said(app)

    asyncio.run(run())


def test_without_a_system_opener_open_is_refused_in_one_line(
    make_app: Callable[..., TrackerApp],
    logged: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(evidence_flow, "system_opener", lambda: None)

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_dialog(app, pilot)
            await pilot.press("ctrl+o")
            await settle(pilot)
            dialog = shown(app)
            assert isinstance(dialog, EvidenceDialog)
            error = str(dialog.query_one("#dialog-error", Static).content)
            assert error == msg("tui.evidence.no_opener", name="纪要.pdf")

    asyncio.run(run())


def test_an_item_without_evidence_says_so_and_opens_nothing(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.open_item("1.4c")
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(shown(app), DetailScreen)
            assert msg("tui.evidence.none") in said(app)

    asyncio.run(run())


def test_the_dialog_speaks_english_with_lang_en(
    make_app: Callable[..., TrackerApp], logged: dict[str, Path]
) -> None:
    set_language("en")

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot)
            assert dialog.query_one("#dialog").border_title == f"Evidence · {PERIOD}"
            hint = str(dialog.query_one("#evidence-hint", Static).content)
            assert hint == msg("tui.evidence.hint", "en")
            assert str(dialog.query_one("#open").label) == "Open Ctrl+O"

    asyncio.run(run())


def test_many_files_scroll_in_the_list_and_the_buttons_stay_on_screen(
    make_app: Callable[..., TrackerApp], tui_db_url: str, tmp_path: Path
) -> None:
    paths = []
    for number in range(12):
        path = tmp_path / f"照片{number:02d}.jpg"
        path.write_bytes(f"photo {number}".encode())
        paths += ["--evidence", str(path)]
    result = CliRunner().invoke(
        cli,
        ["--db", tui_db_url, "--user", USER, "log", PERIOD, "--date", "2026-05-10", *paths],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "存档"
    folder.mkdir()

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot)
            for button in ("#save", "#open", "#cancel", "#evidence-folder"):
                region = dialog.query_one(button).region
                assert 0 < region.bottom <= 24
            await save_into(pilot, dialog, folder, 11)
            assert [path.name for path in folder.iterdir()] == ["照片11.jpg"]

    asyncio.run(run())


def test_files_of_a_voided_event_are_listed_marked_void(
    make_app: Callable[..., TrackerApp], tui_db_url: str, logged: dict[str, Path]
) -> None:
    result = CliRunner().invoke(
        cli,
        ["--db", tui_db_url, "--user", USER, "void", "2", "--reason", "重复"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            dialog = await open_dialog(app, pilot)
            marked = [msg("tui.evidence.voided") in label for label in labels(dialog)]
            assert marked == [False, False, True]  # the second 纪要.pdf was event #2's

    asyncio.run(run())
