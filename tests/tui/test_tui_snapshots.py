"""Snapshots of each area of the app as the officer sees it: Chinese, 80×24, as of 2026-11-26.

The SVGs live in __snapshots__/test_tui_snapshots/. After a deliberate change of the look,
run `pytest tests/tui/test_tui_snapshots.py --snapshot-update`, then look at every changed
SVG (or the HTML report a failing run writes) before committing it.

Nothing here changes the ledger: a change would add a history row stamped with the current
time, and the pictures must not depend on the day they are taken.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from dialog_cases import DIALOGS
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen

from tracker.tui.app import TrackerApp
from tracker.tui.screens.choose import ChooseReportScreen
from tracker.tui.screens.dashboard import DashboardScreen
from tracker.tui.screens.detail import DetailScreen
from tracker.tui.screens.items import ItemsScreen
from tracker.tui.screens.overdue import OverdueScreen
from tracker.tui.screens.report import ReportScreen
from tracker.tui.screens.villages import VillagesScreen

SIZE = (80, 24)  # the smallest terminal the app is made for
LECTURES_2022 = "5.5a/2022"  # 每年至少2次法治专题讲座, 2022: nothing logged, red on 2026-11-26

SnapCompare = Callable[..., bool]


async def settle(pilot: Pilot[None]) -> None:
    """Let the loading workers finish, their results reach the screen and the footer
    catch up (a screen rebuilds its footer when its loading indicator goes)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def showing(screen_type: type[Screen[Any]]) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Wait until the area has loaded, and check it is the one meant."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        assert isinstance(pilot.app.screen, screen_type)

    return run_before


def test_overview(snap_compare: SnapCompare, make_app: Callable[..., TrackerApp]) -> None:
    """总览: lights and statuses counted, progress bars per section, this period's quotas,
    the most overdue items."""
    app = make_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=showing(DashboardScreen))


def test_item_list(snap_compare: SnapCompare, make_app: Callable[..., TrackerApp]) -> None:
    """事项清单: the search line, the column heads over CJK-aligned rows, a light per row."""
    app = make_app(mode="items")
    assert snap_compare(app, terminal_size=SIZE, run_before=showing(ItemsScreen))


def test_overdue_review(snap_compare: SnapCompare, make_app: Callable[..., TrackerApp]) -> None:
    """逾期督办: red then yellow items under their unit, with calendar and working days late."""
    app = make_app(mode="overdue")
    assert snap_compare(app, terminal_size=SIZE, run_before=showing(OverdueScreen))


def test_village_roster(snap_compare: SnapCompare, make_app: Callable[..., TrackerApp]) -> None:
    """村居: 23 villages against the four per-village requirements, the cursor's cell
    described below."""
    app = make_app(mode="villages")
    assert snap_compare(app, terminal_size=SIZE, run_before=showing(VillagesScreen))


def test_report_text(snap_compare: SnapCompare, make_app: Callable[..., TrackerApp]) -> None:
    """报告原文: the report from its title (the portal's page around it hidden), tracked
    excerpts underlined."""
    app = make_app(mode="report")
    assert snap_compare(app, terminal_size=SIZE, run_before=showing(ReportScreen))


def test_detail_of_a_red_period(
    snap_compare: SnapCompare, make_app: Callable[..., TrackerApp]
) -> None:
    """The detail of 5.5a/2022: its facts, the red light with days overdue, the quota's
    steps, the requirement and the report's sentence with the excerpt highlighted."""
    app = make_app(mode="items")

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        app.open_item(LECTURES_2022)
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, DetailScreen) and screen.code == LECTURES_2022

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_dialog(snap_compare: SnapCompare, make_app: Callable[..., TrackerApp], name: str) -> None:
    """Each dialog at 80×24 over the list, as it comes back after a refused save (a long
    title and reason): its title in the border, its buttons in sight below a body that
    scrolls where it must."""
    app = make_app(mode="items")

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        app.push_screen(DIALOGS[name](app))
        await settle(pilot)
        assert isinstance(pilot.app.screen, ModalScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_choose_report(
    snap_compare: SnapCompare, make_app: Callable[..., TrackerApp], district_db_url: str
) -> None:
    """A district's database asks first which town's report to work on: the list of
    reports, Enter or Ctrl+S to choose (in the footer)."""
    app = make_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=showing(ChooseReportScreen))
