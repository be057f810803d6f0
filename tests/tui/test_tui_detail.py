"""The detail screen and the editing dialogs: what an item shows, and changing it from the
keyboard with the change saved at once, shown at once, and nothing typed lost on a refusal."""

from __future__ import annotations

import asyncio
import hashlib
import io
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, Group
from rich.text import Text
from sqlalchemy.exc import DatabaseError
from sqlmodel import col, func, select
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static, TextArea
from tui_helpers import settle

from tracker.i18n import t
from tracker.models import Commitment, Event, Evidence, History, Status
from tracker.schedule import Light
from tracker.services.lookup import get_commitment
from tracker.services.updates import add_note, set_status
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.widgets.dialogs import LogDialog, StatusDialog
from tracker.tui.widgets.edit_dialog import split_paths
from tracker.tui.widgets.item_detail import around, paragraph_of

LECTURES = "5.5a"  # 每年至少2次法治专题讲座: a quota of two a year, due by 06-30 and 12-31
LECTURES_2022 = "5.5a/2022"  # its 2022 period: nothing logged, red on 2026-11-26
EXCERPT = "每年至少举办2次法治专题讲座"
USER = "王科员"  # the officer of tests/tui/conftest.py


def shown(app: TrackerApp) -> Screen[Any]:
    """The screen on top (a function, so that type narrowing does not outlive a key press)."""
    return app.screen


async def open_detail(app: TrackerApp, pilot: Pilot[None], code: str) -> DetailScreen:
    await settle(pilot)
    app.open_item(code)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    assert screen.detail is not None
    return screen


def plain(screen: DetailScreen, widget_id: str, width: int = 78) -> str:
    """The text of one part of the screen, as the officer reads it."""
    console = Console(width=width, record=True, file=io.StringIO())
    content = screen.query_one(f"#{widget_id}", Static).content
    assert not isinstance(content, str) or content
    console.print(content)
    return console.export_text()


def texts(renderable: object) -> list[Text]:
    """Every Text in a renderable made of Texts and Groups."""
    if isinstance(renderable, Text):
        return [renderable]
    if isinstance(renderable, Group):
        return [text for part in renderable.renderables for text in texts(part)]
    return []


def highlighted(screen: DetailScreen) -> list[str]:
    """The parts of the report's words drawn in the excerpt style."""
    style = screen.get_component_rich_style("detail--excerpt")
    content = screen.query_one("#detail-text", Static).content
    assert not isinstance(content, str)
    return [
        text.plain[span.start : span.end]
        for text in texts(content)
        for span in text.spans
        if span.style == style
    ]


def item(app: TrackerApp, code: str) -> Commitment:
    with app.context.session() as session:
        return session.exec(select(Commitment).where(Commitment.code == code)).one()


def history(app: TrackerApp, code: str) -> list[History]:
    with app.context.session() as session:
        found = session.exec(select(Commitment).where(Commitment.code == code)).one()
        query = select(History).where(History.commitment_id == found.id)
        return list(session.exec(query.order_by(col(History.id))).all())


def event_count(app: TrackerApp) -> int:
    with app.context.session() as session:
        return session.exec(select(func.count()).select_from(Event)).one()


async def fill_log_dialog(
    pilot: Pilot[None], dialog: LogDialog, *, day: str, note: str, evidence: str = ""
) -> None:
    """Type the date and note as an officer would; paste the evidence paths."""
    await pilot.press("home", "ctrl+k", *day)  # the date field has the focus
    await pilot.press("tab", *note)
    dialog.query_one("#evidence", TextArea).text = evidence


def test_detail_shows_the_excerpt_highlighted_in_its_paragraph_and_the_red_light(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(app, pilot, LECTURES_2022)
            assert screen.detail is not None and screen.detail.row.light is Light.RED
            facts = plain(screen, "detail-facts")
            assert "● 红" in facts and "逾期" in facts and "个工作日" in facts
            assert "0/2" in facts and "2022-12-31 前完成 2 次" in facts
            source = plain(screen, "detail-text")
            # The sentence before and after the excerpt; the paragraph's start only with `w`
            # (`p` prints, as everywhere).
            assert "我镇建立了领导班子定期学法制度" in source.replace("\n", "")
            assert "一是深入开展法治宣传教育" not in source.replace("\n", "")
            assert highlighted(screen) == [EXCERPT]
            await pilot.press("w")
            assert "一是深入开展法治宣传教育" in plain(screen, "detail-text").replace("\n", "")
            assert highlighted(screen) == [EXCERPT]

    asyncio.run(run())


def test_detail_gives_the_deadline_and_the_rest_day_the_report_states_beside_it(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(100, 24)) as pilot:
            # 1.4c is left to the end of 2022, a Saturday before the New Year holiday.
            screen = await open_detail(app, pilot, "1.4c")
            facts = plain(screen, "detail-facts", width=100)
            assert "2023-01-03（报告所定 2022-12-31 为休息日，顺延）" in facts
            # A 2021 deadline on a Friday is shown alone.
            screen = await open_detail(app, pilot, "1.1a")
            facts = plain(screen, "detail-facts", width=100)
            assert "2021-12-31" in facts and "休息日" not in facts

    asyncio.run(run())


def test_s_changes_the_status_and_the_history_and_light_follow_at_once(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(app, pilot, LECTURES_2022)
            await pilot.press("s")
            await pilot.pause()
            dialog = shown(app)
            assert isinstance(dialog, StatusDialog) and dialog.chosen is Status.TODO
            await pilot.press("down", "down")  # 未开始 → 进行中 → 已完成
            assert dialog.chosen is Status.DONE
            await pilot.press("tab", *"会议纪要已归档", "enter")
            await settle(pilot)
            assert shown(app) is screen
            assert screen.detail is not None
            assert screen.detail.row.status is Status.DONE
            assert screen.detail.row.light is Light.NONE
            assert "● 无" in plain(screen, "detail-facts")
            log = plain(screen, "detail-log", width=100)
            # The app views 2026-11-26, so the change took effect then: the line leads with it.
            line = next(line for line in log.splitlines() if "状态 未开始 → 已完成" in line)
            assert line.startswith("2026-11-26") and "已完成  会议纪要已归档" in line
            assert item(app, LECTURES_2022).status == Status.DONE
            last = history(app, LECTURES_2022)[-1]
            assert (last.kind, last.old, last.new, last.changed_by, last.note) == (
                "status",
                "todo",
                "done",
                USER,
                "会议纪要已归档",
            )

    asyncio.run(run())


def test_logging_two_lectures_completes_the_2022_quota(
    make_app: Callable[..., TrackerApp], tmp_path: Path
) -> None:
    sign_in = tmp_path / "签到表.pdf"
    sign_in.write_bytes(b"sign-in sheet")

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(app, pilot, LECTURES_2022)
            for day, note, evidence in (
                ("2022-03-15", "第一次法治专题讲座", str(sign_in)),
                ("2022-09-20", "第二次法治专题讲座", ""),
            ):
                await pilot.press("l")
                await pilot.pause()
                dialog = shown(app)
                assert isinstance(dialog, LogDialog)
                await fill_log_dialog(pilot, dialog, day=day, note=note, evidence=evidence)
                await pilot.press("ctrl+s")
                await settle(pilot)
                assert shown(app) is screen
            assert screen.detail is not None
            assert (screen.detail.row.done_count, screen.detail.row.target) == (2, 2)
            assert screen.detail.row.status is Status.DONE
            log = plain(screen, "detail-log", width=200)
            assert "2022-03-15  第一次法治专题讲座" in log and str(sign_in) in log
            assert hashlib.sha256(b"sign-in sheet").hexdigest()[:12] in log
            assert item(app, LECTURES_2022).status == Status.DONE
            with app.context.session() as session:
                files = session.exec(select(Evidence)).all()
                assert [(f.path, f.size) for f in files] == [(str(sign_in), 13)]
            assert event_count(app) == 2

    asyncio.run(run())


def test_escape_cancels_a_status_change_and_ctrl_s_saves_one(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(app, pilot, LECTURES_2022)
            await pilot.press("s", "down", "escape")
            await settle(pilot)
            assert shown(app) is screen
            assert item(app, LECTURES_2022).status == Status.TODO
            assert history(app, LECTURES_2022) == []
            await pilot.press("s", "down", "enter")  # 进行中; Enter moves on to the note
            await settle(pilot)
            assert isinstance(shown(app), StatusDialog)
            assert history(app, LECTURES_2022) == []
            await pilot.press("ctrl+s")  # no note
            await settle(pilot)
            assert shown(app) is screen
            assert screen.detail is not None
            assert screen.detail.row.status is Status.IN_PROGRESS
            assert screen.detail.row.light is Light.RED  # still late
            assert item(app, LECTURES_2022).status == Status.IN_PROGRESS
            assert [(h.old, h.new) for h in history(app, LECTURES_2022)] == [
                ("todo", "in_progress")
            ]

    asyncio.run(run())


def test_an_indicator_event_keeps_its_figure_and_a_word_is_not_a_figure(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(app, pilot, "3.2-N3")  # 调解成功率, baseline 97.82%
            assert "97.82%" in plain(screen, "detail-facts")
            await pilot.press("l")
            await pilot.pause()
            dialog = shown(app)
            assert isinstance(dialog, LogDialog)
            await fill_log_dialog(pilot, dialog, day="2022-12-30", note="全年调解统计")
            await pilot.press("tab", *"高", "ctrl+s")
            await pilot.pause()
            assert shown(app) is dialog
            assert "数值“高”无效" in str(dialog.query_one("#dialog-error", Static).content)
            await pilot.press("backspace", *"98.1", "enter")
            await settle(pilot)
            assert shown(app) is screen
            with app.context.session() as session:
                assert session.exec(select(Event.value)).all() == [98.1]

    asyncio.run(run())


def test_an_empty_note_saves_nothing_and_a_note_is_kept_with_the_item(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(app, pilot, LECTURES_2022)
            await pilot.press("n", *"  ", "enter")
            await settle(pilot)
            assert shown(app) is screen
            assert "5.5a/2022：未作修改" in [str(n.message) for n in app._notifications]
            assert history(app, LECTURES_2022) == []
            await pilot.press("n", *"讲座推迟到下月", "enter")
            await settle(pilot)
            assert shown(app) is screen
            assert "讲座推迟到下月" in plain(screen, "detail-text")
            assert "讲座推迟到下月" in item(app, LECTURES_2022).notes

    asyncio.run(run())


@pytest.mark.parametrize(
    ("day", "evidence", "error"),
    [
        ("2022-03-15", "/no/such/签到表.pdf", "佐证材料文件不存在：/no/such/签到表.pdf"),
        ("2022-02-30", "", "日期：没有“2022-02-30”这个日期，2022年2月只有 28 天"),
    ],
    ids=["missing-evidence", "impossible-date"],
)
def test_a_refused_log_keeps_the_dialog_open_with_what_was_typed(
    make_app: Callable[..., TrackerApp], day: str, evidence: str, error: str
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_detail(app, pilot, LECTURES_2022)
            await pilot.press("l")
            await pilot.pause()
            dialog = shown(app)
            assert isinstance(dialog, LogDialog)
            await fill_log_dialog(pilot, dialog, day=day, note="讲座", evidence=evidence)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert shown(app) is dialog
            assert error in str(dialog.query_one("#dialog-error", Static).content)
            assert dialog.query_one("#date", Input).value == day
            assert dialog.query_one("#note", Input).value == "讲座"
            assert dialog.query_one("#evidence", TextArea).text == evidence
            assert event_count(app) == 0
            assert history(app, LECTURES_2022) == []

    asyncio.run(run())


def test_a_save_the_ledger_refuses_reopens_the_dialog_with_the_values_and_the_reason(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_detail(app, pilot, LECTURES_2022)
            await pilot.press("l")
            await pilot.pause()
            first = shown(app)
            assert isinstance(first, LogDialog)
            # A real date, but not in the 2022 period: only the save can tell.
            await fill_log_dialog(pilot, first, day="2021-05-01", note="讲座")
            await pilot.press("ctrl+s")
            await settle(pilot)
            dialog = shown(app)
            assert isinstance(dialog, LogDialog)
            message = str(dialog.query_one("#dialog-error", Static).content)
            assert "2022-01-01 至 2022-12-31" in message
            assert dialog.query_one("#date", Input).value == "2021-05-01"
            assert dialog.query_one("#note", Input).value == "讲座"
            assert event_count(app) == 0
            # Correcting the date saves; Escape instead would have left everything as it was.
            await pilot.press("home", "ctrl+k", *"2022-05-01", "enter")
            await settle(pilot)
            assert shown(app) is screen
            assert event_count(app) == 1

    asyncio.run(run())


def test_enter_on_an_instance_opens_it_and_escape_comes_back(
    make_app: Callable[..., TrackerApp],
) -> None:
    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            parent = await open_detail(app, pilot, LECTURES)
            table = parent.query_one("#detail-instances", DataTable)
            assert table.display and table.row_count == 5  # 2022 … 2026
            await pilot.press("tab")
            assert table.has_focus
            await pilot.press("enter")
            await settle(pilot)
            child = shown(app)
            assert isinstance(child, DetailScreen) and child.code == LECTURES_2022
            await pilot.press("escape")
            await pilot.pause()
            assert shown(app) is parent

    asyncio.run(run())


def test_the_paragraph_is_the_report_line_and_long_ones_keep_the_sentences_around() -> None:
    text = "标题\n甲句。乙句，摘录在此。丙句。丁句。\n下一段"
    start = text.index("摘录")
    passage = paragraph_of(text, start, start + 2)
    assert passage.text == "甲句。乙句，摘录在此。丙句。丁句。"
    assert passage.text[passage.start : passage.end] == "摘录"
    near = around(passage, sentences=0)
    assert near.text == "乙句，摘录在此。"
    assert near.text[near.start : near.end] == "摘录"
    assert near.cut_before and near.cut_after


def test_evidence_paths_split_on_lines_and_semicolons() -> None:
    typed = "/a/签到表.pdf; '/b/照 片.jpg'\n\n/c/纪要.docx；/d/e.txt"
    assert split_paths(typed) == [
        Path("/a/签到表.pdf"),
        Path("/b/照 片.jpg"),
        Path("/c/纪要.docx"),
        Path("/d/e.txt"),
    ]


def test_the_history_leads_with_the_day_each_change_took_effect_and_marks_a_late_entry(
    make_app: Callable[..., TrackerApp],
) -> None:
    recorded = datetime(2026, 11, 21, 10, 0).astimezone()  # local time, as officers read it
    app = make_app()
    with app.context.session() as session:
        found = get_commitment(session=session, code="1.4c", report_slug=None)
        # 补录: recorded on 2026-11-21, done since 2022-05-01; then a note made that day.
        set_status(
            session=session,
            item=found,
            status=Status.DONE,
            note="会议纪要已归档",
            user=USER,
            now=recorded,
            effective_on=date(2022, 5, 1),
        )
        add_note(session=session, item=found, text="已试行", user=USER, now=recorded)

    async def run() -> None:
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await open_detail(app, pilot, "1.4c")
            log = plain(screen, "detail-log", width=120).splitlines()
            assert (
                "2022-05-01  状态 未开始 → 已完成  会议纪要已归档"
                f"  （补录，记录于 2026-11-21 10:00 {USER}）"
            ) in log
            assert f"2026-11-21 10:00  {USER}  备注  已试行" in log

    asyncio.run(run())


def test_a_save_the_database_cannot_do_says_why_in_chinese_not_in_sqlites_words(
    make_app: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's "file is not a database" is told as 这不是数据库文件…, nothing saved. (The
    failure is SQLite's own exception, raised where the note is saved.)"""

    def broken(**_: object) -> None:
        cause = sqlite3.DatabaseError("file is not a database")
        raise DatabaseError("UPDATE commitment SET notes=?", {}, cause)

    monkeypatch.setattr("tracker.tui.editing.save_note", broken)

    async def run() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_detail(app, pilot, LECTURES_2022)
            await pilot.press("n", *"讲座推迟到下月", "enter")
            await settle(pilot)
            # The dialog stays open with what was typed, and says why.
            assert _errors_shown(app) == [
                t("tui.edit.save_failed", reason=t("reason.not_a_database"))
            ]
            assert "讲座推迟到下月" not in item(app, LECTURES_2022).notes

    asyncio.run(run())


def _errors_shown(app: TrackerApp) -> list[str]:
    """The error line of the dialog on screen, if one is."""
    return [str(error.content) for error in app.screen.query("#dialog-error").results(Static)]
