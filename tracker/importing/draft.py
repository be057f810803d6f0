"""Write a draft seed file: the report's parts and one commitment per draft, in the seed
format (tracker.services.seed_file), with the report text saved verbatim beside it.

Every draft is written `review: undecided`: the reviewer accepts or rejects each before
`tracker import --apply` seeds any. Nothing is invented. A field the loader requires but the
text does not give is set to its least (a placeholder unit, the year's end) and marked
`# 待核定：…` for the reviewer; each draft carries its confidence and the words that decided
each field, as comments. The file is written as text line by line, since YAML libraries do
not write comments; every value is quoted as JSON, which is YAML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.i18n import t
from tracker.importing.linking import Candidate, Earlier, Link, propose
from tracker.importing.rules import Draft, Found, Role, draft_item, section_role, units_named
from tracker.importing.structure import Outline
from tracker.services.report_text import SectionSpan, Span
from tracker.services.seed_file import PLACEHOLDER_UNIT

# The kinds that need a field the loader checks for, and that field on a Draft.
_NEEDS = {"quota": ("frequency", "target"), "recurring": ("frequency",), "indicator": ("baseline",)}
_DATED = {"one_off", "per_village", "rectification"}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Meta:
    """The report's metadata as written: found, or given by the officer's options."""

    slug: str
    title: str
    issuer: str
    town: str
    year: int
    published: date | None
    words: dict[str, str]  # field -> the report's words it came from ('' when given)


@dataclass(frozen=True)
class Written:
    """What `draft_seed` made: the seed's text, the report text and the drafts' count."""

    seed: str
    report: str
    drafts: int
    # Drafts linked to an earlier report's commitment of the town (tracker.importing.linking).
    continues: int = 0
    closes: int = 0


@dataclass(frozen=True)
class _Drafted:
    """One draft and where it was found, before it is written."""

    section: SectionSpan
    item: Span
    index: int
    draft: Draft
    excerpt: str
    role: Role
    unit: str

    def written_kind(self) -> str:
        """The kind written: the draft's, or a one-off when a field its kind needs is missing."""
        kind = str(self.draft.kind.value)
        missing = [name for name in _NEEDS.get(kind, ()) if getattr(self.draft, name) is None]
        return "one_off" if missing else kind

    def candidate(self) -> Candidate:
        draft = self.draft
        return Candidate(
            kind=self.written_kind(),
            frequency=str(draft.frequency.value) if draft.frequency is not None else None,
            measure=str(draft.measure.value)[:20] if draft.measure is not None else None,
            unit=str(draft.unit.value) if draft.unit is not None else None,
            title=draft.title,
            excerpt=self.excerpt,
            achieved=self.role is Role.ACHIEVED,
        )


def q(value: str) -> str:
    """`value` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(value, ensure_ascii=False)


def _note(key: str, **params: object) -> str:
    return "  # " + t("import.draft.todo") + t(f"import.draft.{key}", **params)


def _said(words: str) -> str:
    one_line = " ".join(words.split())
    return one_line if len(one_line) <= 40 else one_line[:39] + "…"


def draft_seed(
    text: str,
    found: Outline,
    meta: Meta,
    *,
    drafter: Callable[[str, Role], list[Draft]] = draft_item,
    named: Callable[[str], list[str]] = units_named,
    earlier: Sequence[Earlier] = (),
) -> Written:
    """The draft seed file's text for the report `text`, whose text file is `<slug>-report.txt`.
    Its units are those the report names, then any a draft names besides, then the
    placeholder when a draft names none. With `earlier` (the town's commitments in the
    ledger), a draft that goes on with one of them, or says one was done, says so
    (tracker.importing.linking), for the reviewer to confirm."""
    placeholder = PLACEHOLDER_UNIT
    units: list[str] = [name for name in dict.fromkeys(named(text)) if name.strip()]
    drafted: list[_Drafted] = []
    for section in found.sections:
        role = section_role(section.heading)
        for item in section.items:
            item_text = text[item.start : item.end]
            for index, draft in enumerate(drafter(item_text, role)[: len(_LETTERS)]):
                excerpt = item_text[draft.start : draft.end].strip()
                if not excerpt:
                    continue
                unit = str(draft.unit.value) if draft.unit is not None else placeholder
                for name in (unit, *draft.co_units):
                    if name not in units:
                        units.append(name)
                drafted.append(_Drafted(section, item, index, draft, excerpt, role, unit))
    links = propose([d.candidate() for d in drafted], earlier, meta.year) if earlier else {}
    rows: list[str] = []
    for number, entry in enumerate(drafted):
        rows += _commitment(entry, meta, links.get(number))
    count = len(drafted)
    lines = _head(meta, found, text)
    if links:  # said once at the top, where the reviewer starts reading
        lines[3:3] = ["# " + t("import.draft.header_links")]
    lines += ["", "units:"]
    for name in units:
        lines.append(f"  - name: {q(name)}" + (_note("unit") if name == placeholder else ""))
    lines += ["", "sections:"]
    for section in found.sections:
        lines += [f"  - number: {section.number}", f"    heading: {q(section.heading[:200])}"]
    lines += ["", "commitments:", *rows]
    fields = [link.field for link in links.values()]
    return Written(
        seed="\n".join(lines) + "\n",
        report=text,
        drafts=count,
        continues=fields.count("continues"),
        closes=fields.count("closes"),
    )


def _head(meta: Meta, found: Outline, text: str) -> list[str]:
    def source(field: str) -> str:
        words = meta.words.get(field, "")
        return "  # " + t("import.draft.from", words=_said(words)) if words else ""

    lines = [
        "# " + t("import.draft.header", title=meta.title),
        "# " + t("import.draft.header_review"),
        "# " + t("import.draft.header_decide"),
        "",
        "report:",
        f"  slug: {q(meta.slug)}",
        f"  title: {q(meta.title)}" + (source("title") if found.title else _note("title_made")),
        f"  issuer: {q(meta.issuer)}" + source("issuer"),
        f"  town: {q(meta.town)}" + source("town"),
        f"  year: {meta.year}" + source("year"),
    ]
    if meta.published is not None:
        lines.append(f"  published: {meta.published.isoformat()}" + source("published"))
    else:
        lines.append("  # published:" + _note("published"))
    lines += [
        f"  plan_year: {meta.year + 1}" + _note("plan_year"),
        f"  text_file: {q(meta.slug + '-report.txt')}",
        "",
    ]
    villages = _villages(text)
    if villages is not None:
        lines.append(f"villages: {villages[0]}  # " + t("import.draft.from", words=villages[1]))
    else:
        lines.append("villages: 0" + _note("villages"))
    return lines


def _villages(text: str) -> tuple[int, str] | None:
    found = re.search(r"全(?:镇|乡|街道)(?:共|的)?(\d{1,3})个(?:行政)?村(?:[(（]社区[)）])?", text)
    return (int(found.group(1)), found.group()) if found else None


def _commitment(entry: _Drafted, meta: Meta, link: Link | None) -> list[str]:
    section, item, index, draft = entry.section, entry.item, entry.index, entry.draft
    excerpt, role, unit = entry.excerpt, entry.role, entry.unit
    kind = str(draft.kind.value)
    missing = [name for name in _NEEDS.get(kind, ()) if getattr(draft, name) is None]
    fields: dict[str, Found | None] = {
        "kind": draft.kind,
        "frequency": draft.frequency,
        "target": draft.target,
        "unit": draft.unit,
        "leader": draft.leader,
        "baseline": draft.baseline,
        "measure": draft.measure,
    }
    why = "；".join(
        f"{name} ← “{_said(got.words)}”" for name, got in fields.items() if got and got.words
    )
    lines = [
        "",
        "  # "
        + t(
            "import.draft.why",
            confidence=f"{draft.kind.confidence:.2f}",
            words=why or t("import.draft.no_words"),
        ),
        f"  - code: {q(f'{section.number}.{item.number}{_LETTERS[index]}')}",
        "    review: undecided",
        f"    section: {section.number}",
        f"    item: {item.number}",
        f"    title: {q(draft.title[:200] or excerpt[:16])}",
        f"    excerpt: {q(excerpt)}",
    ]
    if link is not None:
        lines.append(f"    {link.field}: {q(link.earlier.ref)}  # " + _link_note(link))
    if missing:  # the loader would refuse the kind without them: a one-off until reviewed
        needed = ", ".join(missing)
        lines.append("    kind: one_off" + _note("kind_missing", kind=kind, fields=needed))
        kind = "one_off"
    elif draft.kind.words:
        lines.append(f"    kind: {kind}")
    else:
        lines.append(f"    kind: {kind}" + _note("kind"))
    lines.append(f"    unit: {q(unit)}" + ("" if draft.unit is not None else _note("unit_item")))
    if draft.co_units:
        lines.append("    co_units: [" + ", ".join(q(name) for name in draft.co_units) + "]")
    if draft.leader is not None:
        lines.append(f"    leader: {q(str(draft.leader.value))}")
    if kind in _DATED:
        # The year narrated was the report's; shortcomings and plans are the next year's.
        achieved = role is Role.ACHIEVED
        year = meta.year if achieved else meta.year + 1
        lines.append(f"    due: {year}-12-31" + _note("due_achieved" if achieved else "due_plan"))
        if achieved and draft.kind.value == "one_off":
            # The report narrates the year's work as done (我镇优化了…), as the hand-made
            # seed records it: done, quoting the report, for the reviewer to confirm. The
            # note stays in the ledger's language, as its history does.
            lines.append("    status: done" + _note("status_done"))
            lines.append(f"    status_note: {q('报告称“' + excerpt + '”')}")
    if kind in ("quota", "recurring") and draft.frequency is not None:
        lines.append(f"    frequency: {draft.frequency.value}")
    if kind == "quota" and draft.target is not None:
        lines.append(f"    target: {draft.target.value}")
    if kind == "indicator" and draft.baseline is not None:
        lines.append(f"    baseline: {draft.baseline.value}")
        if draft.baseline.words:
            lines.append(f"    baseline_text: {q(draft.baseline.words[:64])}")
        if draft.measure is not None:
            lines.append(f"    measure: {q(str(draft.measure.value)[:20])}")
    return lines


def _link_note(link: Link) -> str:
    """Why the draft is linked, for the reviewer: the earlier commitment and the evidence."""
    earlier = link.earlier
    why = t("import.link.unit") if link.same_unit else ""
    return t(
        f"import.link.{link.field}",
        year=earlier.year,
        title=_said(earlier.title),
        score=f"{link.score:.2f}",
        unit=why,
    )
