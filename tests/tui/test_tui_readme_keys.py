"""The README's key table ("The terminal app") against the app's bindings: every key it
lists is bound somewhere in the app with the meaning it gives, and every key the app
offers (in a footer, the help or the palette: a binding with a description) is in it.

A row gives its keys in its first cell (`s` · `l` · `n`, Enter, Ctrl+P, Escape; a
parenthesis says where) and their meanings in English in the second; a binding's meaning
is its description's English name (tracker.i18n.en), which the row must contain.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

import tracker.tui
from tracker.i18n import CATALOGS, get_language
from tracker.tui.screens.help import key_name

README = Path(__file__).parents[2] / "README.md"
# Keys written as words in the table, as key_name() prints them.
_WORD_KEYS = re.compile(r"\b(Enter|Escape|Esc|Tab|Ctrl\+\w)\b")


@dataclass(frozen=True)
class Row:
    keys: frozenset[str]
    meaning: str


@dataclass(frozen=True)
class Bound:
    key: str
    meanings: frozenset[str]  # the English names of its description (lower case)
    where: str


def normal(key: str) -> str:
    """A key as the help prints it, Escape and Esc alike."""
    return "Esc" if key in ("Escape", "Esc") else key


def table() -> list[Row]:
    """The rows of the key table in the README's "The terminal app" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## The terminal app", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("key", "---"):
            continue
        keys_cell = re.sub(r"\(.*?\)", "", cells[0])  # "(in an item)": where, not a key
        keys = re.findall(r"`([^`]+)`", keys_cell) + _WORD_KEYS.findall(keys_cell)
        rows.append(Row(frozenset(normal(k) for k in keys), cells[1].lower()))
    assert rows, "no key table in the README"
    return rows


def english(description: str) -> frozenset[str]:
    """The English names of a description in the app's language (a word may be the
    message of several catalog keys)."""
    current = CATALOGS[get_language()]
    keys = [key for key, message in current.items() if message == description]
    assert keys, description
    return frozenset(CATALOGS["en"][key].lower() for key in keys)


def bindings() -> list[Bound]:
    """Every binding with a description declared by a class of tracker.tui."""
    found: list[Bound] = []
    # Every module, screens/ and widgets/ included (folders without __init__.py, which
    # pkgutil does not walk).
    root = Path(tracker.tui.__file__).parent
    for path in sorted(root.rglob("*.py")):
        name = ".".join(("tracker", "tui", *path.relative_to(root).with_suffix("").parts))
        module = importlib.import_module(name.removesuffix(".__init__"))
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            if not issubclass(cls, DOMNode) or "BINDINGS" not in vars(cls):
                continue
            for binding in vars(cls)["BINDINGS"]:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                for key in binding.key.split(","):
                    shown = binding.key_display or key_name(key.strip())
                    found.append(
                        Bound(normal(shown), english(binding.description), cls.__qualname__)
                    )
    assert found
    return found


def test_every_key_the_app_offers_is_in_the_readme_with_its_meaning() -> None:
    rows = table()
    missing = [
        bound
        for bound in bindings()
        if not any(
            bound.key in row.keys and any(m in row.meaning for m in bound.meanings) for row in rows
        )
    ]
    assert not missing, missing


def test_every_key_in_the_readme_is_bound_with_the_meaning_it_gives() -> None:
    bound = bindings()
    unbound = [
        (key, row.meaning)
        for row in table()
        for key in row.keys
        if not any(b.key == key and any(m in row.meaning for m in b.meanings) for b in bound)
    ]
    assert not unbound, unbound
