"""What each printout says, laid out once: the summary, the ledger and the notices as blocks.

Every renderer draws these blocks and nothing else, so the six formats of a printout carry
the same parts in the same order, the same tables with the same headers and rows.
"""

from __future__ import annotations

from datetime import date

from tracker.i18n import t
from tracker.labels import (
    baseline_label,
    figure,
    items_text,
    light_label,
    localized,
    status_label,
    village_label,
)
from tracker.printouts.assembly import (
    Heading,
    LedgerData,
    NoticeData,
    Printout,
    SummaryData,
)
from tracker.printouts.layout import (
    Align,
    Block,
    Cell,
    Document,
    Page,
    Paragraph,
    Part,
    Row,
    Signature,
    Table,
    Title,
    number_cell,
    text_cell,
)
from tracker.printouts.office_text import (
    entry_title,
    evidence_text,
    heading_line,
    item_text,
    ledger_header,
    long_date,
    maker_line,
    notice_header,
    numbered,
    seal_lines,
    status_progress,
    title,
)
from tracker.schedule import Light
from tracker.services.listing import ItemRow
from tracker.services.overdue import OverdueEntry, UnitGroup


def lay_out(data: Printout) -> Document:
    """The printout as a document of blocks, in the current language."""
    if isinstance(data, SummaryData):
        return Document(title(data.heading.kind), landscape=False, pages=[_summary(data)])
    if isinstance(data, LedgerData):
        return Document(title(data.heading.kind), landscape=True, pages=[_ledger(data)])
    return Document(title(data.heading.kind), landscape=False, pages=_notices(data))


def day_cell(value: date | None) -> Cell:
    """A date in a table: 2022-12-31, short enough for a narrow column; a date in Excel."""
    return Cell(text=value.isoformat() if value else "-", value=value)


def _head(heading: Heading) -> list[Block]:
    """Title, then who/when/as-of on one line, then the scope if the printout has one."""
    blocks: list[Block] = [
        Title(title(heading.kind)),
        Paragraph(heading_line(heading), align=Align.CENTRE, small=True),
    ]
    scope = []
    if heading.unit:
        scope.append(f"{t('col.unit')}：{heading.unit}")
    if heading.section is not None:
        scope.append(f"{t('col.section')}：{heading.section}")
    if scope:
        blocks.append(Paragraph("　".join(scope), align=Align.CENTRE, small=True))
    return blocks


def _signature(heading: Heading) -> Signature:
    return Signature(seal=seal_lines(heading), maker=maker_line(heading))


def _none() -> Paragraph:
    """What an empty part says: every part is printed, so the numbering never shifts."""
    return Paragraph(t("print.none"), indent=True)


def _item(row: ItemRow) -> str:
    name = localized(row.title, row.title_en)
    if row.village is not None:
        name = f"{name}（{village_label(row.village, row.village_name)}）"
    return name


def _light_cell(light: Light) -> Cell:
    return text_cell(light_label(light), light if light in (Light.RED, Light.YELLOW) else None)


# ---- 进展情况汇总 -----------------------------------------------------------------------


def _summary(data: SummaryData) -> Page:
    parts: list[tuple[str, str, list[Block]]] = [
        ("print.section.progress", "print.sheet.progress", [_sections(data)]),
        ("print.section.quotas", "print.sheet.quotas", _quotas(data)),
        ("print.section.lights", "print.sheet.lights", _lights(data)),
        ("print.section.overdue", "print.sheet.overdue", _overdue(data.overdue)),
        ("print.section.villages", "print.sheet.villages", _villages(data)),
        ("print.section.indicators", "print.sheet.indicators", _indicators(data)),
    ]
    body: list[Block] = []
    for number, (heading_key, sheet_key, blocks) in enumerate(parts, start=1):
        body.append(Part(number, numbered(number, t(heading_key)), t(sheet_key)))
        body.extend(blocks)
    body.append(_signature(data.heading))
    return Page(name=t("print.sheet.progress"), head=_head(data.heading), body=body)


def _sections(data: SummaryData) -> Table:
    rows = [
        Row(
            [
                number_cell(s.number),
                text_cell(localized(s.heading, s.heading_en)),
                number_cell(s.done),
                number_cell(s.total),
                Cell(f"{s.done / s.total:.0%}", s.done / s.total, number_format="0%")
                if s.total
                else text_cell("-"),
                text_cell(f"{s.periods_done}/{s.periods_total}"),
            ]
        )
        for s in data.sections
    ]
    headers = [t("col.section"), t("col.title"), t("print.col.done"), t("print.col.total")]
    headers += [t("print.col.rate"), t("col.items")]
    return Table("sections", headers, rows, main=True)


def _quotas(data: SummaryData) -> list[Block]:
    if not data.quotas:
        return [_none()]
    headers = [t("col.code"), t("col.title"), t("col.unit"), t("col.period")]
    headers += [t("print.col.done"), t("print.col.target"), t("col.due"), t("col.light")]
    rows = [
        Row(
            [
                text_cell(q.code),
                text_cell(_item(q)),
                text_cell(localized(q.unit, q.unit_en) if q.unit else "-"),
                text_cell(q.period or "-"),
                number_cell(q.done_count or 0),
                number_cell(q.target or 0),
                day_cell(q.due),
                _light_cell(q.light),
            ],
            q.light,
        )
        for q in data.quotas
    ]
    return [Table("quotas", headers, rows, main=True)]


def _lights(data: SummaryData) -> list[Block]:
    count = t("print.col.count")
    lights = Table(
        "lights",
        [t("col.light"), count],
        [Row([_light_cell(x), number_cell(data.by_light.get(x, 0))]) for x in Light],
    )
    statuses = Table(
        "statuses",
        [t("col.status"), count],
        [
            Row([text_cell(status_label(s.value)), number_cell(n)])
            for s, n in data.by_status.items()
        ],
    )
    return [
        lights,
        statuses,
        Paragraph(t("overview_total", total=data.total, items=data.items_total), indent=True),
        Paragraph(items_text(data.items_by_light), indent=True),
    ]


def overdue_row(entry: OverdueEntry, first: Cell) -> Row:
    """A late entry: `first` (序号 on a notice, the unit in the summary), 编号, 事项, 亮灯,
    时限, 逾期天数, 逾期工作日, 期次数."""
    late = entry.lateness
    cells = [first, text_cell(entry.code), text_cell(entry_title(entry)), _light_cell(entry.light)]
    cells += [day_cell(entry.due), number_cell(late.calendar_days)]
    cells += [number_cell(late.working_days), number_cell(entry.count)]
    return Row(cells, entry.light)


def _overdue(groups: list[UnitGroup]) -> list[Block]:
    if not groups:
        return [_none()]
    counts = "；".join(
        t("print.unit_light_counts", unit=localized(g.unit, g.unit_en), red=g.red, yellow=g.yellow)
        for g in groups
    )
    rows = [
        overdue_row(entry, text_cell(localized(group.unit, group.unit_en)))
        for group in groups
        for entry in group.entries
    ]
    table = Table("overdue", [t("col.unit"), *notice_header()[1:]], rows, main=True)
    return [Paragraph(counts + "。", indent=True), table]


def _villages(data: SummaryData) -> list[Block]:
    grid = data.villages
    if grid is None or not grid.rows:
        return [_none()]
    # Each column is named by its code and title: a code alone (3.3a) never says 法律顾问.
    headers = [t("col.village")]
    headers += [f"{c.code} {localized(c.title, c.title_en)}" for c in grid.columns]
    rows = [
        Row(
            [text_cell(village_label(r.number, r.name))]
            + [_grid_cell(cell) if cell else text_cell("-") for cell in r.cells]
        )
        for r in grid.rows
    ]
    return [Table("villages", headers, rows, main=True)]


def _grid_cell(item: ItemRow) -> Cell:
    label = status_label(item.status.value)
    if item.light in (Light.RED, Light.YELLOW):
        return text_cell(f"{label}（{light_label(item.light)}）", item.light)
    return text_cell(label)


def _indicators(data: SummaryData) -> list[Block]:
    if not data.indicators:
        return [_none()]
    years = sorted({year for line in data.indicators for year in line.values})
    headers = [t("col.code"), t("col.title"), t("col.baseline"), t("print.col.measure")]
    headers += [str(year) for year in years]
    rows = []
    for line in data.indicators:
        baseline = baseline_label(line.baseline, line.baseline_text, None)
        cells = [text_cell(line.code), text_cell(localized(line.title, line.title_en))]
        cells += [Cell(baseline, line.baseline), text_cell(line.measure or "-")]
        for year in years:
            value = line.values.get(year)
            cells.append(text_cell("-") if value is None else number_cell(value, figure(value)))
        rows.append(Row(cells))
    return [Table("indicators", headers, rows, main=True)]


# ---- 台账 -------------------------------------------------------------------------------


def _ledger(data: LedgerData) -> Page:
    rows = [
        Row(
            [
                number_cell(row.number),
                text_cell(item_text(row)),
                text_cell(localized(row.item.unit, row.item.unit_en) if row.item.unit else "-"),
                text_cell(row.leader or "-"),
                day_cell(row.item.due),
                text_cell(status_progress(row)),
                text_cell(row.progress or "-"),
                text_cell(evidence_text(row) or "-"),
            ],
            row.item.light,
        )
        for row in data.rows
    ]
    table = Table("ledger", ledger_header(), rows, main=True)
    body: list[Block] = [table, _signature(data.heading)]
    return Page(name=t("print.sheet.ledger"), head=_head(data.heading), body=body)


# ---- 催办通知单 -------------------------------------------------------------------------


def _notices(data: NoticeData) -> list[Page]:
    heading = data.heading
    if not data.notices:
        none = Paragraph(t("print.notice_none"), indent=True)
        return [Page(name=title(heading.kind), head=_head(heading), body=[none])]
    pages = []
    for notice in data.notices:
        unit = localized(notice.unit, notice.unit_en)
        group = notice.group
        body = t(
            "print.notice.body",
            as_of=long_date(heading.as_of),
            red=group.red,
            yellow=group.yellow,
            reply_by=long_date(notice.reply_by),
        )
        rows = [overdue_row(e, number_cell(n)) for n, e in enumerate(group.entries, start=1)]
        blocks: list[Block] = [
            Paragraph(t("print.notice.to", unit=unit), bold=True),
            Paragraph(body, indent=True),
            Table("notice", notice_header(), rows, main=True),
            Paragraph(t("print.notice.reply_by", date=long_date(notice.reply_by)), bold=True),
            _signature(heading),
        ]
        pages.append(Page(name=unit, head=_head(heading), body=blocks))
    return pages
