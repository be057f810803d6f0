"""Find the structure of a report's text: numbered sections and their enumerated items.

Reports number sections 一、二、… and items inside them 一是…二是…; other reports use
（一）（二） or 1. 2. for items, which are accepted too. Offsets are character offsets into
the full text, so excerpts can be located and highlighted exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = "一二三四五六七八九十"
_SECTION_RE = re.compile(rf"^([{_CN_DIGITS}]+)、(.+)$", re.MULTILINE)
# 一是 / 二是 …, only where an enumeration can start: paragraph start or after 。：:；;
# (the seed misspells one as 三是是, which this still finds once).
_SHI_ITEM_RE = re.compile(rf"(?:(?<=^)|(?<=[。：:；;\n]))([{_CN_DIGITS}]+)是", re.MULTILINE)
_PAREN_ITEM_RE = re.compile(
    rf"(?:(?<=^)|(?<=[。：:；;\n]))[（(]([{_CN_DIGITS}]+)[）)]", re.MULTILINE
)
_ARABIC_ITEM_RE = re.compile(r"(?:(?<=^)|(?<=[。：:；;\n]))(\d{1,2})[.．、](?!\d)", re.MULTILINE)


def chinese_numeral(text: str) -> int:
    """Value of a small Chinese numeral such as 三, 十, 十二 or 二十三."""
    values = {ch: i + 1 for i, ch in enumerate(_CN_DIGITS[:9])}
    if not text or any(ch not in values and ch != "十" for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if "十" not in text:
        if len(text) != 1:
            raise ValueError(f"not a Chinese numeral: {text!r}")
        return values[text]
    tens, _, ones = text.partition("十")
    return (values[tens] if tens else 1) * 10 + (values[ones] if ones else 0)


@dataclass(frozen=True, slots=True)
class Span:
    """A numbered part of the text: [start, end) offsets and its number."""

    number: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SectionSpan(Span):
    heading: str
    items: tuple[Span, ...]


def _find_items(text: str, start: int, end: int) -> tuple[Span, ...]:
    body = text[start:end]
    for pattern in (_SHI_ITEM_RE, _PAREN_ITEM_RE, _ARABIC_ITEM_RE):
        matches = [m for m in pattern.finditer(body) if _item_number(m.group(1)) is not None]
        # Enumerations count 1, 2, 3…; keep the first run that does.
        run: list[re.Match[str]] = []
        for m in matches:
            if _item_number(m.group(1)) == len(run) + 1:
                run.append(m)
        if run:
            starts = [start + m.start() for m in run]
            return tuple(
                Span(number=i + 1, start=s, end=_item_end(text, s, starts, i, end))
                for i, s in enumerate(starts)
            )
    return ()


def _item_end(text: str, item_start: int, starts: list[int], index: int, limit: int) -> int:
    """An item ends at the next item or at the end of its paragraph, whichever comes first."""
    next_start = starts[index + 1] if index + 1 < len(starts) else limit
    paragraph_end = text.find("\n", item_start, next_start)
    return next_start if paragraph_end == -1 else paragraph_end


def _item_number(token: str) -> int | None:
    try:
        return int(token) if token.isdigit() else chinese_numeral(token)
    except ValueError:
        return None


def parse_sections(text: str) -> tuple[SectionSpan, ...]:
    """The report's numbered sections, in order, each with its enumerated items.

    A section runs from its heading to the next one. An item ends where the next item
    starts or where its paragraph ends; the last section ends with its last item's
    paragraph, which keeps the closing remarks and the portal's footer out of it.
    """
    headings = list(_SECTION_RE.finditer(text))
    sections: list[SectionSpan] = []
    expected = 1
    kept: list[re.Match[str]] = []
    for m in headings:
        if chinese_numeral(m.group(1)) == expected:
            kept.append(m)
            expected += 1
    for i, m in enumerate(kept):
        end = kept[i + 1].start() if i + 1 < len(kept) else len(text)
        items = _find_items(text, m.end(), end)
        if items and i + 1 == len(kept):
            end = items[-1].end
        sections.append(
            SectionSpan(
                number=i + 1,
                start=m.start(),
                end=end,
                heading=m.group(2).strip(),
                items=items,
            )
        )
    return tuple(sections)
