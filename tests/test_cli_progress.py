"""The progress bar of slow printouts: shown on a terminal after a delay, never otherwise."""

from __future__ import annotations

import io
import time

from rich.console import Console

from tracker.cli.progress import DelayedProgress


def _terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=80), buffer


def test_slow_work_on_a_terminal_shows_the_step_it_is_on() -> None:
    console, buffer = _terminal()
    with DelayedProgress(3, console=console, delay=0.01) as progress:
        progress.step("汇集数据")
        time.sleep(0.3)  # the bar refreshes ten times a second
        progress.step("生成 DOCX")
        time.sleep(0.3)
    shown = buffer.getvalue()
    assert "汇集数据" in shown and "生成 DOCX" in shown
    assert "1/3" in shown


def test_work_done_before_the_delay_prints_nothing() -> None:
    console, buffer = _terminal()
    with DelayedProgress(2, console=console, delay=5) as progress:
        progress.step("汇集数据")
        progress.step("生成 TXT")
    assert buffer.getvalue() == ""


def test_no_bar_when_not_on_a_terminal() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False)
    with DelayedProgress(2, console=console, delay=0) as progress:
        progress.step("汇集数据")
        time.sleep(0.2)
    assert buffer.getvalue() == ""
