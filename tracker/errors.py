"""The one error type services raise: a message key and its parameters, translated by callers."""

from __future__ import annotations

from typing import Any


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
