"""Drafting rules: read commitments out of one enumerated item of a 法治政府建设年度报告.

The genre is regular enough to be read by rule: an item opens with a short title
(一是优化领导小组。), its duties are clauses that start with a verb of doing (完善, 建立,
开展…), cadences are said with 日/周/月/每季度, quotas with 每年至少N次, villages with
各村(社区), figures with a number and a measure (600余份, 97.82%). Each field a rule
fills carries the report's own words that decided it and a confidence, so a reviewer
sees why; a field the words do not support is left empty rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tracker.importing.model import Draft, Found, Role
from tracker.importing.units import leader, same_unit, units_in, units_named

__all__ = ["Draft", "Found", "Role", "draft_item", "section_role", "units_named"]


# --- Parts ---------------------------------------------------------------------------

_SHORTCOMING_RE = re.compile(r"不足|问题|短板|差距|薄弱")
# 下一步工作打算, 2022年举措, 工作计划, 今后工作思路; the plan's cue wins over 不足 in
# headings such as 针对不足的整改举措.
_PLAN_RE = re.compile(
    r"下一步|打算|举措|计划|思路|今后|明年|安排|展望|工作要点|\d{4}年(?:工作)?(?:重点|要点)"
)


# A heading that says what was done (主要举措和成效, 工作开展情况) narrates the year, although
# it may name its measures (举措).
_ACHIEVED_RE = re.compile(r"成效|成绩|开展情况|工作情况|主要做法|主要工作")


def section_role(heading: str) -> Role:
    """The role of a part of the report, from its heading."""
    if _ACHIEVED_RE.search(heading) and not _SHORTCOMING_RE.search(heading):
        return Role.ACHIEVED
    if _PLAN_RE.search(heading):
        return Role.PLAN
    if _SHORTCOMING_RE.search(heading):
        return Role.SHORTCOMING
    return Role.ACHIEVED


# --- Figures, quotas, cadences, villages -------------------------------------------------

_MEASURES = (
    "个百分点|场次|人次|户次|件次|万元|亿元|元|万人|平方米|公里|小时|%|％"
    "|份|次|场|张|人|宗|件|个|起|条|户|名|期|篇|本|册|家|项|批|部"
)
_FIGURE_RE = re.compile(
    rf"(?P<pre>约|近|超过|逾)?(?<![\d.\-/年月第])(?P<value>\d+(?:\.\d+)?)"
    rf"(?P<wan>万(?!元|人))?(?P<more>余|多)?(?P<measure>{_MEASURES})(?P<post>以上)?"
)
# A number of villages, a year, a date, a span of time: not figures.
_NOT_FIGURE_AFTER = re.compile(r"个?(?:村|社区|镇|乡|街道|工作日|月|小时|季度)|年|月|日")
_CN_NUMBERS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_CN_NUMBERS |= {"八": 8, "九": 9, "十": 10}
_QUOTA_RE = re.compile(
    r"(?P<cadence>每年|每半年|每季度|每季|每月|每周|全年|年度)?[^,，。；;]{0,10}?(?:至少|不少于)"
    r"[^,，。；;\d一二两三四五六七八九十]{0,8}(?P<n>\d+|[一二两三四五六七八九十])[次场期回]"
)
_CADENCES = (
    (r"每日|每天|逐日", "daily"),
    (r"每周|每星期", "weekly"),
    (r"每月|按月|月度", "monthly"),
    (r"每季度|每季|按季|季度", "quarterly"),
    (r"每半年|半年度|半年", "half_yearly"),
    (r"每年|(?<!\d)年度(?!报告)|每一年", "yearly"),
)
# 日排查、周研判、月分析: a cadence letter heading a short duty in a list of them.
_CADENCE_LIST_RE = re.compile(
    r"(?:(?<=^)|(?<=[“‘\"、,，：:]))(?P<c>日|周|月|季|年)(?!常)[\u4e00-\u9fff]{2}(?=[、”’\",，。；]|$)"
)
_LETTER_FREQ = {"日": "daily", "周": "weekly", "月": "monthly", "季": "quarterly", "年": "yearly"}
_QUOTA_FREQ = {"每年": "yearly", "全年": "yearly", "年度": "yearly", "每半年": "half_yearly"}
_QUOTA_FREQ |= {"每季度": "quarterly", "每季": "quarterly", "每月": "monthly", "每周": "weekly"}
_VILLAGE_RE = re.compile(
    r"各村|每村|每个村|村村|一村(?:[(（]社区[)）])?一"
    r"|(?<!深入)(?<!走访)(?<!到)(?<!\d)\d+个村(?:[(（]社区[)）])?(?:都|均|全部|签订)?"
    r"|村(?:[(（]社区[)）])?[\u4e00-\u9fff]{0,8}全覆盖"
)
_REGULAR_RE = re.compile(r"不?定期")


# 较2021年（600余份）增加20份, 与上年持平, 同比下降3起: a change on an earlier year's
# figure, which that year's report counted already; not a figure of its own.
_COMPARISON_RE = re.compile(r"^(?:较|比|同比|环比|与(?:上|去|前)?\d{0,4}年)")


def _figures(clause: str) -> list[re.Match[str]]:
    if _COMPARISON_RE.match(clause):
        return []
    out = []
    quota_spans = [m.span("n") for m in _QUOTA_RE.finditer(clause)]
    for m in _FIGURE_RE.finditer(clause):
        if any(a <= m.start("value") < b for a, b in quota_spans):
            continue
        if _NOT_FIGURE_AFTER.match(clause, m.end("value")):
            continue
        if m.group("measure") in {"个", "名"} and _VILLAGE_RE.search(clause):
            continue  # 全镇23个村(社区)都配有1名法律顾问: an allotment, not a count
        out.append(m)
    return out


# --- Clauses and duties ---------------------------------------------------------------

_ENUMERATOR_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+是+|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、]"
    r"|第[一二三四五六七八九十]+[,，、]|首先[,，]|其次[,，]|最后[,，])"
)
_DUTY_VERBS = (
    "优化 明确 制定 召开 开展 组织 研究 推进 完善 健全 建立 落实 执行 加强 强化 规范 提升 "
    "提高 设立 配备 保障 签订 成立 组建 划分 公开 利用 受理 报告 配合 畅通 处理 调查 核实 "
    "检查 整改 举办 参加 列入 聘请 督促 推动 支持 尊重 维护 应对 调解 调处 协调 编印 发放 "
    "张贴 实施 深化 扩展 丰富 宣传 培训 学习 弘扬 自查 收集 坚持 实行 开设 设置 打造 创建 "
    "排查 化解 引导 激发 剖析 树立 号召 培养 履行 指导 整合 部署 印发 出台 修订 清理 审查 "
    "考核 监督 评估 进行 跟踪 报送 上报 通报 公示 征求 配齐 选聘 配套 推行 探索 构建 压实 "
    "夯实 抓好 做好 明晰 实现 确保"
).split()
_VERB_RE = re.compile("|".join(_DUTY_VERBS))
# Clauses that set the scene or say the result: part of no duty of their own.
_SCENE_RE = re.compile(
    r"^(?:按照|根据|结合|随着|为了|围绕|依照|以及|这|是|其实|以.{1,20}为契机$|在.{0,12}(?:后|中|下|方面)$)"
)
_NOT_DUTY_START = re.compile(
    rf"{_SCENE_RE.pattern}|^(?:形成|确保|使|促进"
    r"|实现|从而|达到|切实(?:解决|做到)|进一步方便|方便|提高.{0,12}(?:水平|成效|效能)$)"
)
# 由党政办牵头 / 党政办牵头: who leads the duty said next.
_LEAD_IN_RE = re.compile(r"^由?[\u4e00-\u9fff]{2,14}牵头$")
# A duty keeps to its own clauses: its text's verb comes early, a little later when its
# object comes first (对本级各项执法工作广泛收集…, 把宪法、法律列入…).
_VERB_WINDOW = 12
_OBJECT_FIRST_WINDOW = 16
_PROBLEM_RE = re.compile(r"有待|不足|欠缺|尚未|尚不|不够|差距|薄弱|不高|不强|不到位|仍有|存在")
_ADVERBS_RE = re.compile(
    r"^(?:不?定期|或|及时|每日|每天|每周|每半年|每季|全年|依法|认真|切实|严格|不断|积极|全面|继续|深入|着力|主动|大力|充分|自觉"
    r"|扎实|进一步|逐步|努力|每年|每月|每季度|年初|年底)+"
)
_TITLE_STRIP_RE = re.compile(r"^(?:我镇|全镇|全年|同时|并且?|还|也|另一方面|一方面|共)+")


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int
    sentence: int


def _clauses(text: str, start: int) -> list[_Clause]:
    """Clauses of text[start:], split at commas and stops outside quotes and brackets."""
    out: list[_Clause] = []
    depth, sentence, begin = 0, 0, start
    for i in range(start, len(text) + 1):
        ch = text[i] if i < len(text) else "。"
        if ch in "“‘《（(【":
            depth += 1
        elif ch in "”’》）)】":
            depth = max(0, depth - 1)
        elif ch in ",，;；。！？!?\n" and (depth == 0 or ch in "。\n"):
            while begin < i and text[begin].isspace():
                begin += 1
            if begin < i:
                out.append(_Clause(begin, i, sentence))
            if ch in ";；。！？!?\n":
                sentence += 1
                depth = 0
            begin = i + 1
    return out


def _lead_end(text: str, start: int) -> int | None:
    """End of the item's lead phrase (一是优化领导小组。): a short sentence, no comma."""
    stop = next((m.start() for m in re.finditer("[。：:]", text[start:])), -1)
    stop = -1 if stop < 0 else start + stop
    if stop == -1 or stop - start > 24 or re.search(r"[,，；;]", text[start:stop]):
        return None
    return stop


def _is_duty(clause: str, opens_sentence: bool) -> bool:
    """Whether a clause states a duty. 形成…/实现… after a duty say its result; opening a
    sentence (实现村(社区)法律顾问全覆盖) they are the duty."""
    if _SCENE_RE.match(clause) or (_NOT_DUTY_START.match(clause) and not opens_sentence):
        return False
    head = _ADVERBS_RE.sub("", _TITLE_STRIP_RE.sub("", clause))
    # Past the subject (由政务公开监督小组…, 领导小组定期…): the duty's verb follows it.
    for _, name in units_in(head[:16]):
        at = head.find(name)
        if at < 0 or at > 1:
            break
        head = head[at + len(name) :]
    window = _OBJECT_FIRST_WINDOW if head.startswith(("对", "把", "将", "向")) else _VERB_WINDOW
    return _VERB_RE.search(head[:window]) is not None


def _title(words: str) -> str:
    """A short title from the duty's words: its first clause, past the subject, without
    quotation marks and the 了 of the past (优化了 → 优化)."""
    original = words
    words = re.sub(r"^由?[^,，]{2,14}牵头[,，]", "", words)
    words = re.sub(r"[“”‘’\"《》]", "", _TITLE_STRIP_RE.sub("", words))
    words = re.sub(r"(?<=[\u4e00-\u9fff]{2})了", "", words)
    words = re.sub(r"^(?:由|以)?[\u4e00-\u9fff]{0,10}?(?:小组|所|办|中心)(?=组织|加强)", "", words)
    clauses = [c for c in re.split(r"[,，。；;]", words) if c]
    chosen = next((c for c in clauses if not _NOT_DUTY_START.match(c)), words)
    return chosen[:16] or original.strip()[:16]


def draft_item(text: str, role: Role) -> list[Draft]:
    """The commitments of one enumerated item: one draft per duty, one per figure; an item
    in which no rule finds one is drafted whole, by its first sentence, for the reviewer
    (an enumerated item is never dropped)."""
    return _drafts(text, role) or _first_sentence(text, role)


def _first_sentence(text: str, role: Role) -> list[Draft]:
    """The item's first sentence after its number, as a one-off (a rectification in the
    shortcomings) that no rule supports: confidence 0.2."""
    m = _ENUMERATOR_RE.match(text)
    start = m.end() if m else 0
    while start < len(text) and text[start].isspace():
        start += 1
    end = start
    while end < len(text) and text[end] not in "。；;！!？?\n":
        end += 1
    if end < len(text) and text[end] != "\n":
        end += 1  # the sentence keeps its full stop
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return []
    kind = "rectification" if role is Role.SHORTCOMING else "one_off"
    words = text[start:end]
    return [Draft(start=start, end=end, title=_title(words), kind=Found(kind, "", 0.2))]


def _drafts(text: str, role: Role) -> list[Draft]:
    m = _ENUMERATOR_RE.match(text)
    begin = m.end() if m else 0
    lead = _lead_end(text, begin) if m else None
    body_start = begin if lead is None else lead + 1
    clauses = _clauses(text, body_start)
    if role is Role.SHORTCOMING:
        return _shortcomings(text, begin, lead, clauses)
    drafts: list[Draft] = []
    if lead is not None and role is Role.PLAN and lead > begin:
        # A plan item's title is its measure (二是加强干部法治思维培养。).
        drafts.append(_duty(text, begin, lead, text[begin:lead], role, None))
    sentences = {c.sentence: c for c in reversed(clauses)}
    groups: list[list[_Clause]] = []
    pending: _Clause | None = None  # 由党政办牵头, opening the duty that follows
    for clause in clauses:
        words = text[clause.start : clause.end]
        figures = _figures(words)
        if figures and not _QUOTA_RE.search(words):
            drafts += [_indicator(text, clause, f) for f in figures]
            groups.append([])  # what follows a figure starts afresh
        elif _LEAD_IN_RE.match(words):
            pending = clause
            continue
        elif _SCENE_RE.match(words):
            continue  # 按照上级要求: it sets the scene for what follows, in no excerpt
        elif _is_duty(words, clause.start == sentences[clause.sentence].start):
            opening = pending if pending and pending.sentence == clause.sentence else None
            groups.append([opening, clause] if opening else [clause])
        elif groups and groups[-1] and groups[-1][-1].sentence == clause.sentence:
            groups[-1].append(clause)
        pending = None
    subject = ""
    for i, group in enumerate(groups):
        if not group:
            continue
        first = sentences[group[0].sentence]
        context = text[first.start : group[0].start]
        before = next((g for g in reversed(groups[:i]) if g), None)
        # 各村(社区)设立了…,配备了…: the sentence's subject carries to the duties after it.
        if before is None or before[0].sentence != group[0].sentence:
            subject = text[group[0].start : group[0].end]
        drafts += _duties(text, group[0].start, group[-1].end, context, role, subject)
    drafts.sort(key=lambda d: (d.start, d.end))
    return drafts


def _shortcomings(text: str, begin: int, lead: int | None, clauses: list[_Clause]) -> list[Draft]:
    by_sentence: dict[int, list[_Clause]] = {}
    for clause in clauses:
        by_sentence.setdefault(clause.sentence, []).append(clause)
    drafts = []
    for group in by_sentence.values():
        start, end = group[0].start, group[-1].end
        cue = _PROBLEM_RE.search(text, start, end)
        if cue:
            kind = Found("rectification", cue.group(), 0.8)
            draft = _duty(text, start, end, "", Role.SHORTCOMING, kind)
            # Titled by the clause that says the problem, not the scene before it.
            said = next(c for c in group if c.start <= cue.start() < c.end + 1)
            drafts.append(replace(draft, title=_title(text[said.start : said.end])))
    if not drafts and lead is not None and lead > begin:
        kind = Found("rectification", "", 0.6)
        drafts.append(_duty(text, begin, lead, "", Role.SHORTCOMING, kind))
    return drafts


def _indicator(text: str, clause: _Clause, figure: re.Match[str]) -> Draft:
    words = text[clause.start : clause.end]
    raw = figure.group("value")
    value: float | int = float(raw) if "." in raw else int(raw)
    if figure.group("wan"):  # 1.2万余人次: counted in ten thousands
        value = round(value * 10_000, 6)
        value = int(value) if float(value).is_integer() else value
    qualifier = figure.group("more") or figure.group("pre") or figure.group("post")
    measure = figure.group("measure").replace("％", "%")
    return Draft(
        start=clause.start,
        end=clause.end,
        title=_indicator_title(words, figure),
        kind=Found("indicator", figure.group(), 0.9),
        baseline=Found(value, figure.group(), 0.95),
        measure=Found(measure, figure.group("measure"), 0.9),
        qualifier=qualifier,
        unit=_unit(words, ""),
    )


def _indicator_title(words: str, figure: re.Match[str]) -> str:
    """What is counted: the words before the figure (编印各类法治宣传资料) — since the figure
    before it, if any — or around it when those are too few (组建了47人的…队伍 →
    组建专兼职网格管理员队伍)."""
    # 基本履职事项清单117项、配合履职事项清单54项: a figure after another counts what is said
    # between them.
    after_last = max((m.end() for m in _FIGURE_RE.finditer(words, 0, figure.start())), default=0)
    between = words[after_last : figure.start()].lstrip("、,，和及以与 ")
    if after_last and len(between) >= 4:
        return _title(between)
    before = _title(words[: figure.start()]) if figure.start() else ""
    before = before.rstrip("为达是共约近")  # 调解成功率为97.82% → 调解成功率
    if len(before) >= 4:
        return before
    return _title(before + words[figure.end() :].lstrip("的")) or figure.group()[:16]


def _duties(
    text: str, start: int, end: int, context: str, role: Role, subject: str = ""
) -> list[Draft]:
    """One draft for a duty; one per cadence where it names several (日排查、周研判…)."""
    words = text[start:end]
    letters = list(_CADENCE_LIST_RE.finditer(words))
    if len(letters) >= 2:
        return [
            replace(
                _duty(
                    text,
                    start,
                    end,
                    context,
                    role,
                    Found("recurring", c.group(), 0.85),
                    Found(_LETTER_FREQ[c.group("c")], c.group(), 0.85),
                ),
                title=c.group(),
            )
            for c in letters
        ]
    return [_duty(text, start, end, context, role, None, subject=subject)]


def _duty(
    text: str,
    start: int,
    end: int,
    context: str,
    role: Role,
    kind: Found | None,
    frequency: Found | None = None,
    subject: str = "",
) -> Draft:
    words = text[start:end]
    target = None
    if kind is None:
        kind, frequency, target = _kind(words, context + subject, role)
    unit = _unit(words, context)
    names = [n for _, n in units_in(words)]
    co_units = tuple(
        dict.fromkeys(n for n in names if unit is None or not same_unit(n, str(unit.value)))
    )
    return Draft(
        start=start,
        end=end,
        title=_title(words),
        kind=kind,
        frequency=frequency,
        target=target,
        unit=unit,
        co_units=co_units,
        leader=leader(context + words),
    )


def _kind(words: str, context: str, role: Role) -> tuple[Found, Found | None, Found | None]:
    """The kind of a duty from its words (and its sentence's subject, for villages)."""
    quota = _QUOTA_RE.search(words)
    if quota:
        n = quota.group("n")
        count = int(n) if n.isdigit() else _CN_NUMBERS[n]
        # 我镇每年至少举办2次: the cadence may come after the subject, inside the match.
        cadence = quota.group("cadence") or next(
            (word for word in _QUOTA_FREQ if word in quota.group()), None
        )
        frequency = Found(_QUOTA_FREQ[cadence], cadence, 0.9) if cadence else None
        return Found("quota", quota.group(), 0.9), frequency, Found(count, quota.group(), 0.9)
    for pattern, every in _CADENCES:
        said = re.search(pattern, words)
        if said:
            found = Found(every, said.group(), 0.8)
            return Found("recurring", said.group(), 0.8), found, None
    letter = _CADENCE_LIST_RE.search(words)
    if letter:
        found = Found(_LETTER_FREQ[letter.group("c")], letter.group(), 0.6)
        return Found("recurring", letter.group(), 0.6), found, None
    village = _VILLAGE_RE.search(words)
    if village:
        return Found("per_village", village.group(), 0.8), None, None
    villages = _VILLAGE_RE.search(context)
    if villages:  # 各村(社区)设立了…,配备了…: the sentence's subject carries to its duties
        return Found("per_village", villages.group(), 0.6), None, None
    regular = _REGULAR_RE.search(words)
    if regular:
        # 定期 names no cadence: the duty stays one-off until a reviewer sets one.
        return Found("one_off", regular.group(), 0.4), None, None
    verb = _VERB_RE.search(words)
    confidence = 0.7 if role is Role.PLAN else 0.6
    return Found("one_off", verb.group() if verb else "", confidence), None, None


def _unit(words: str, context: str) -> Found | None:
    """The lead unit: the one after 由, else the first the duty names, else its subject's."""
    by = re.search(r"由([\u4e00-\u9fff]{2,14}?(?:小组|所|办|中心|部门|委员会|党委))", words)
    if by:
        return Found(by.group(1), by.group(), 0.85)
    named = units_in(words)
    if named:
        return Found(named[0][1], named[0][1], 0.7)
    named = units_in(context)
    if named:
        return Found(named[0][1], named[0][1], 0.5)
    return None
