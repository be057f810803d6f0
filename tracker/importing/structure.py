"""A report's structure and metadata: its parts, sub-parts and enumerated items (found by
tracker.services.report_text, as seeding checks them), its town, issuer, year and date.

Every metadatum carries the words it was read from, so the officer sees why; what the text
does not give stays None, and the command says so rather than inventing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tracker.services.report_text import SectionSpan, chinese_numeral, parse_sections

_TITLE_RE = re.compile(r"^[^\n]{4,80}报告[^\n]{0,4}$", re.MULTILINE)
_ISSUER_RE = re.compile(r"[\u4e00-\u9fff]{2,30}?(?:人民政府|街道办事处|办事处)")
# The town is the last place of the issuer's name: 资阳市雁江区保和镇 -> 保和镇.
_TOWN_RE = re.compile(r"([^省市区县州旗盟\s]{1,10}?(?:镇|乡|街道))(?:人民政府|办事处|街道办事处)?$")
_TOWN_ANYWHERE_RE = re.compile(r"(?:我|全)(镇|乡|街道)")
# A title that opens with the town: 三都镇2025年法治政府建设年度报告, 东湖街道关于…的报告.
_TITLE_TOWN_RE = re.compile(r"^([^省市区县州旗盟\s]{1,10}?(?:镇|乡|街道))(?=\d{4}|关于)")
# A report with no title line (a letter to 市委、市政府) names the town as the subject of its
# opening sentence: 2025年,下蜀镇坚持以… (not 我镇, 全镇).
_OPENING_TOWN_RE = re.compile(
    r"^\d{4}年(?:度|以来)?[,，]?\s*([^我全本该省市区县州旗盟\s,，。、:：]{1,9}?(?:镇|乡|街道))"
    r"(?!党委|人民政府|办事处)"
)
_YEAR_RE = re.compile(r"(\d{4})\s*年度?[^\n。]{0,16}?法治(?:政府)?建设")
# The year a report narrates, as its opening sentence says it when no title does: 2025年,…
_OPENING_YEAR_RE = re.compile(r"^(\d{4})年(?:度|以来)?[,，]", re.MULTILINE)
_NUMERIC_DATE_RE = re.compile(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})")
_DATE_LINE_RE = re.compile(
    r"^\s*((?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月"
    r"[\d一二三四五六七八九十]{1,3}日)\s*$",
    re.MULTILINE,
)
# What makes a report of this genre: its subject named near the top.
_GENRE_WORDS = ("法治政府", "法治建设", "依法行政", "依法治")
_CN_YEAR_DIGITS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0}


@dataclass(frozen=True)
class Fact:
    """A metadatum and the words it was read from (empty when an option gave it)."""

    value: str | int | date
    words: str


@dataclass(frozen=True)
class Outline:
    """What the import found in a report's text."""

    title: str | None
    sections: tuple[SectionSpan, ...]
    town: Fact | None
    issuer: Fact | None
    year: Fact | None
    published: Fact | None
    genre: bool  # the text names 法治政府建设 / 依法行政 in its title or opening

    @property
    def item_count(self) -> int:
        return sum(len(section.items) for section in self.sections)


def outline(text: str) -> Outline:
    """The structure and metadata of `text` (a report as `reading.read_report` returns it)."""
    sections = parse_sections(text)
    first = sections[0].start if sections else len(text)
    title = _title(text, first)
    issuer = _issuer(text, title, first)
    return Outline(
        title=title,
        sections=sections,
        town=_town(issuer, text[:first]),
        issuer=issuer,
        year=_year(title, text[:first] if sections else text[:2000]),
        published=_published(text, sections, first),
        genre=any(word in (title or "") + text[:first][:3000] for word in _GENRE_WORDS),
    )


def _title(text: str, first: int) -> str | None:
    """The title line; with the issuer's name before it when that stands on the line above
    (城东街道办事处 / 关于2022年度法治政府建设情况的报告, or a long title broken after
    the issuer: 资阳市雁江区保和镇人民政府 / 2022年法治政府建设年度报告), read as one."""
    for found in _TITLE_RE.finditer(text, 0, first):
        line = found.group().strip()
        if not any(mark in line for mark in (">", "|", "›", "»", "位置", "首页")):
            above = text[: found.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
            if _ISSUER_RE.fullmatch(above) and not _ISSUER_RE.search(line):
                return above + line
            return line
    return None


def _issuer(text: str, title: str | None, first: int) -> Fact | None:
    """The issuer as the title names it, else as the signature or the byline does."""
    if title:
        found = _ISSUER_RE.search(title)
        if found:
            return Fact(found.group(), title)
    last = text.rstrip().rsplit("\n", 4)[1:]
    for line in reversed(last):  # the signature: the issuer's name on a line of its own
        found = _ISSUER_RE.fullmatch(line.strip())
        if found:
            return Fact(found.group(), line.strip())
    for line in text[:first].split("\n"):
        found = _ISSUER_RE.search(line)
        if found:
            return Fact(found.group(), line.strip())
    return None


def _town(issuer: Fact | None, head: str) -> Fact | None:
    if issuer is not None:
        name = str(issuer.value)
        stem = re.sub(r"(?:人民政府|街道办事处|办事处)$", "", name)
        if name.endswith("街道办事处") and not stem.endswith("街道"):
            stem += "街道"
        found = _TOWN_RE.search(stem)
        if found:
            return Fact(found.group(1), name)
    for line in head.split("\n"):
        found = _TOWN_RE.search(line.strip())
        if found and "报告" not in line:
            return Fact(found.group(1), line.strip())
        found = _TITLE_TOWN_RE.match(line.strip())
        if found:
            return Fact(found.group(1), line.strip())
    for line in head.split("\n"):
        found = _OPENING_TOWN_RE.match(line.strip())
        if found:
            return Fact(found.group(1), found.group())
    return None


def _year(title: str | None, head: str) -> Fact | None:
    """The year the report is about: 2021 in 2021年法治政府建设年度报告."""
    for where in (title or "", head):
        found = _YEAR_RE.search(where)
        if found:
            return Fact(int(found.group(1)), found.group())
    found = _OPENING_YEAR_RE.search(head)
    return Fact(int(found.group(1)), found.group()) if found else None


def _published(text: str, sections: tuple[SectionSpan, ...], first: int) -> Fact | None:
    """The signature's date on a line of its own in the last part (which runs to the end
    of the text when it has no items to end it), else the byline's date above the first."""
    after = sections[-1].start if sections else 0
    for found in reversed(list(_DATE_LINE_RE.finditer(text, after))):
        day = _date_of(found.group(1))
        if day is not None:
            return Fact(day, found.group(1))
    for line in text[:first].split("\n"):
        if _YEAR_RE.search(line):
            continue  # the title's year is not a date
        for found in _NUMERIC_DATE_RE.finditer(line):
            day = _date_of(found.group())
            if day is not None:
                return Fact(day, line.strip())
    return None


def _date_of(words: str) -> date | None:
    found = _NUMERIC_DATE_RE.search(words)
    try:
        if found:
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        year_text, rest = words.split("年", 1)
        month_text, rest = rest.split("月", 1)
        year = int("".join(str(_CN_YEAR_DIGITS[ch]) for ch in year_text))
        return date(year, chinese_numeral(month_text), chinese_numeral(rest.rstrip("日")))
    except (ValueError, KeyError):
        return None
