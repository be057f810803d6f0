"""The draft of a year's 法治政府建设年度报告, as the ledger writes it: parts of sentences,
each sentence carrying the ledger rows it was built from and every number in it carrying
the query that gave it.

Composed once (tracker.annual.compose) and drawn by each format's renderer
(tracker.annual.render, tracker.annual.word), which never query. A renderer shows a
sentence's codes as a trailing marker (txt, md, html) or a comment (docx), or leaves them out
for the clean copy (`plain`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Query(StrEnum):
    """What a number in the draft counts; tests re-run each one against the ledger."""

    EVENTS = "events"  # events of a commitment (and its instances) that happened in the year
    PERIODS = "periods"  # a periodic duty's periods of the year that have begun
    PERIODS_DONE = "periods_done"  # …of which done on the view day
    PERIODS_MISSED = "periods_missed"  # …of which late, or ended with the year, not done
    QUOTA_TARGET = "quota_target"  # a quota's target for one period
    INDICATOR = "indicator"  # an indicator's figure for the year
    INDICATOR_BEFORE = "indicator_before"  # …for the year before (or the report's baseline)
    CHANGE = "change"  # the figure less the one before (its sign said in words)
    VILLAGES = "villages"  # villages of the town on the view day (not retired)
    VILLAGES_DONE = "villages_done"  # villages with an event of a per-village duty in the year
    SIGNED_OFF = "signed_off"  # items signed off (销号) in the year
    EVIDENCE = "evidence"  # evidence files of the year's events


@dataclass(frozen=True)
class Figure:
    """One number of a sentence: its value, how it reads in the sentence and its query."""

    query: Query
    value: float
    text: str  # as written in the sentence: "18", "98.1", "0.5"
    code: str | None = None  # the commitment it was counted on (None: the whole town)


@dataclass(frozen=True)
class Sentence:
    """One sentence of the draft and the ledger rows it says something about.

    A `gap` is a bracketed line for the officer where the ledger holds nothing for a part
    (or for one duty: an indicator's missing figure names its code): it states no work.
    """

    text: str
    codes: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    gap: bool = False


@dataclass(frozen=True)
class Paragraph:
    """Sentences read as one paragraph (a part's 一是…二是… items run on in one)."""

    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Heading:
    """A sub-part's heading inside a part: （一）健全决策机制，提升行政水平."""

    text: str


Block = Heading | Paragraph


@dataclass(frozen=True)
class Part:
    """One of the five parts: 一、主要举措和成效."""

    title: str  # already numbered
    blocks: tuple[Block, ...]

    def sentences(self) -> list[Sentence]:
        return [s for block in self.blocks if isinstance(block, Paragraph) for s in block.sentences]


@dataclass(frozen=True)
class AnnualDraft:
    """The whole draft: title, opening, five parts and the signature (issuer and date)."""

    title: str
    town: str
    issuer: str
    year: int
    view_day: date  # the ledger as it stood on this day (the year's end, or --as-of)
    opening: Paragraph
    parts: tuple[Part, ...]
    signed: str  # the date under the issuer, as written: 2022年12月31日
    note: str = ""  # the line under the title of a draft (not of the clean copy)
    reports: tuple[str, ...] = field(default=())  # the reports of the town it draws on

    def sentences(self) -> list[Sentence]:
        """Every sentence, in order, the opening's first."""
        return [*self.opening.sentences, *(s for part in self.parts for s in part.sentences())]

    def codes(self) -> list[str]:
        """Every code cited, in order of first citation."""
        return list(dict.fromkeys(code for s in self.sentences() for code in s.codes))
