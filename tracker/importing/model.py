"""What the drafting rules find in a report: a draft commitment and, for each of its
fields, the value, the report's words that decided it and how sure the rule is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a part of the report is: the year's work, its shortcomings, or next year's plan."""

    ACHIEVED = "achieved"
    SHORTCOMING = "shortcoming"
    PLAN = "plan"


@dataclass(frozen=True)
class Found:
    """A field's value, the report's words that decided it, and how sure the rule is."""

    value: object
    words: str
    confidence: float


@dataclass(frozen=True)
class Draft:
    """One drafted commitment; its excerpt is text[start:end] of the item given."""

    start: int
    end: int
    title: str
    kind: Found
    frequency: Found | None = None
    target: Found | None = None
    unit: Found | None = None
    co_units: tuple[str, ...] = ()
    leader: Found | None = None
    baseline: Found | None = None
    measure: Found | None = None
    qualifier: str | None = None
