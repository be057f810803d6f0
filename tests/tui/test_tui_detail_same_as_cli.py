"""The app's detail screen and `tracker show` say the same about an item: the same facts in the
same order, its events, and each change in the same words, which `tracker history` uses too."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import date, datetime

from rich.console import Console
from textual.widgets import Static
from tui_helpers import settle
from typer.testing import CliRunner

from tracker.cli import app as cli
from tracker.db import make_engine, new_session
from tracker.i18n import zh
from tracker.models import Status
from tracker.schedule import WorkCalendar
from tracker.services.changes import history_line
from tracker.services.events import log_event
from tracker.services.lookup import get_commitment
from tracker.services.updates import add_note, set_status
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import DetailScreen

CODE = "5.5a/2026"  # 每年至少2次法治专题讲座, 2026: checkpoints on 06-30 (1) and 12-31 (2)
USER = "王科员"  # the officer of tests/tui/conftest.py
AS_OF = "2026-11-26"  # the app's as-of day in tests/tui/conftest.py
RECORDED = datetime(2026, 11, 21, 10, 0).astimezone()
WIDTH = 200  # wide enough that no line wraps


def change_the_item(db_url: str, calendar: WorkCalendar) -> None:
    """A status back-dated to March (补录), a lecture logged in March, a note made that day."""
    engine = make_engine(db_url)
    with new_session(engine) as session:
        found = get_commitment(session=session, code=CODE, report_slug=None)
        set_status(
            session=session,
            item=found,
            status=Status.IN_PROGRESS,
            note="本期开始",
            user=USER,
            now=RECORDED,
            effective_on=date(2026, 3, 1),
        )
        log_event(
            session=session,
            item=found,
            day=date(2026, 3, 10),
            note="宪法专题讲座",
            evidence=[],
            user=USER,
            now=RECORDED,
            calendar=calendar,
        )
        add_note(session=session, item=found, text="已请讲师", user=USER, now=RECORDED)
        session.commit()
    engine.dispose()


def command(db_url: str, *args: str) -> list[str]:
    """The lines a command prints, without the table and panel borders around them."""
    result = CliRunner().invoke(
        cli,
        ["--db", db_url, "--user", USER, "--lang", "zh", "--as-of", AS_OF, *args],
        env={"COLUMNS": str(WIDTH)},
    )
    assert result.exit_code == 0, result.output
    return [line.strip(" │").rstrip() for line in result.stdout.splitlines()]


def section_after(lines: list[str], heading: str, until: str = "") -> list[str]:
    """The lines after `heading`, up to the end of the section (a blank, a border, or the
    heading `until`)."""
    start = lines.index(heading) + 1
    end = start
    while end < len(lines) and lines[end] not in ("", until) and lines[end][0] not in "╰─":
        end += 1
    return lines[start:end]


def drawn(screen: DetailScreen, widget_id: str) -> list[str]:
    """The lines of one part of the screen, as the officer reads them."""
    console = Console(width=WIDTH, record=True, file=io.StringIO())
    console.print(screen.query_one(f"#{widget_id}", Static).content)
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_the_detail_screen_shows_the_facts_and_history_that_show_and_history_print(
    make_app: Callable[..., TrackerApp], tui_db_url: str, calendar: WorkCalendar
) -> None:
    change_the_item(tui_db_url, calendar)
    shown = command(tui_db_url, "show", CODE)
    audit_rows = [
        [cell.strip() for cell in line.split("│")]
        for line in command(tui_db_url, "history", CODE)
        if "│" in line
    ]
    app = make_app()

    async def run() -> None:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            app.open_item(CODE)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DetailScreen) and screen.detail is not None
            facts = [line for line in drawn(screen, "detail-facts") if line]
            log = drawn(screen, "detail-log")
            detail = screen.detail

        # The same facts, line for line, right under the item's title in `show`.
        title = detail.row.title
        assert title in shown[0] or title in shown[1]
        start = shown.index(facts[0])
        assert shown[start : start + len(facts)] == facts
        assert facts[0].startswith(zh.MESSAGES["col.section"])
        assert any(line.endswith("✓") for line in facts)  # the lecture meets 06-30's one

        # The same events, in the same words.
        events = zh.MESSAGES["events_heading"].format(count=len(detail.events))
        heading = zh.MESSAGES["history_heading"].format(count=len(detail.history))
        assert section_after(log, events) == section_after(shown, events, until=heading)
        assert section_after(log, events) == [f"#{detail.events[0].id} 2026-03-10  宪法专题讲座"
                                              f"  {USER} 2026-11-21 10:00"]  # fmt: skip

        # The same history, line for line: the day it took effect, who, the change.
        lines = [history_line(entry) for entry in detail.history]
        assert section_after(log, heading) == [line.text() for line in lines]
        assert section_after(shown, heading) == [line.text() for line in lines]
        late = "2026-03-01  状态 未开始 → 进行中  本期开始  （补录，记录于 2026-11-21 10:00"
        assert any(line.text().startswith(late) for line in lines)

        # `tracker history` gives each audited change in the same words, split into its
        # 操作 and 内容 columns (a late entry saying there on which day it took effect).
        for line in lines:
            if line.change.what == zh.MESSAGES["history.event"]:
                continue  # audited as the event itself, with its day and figure
            assert any(
                row[2:4] and row[2] == line.change.what and row[3].startswith(line.change.detail())
                for row in audit_rows
            ), line

    asyncio.run(run())
