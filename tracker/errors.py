"""The one error type services raise: a message key and its parameters, translated by callers."""

from __future__ import annotations

import re
from typing import Any

# Line breaks, other control characters and the lone surrogates by which Python carries
# command-line bytes that are not UTF-8.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` with what cannot be printed escaped (a line break becomes \\n), so that a
    message quoting what the user typed or a file held stays one line."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


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
