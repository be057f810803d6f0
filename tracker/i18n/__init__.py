"""Message catalogs: every user-facing string, in Chinese (default) and English.

Chinese is the officers' language; English is complete so that every message has both.
`t(key, **params)` formats the message of the current language.
"""

from __future__ import annotations

from typing import Any

from tracker.i18n import en, zh

CATALOGS: dict[str, dict[str, str]] = {"zh": zh.MESSAGES, "en": en.MESSAGES}
LANGUAGES = tuple(CATALOGS)
_current = "zh"


def normalize_language(value: str | None) -> str | None:
    """'zh', 'zh_CN.UTF-8', 'EN' … -> 'zh' or 'en'; None when not a known language."""
    if not value:
        return None
    code = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in CATALOGS else None


def set_language(language: str) -> None:
    """Switch every later message to `language` ('zh' or 'en')."""
    global _current
    code = normalize_language(language)
    if code is None:
        raise ValueError(language)
    _current = code


def get_language() -> str:
    return _current


def t(key: str, /, **params: Any) -> str:
    """The message `key` in the current language, formatted with `params`."""
    template = CATALOGS[_current].get(key) or CATALOGS["zh"].get(key) or key
    return template.format(**params) if params else template
