"""帮助 (`?`): every key of the screen underneath and of the app, in the officer's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tracker.i18n import t
from tracker.tui.app import AREAS

# Names of keys as printed on keyboards, where Textual's own names would puzzle an officer.
_KEY_NAMES = {
    "enter": "Enter",
    "escape": "Esc",
    "question_mark": "?",
    "slash": "/",
    "space": "Space",
    "tab": "Tab",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def key_name(key: str) -> str:
    """`ctrl+p` -> Ctrl+P, `question_mark` -> ?, `n` -> n."""
    *modifiers, last = key.split("+")
    name = _KEY_NAMES.get(last, last.upper() if modifiers and len(last) == 1 else last)
    return "+".join([*(m.capitalize() for m in modifiers), name])


@dataclass(frozen=True)
class KeyHelp:
    """One line of the help: the keys (several when they do the same) and what they do."""

    keys: str
    meaning: str
    short: str = ""  # the footer's word for it, when the line explains a binding at length


def contract_keys() -> list[KeyHelp]:
    """The keys that work on the item screens, as officers learn them."""
    return [
        KeyHelp("/", t("tui.help.search"), t("key.search")),
        KeyHelp("o", t("tui.help.overdue_only"), t("key.overdue_only")),
        KeyHelp("Enter", t("tui.help.open"), t("key.open")),
        KeyHelp("s", t("tui.help.status"), t("key.status")),
        KeyHelp("l", t("tui.help.log"), t("key.log")),
        KeyHelp("n", t("tui.help.note"), t("key.note")),
    ]


def general_keys() -> list[KeyHelp]:
    """Keys that are not bindings of any one screen: the palette, Escape, moving, the mouse."""
    return [
        KeyHelp("Ctrl+P", t("tui.help.palette")),
        KeyHelp("Esc", t("tui.help.back")),
        KeyHelp("↑↓←→", t("tui.help.move")),
        KeyHelp("PgUp PgDn", t("tui.help.page")),
        KeyHelp("Tab", t("tui.help.focus")),
        KeyHelp(t("tui.help.mouse_key"), t("tui.help.mouse")),
    ]


def screen_keys(screen: Screen[Any]) -> tuple[list[KeyHelp], list[KeyHelp]]:
    """The keys active on `screen`: (its own and its widgets', the app's).

    Bindings of one action are listed together (`n ]`); hidden bindings are kept only as
    such aliases of a shown one, so Textual's untranslated internals stay out.
    """
    grouped: dict[tuple[int, str], list[Binding]] = {}
    owners: dict[tuple[int, str], bool] = {}
    order: dict[tuple[int, str], int] = {}  # where a group's first shown key is, for the order
    for position, active in enumerate(screen.active_bindings.values()):
        group = (id(active.node), active.binding.action)
        grouped.setdefault(group, []).append(active.binding)
        owners[group] = active.node is screen.app
        if _listed(active.binding):
            order.setdefault(group, position)
    own: list[KeyHelp] = []
    app: list[KeyHelp] = []
    for group in sorted(order, key=order.__getitem__):
        # Shown keys first, then their hidden aliases: "q Ctrl+Q", "n ]".
        bindings = sorted(grouped[group], key=lambda b: not _listed(b))
        keys = " ".join(dict.fromkeys(b.key_display or key_name(b.key) for b in bindings))
        # A binding's tooltip, where it has one, says more than its word in the footer.
        description = next(b.tooltip or b.description for b in bindings if _listed(b))
        (app if owners[group] else own).append(KeyHelp(keys, description))
    return own, app


# The area bindings' ids are the areas' names; these, printing and importing work everywhere
# but are not in every footer; an item's `w` (the whole paragraph) and `a` (its evidence
# files), and the app's draft review's `u` `s` `m`, are kept off their full footers.
AREA_IDS = frozenset(
    {*AREAS, "print", "import", "paragraph", "evidence", "undecided", "split", "merge"}
)


def _listed(binding: Binding) -> bool:
    """Keys the help lists: those in the footer, and the areas' keys, which work everywhere
    but appear in the footer only on the overview."""
    return bool(binding.description) and (binding.show or binding.id in AREA_IDS)


def _table(lines: list[KeyHelp], key_width: int) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=key_width)
    table.add_column()
    for line in lines:
        table.add_row(line.keys, line.meaning)
    return table


class HelpScreen(ModalScreen[None]):
    """Every key that works here and everywhere; Escape or `?` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", t("key.back"), id="close"),
        Binding("question_mark", "close", t("key.help"), key_display="?", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-keys { height: auto; max-height: 1fr; }
    HelpScreen .help-heading { text-style: bold; color: $text-primary; margin-top: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[tuple[str, list[KeyHelp]]] = []  # what the help lists, by heading

    def compose(self) -> ComposeResult:
        self.sections = self._sections()
        # One width for the keys of every section, so the meanings line up down the page.
        key_width = max(cell_len(line.keys) for _, lines in self.sections for line in lines)
        with Vertical(id="help-box") as box:
            box.border_title = t("tui.help.title")
            box.border_subtitle = t("tui.help.hint")
            with VerticalScroll(id="help-keys"):
                for heading, lines in self.sections:
                    yield Static(heading, classes="help-heading")
                    yield Static(_table(lines, key_width), classes="help-lines")

    def _sections(self) -> list[tuple[str, list[KeyHelp]]]:
        """This screen's keys, the app's, then the item keys that work elsewhere."""
        underneath = self._underneath()
        own, app = screen_keys(underneath) if underneath is not None else ([], [])
        # The item keys this screen does not have, or has for something else (n on the report).
        listed = {(key, line.meaning) for line in own for key in line.keys.split()}
        taken = {key for line in own for key in line.keys.split()}
        others = [
            KeyHelp(k.keys, t("tui.help.elsewhere", what=k.meaning)) if k.keys in taken else k
            for k in contract_keys()
            if (k.keys, k.short) not in listed
        ]
        sections = [
            (t("tui.help.this_screen"), own),
            (t("tui.help.everywhere"), app + general_keys()),
            (t("tui.help.items"), others),
        ]
        return [(heading, lines) for heading, lines in sections if lines]

    def _underneath(self) -> Screen[Any] | None:
        """The screen the help was opened over."""
        stack = self.app.screen_stack
        index = stack.index(self) if self in stack else len(stack)
        return stack[index - 1] if index >= 1 else None

    def on_mount(self) -> None:
        self.query_one("#help-keys").focus()

    def action_close(self) -> None:
        self.dismiss(None)
