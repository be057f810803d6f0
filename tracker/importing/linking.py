"""Year over year: a town's next report read against its ledger.

A town's report of 2022 says again much of what its 2021 report promised — the lecture
quota, the legal advisers of every village, the daily screening — and says what became of
2021's plan for 2022 (以考促学 was done). Importing it, each draft is compared with the
commitments of the same town's earlier reports in the database, and the import proposes,
for the reviewer to confirm:

- `continues`: the draft is a duty the ledger already tracks (same kind, same cadence or
  measure, similar words): accepted, it is written onto that commitment, whose periods,
  events and figures go on, instead of starting a second one beside it;
- `closes`: a sentence of the year's work that says an earlier plan item for this year was
  done: accepted, that item is closed as done with the sentence as its evidence.

Words are compared as sets of character pairs (the report's Chinese has no spaces), which
finds 法治专题讲座 in 全年举办法治专题讲座4场次 whatever the order of the clause; an
earlier commitment's short title said whole (以考促学) counts nearly as much. A match
needs the same kind, and the pairs of words in common, on top of the unit's; an indicator's
figure and a plan item are proposed for one draft at most, the best. The ledger is only read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tracker.models import CLOSED_STATUSES, Commitment, Kind, Report, Status, Unit
from tracker.services.seed_file import PLACEHOLDER_UNIT

# Kinds of duty that go on from year to year: a later report saying them again continues them.
ONGOING = frozenset({Kind.RECURRING, Kind.QUOTA, Kind.PER_VILLAGE, Kind.INDICATOR})
# Kinds an earlier report plans for a year with a deadline: a later report may say they were done.
PLANNED = frozenset({Kind.ONE_OFF, Kind.RECTIFICATION})
# How alike the words must be (Dice's coefficient of character pairs, with the unit's bonus):
# measured on the 保和镇 pair in tests/data/yoy, where unrelated duties of the same kind
# score below 0.3 and the same duty said again above 0.45.
CONTINUES_AT = 0.4
CLOSES_AT = 0.4
SAME_UNIT_BONUS = 0.1
# A title of four characters or more, all said in a draft, is nearly as good as its words:
# 以考促学 in 我镇通过“以考促学”组织干部职工参加法律知识考试.
TITLE_PAIRS = 3
TITLE_WEIGHT = 0.9

_HAN_OR_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]+")
# Words every duty of the genre shares: they say nothing of which duty it is.
_COMMON = re.compile(r"我镇|全镇|开展|工作|进一步|不断|加强|各类|积极|认真|切实|全面|深入")


@dataclass(frozen=True)
class Earlier:
    """A commitment of an earlier report of the town, as the matching needs it."""

    ref: str  # "slug/code"
    year: int  # the year of its report
    kind: Kind
    frequency: str | None
    measure: str | None
    unit: str
    title: str
    excerpt: str
    status: Status
    due: date | None


@dataclass(frozen=True)
class Candidate:
    """A draft of the new report, as the matching needs it."""

    kind: str
    frequency: str | None
    measure: str | None
    unit: str | None
    title: str
    excerpt: str
    achieved: bool  # in a part narrating the report's year (not its shortcomings or plan)


@dataclass(frozen=True)
class Link:
    """A proposed link of a draft to an earlier commitment."""

    field: str  # "continues" or "closes"
    earlier: Earlier
    score: float
    same_unit: bool


def pairs(text: str) -> frozenset[str]:
    """The character pairs of `text`'s words, the genre's commonplaces left out."""
    words = _HAN_OR_WORD.findall(_COMMON.sub(" ", text))
    return frozenset(w[i : i + 2] for w in words for i in range(len(w) - 1))


def named_in(title: frozenset[str], text: frozenset[str]) -> float:
    """How much of an earlier commitment's short title (以考促学) `text` says, 0 to 1; 0 for
    a title too short to tell one duty from another."""
    if len(title) < TITLE_PAIRS:
        return 0.0
    return len(title & text) / len(title)


def likeness(one: frozenset[str], other: frozenset[str]) -> float:
    """Dice's coefficient of two sets of character pairs: 1 the same, 0 nothing shared."""
    if not one or not other:
        return 0.0
    return 2 * len(one & other) / (len(one) + len(other))


def _same_unit(candidate: Candidate, earlier: Earlier) -> bool:
    return (
        candidate.unit is not None
        and candidate.unit not in (PLACEHOLDER_UNIT, "")
        and (candidate.unit == earlier.unit)
    )


def _field(candidate: Candidate, earlier: Earlier, year: int) -> str | None:
    """How `candidate` could be linked to `earlier`, if at all, by kind and dates alone."""
    if earlier.kind in ONGOING and candidate.kind == earlier.kind:
        if earlier.status is Status.CANCELLED:
            return None
        periodic = earlier.kind in (Kind.RECURRING, Kind.QUOTA)
        if periodic and candidate.frequency != earlier.frequency:
            return None
        if earlier.kind is Kind.INDICATOR and candidate.measure != earlier.measure:
            return None
        return "continues"
    planned_now = earlier.due is not None and earlier.due.year == year
    if earlier.kind in PLANNED and planned_now and candidate.achieved:
        return None if earlier.status in CLOSED_STATUSES else "closes"
    # Said again as a shortcoming or planned again, an earlier item still open is carried
    # over: it goes on being tracked (with its own deadline), not duplicated.
    carried_over = not candidate.achieved and candidate.kind in PLANNED
    if earlier.kind in PLANNED and carried_over and earlier.status not in CLOSED_STATUSES:
        return "continues"
    return None


def propose(
    candidates: Sequence[Candidate], earlier: Sequence[Earlier], year: int
) -> dict[int, Link]:
    """The link proposed for each candidate (by its index) that has one: the best-scoring
    pairs first. A duty may be said again in several places of a report (the year's work,
    next year's plan), so several drafts may continue it; but an indicator gets one figure
    a year, and a plan item is closed once: those are proposed for one draft, the best."""
    earlier_pairs = [pairs(f"{e.title} {e.excerpt}") for e in earlier]
    titles = [pairs(e.title) for e in earlier]
    scored: list[tuple[float, int, int, str, bool]] = []
    for i, candidate in enumerate(candidates):
        mine = pairs(f"{candidate.title} {candidate.excerpt}")
        for j, old in enumerate(earlier):
            field = _field(candidate, old, year)
            if field is None:
                continue
            same_unit = _same_unit(candidate, old)
            alike = max(likeness(mine, earlier_pairs[j]), TITLE_WEIGHT * named_in(titles[j], mine))
            score = alike + (SAME_UNIT_BONUS if same_unit else 0.0)
            if score >= (CONTINUES_AT if field == "continues" else CLOSES_AT):
                scored.append((score, i, j, field, same_unit))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    links: dict[int, Link] = {}
    used: set[int] = set()
    for score, i, j, field, same_unit in scored:
        if i in links or j in used:
            continue
        links[i] = Link(field, earlier[j], round(min(score, 1.0), 2), same_unit)
        if field == "closes" or earlier[j].kind is Kind.INDICATOR:
            used.add(j)
    return links


def earlier_commitments(engine: Engine, town: str, year: int) -> list[Earlier]:
    """The commitments (not their periods or villages) of `town`'s reports before `year`,
    in the database at `engine`, newest report first."""
    with Session(engine) as session:
        rows = session.exec(
            select(Commitment, Report.slug, Report.year, Unit.name)
            .join(Report, col(Report.id) == Commitment.report_id)
            .join(Unit, col(Unit.id) == Commitment.unit_id)
            .where(Report.town == town, Report.year < year, col(Commitment.parent_id).is_(None))
            .order_by(col(Report.year).desc(), col(Commitment.sort_key))
        ).all()
    return [
        Earlier(
            ref=f"{slug}/{item.code}",
            year=report_year,
            kind=Kind(item.kind),
            frequency=item.frequency,
            measure=item.measure,
            unit=unit,
            title=item.title,
            excerpt=item.excerpt or "",
            status=Status(item.status),
            # The year the report planned it for: the date as stated, before the working-day
            # rule moved 2022-12-31 (a Saturday) into 2023.
            due=item.stated_due or item.due,
        )
        for item, slug, report_year, unit in rows
    ]
