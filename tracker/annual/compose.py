"""The annual draft's words, written from the year's facts (tracker.annual.facts).

The five parts that 《法治政府建设与责任落实督察工作规定》 asks of an annual report, in the
register of one: short declarative sentences, figures with their measures, 一是…二是… items.
Each sentence names the rows it was built from and each number the query behind it. Where
the ledger holds nothing for a part, one bracketed line asks the officer for it: the draft
never states work the ledger does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from tracker.annual.facts import Duty, YearFacts, YearScope, by_section
from tracker.annual.model import (
    AnnualDraft,
    Block,
    Figure,
    Heading,
    Paragraph,
    Part,
    Query,
    Sentence,
)
from tracker.i18n import get_language, t
from tracker.labels import figure, localized
from tracker.models import Kind, Status

# Whose duties part 三 reports: the party secretary's and the head of government's.
PRINCIPAL_WORDS = ("书记", "镇长", "乡长", "主任", "主要负责")
EVENTS_NAMED = 5  # events named in a sentence; more are summed up as 等
_DIGITS = "零一二三四五六七八九"


def compose(facts: YearFacts, *, today: date) -> AnnualDraft:
    """The draft of `facts.scope.year`, as the ledger stood on the scope's view day."""
    scope = facts.scope
    principal = [d for d in facts.duties if is_principal(d)]
    others = [d for d in facts.duties if not is_principal(d)]
    parts = (
        Part(t("annual.part.1"), _achievements(others, facts) or _gap_blocks("annual.gap.1")),
        Part(t("annual.part.2"), _items(_shortcomings(facts.duties, scope), "annual.gap.2")),
        Part(t("annual.part.3"), _items(_done_by(principal, facts), "annual.gap.3")),
        Part(t("annual.part.4"), _items(_arrangements(facts.duties, scope.year), "annual.gap.4")),
        Part(t("annual.part.5"), _items(_other(facts), "annual.gap.5")),
    )
    opening = Paragraph(
        (
            Sentence(t("annual.gap.opening", year=scope.year), gap=True),
            Sentence(t("annual.opening", year=scope.year)),
        )
    )
    return AnnualDraft(
        title=t("annual.title", issuer=facts.issuer, year=scope.year),
        town=scope.town,
        issuer=facts.issuer,
        year=scope.year,
        view_day=scope.view_day,
        opening=opening,
        parts=parts,
        signed=t("annual.signed", year=today.year, month=today.month, day=today.day),
        note=t("annual.note", view=scope.view_day.isoformat(), today=today.isoformat()),
        reports=facts.reports,
    )


def is_principal(duty: Duty) -> bool:
    """A duty the report puts on the principal party and government leaders (part 三)."""
    return bool(duty.leader) and any(word in (duty.leader or "") for word in PRINCIPAL_WORDS)


def numeral(number: int) -> str:
    """A small number in Chinese numerals, as items are counted: 1 一, 10 十, 23 二十三."""
    tens, ones = divmod(number, 10)
    if number < 10:
        return _DIGITS[number]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


# --- part 一 and part 三: what was done -------------------------------------------------


def _achievements(duties: list[Duty], facts: YearFacts) -> tuple[Block, ...]:
    """Part 一: what was done, under each of the reports' parts that has something."""
    blocks: list[Block] = []
    for group in by_section(duties).values():
        said = [s for duty in group for s in done_sentences(duty, facts)]
        if not said:
            continue
        first = group[0]
        heading = localized(first.section_heading, first.section_heading_en)
        number = len([b for b in blocks if isinstance(b, Heading)]) + 1
        blocks.append(Heading(t("annual.subpart", number=_ordinal_numeral(number), title=heading)))
        blocks.append(_enumerated(said))
    return tuple(blocks)


def _done_by(duties: list[Duty], facts: YearFacts) -> list[Sentence]:
    return [s for duty in duties for s in done_sentences(duty, facts)]


def done_sentences(duty: Duty, facts: YearFacts) -> list[Sentence]:
    """What the ledger says was done on `duty` in the year (nothing when nothing was),
    and a bracketed line where an indicator's figure for the year is missing."""
    if duty.kind is Kind.INDICATOR:
        return [_indicator(duty, facts.scope.year)] if duty.periods else []
    if duty.kind is Kind.QUOTA:
        return [_quota(duty)] if duty.events else []
    if duty.kind is Kind.RECURRING:
        return [_recurring(duty)] if duty.periods_done else []
    if duty.kind is Kind.PER_VILLAGE:
        return [_villages(duty, facts.villages)] if duty.villages_done else []
    if duty.closed_on is not None:
        note = duty.closed_note or (duty.events[-1].note if duty.events else "")
        text = t("annual.done", title=_title(duty), day=_day(duty.closed_on)) + _aside(note)
        return [_sentence(text, duty)]
    if duty.events:
        count = len(duty.events)
        key = "annual.under_way" if duty.open else "annual.worked"
        text = t(key, title=_title(duty), count=count)
        last = duty.events[-1]
        text += _aside(f"{_day(last.day)}{last.note}") if last.note else ""
        return [_sentence(text, duty, _count(Query.EVENTS, count, duty))]
    return []


def _quota(duty: Duty) -> Sentence:
    count, target = len(duty.events), duty.target or 1
    figures = [_count(Query.EVENTS, count, duty)]
    if duty.frequency in (None, "yearly"):
        key = "annual.quota.met" if count >= target else "annual.quota.year"
        text = t(key, title=_title(duty), count=count, target=target)
        figures.append(_count(Query.QUOTA_TARGET, target, duty))
    else:
        text = t(
            "annual.quota.periods",
            title=_title(duty),
            periods=duty.periods,
            done=duty.periods_done,
            count=count,
        )
        figures += [
            _count(Query.PERIODS, duty.periods, duty),
            _count(Query.PERIODS_DONE, duty.periods_done, duty),
        ]
    return _sentence(text + _aside(_happenings(duty)), duty, *figures)


def _recurring(duty: Duty) -> Sentence:
    figures = [
        _count(Query.PERIODS, duty.periods, duty),
        _count(Query.PERIODS_DONE, duty.periods_done, duty),
    ]
    if duty.periods_done == duty.periods:
        text = t("annual.recurring.all", title=_title(duty), periods=duty.periods)
        return _sentence(text, duty, figures[0])
    text = t(
        "annual.recurring.some", title=_title(duty), periods=duty.periods, done=duty.periods_done
    )
    return _sentence(text, duty, *figures)


def _indicator(duty: Duty, year: int) -> Sentence:
    if duty.figure is None:
        return Sentence(
            t("annual.gap.figure", title=_title(duty), year=year), (duty.code,), gap=True
        )
    amount = _amount(duty.figure, duty.measure)
    figures = [Figure(Query.INDICATOR, duty.figure, figure(duty.figure), duty.code)]
    text = t("annual.indicator", title=_title(duty), amount=amount)
    before = duty.figure_before
    if before is not None:
        change = round(duty.figure - before, 6)
        said_before = (
            duty.baseline_text
            if before == duty.baseline
            and duty.report_year == year - 1
            and duty.baseline_text
            and get_language() == "zh"
            else _amount(before, duty.measure)
        )
        figures.append(Figure(Query.INDICATOR_BEFORE, before, figure(before), duty.code))
        if change == 0:
            text += t("annual.indicator.same", year=year - 1, before=said_before)
        else:
            points = duty.measure == "%"
            way = ("up" if change > 0 else "down") + (".points" if points else "")
            delta = figure(abs(change))
            shown = delta if points else _amount(abs(change), duty.measure)
            text += t(f"annual.indicator.{way}", year=year - 1, before=said_before, delta=shown)
            figures.append(Figure(Query.CHANGE, abs(change), delta, duty.code))
    return _sentence(text, duty, *figures)


def _villages(duty: Duty, villages: int) -> Sentence:
    done = duty.villages_done
    figures = [
        _count(Query.VILLAGES, villages, None),
        _count(Query.VILLAGES_DONE, done, duty),
    ]
    notes = list(dict.fromkeys(h.note for h in duty.events if h.note))[:3]
    if done >= villages:
        text = t("annual.villages.all", title=_title(duty), villages=villages)
        figures = figures[:1]
    else:
        text = t("annual.villages.some", title=_title(duty), villages=villages, done=done)
    return _sentence(text + _aside(t("list_separator").join(notes)), duty, *figures)


# --- part 二: what fell short -------------------------------------------------------------


def _missed_due(duty: Duty, scope: YearScope) -> date | None:
    """The deadline an open item missed by the view day, if it did: past, or (the year
    being over) stated within the year."""
    if duty.extended and duty.due is not None and duty.due >= scope.view_day:
        return None  # given more time, with approval: said as an extension
    if duty.due is not None and duty.due < scope.view_day:
        return duty.stated_due if duty.stated_due and duty.stated_due < duty.due else duty.due
    stated = duty.stated_due
    if scope.year_over and stated is not None and stated <= scope.view_day:
        return stated
    return None


def _shortcomings(duties: list[Duty], scope: YearScope) -> list[Sentence]:
    said: list[Sentence] = []
    for duty in duties:
        if duty.status is Status.CANCELLED:
            continue
        text = ""
        figures: list[Figure] = []
        if duty.kind is Kind.QUOTA and duty.frequency in (None, "yearly"):
            if duty.periods_missed and len(duty.events) < (duty.target or 1):
                count, target = len(duty.events), duty.target or 1
                text = t("annual.short.quota", title=_title(duty), count=count, target=target)
                figures = [
                    _count(Query.EVENTS, count, duty),
                    _count(Query.QUOTA_TARGET, target, duty),
                ]
        elif duty.kind is Kind.INDICATOR and duty.periods_missed:
            # An indicator's period is its year: what is missing is the year's figure.
            text = t("annual.short.figure", title=_title(duty), year=scope.year)
        elif duty.periodic and duty.periods_missed:
            text = t("annual.short.periods", title=_title(duty), missed=duty.periods_missed)
            figures = [_count(Query.PERIODS_MISSED, duty.periods_missed, duty)]
        elif not duty.periodic and duty.open and (due := _missed_due(duty, scope)):
            key = "annual.short.year_end" if scope.year_over else "annual.short.late"
            text = t(key, title=_title(duty), due=_full_day(due), view=_full_day(scope.view_day))
        elif duty.status is Status.BLOCKED:
            text = t("annual.short.blocked", title=_title(duty))
        if text:
            reason = t("annual.reason", reason=duty.reason) if duty.reason else ""
            said.append(_sentence(text + reason, duty, *figures))
        for old, new, why in duty.extensions:
            text = t(
                "annual.short.extended", title=_title(duty), old=_full_day(old), new=_full_day(new)
            )
            said.append(_sentence(text + (t("annual.reason", reason=why) if why else ""), duty))
    return said


# --- part 四: next year -------------------------------------------------------------------


def _arrangements(duties: list[Duty], year: int) -> list[Sentence]:
    """Next year's work: the duties that go on, then what is still to be done."""
    # An indicator is counted, not planned: its next figure is asked for by the ledger.
    going_on = [
        _sentence(_keep_up(duty), duty)
        for duty in duties
        if duty.kind in (Kind.RECURRING, Kind.QUOTA)
        and duty.next_year_periods
        and duty.status is not Status.CANCELLED
    ]
    to_finish: list[Sentence] = []
    for duty in duties:
        if duty.periodic or not duty.open:
            continue
        planned = duty.stated_due or duty.due
        if duty.extended and duty.due is not None:
            text = t("annual.plan.extended", title=_title(duty), due=_full_day(duty.due))
        elif planned is None:
            text = t("annual.plan.undated", title=_title(duty))
        else:
            key = "annual.plan.overdue" if planned.year <= year else "annual.plan.finish"
            text = t(key, title=_title(duty), due=_full_day(planned))
        to_finish.append(_sentence(text, duty))
    return going_on + to_finish


def _keep_up(duty: Duty) -> str:
    """坚持每日开展矛盾纠纷日排查: the duty and its cadence in one short lead, which an
    import of the published report reads back as the same recurring duty."""
    cadence = t(f"annual.cadence.{duty.frequency or 'yearly'}")
    if duty.kind is Kind.QUOTA and "至少" not in duty.title:
        return t("annual.plan.quota", title=_title(duty), cadence=cadence, target=duty.target or 1)
    if duty.kind is Kind.QUOTA:  # 每年至少2次法治专题讲座: the title says the target
        return t("annual.plan.quota_titled", title=_title(duty))
    return t("annual.plan.recurring", title=_title(duty), cadence=cadence)


# --- part 五: the rest --------------------------------------------------------------------


def _other(facts: YearFacts) -> list[Sentence]:
    said = []
    if facts.signed_off:
        figures = (_count(Query.SIGNED_OFF, facts.signed_off, None),)
        text = t("annual.sentence_end", text=t("annual.signed_off", count=facts.signed_off))
        said.append(Sentence(text, (), figures))
    if facts.evidence_files:
        figures = (_count(Query.EVIDENCE, facts.evidence_files, None),)
        text = t("annual.sentence_end", text=t("annual.evidence", count=facts.evidence_files))
        said.append(Sentence(text, (), figures))
    return said


# --- words --------------------------------------------------------------------------------


def _items(sentences: list[Sentence], gap_key: str) -> tuple[Block, ...]:
    return (_enumerated(sentences),) if sentences else _gap_blocks(gap_key)


def _gap_blocks(key: str) -> tuple[Block, ...]:
    return (Paragraph((Sentence(t(key), gap=True),)),)


def _enumerated(sentences: Iterable[Sentence]) -> Paragraph:
    """一是…。二是…。: the items of a paragraph counted; a bracketed line is not an item."""
    out: list[Sentence] = []
    number = 0
    for sentence in sentences:
        if sentence.gap:
            out.append(sentence)
            continue
        number += 1
        text = t("annual.item", number=_ordinal_numeral(number), text=sentence.text)
        out.append(Sentence(text, sentence.codes, sentence.figures))
    return Paragraph(tuple(out))


def _ordinal_numeral(number: int) -> str:
    return numeral(number) if get_language() == "zh" else str(number)


def _sentence(text: str, duty: Duty, *figures: Figure) -> Sentence:
    return Sentence(t("annual.sentence_end", text=text), (duty.code,), tuple(figures))


def _count(query: Query, value: int, duty: Duty | None) -> Figure:
    return Figure(query, value, str(value), duty.code if duty else None)


def _title(duty: Duty) -> str:
    """The duty's title as a sentence says it: without a closing stop, and without the
    整改： a rectification's title opens with in the ledger (the part says so already)."""
    title = localized(duty.title, duty.title_en).rstrip("。；;，,")
    if duty.kind is Kind.RECTIFICATION:
        title = _RECTIFY_LABEL.sub("", title) or title
    return title


_RECTIFY_LABEL = re.compile(r"^(?:整改|Rectify|Rectification)\s*[：:]\s*", re.IGNORECASE)


def _amount(value: float, measure: str | None) -> str:
    """A figure in its measure: 620份, 98.1%; in English, 620 copies."""
    number = figure(value)
    if not measure:
        return number
    key = f"measure.{measure}"
    return t(key, figure=number) if _has(key) else f"{number}{measure}"


def _has(key: str) -> bool:
    from tracker.i18n import CATALOGS

    return key in CATALOGS[get_language()]


def _day(day: date) -> str:
    return t("annual.day", day=day.day, month_name=t(f"date.month.{day.month}"))


def _full_day(day: date) -> str:
    return t(
        "annual.full_day",
        year=day.year,
        day=day.day,
        month_name=t(f"date.month.{day.month}"),
    )


def _aside(text: str) -> str:
    """Words in brackets after a sentence, without a full stop of their own."""
    text = text.rstrip("。.；; ")
    return t("annual.aside", text=text) if text else ""


def _happenings(duty: Duty) -> str:
    named = [
        f"{_day(h.day)}{t('annual.event_note', note=h.note) if h.note else ''}" for h in duty.events
    ]
    more = len(named) > EVENTS_NAMED
    text = t("list_separator").join(named[:EVENTS_NAMED])
    return t("annual.and_more", text=text) if more else text
