"""The message catalogs: Chinese and English say the same things, and the code asks only for
messages that exist, with the parameters they need."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import pytest

import tracker
from tracker.i18n import CATALOGS, en, normalize_language, zh
from tracker.models import HistoryKind, Kind, Status
from tracker.schedule import Light

PACKAGE = Path(tracker.__file__).resolve().parent
# t("key", ...) and TrackerError("key", ...) with the whole key written out.
KEY_CALL = re.compile(r"""\b(?:t|TrackerError)\(\s*["']([\w.]+)["']\s*[,)]""")
# Keys built at run time from an enum value: t(f"status.{status}"), t("light." + light.value).
ENUM_PREFIXES: dict[str, type[StrEnum]] = {
    "status": Status,
    "kind": Kind,
    "light": Light,
    "history": HistoryKind,
}


def placeholders(template: str) -> set[str]:
    """The parameter names a message is formatted with: "{number:02d}" -> {"number"}."""
    names = (field for _, field, _, _ in string.Formatter().parse(template) if field)
    return {re.split(r"[.\[]", name)[0] for name in names}


def source_files() -> Iterator[Path]:
    return (path for path in sorted(PACKAGE.rglob("*.py")) if "i18n" not in path.parts)


def keys_used_in_code() -> set[str]:
    return {key for path in source_files() for key in KEY_CALL.findall(path.read_text("utf-8"))}


def test_both_catalogs_have_exactly_the_same_keys() -> None:
    assert set(zh.MESSAGES) - set(en.MESSAGES) == set()
    assert set(en.MESSAGES) - set(zh.MESSAGES) == set()


def test_both_catalogs_use_the_same_placeholders_for_each_key() -> None:
    differing = {
        key: (placeholders(zh.MESSAGES[key]), placeholders(en.MESSAGES[key]))
        for key in zh.MESSAGES.keys() & en.MESSAGES.keys()
        if placeholders(zh.MESSAGES[key]) != placeholders(en.MESSAGES[key])
    }
    assert differing == {}


@pytest.mark.parametrize("lang", list(CATALOGS))
def test_every_message_formats_with_its_placeholders(lang: str) -> None:
    for key, template in CATALOGS[lang].items():
        assert template.strip(), key
        template.format(**dict.fromkeys(placeholders(template), 7))


def test_every_key_the_code_uses_exists_in_both_catalogs() -> None:
    used = keys_used_in_code()
    assert len(used) > 40  # the pattern still finds the calls
    assert {"code_unknown", "seed_invalid", "db_missing", "usage_missing"} <= used
    assert used - set(zh.MESSAGES) == set()
    assert used - set(en.MESSAGES) == set()


def test_every_call_passes_exactly_the_placeholders_of_its_message() -> None:
    """A parameter named differently from the message's placeholder fails only when the
    message is shown; this finds it by reading the calls."""
    wrong: list[str] = []
    checked = 0
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            key = node.args[0]
            if name not in {"t", "TrackerError"} or not isinstance(key, ast.Constant):
                continue
            if any(keyword.arg is None for keyword in node.keywords):
                continue  # **params: checked where they are built
            checked += 1
            given = {str(keyword.arg) for keyword in node.keywords}
            needed = placeholders(zh.MESSAGES.get(str(key.value), ""))
            if given != needed:
                where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                wrong.append(f"{where} {key.value}: gives {sorted(given)}, needs {sorted(needed)}")
    assert checked > 40
    assert wrong == []


@pytest.mark.parametrize("prefix", list(ENUM_PREFIXES))
def test_every_enum_value_shown_to_users_has_a_label_in_both_languages(prefix: str) -> None:
    for value in ENUM_PREFIXES[prefix]:
        for lang, catalog in CATALOGS.items():
            assert f"{prefix}.{value.value}" in catalog, lang


def test_status_labels_are_distinct_in_each_language() -> None:
    for catalog in CATALOGS.values():
        labels = [catalog[f"status.{status.value}"] for status in Status]
        assert len(set(labels)) == len(labels)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("zh", "zh"), ("zh_CN.UTF-8", "zh"), ("zh-Hans", "zh"), ("EN", "en"), ("en_US", "en")],
)
def test_language_names_from_the_environment_are_understood(value: str, expected: str) -> None:
    assert normalize_language(value) == expected


@pytest.mark.parametrize("value", ["fr", "", None, "chinese"])
def test_unknown_languages_are_refused(value: str | None) -> None:
    assert normalize_language(value) is None
