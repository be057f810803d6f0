"""The officers' terminal app: overview, list, detail, overdue review, villages, report text.

Each area is a mode with its own screen stack, so switching areas keeps each one's place;
an item's detail is pushed on top of whichever area opened it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, Provider
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal
from textual.widget import AwaitMount

from tracker.errors import printable
from tracker.i18n import t
from tracker.work import Opening, OpenLedger

# How long what opening the ledger said stays on screen (Textual's default is 5 s).
NOTICE_SECONDS = 20

AREAS = ("dashboard", "items", "overdue", "villages", "report")
# The area keys as the overview's footer lists them (the app's own are hidden there).
AREA_KEYS: list[BindingType] = [
    Binding(key, f"app.area('{area}')", t(f"key.{area}"))
    for key, area in (("i", "items"), ("v", "overdue"), ("r", "villages"), ("t", "report"))
]


def _palette_commands() -> type[Provider]:
    """The palette's one provider, imported when the palette first opens."""
    from tracker.tui.palette import TrackerCommands

    return TrackerCommands


class TrackerApp(App[None]):
    """保和镇法治政府建设承诺事项台账 — the ledger in a terminal."""

    CSS_PATH = "app.tcss"
    TITLE = "tracker"
    # Each area's screen is imported when it is first opened, so start-up stays quick.
    MODES: ClassVar[dict[str, Any]] = {
        "dashboard": lambda: _screen("dashboard:DashboardScreen"),
        "items": lambda: _screen("items:ItemsScreen"),
        "overdue": lambda: _screen("overdue:OverdueScreen"),
        "villages": lambda: _screen("villages:VillagesScreen"),
        "report": lambda: _screen("report:ReportScreen"),
        "choose": lambda: _screen("choose:ChooseReportScreen"),
    }
    DEFAULT_MODE = "dashboard"
    # Every action of the app, in the officer's language, and none of Textual's own.
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {_palette_commands}

    BINDINGS: ClassVar[list[BindingType]] = [
        # The areas work everywhere but are listed in the footer only on the overview
        # (AREA_KEYS below): at 80 columns the footer has room for a screen's own keys only.
        Binding("d", "area('dashboard')", t("key.dashboard"), id="dashboard", show=False),
        Binding("i", "area('items')", t("key.items"), id="items", show=False),
        Binding("v", "area('overdue')", t("key.overdue"), id="overdue", show=False),
        Binding("r", "area('villages')", t("key.villages"), id="villages", show=False),
        Binding("t", "area('report')", t("key.report"), id="report", show=False),
        Binding("p", "print", t("key.print"), id="print", show=False),
        # 导入: a town's report read into a draft to review, or a draft. Ctrl+O, as other
        # programs open a file: `i`, the letter that would say it, is the list's.
        Binding("ctrl+o", "import", t("key.import"), id="import", show=False),
        # Escape on an area goes back to the area the officer came from (an item's `t`
        # included: Escape in the report comes back to the item); a screen or dialog on
        # top takes Escape first (back to the list, cancel).
        Binding("escape", "area_back", t("key.back"), id="back", show=False),
        Binding("question_mark", "help", t("key.help"), id="help", key_display="?"),
        Binding("q", "quit", t("key.quit"), id="quit"),
        # Declared here so the footer names it in the officer's language.
        Binding("ctrl+p", "command_palette", t("key.palette"), show=False, priority=True),
    ]

    def __init__(
        self,
        context: OpenLedger,
        *,
        opening: Opening,
        mode: str | None = None,
        notices: Sequence[str] = (),
    ) -> None:
        self.context = context
        # What the ledger was opened with (settings, the day): applying an imported draft
        # seeds through it, as `tracker import --apply` does.
        self.opening = opening
        # What opening the ledger said (a first run, an upgrade), shown once the app is up.
        self.notices = tuple(notices)
        if mode is None and context.report is None and len(context.report_slugs()) > 1:
            # A district database: every area shows one town's report, so ask which first.
            mode = "choose"
        if mode is not None:
            # The first area shown; read by App.__init__, so set before it runs.
            self.DEFAULT_MODE = mode  # type: ignore[misc]  # per app, not per class
        super().__init__()
        # Published with the code of every item changed, so every screen can refresh.
        self.ledger_changed: Signal[str] = Signal(self, "ledger-changed")
        # The areas the officer came from, latest last: Escape goes back along them.
        self.came_from: list[str] = []
        self.title = t("app.title")
        self.sub_title = t("app.as_of", date=context.deadlines.as_of.isoformat())

    def on_mount(self) -> None:
        for notice in self.notices:
            # Long enough to read a path; it says where the officer's data is kept.
            self.notify(notice, timeout=NOTICE_SECONDS)

        from tracker.tui.warmup import WARM_UP_AFTER, warm_up

        self.set_timer(
            WARM_UP_AFTER,
            lambda: self.run_worker(warm_up, thread=True, group="warm-up", exit_on_error=False),
        )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notification, never read as markup (`markup` is ignored): it may quote what was
        typed or stored ("[/]" would break it), whose control characters are escaped."""
        super().notify(
            printable(message), title=title, severity=severity, timeout=timeout, markup=False
        )

    def action_area(self, mode: str) -> None:
        """Switch to one of the app's areas (overview, list, overdue, villages, report),
        remembering where the officer came from for Escape."""
        self.go_to(mode)

    def go_to(self, mode: str) -> AwaitMount | None:
        """Switch to area `mode`, remembering the area left (and, in it, the item open on
        top of it) so that Escape comes back to it."""
        if mode == self.current_mode:
            return None
        if self.current_mode in AREAS:
            # Each area once, at its latest visit (so at most four): back never loops
            # through the same two.
            left = self.current_mode
            self.came_from = [m for m in self.came_from if m not in (left, mode)] + [left]
        return self.switch_mode(mode)

    def action_area_back(self) -> None:
        """Escape on an area: back to the area the officer came from, where whatever was
        open there (an item) still is."""
        if self.came_from:
            self.switch_mode(self.came_from.pop())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Until a report is chosen on a district database, the areas have nothing to show.
        if action == "area" and self.current_mode == "choose":
            return False
        return True

    def use_report(self, slug: str) -> None:
        """Work on report `slug` from now on and open its overview."""
        self.context = replace(self.context, report=slug)
        self.sub_title = f"{slug} · " + t(
            "app.as_of", date=self.context.deadlines.as_of.isoformat()
        )
        self.came_from = []  # a new report: nothing of the choosing to go back to
        self.switch_mode("dashboard")

    def action_print(self) -> None:
        """Print the summary, the ledger or the notices to a file (the `tracker report`
        choices), or draft the year's 年度报告 and see it before it is written."""
        from tracker.tui.printing import open_print_dialog

        open_print_dialog(self)

    def action_import(self) -> None:
        """Import a town's report into a draft, or open a draft, and review it (草稿审核);
        not over a dialog, which is finished or cancelled first."""
        from textual.screen import ModalScreen

        from tracker.tui.importing import open_import_dialog

        if not isinstance(self.screen, ModalScreen):
            open_import_dialog(self)

    def action_help(self) -> None:
        from tracker.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def open_item(self, code: str) -> None:
        """Show one commitment or instance in full, on top of the current area."""
        from tracker.tui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(code))

    def show_in_report(self, code: str) -> None:
        """Open the report text at the excerpt of `code`."""
        self.go_to("report")
        screen = self.screen
        jump = getattr(screen, "jump_to", None)
        if callable(jump):
            jump(code)

    async def action_in_list(self, action: str) -> None:
        """Run one of the list's actions (search, filters, overdue only) from anywhere: the
        palette offers them on every screen, and they take the officer to the list."""
        switching = self.go_to("items")
        if switching is not None:
            await switching
        await self.screen.run_action(action)

    def action_command_palette(self) -> None:
        """The command palette, asking in the officer's language."""
        from tracker.tui.palette import TrackerPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            placeholder = t("palette.placeholder")
            self.push_screen(TrackerPalette(placeholder=placeholder, id="--command-palette"))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette's commands as Textual's system commands (its palette asks
        tracker.tui.palette instead; this keeps any other caller in the same language)."""
        from tracker.tui.palette import commands

        for command in commands(self, screen):
            yield SystemCommand(command.name, command.help, command.run)


def _screen(path: str) -> Screen[Any]:
    """A new screen of the class named "module:Class" in tracker.tui.screens."""
    from importlib import import_module

    module, _, name = path.partition(":")
    screen: Screen[Any] = getattr(import_module(f"tracker.tui.screens.{module}"), name)()
    return screen
