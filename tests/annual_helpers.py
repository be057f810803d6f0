"""A drafted annual report built by hand, as the composer would give it: realistic sentences
of a town's 2022 report citing ledger codes and figures, a gap for the officer, and a note
holding the Markdown and HTML characters an officer may type."""

from __future__ import annotations

from datetime import date

from tracker.annual.model import AnnualDraft, Figure, Heading, Paragraph, Part, Query, Sentence

TITLE = "资阳市雁江区保和镇人民政府2022年法治政府建设年度报告"
ISSUER = "资阳市雁江区保和镇人民政府"
SIGNED = "2023年1月10日"
NOTE = "# 草稿 *请核对* 数字_以台账为准_ [附件] <script>alert(1)</script> | `1.1a` & 〔〕"
GAP = "此处填写本年度行政复议、行政应诉案件及其他需要报告的情况。"
# A sentence carrying an officer's note with characters Markdown and HTML would act on.
ODD = (
    "三是落实“一村（社区）一法律顾问”制度，法律顾问每季度到村坐班不少于1次"
    "（<见聘用合同> *第3条*）。"
)


def _s(text: str, *codes: str, figures: tuple[Figure, ...] = (), gap: bool = False) -> Sentence:
    return Sentence(text=text, codes=codes, figures=figures, gap=gap)


def _p(*sentences: Sentence) -> Paragraph:
    return Paragraph(sentences=sentences)


def sample_draft(*, note: str = NOTE) -> AnnualDraft:
    """The 2022 draft of 保和镇: five parts, the first in three sub-parts."""
    opening = _p(
        _s(
            "2022年，我镇坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治"
            "思想，认真落实市、区法治政府建设工作部署，推动依法治镇水平不断提高。"
        ),
        _s("现将2022年法治政府建设情况报告如下："),
    )
    first = Part(
        title="一、主要举措和成效",
        blocks=(
            Heading("（一）健全决策机制，提升行政水平"),
            _p(
                _s("一是优化领导小组。", "1.1a"),
                _s(
                    "镇党委书记、镇长任依法治镇工作领导小组双组长，全年召开领导小组会议4次，"
                    "研究推进依法行政工作。",
                    "1.1a",
                    "1.2a",
                    figures=(Figure(Query.EVENTS, 4, "4", "1.2a"),),
                ),
                _s("二是严格重大行政决策程序。", "1.3"),
                _s("全年重大行政决策均经合法性审查和集体讨论决定。", "1.3"),
            ),
            Heading("（二）推进队伍建设，提高执法水平"),
            _p(
                _s(
                    "一是加强教育培训，全年举办法治宣传教育活动186次，开展法治讲座16场次。",
                    "2.1-N2",
                    "2.1-N3",
                    figures=(
                        Figure(Query.EVENTS, 186, "186", "2.1-N2"),
                        Figure(Query.EVENTS, 16, "16", "2.1-N3"),
                    ),
                ),
                _s("二是强化综合考评，督促各部门落实执法责任制。", "2.2a"),
            ),
            Heading("（三）推进依法治理，维护社会稳定"),
            _p(
                _s(
                    "一是坚持矛盾纠纷“日排查、周研判、月分析”，全年应排查252期，已完成252期。",
                    "3.2-D",
                    figures=(
                        Figure(Query.PERIODS, 252, "252", "3.2-D"),
                        Figure(Query.PERIODS_DONE, 252, "252", "3.2-D"),
                    ),
                ),
                _s(
                    "二是全镇23个村（社区）均配备1名法律顾问，调解成功率为98.1%，"
                    "较上年提高0.3个百分点。",
                    "3.1a",
                    "3.2a",
                    figures=(
                        Figure(Query.VILLAGES, 23, "23"),
                        Figure(Query.INDICATOR, 98.1, "98.1", "3.2a"),
                        Figure(Query.CHANGE, 0.3, "0.3", "3.2a"),
                    ),
                ),
                _s(ODD, "3.1b"),
            ),
        ),
    )
    second = Part(
        title="二、党政主要负责人履行推进法治建设第一责任人职责情况",
        blocks=(
            _p(
                _s("我镇党政主要负责人认真履行推进法治建设第一责任人职责。"),
                _s(
                    "一是带头学法，领导班子全年集体学法5次，举办法治专题讲座2次。",
                    "5.5a",
                    figures=(Figure(Query.EVENTS, 2, "2", "5.5a"),),
                ),
                _s("二是重大决策前听取法律顾问意见，全年所签合同均经法律顾问审查。", "5.4"),
            ),
        ),
    )
    third = Part(
        title="三、存在的不足和原因",
        blocks=(
            _p(
                _s("一是执法人员业务能力有待提升，处理新型纠纷的能力还需加强。", "6.1"),
                _s("二是部分干部法治思维尚未完全形成。", "6.2"),
            ),
        ),
    )
    fourth = Part(
        title="四、2023年推进法治政府建设的主要安排",
        blocks=(
            _p(
                _s("一是提升干部执法水平，通过以考促学、以案说法、以会代训提升执法能力。", "7.1"),
                _s("二是加强干部法治思维培养，领导干部带头学法用法。", "7.2"),
            ),
        ),
    )
    fifth = Part(title="五、其他需要报告的情况", blocks=(_p(_s(GAP, gap=True)),))
    return AnnualDraft(
        title=TITLE,
        town="保和镇",
        issuer=ISSUER,
        year=2022,
        view_day=date(2022, 12, 31),
        opening=opening,
        parts=(first, second, third, fourth, fifth),
        signed=SIGNED,
        note=note,
        reports=("baohe-2021",),
    )
