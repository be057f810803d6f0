"""A stand-in for the drafting rules (tracker/importing/rules.py, written in parallel):
the same types and signatures, drafting one one-off commitment per enumerated item, its
first sentence as the excerpt. The lead swaps the import in draft.py for rules' when they
are merged; nothing here guesses a unit, a cadence or a figure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ACHIEVED = "achieved"  # parts narrating the year's work
    SHORTCOMING = "shortcoming"  # 存在的不足 / 问题和不足
    PLAN = "plan"  # 下一步工作打算 / 2022年举措 / 工作计划


@dataclass(frozen=True)
class Found:
    value: object  # the field's value
    words: str  # the report's own words that decided it, verbatim ('' if none)
    confidence: float  # 0..1


@dataclass(frozen=True)
class Draft:
    start: int  # the excerpt is text[start:end] of the item's text, verbatim
    end: int
    title: str  # ≤ 16 characters, from the excerpt's words
    kind: Found
    frequency: Found | None = None
    target: Found | None = None
    unit: Found | None = None
    co_units: tuple[str, ...] = ()
    leader: Found | None = None
    baseline: Found | None = None
    measure: Found | None = None
    qualifier: str | None = None


_SHORTCOMING_WORDS = ("不足", "问题", "差距", "短板")
_PLAN_WORDS = ("打算", "计划", "举措", "下一步", "思路", "安排", "展望")
# A heading that says what was done (主要举措和成效) narrates the year, whatever else it says.
_ACHIEVED_WORDS = ("成效", "成绩", "情况", "做法", "主要工作")
# An item's own number at its start: 一是 / 第一， / （一） / （1） / 1.
_NUMBER_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+是+|第[一二三四五六七八九十]+[、，,：:]"
    r"|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、])"
)
_SENTENCE_END = "。；;！!？?\n"


def section_role(heading: str) -> Role:
    """What a part of the report narrates, by the words of its heading."""
    if any(word in heading for word in _SHORTCOMING_WORDS):
        return Role.SHORTCOMING
    if any(word in heading for word in _ACHIEVED_WORDS):
        return Role.ACHIEVED
    if any(word in heading for word in _PLAN_WORDS):
        return Role.PLAN
    return Role.ACHIEVED


def draft_item(text: str, role: Role) -> list[Draft]:
    """One one-off draft per item: its first sentence (after its number) as the excerpt."""
    number = _NUMBER_RE.match(text)
    start = number.end() if number else 0
    while start < len(text) and text[start].isspace():
        start += 1
    end = start
    while end < len(text) and text[end] not in _SENTENCE_END:
        end += 1
    if end < len(text) and text[end] != "\n":
        end += 1  # the sentence keeps its full stop
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return []
    title = re.split(r"[，,。；;：:、！!？?\s]", text[start:end], maxsplit=1)[0][:16]
    kind = "rectification" if role is Role.SHORTCOMING else "one_off"
    return [
        Draft(start=start, end=end, title=title or text[start:end][:16], kind=Found(kind, "", 0.3))
    ]


def units_named(text: str) -> list[str]:
    """The units the report names: none here (the drafting rules find them)."""
    return []
