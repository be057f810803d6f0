"""The command palette (Ctrl+P): every action of the app, named in the officer's language.

One provider lists the app's own commands (the areas; search, filters and overdue-only,
which go to the list; print; import; help; theme; quit) and the keys of the screen the
palette was opened over, the edits of an open item among them. Only what this app declares
is listed: Textual's own commands (screenshot, keys, maximize) and its widgets' bindings
("Copy selected text", "Focus Next", "Page Left") would reach the officer untranslated.

A command is found by its name and, in either language, by its English name too ("print"
finds 打印), since English words are what an officer who learnt computers in English types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets.option_list import Option

from tracker.i18n import CATALOGS, get_language, t

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


@dataclass(frozen=True)
class Command:
    """One entry of the palette: its name and help in the app's language, what it runs,
    and the catalog key of its name (for the English name it is also found by)."""

    name: str
    help: str
    run: Callable[[], object]
    key: str | None = None

    def words(self) -> list[str]:
        """What the command is found by: its name, then its English name."""
        english = CATALOGS["en"].get(self.key, "") if self.key else ""
        return [self.name, english] if english and english != self.name else [self.name]


@cache
def _catalog_keys(language: str) -> dict[str, str]:
    """Message -> its catalog key, for the names of keys (so the English name of a binding
    described in Chinese can be found)."""
    keys: dict[str, str] = {}
    for key, message in CATALOGS[language].items():
        if key.startswith(("key.", "tui.detail.")):
            keys.setdefault(message, key)
    return keys


def declared_here(node: DOMNode, binding: Binding) -> bool:
    """Whether `binding` is one of this app's (declared by a class of `tracker`), not one
    Textual's own widgets bring."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("tracker.") or "BINDINGS" not in vars(cls):
            continue
        for declared in vars(cls)["BINDINGS"]:
            if (
                isinstance(declared, Binding)
                and declared.action == binding.action
                and binding.key in [k.strip() for k in declared.key.split(",")]
            ):
                return True
    return False


def screen_commands(app: TrackerApp, screen: Screen[Any]) -> Iterator[Command]:
    """The keys of `screen` and its focused widgets that are offered now (an item's edits
    only where the item is open and the officer may make them), by their description."""
    from tracker.tui.screens.help import key_name

    keys = _catalog_keys(get_language())
    for active in screen.active_bindings.values():
        binding, node = active.binding, active.node
        if node is app or not binding.description or not active.enabled:
            continue
        if binding.action.startswith("app."):
            continue  # an app's command shown in a screen's footer: offered as the app's
        if not declared_here(node, binding):
            continue
        yield Command(
            binding.description,
            t("palette.key", key=binding.key_display or key_name(binding.key)),
            partial(app.run_action, binding.action, node),
            keys.get(binding.description),
        )


def app_commands(app: TrackerApp, screen: Screen[Any]) -> Iterator[Command]:
    """What works from every screen: the areas, the list's search and filters, print,
    import, help, the theme, quit. Over a dialog only help, the theme and quit: a dialog is
    finished or cancelled before the officer goes elsewhere, as its keys say."""
    from tracker.tui.app import AREAS

    # Until a district's report is chosen there is no area to go to.
    if app.current_mode != "choose" and not isinstance(screen, ModalScreen):
        for mode in AREAS:
            yield Command(
                t(f"key.{mode}"),
                t(f"palette.{mode}"),
                partial(app.action_area, mode),
                f"key.{mode}",
            )
        for action, key in (
            ("search", "key.search"),
            ("filters", "key.filters"),
            ("toggle_overdue", "key.overdue_only"),
        ):
            yield Command(
                t(key),
                t(f"palette.in_list.{action}"),
                partial(app.run_action, f"in_list('{action}')"),
                key,
            )
        yield Command(t("key.print"), t("palette.print"), app.action_print, "key.print")
        yield Command(t("key.import"), t("palette.import"), app.action_import, "key.import")
    yield Command(t("key.help"), t("palette.help"), app.action_help, "key.help")
    yield Command(
        t("palette.theme"), t("palette.theme_help"), app.action_change_theme, "palette.theme"
    )
    yield Command(t("key.quit"), t("palette.quit"), app.action_quit, "key.quit")


def commands(app: TrackerApp, screen: Screen[Any]) -> list[Command]:
    """The screen's keys first (they act right here), then the app's commands not already
    named by one of them (on the list, 搜索 is the list's own)."""
    own = list(screen_commands(app, screen))
    named = {command.name for command in own}
    others = app_commands(app, screen)
    return own + [command for command in others if command.name not in named]


class TrackerCommands(Provider):
    """The app's commands, for Textual's command palette."""

    def _commands(self) -> list[Command]:
        from tracker.tui.app import TrackerApp

        app = self.app
        assert isinstance(app, TrackerApp)
        return commands(app, self.screen)

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            name, *aliases = command.words()
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command.run, help=command.help)
                continue
            # Found by its English name: shown by its own, a little below direct hits.
            score = max((matcher.match(alias) for alias in aliases), default=0)
            if score > 0:
                yield Hit(score * 0.9, command.name, command.run, help=command.help)


class TrackerPalette(CommandPalette):
    """Textual's command palette, saying in the officer's language that nothing matched."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual (8.2) words this "No matches found" in its own method; the same, in the
        # officer's language.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(t("palette.no_matches"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
