"""The one error type services raise: a message key and its parameters, translated by callers;
and how the text a message quotes, or any stored text shown, is made printable."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from enum import Enum
from typing import Any, TypeVar, cast

T = TypeVar("T")

# What cannot be shown as itself on a terminal or in a message: line breaks and the other
# control characters (an escape sequence recolours the terminal), the lone surrogates by
# which Python carries command-line bytes that are not UTF-8, and the invisible formatting
# characters (Unicode category Cf): bidi overrides and isolates that reorder what follows
# them (U+202E shows "evil\u202eexe.txt" as "eviltxt.exe"), zero-width spaces and joiners,
# the byte-order mark, and the invisible tag characters. tests/test_cli_bad_input.py checks
# that the Cf ranges below are every Cf character this Python knows.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_UNPRINTABLE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff{_FORMAT}]")
# The same, but for text shown on several lines: its line breaks and tabs are kept.
_UNPRINTABLE_IN_LINES = re.compile(
    f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff{_FORMAT}]"
)


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def printable(text: str, *, keep_lines: bool = False) -> str:
    """`text` with what cannot be printed escaped (a line break becomes \\n, an escape
    \\x1b, a right-to-left override \\u202e), so that a message quoting what the user typed
    or a file held stays one line, and stored text cannot recolour or reorder the reader's
    terminal. With `keep_lines`, line breaks and tabs stay (a note of several lines)."""
    pattern = _UNPRINTABLE_IN_LINES if keep_lines else _UNPRINTABLE
    return pattern.sub(_escaped, text)


def _json_escaped(match: re.Match[str]) -> str:
    # UTF-16 code units, as JSON writes a character beyond U+FFFF (a surrogate pair); a lone
    # surrogate is one unit of its own.
    units = match.group().encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))


def printable_json(dumped: str) -> str:
    """JSON text from `json.dumps(..., ensure_ascii=False)` with what `printable` escapes
    written as JSON escapes (\\u202e): the same JSON value, inert on a terminal. (json.dumps
    escapes the C0 controls itself; its raw line breaks are the indentation's.)"""
    return _UNPRINTABLE_IN_LINES.sub(_json_escaped, dumped)


def hidden_character(text: str, *, keep_lines: bool = False) -> str | None:
    """The first character of `text` that `printable` would escape (a control, bidi or
    invisible formatting character), or None: such a character has no place in a name,
    nor (`keep_lines`: line breaks and tabs aside) in a report's text."""
    found = (_UNPRINTABLE_IN_LINES if keep_lines else _UNPRINTABLE).search(text)
    return found.group() if found else None


def printable_copy(value: T) -> T:
    """`value` (what a screen or a printout shows: dataclasses, lists, dicts of them) with
    every string in it made printable, line breaks kept: stored text is shown as it is,
    never acted on. (Word and Excel refuse control characters outright; a terminal would
    obey an escape sequence, and a right-to-left override reorders a line.)

    Lists, tuples and dicts are always new; a frozen dataclass none of whose fields changed
    is kept as it is (it cannot be changed through the copy), so that a district's ledger,
    a hundred thousand values, is copied in a fraction of the time."""
    return cast(T, _copy(value))


# How each type is copied, decided once per type: a district's printout holds ~100k values
# of a dozen types, and testing each against every case cost most of the copy's time.
_Copier = Callable[[Any], Any]
_COPIERS: dict[type, _Copier] = {}


def _copy(value: Any) -> Any:
    kind = type(value)
    copier = _COPIERS.get(kind)
    if copier is None:
        copier = _COPIERS[kind] = _copier_for(kind)
    return copier(value)


def _copier_for(kind: type) -> _Copier:
    if issubclass(kind, Enum):  # a Status or Light is a str too: kept as the member it is
        return _same
    if issubclass(kind, str):
        return _printable_in_lines
    if is_dataclass(kind):
        names = tuple(f.name for f in fields(kind) if f.init)
        frozen = bool(cast(Any, kind).__dataclass_params__.frozen)
        return lambda value: _dataclass_copy(value, names, frozen)
    if issubclass(kind, tuple) and hasattr(kind, "_fields"):  # a named tuple
        return lambda value: type(value)(*(_copy(item) for item in value))
    if issubclass(kind, list | tuple):
        return lambda value: type(value)(_copy(item) for item in value)
    if issubclass(kind, dict):
        return lambda value: {_copy(k): _copy(v) for k, v in value.items()}
    return _same


def _same(value: Any) -> Any:
    return value


def _printable_in_lines(value: str) -> str:
    # Searched first: most stored text has nothing to escape, and then it is kept as it is.
    if _UNPRINTABLE_IN_LINES.search(value) is None:
        return value
    return printable(value, keep_lines=True)


def _dataclass_copy(value: Any, names: tuple[str, ...], frozen: bool) -> Any:
    changes = {}
    for name in names:
        old = getattr(value, name)
        new = _copy(old)
        if new is not old:
            changes[name] = new
    if frozen and not changes:
        return value
    return replace(value, **changes)


class TrackerError(Exception):
    """A problem the user can fix; `key` names a message in the catalogs of `tracker.i18n`."""

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params

    def message(self) -> str:
        """The message in the current language."""
        from tracker.i18n import t

        return t(self.key, **self.params)
