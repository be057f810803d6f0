"""The units (责任单位) and leaders (分管领导) a report names, by rule: a generic pattern for
…所/…办/…中心/…站/…小组/…委员会/…部门 names with the words that only look like one left
out (场所, 举办, 相关部门), a short list of known ones, and leaders by title only."""

from __future__ import annotations

import re

from tracker.importing.model import Found

# Units whose names the generic pattern below cannot see (no telling suffix).
_KNOWN_UNITS = (
    "镇党委(?!书记|副书记|委员)",
    "(?:街道)?党工委(?!书记|副书记|委员)",
    "镇政府",
    "镇人大",
    "镇纪委",
    "武装部",
)
# A unit is a run of characters ending with one of these; 所/办/站 only where the run is
# a name (not 场所, 举办, 站位 …).
_UNIT_RE = re.compile(
    r"[\u4e00-\u9fff]{2,12}?"
    r"(?:委员会|领导小组|小组|中心|部门|办事处|大队|中队|分局|(?<![场住厕处诊])所(?![有在属得需以谓])"
    r"|(?<![承督主举协兴创开合查])办(?![理案事法公结件好实])|(?<![车网本])站(?![位稳岗在点]))"
)
# Where a unit's name cannot begin: what comes before a name in a sentence.
_UNIT_LEFT_RE = re.compile(
    r".*(?:了|由|以|与|和|及|同|对|向|把|将|在|经|让|为|从|使|被|等|的|是|全镇|成立|组建"
    r"|组织|优化|设立|建立|召开|协调|推进|依托|督促|配合|支持)"
)
# Runs that end like a unit but name no one in particular.
_NOT_UNITS = {"部门", "各部门", "相关部门", "有关部门", "职能部门", "执法部门", "牵头部门"}
_NOT_UNITS |= {"领导小组", "明确牵头部门"}
_NOT_UNIT_PREFIXES = ("相关", "有关", "一线", "其他", "上级")
_LEADERS = (
    "镇党委书记",
    "党委书记",
    "街道党工委书记",
    "党工委书记",
    "办事处主任",
    "分管副镇长",
    "纪委书记",
    "人大主席",
    "副镇长",
    "镇长",
    "分管领导",
    "党政主要负责人",
    "主要负责人",
    "书记",
)


def units_in(text: str) -> list[tuple[int, str]]:
    """(offset, name) of every unit named in `text`, in order."""
    found: list[tuple[int, str]] = []
    for m in _UNIT_RE.finditer(text):
        run = m.group()
        cut = _UNIT_LEFT_RE.match(run)
        start = m.start() + (cut.end() if cut else 0)
        if text[start] in "年月日" and start > 0 and text[start - 1].isdigit():
            start += 1  # 3月15日党委理论学习中心组: the date's 日 is not the name's
        name = text[start : m.end()]
        core = name.removeprefix("各")
        if (
            len(name) < 3
            or name in _NOT_UNITS
            or core.startswith(_NOT_UNIT_PREFIXES)
            or (name.endswith("部门") and len(core) <= 4)
        ):
            continue
        found.append((start, name))
    for known in _KNOWN_UNITS:
        found += [(m.start(), m.group()) for m in re.finditer(known, text)]
    found.sort()
    # A known name inside a generic match (镇党委 in 镇党委会议…) is the same mention.
    kept: list[tuple[int, str]] = []
    for start, name in found:
        if kept and start < kept[-1][0] + len(kept[-1][1]):
            continue
        kept.append((start, name))
    return kept


def same_unit(a: str, b: str) -> bool:
    return a.removeprefix("镇") == b.removeprefix("镇")


def units_named(text: str) -> list[str]:
    """Every unit the text names, in order of first mention; 镇司法所 and 司法所 are one."""
    names: list[str] = []
    for _, name in units_in(text):
        if not any(same_unit(name, seen) for seen in names):
            names.append(name)
    return names


def leader(text: str) -> Found | None:
    """The leaders' titles the words name (镇党委书记、镇长); a name beside them is left out."""
    said = list(re.finditer("|".join(_LEADERS), text))
    if not said:
        return None
    titles = list(dict.fromkeys(m.group() for m in said))
    first, last = said[0], said[-1]
    # The words: the titles as the report runs them together, else the first one alone.
    words = text[first.start() : last.end()] if last.end() - first.start() <= 24 else first.group()
    return Found("、".join(titles), words, 0.7)
