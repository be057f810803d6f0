"""Find the structure of a report's text: numbered sections and their enumerated items.

Reports number sections 一、二、… and items inside them 一是…二是…; other reports use
第一、第二、, （一）（二）, （1）（2） or 1. 2. for items, which are accepted too. A section may
also be divided into sub-parts, （一）（二） heading a paragraph of their own; the items of
each sub-part are then the section's items, numbered on across its sub-parts (a sub-part
without an enumeration of its own is one item). Offsets are character offsets into the
full text, so excerpts can be located and highlighted exactly.
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
# 第一、第二，… (not 第一责任人: the ordinal must be followed by a pause).
_DI_ITEM_RE = re.compile(
    rf"(?:(?<=^)|(?<=[。：:；;\n]))第([{_CN_DIGITS}]+)[、，,：:]", re.MULTILINE
)
_PAREN_ARABIC_ITEM_RE = re.compile(r"(?:(?<=^)|(?<=[。：:；;\n]))[（(](\d{1,2})[）)]", re.MULTILINE)
# A sub-part: （一） at the start of a line (its heading, or the paragraph it leads).
_SUBPART_RE = re.compile(rf"^[ \t\u3000]*[（(]([{_CN_DIGITS}]+)[）)]", re.MULTILINE)
# The item patterns, most specific first: the seed's 一是 run wins over anything else.
_ITEM_PATTERNS = (_SHI_ITEM_RE, _DI_ITEM_RE, _PAREN_ITEM_RE, _PAREN_ARABIC_ITEM_RE, _ARABIC_ITEM_RE)
# Inside a sub-part, （一） is the sub-part's own number, not an item.
_INNER_ITEM_PATTERNS = (_SHI_ITEM_RE, _DI_ITEM_RE, _PAREN_ARABIC_ITEM_RE, _ARABIC_ITEM_RE)


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
class SubpartSpan(Span):
    """A sub-part （一）（二） of a section: its heading and the section's items inside it."""

    heading: str
    items: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class SectionSpan(Span):
    heading: str
    items: tuple[Span, ...]
    subparts: tuple[SubpartSpan, ...] = ()


def _find_items(
    text: str, start: int, end: int, patterns: tuple[re.Pattern[str], ...] = _ITEM_PATTERNS
) -> tuple[Span, ...]:
    body = text[start:end]
    for pattern in patterns:
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


def _find_subparts(text: str, start: int, end: int) -> tuple[SubpartSpan, ...]:
    """The section's sub-parts （一）（二）… when at least two head lines of their own and
    one of them holds an enumeration; else none (its （一） are then plain items)."""
    run: list[re.Match[str]] = []
    for m in _SUBPART_RE.finditer(text, start, end):
        if _item_number(m.group(1)) == len(run) + 1:
            run.append(m)
    if len(run) < 2:
        return ()
    bounds = [m.start() for m in run] + [end]
    found: list[tuple[int, int, str, tuple[Span, ...]]] = []
    for i, m in enumerate(run):
        line_end = text.find("\n", m.end(), bounds[i + 1])
        line_end = bounds[i + 1] if line_end < 0 else line_end
        inner = _find_items(text, m.end(), bounds[i + 1], _INNER_ITEM_PATTERNS)
        heading = text[m.end() : line_end].strip()
        found.append((m.start(), _trimmed_end(text, m.start(), bounds[i + 1]), heading, inner))
    if not any(inner for *_, inner in found):
        return ()
    subparts: list[SubpartSpan] = []
    number = 0
    for i, (s_start, s_end, heading, inner) in enumerate(found):
        items: list[Span] = []
        # A sub-part without an enumeration is one item: from its number to its end.
        for item in inner or (Span(number=1, start=s_start, end=s_end),):
            number += 1
            items.append(Span(number=number, start=item.start, end=item.end))
        head = heading.split("。", 1)[0][:200] or heading
        subparts.append(
            SubpartSpan(number=i + 1, start=s_start, end=s_end, heading=head, items=tuple(items))
        )
    return tuple(subparts)


def _trimmed_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


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
        subparts = _find_subparts(text, m.end(), end)
        if subparts and i + 1 == len(kept):
            # The last sub-part of the last section runs no further than its first
            # paragraph after its heading: the closing remarks and signature follow it.
            subparts = subparts[:-1] + (_closed(text, subparts[-1]),)
        if subparts:
            items = tuple(item for part in subparts for item in part.items)
        else:
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
                subparts=subparts,
            )
        )
    return tuple(sections)


def _closed(text: str, part: SubpartSpan) -> SubpartSpan:
    """`part` ended with its last item's paragraph (or its first paragraph of text)."""
    last = part.items[-1]
    if last.start != part.start:  # its items are an enumeration: they end where they end
        return SubpartSpan(part.number, part.start, last.end, part.heading, part.items)
    heading_end = text.find("\n", part.start, part.end)
    body_start = heading_end + 1 if heading_end >= 0 else part.end
    while body_start < part.end and text[body_start].isspace():
        body_start += 1
    body_end = text.find("\n", body_start, part.end)
    end = part.end if body_end < 0 else body_end
    item = Span(number=last.number, start=last.start, end=end)
    return SubpartSpan(part.number, part.start, end, part.heading, (*part.items[:-1], item))


# --- The report itself, without the web page around it --------------------------------
#
# A report saved from a government portal keeps the page around it: the navigation bar
# above the title, the 【打印本稿】【关闭】 buttons under it, the footer (相关文档, 网站地图,
# 主办, ICP and 公安备案 numbers) below its last line. The stored text keeps them (every
# excerpt's offsets index into it); what shows the report shows only the report.

# The title: a line that names the document (…年度报告, …工作报告, …情况的报告).
_TITLE_RE = re.compile(r"^[^\n]{4,80}报告[^\n]{0,4}$", re.MULTILINE)
# What a breadcrumb trail ("首页 > 政务公开 > 工作报告") has and a title has not.
_NAVIGATION = (">", "|", "›", "»", "位置", "首页")
# A line of buttons only: 【打印本稿】 【关闭】 (a paragraph may start with 【典型案例】).
_BUTTONS = r"(?:【[^】\n]{1,8}】[ \t\u3000]*)+$"
_BUTTONS_RE = re.compile(rf"^[ \t\u3000]*{_BUTTONS}", re.MULTILINE)
# A line of the portal's own: its buttons, its footer, its registration numbers.
_PORTAL_LINE_RE = re.compile(
    rf"^\s*(?:{_BUTTONS}"
    r"|相关(?:文档|链接|附件)|网站地图|主办[:：]|承办[:：]|版权所有|Copyright|©"
    r"|[^\n]*(?:ICP备|公网安备|网站标识码)"
    r")",
    re.MULTILINE | re.IGNORECASE,
)
# The date a report is signed with, on a line of its own: 2022年3月10日, 二〇二二年三月十日.
_DATE_LINE_RE = re.compile(
    r"^\s*(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月"
    r"[\d一二三四五六七八九十]{1,3}日\s*$",
    re.MULTILINE,
)


def report_body_bounds(text: str, title: str | None = None) -> tuple[int, int]:
    """[start, end) of the report in `text`: from its title line (`title` when given and
    found on a line of its own, else the first line that reads as a report's title) to its
    signature date, or else to its last line before the portal's footer. A text without
    the page around it is kept whole (its blank edges aside)."""
    start = _title_line(text, title)
    sections = parse_sections(text)
    after = sections[-1].start if sections else start
    footer = next((m.start() for m in _PORTAL_LINE_RE.finditer(text, after)), len(text))
    dates = [m for m in _DATE_LINE_RE.finditer(text, after, footer)]
    end = dates[-1].end() if dates else footer
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _title_line(text: str, title: str | None) -> int:
    if title:
        for m in re.finditer(re.escape(title.strip()), text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.end())
            line = text[line_start : len(text) if line_end < 0 else line_end]
            if line.strip() == title.strip():
                return line_start
    first_section = next(iter(_SECTION_RE.finditer(text)), None)
    limit = first_section.start() if first_section else len(text)
    for found in _TITLE_RE.finditer(text, 0, limit):
        if not any(mark in found.group() for mark in _NAVIGATION):
            return found.start()
    return 0


def report_shown_parts(text: str, title: str | None = None) -> tuple[tuple[int, int], ...]:
    """The [start, end) pieces of `text` a reader is shown: the report's body
    (`report_body_bounds`) less the portal's lines inside it (the 【打印本稿】【关闭】 buttons
    under the title). Offsets index into the full text."""
    start, end = report_body_bounds(text, title)
    parts: list[tuple[int, int]] = []
    cursor = start
    for m in _BUTTONS_RE.finditer(text, start, end):
        line_end = text.find("\n", m.start(), end)
        line_end = end if line_end < 0 else line_end + 1
        if m.start() > cursor:
            parts.append((cursor, m.start()))
        cursor = line_end
    if cursor < end:
        parts.append((cursor, end))
    return tuple(parts)
