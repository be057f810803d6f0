"""The officers' terminal app: overview, list, detail, overdue review, villages, report text.

Each area is a mode with its own screen stack, so switching areas keeps each one's place;
an item's detail is pushed on top of whichever area opened it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal

from tracker.errors import printable
from tracker.i18n import t
from tracker.work import OpenLedger

# How long what opening the ledger said stays on screen (Textual's default is 5 s).
NOTICE_SECONDS = 20

AREAS = ("dashboard", "items", "overdue", "villages", "report")
# The area keys as the overview's footer lists them (the app's own are hidden there).
AREA_KEYS: list[BindingType] = [
    Binding(key, f"app.area('{area}')", t(f"key.{area}"))
    for key, area in (("i", "items"), ("v", "overdue"), ("r", "villages"), ("t", "report"))
]


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

    BINDINGS: ClassVar[list[BindingType]] = [
        # The areas work everywhere but are listed in the footer only on the overview
        # (AREA_KEYS below): at 80 columns the footer has room for a screen's own keys only.
        Binding("d", "area('dashboard')", t("key.dashboard"), id="dashboard", show=False),
        Binding("i", "area('items')", t("key.items"), id="items", show=False),
        Binding("v", "area('overdue')", t("key.overdue"), id="overdue", show=False),
        Binding("r", "area('villages')", t("key.villages"), id="villages", show=False),
        Binding("t", "area('report')", t("key.report"), id="report", show=False),
        Binding("p", "print", t("key.print"), id="print", show=False),
        Binding("question_mark", "help", t("key.help"), id="help", key_display="?"),
        Binding("q", "quit", t("key.quit"), id="quit"),
        # Declared here so the footer names it in the officer's language.
        Binding("ctrl+p", "command_palette", t("key.palette"), show=False, priority=True),
    ]

    def __init__(
        self, context: OpenLedger, *, mode: str | None = None, notices: Sequence[str] = ()
    ) -> None:
        self.context = context
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
        """Switch to one of the app's areas (overview, list, overdue, villages, report)."""
        self.switch_mode(mode)

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
        self.switch_mode("dashboard")

    def action_print(self) -> None:
        """Print the summary, the ledger or the notices to a file (the `tracker report`
        choices)."""
        from tracker.tui.printing import open_print_dialog

        open_print_dialog(self)

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
        self.switch_mode("report")
        screen = self.screen
        jump = getattr(screen, "jump_to", None)
        if callable(jump):
            jump(code)

    def action_command_palette(self) -> None:
        """The command palette, asking in the officer's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            placeholder = t("palette.placeholder")
            self.push_screen(CommandPalette(placeholder=placeholder, id="--command-palette"))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action of the app in the command palette (Ctrl+P), in the officer's language."""
        from tracker.tui.screens.help import key_name

        # Until a district's report is chosen there is no area to go to.
        if self.current_mode != "choose":
            for mode in AREAS:
                yield SystemCommand(
                    t(f"key.{mode}"), t(f"palette.{mode}"), lambda m=mode: self.action_area(m)
                )
        for active in screen.active_bindings.values():
            binding = active.binding
            # The app's own keys are the areas, help and quit, offered by name already. Keys
            # kept off the footer for room are still offered here, by their description.
            if active.node is self or not binding.description:
                continue
            yield SystemCommand(
                binding.description,
                t("palette.key", key=binding.key_display or key_name(binding.key)),
                lambda a=binding.action, n=active.node: self.run_action(a, n),
            )
        yield SystemCommand(t("key.help"), t("palette.help"), self.action_help)
        yield SystemCommand(t("palette.theme"), t("palette.theme_help"), self.action_change_theme)
        yield SystemCommand(t("key.quit"), t("palette.quit"), self.action_quit)


def _screen(path: str) -> Screen[Any]:
    """A new screen of the class named "module:Class" in tracker.tui.screens."""
    from importlib import import_module

    module, _, name = path.partition(":")
    screen: Screen[Any] = getattr(import_module(f"tracker.tui.screens.{module}"), name)()
    return screen
