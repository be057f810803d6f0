"""Printouts as plain text, columns aligned for Chinese in a terminal or on `lp`.

The printout's content is laid out once here as a list of blocks (titles, lines, tables,
page breaks); the text, Markdown and HTML renderers differ only in how they draw a block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rich.cells import cell_len

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
from tracker.printouts.assembly import Heading, LedgerData, NoticeData, Printout, SummaryData
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
from tracker.services.overdue import UnitGroup

# Columns of a text table are separated by this much space.
GAP = "  "


@dataclass(frozen=True)
class Title:
    text: str
    level: int = 1  # 1: the printout's title, 2: a part of it


@dataclass(frozen=True)
class Line:
    text: str
    centred: bool = False


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    # Each row's light, so HTML (and Word, Excel) can colour red and yellow rows.
    lights: list[Light | None] = field(default_factory=list)
    kind: str = ""  # what the table is ("ledger", "notice", ...): a CSS class in HTML


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Title | Line | Table | PageBreak


def day(value: date | None) -> str:
    """A date as officers write it: 2026年11月26日 (ISO in English)."""
    return long_date(value) if value is not None else "-"


def _one_line(text: str) -> str:
    """Cells stay on one line: a newline inside a note would break the columns."""
    return " ".join(text.split())


def _item(row: ItemRow) -> str:
    title = localized(row.title, row.title_en)
    if row.village is not None:
        title = f"{title}（{village_label(row.village, row.village_name)}）"
    return title


def _heading_lines(heading: Heading) -> list[Block]:
    blocks: list[Block] = [Title(title(heading.kind)), Line(heading_line(heading), centred=True)]
    scope = []
    if heading.unit:
        scope.append(f"{t('col.unit')}：{heading.unit}")
    if heading.section is not None:
        scope.append(f"{t('col.section')}：{heading.section}")
    if scope:
        blocks.append(Line("　".join(scope), centred=True))
    return blocks


def _signature(heading: Heading) -> list[Block]:
    """How the printout ends: the seal and date, who made it (the same in every format)."""
    maker = maker_line(heading)
    ending: list[Block] = [Line(text) for text in seal_lines(heading)]
    return ending + [Line(maker)] if maker else ending


def _overdue_table(group: UnitGroup) -> Table:
    return Table(
        headers=notice_header(),
        rows=[
            [
                str(number),
                entry.code,
                entry_title(entry),
                light_label(entry.light),
                day(entry.due),
                str(entry.lateness.calendar_days),
                str(entry.lateness.working_days),
                str(entry.count),
            ]
            for number, entry in enumerate(group.entries, start=1)
        ],
        lights=[entry.light for entry in group.entries],
        kind="overdue",
    )


def _summary(data: SummaryData) -> list[Block]:
    blocks = _heading_lines(data.heading)
    blocks.append(Title(numbered(1, t("print.section.progress")), 2))
    blocks.append(
        Table(
            headers=[
                t("col.section"),
                t("col.title"),
                t("print.col.done"),
                t("print.col.total"),
                t("col.items"),
            ],
            rows=[
                [
                    str(s.number),
                    localized(s.heading, s.heading_en),
                    str(s.done),
                    str(s.total),
                    f"{s.periods_done}/{s.periods_total}",
                ]
                for s in data.sections
            ],
            kind="sections",
        )
    )
    blocks.append(Title(numbered(2, t("print.section.quotas")), 2))
    if data.quotas:
        blocks.append(
            Table(
                headers=[t("col.code"), t("col.title"), t("col.due"), t("col.progress")],
                rows=[
                    [q.code, _item(q), day(q.due), f"{q.done_count or 0}/{q.target or 0}"]
                    for q in data.quotas
                ],
                lights=[q.light for q in data.quotas],
                kind="quotas",
            )
        )
    else:
        blocks.append(Line(t("print.none")))
    blocks.append(Title(numbered(3, t("print.section.lights")), 2))
    blocks.append(
        Table(
            headers=[light_label(light) for light in Light]
            + [status_label(status.value) for status in data.by_status],
            rows=[
                [str(data.by_light.get(light, 0)) for light in Light]
                + [str(count) for count in data.by_status.values()]
            ],
            kind="counts",
        )
    )
    blocks.append(Line(t("overview_total", total=data.total, items=data.items_total)))
    blocks.append(Line(items_text(data.items_by_light)))
    blocks.append(Title(numbered(4, t("print.section.overdue")), 2))
    if not data.overdue:
        blocks.append(Line(t("print.none")))
    for group in data.overdue:
        blocks.append(
            Line(
                t(
                    "print.unit_light_counts",
                    unit=localized(group.unit, group.unit_en),
                    red=group.red,
                    yellow=group.yellow,
                )
            )
        )
        blocks.append(_overdue_table(group))
    if data.villages is not None and data.villages.rows:
        grid = data.villages
        blocks.append(Title(numbered(5, t("print.section.villages")), 2))
        blocks.append(
            Table(
                headers=[t("col.village")] + [c.code for c in grid.columns],
                rows=[
                    [village_label(r.number, r.name)]
                    + [
                        _grid_cell(cell.status.value, cell.light) if cell else "-"
                        for cell in r.cells
                    ]
                    for r in grid.rows
                ],
                kind="villages",
            )
        )
        blocks.append(
            Line("；".join(f"{c.code} {localized(c.title, c.title_en)}" for c in grid.columns))
        )
    if data.indicators:
        years = sorted({year for line in data.indicators for year in line.values})
        blocks.append(Title(numbered(6, t("print.section.indicators")), 2))
        blocks.append(
            Table(
                headers=[t("col.code"), t("col.title"), t("col.baseline")]
                + [str(year) for year in years],
                rows=[
                    [
                        line.code,
                        localized(line.title, line.title_en),
                        _baseline(line.baseline, line.baseline_text, line.measure),
                    ]
                    + [_figure(line.values.get(year)) for year in years]
                    for line in data.indicators
                ],
                kind="indicators",
            )
        )
    blocks.extend(_signature(data.heading))
    return blocks


def _grid_cell(status: str, light: Light) -> str:
    label = status_label(status)
    return f"{label}（{light_label(light)}）" if light in (Light.RED, Light.YELLOW) else label


def _figure(value: float | None) -> str:
    return "-" if value is None else figure(value)


def _baseline(value: float | None, text: str | None, measure: str | None) -> str:
    return baseline_label(value, text, measure)


def _ledger(data: LedgerData) -> list[Block]:
    blocks = _heading_lines(data.heading)
    blocks.append(
        Table(
            headers=ledger_header(),
            rows=[
                [
                    str(row.number),
                    item_text(row),
                    localized(row.item.unit, row.item.unit_en),
                    row.leader or "-",
                    day(row.item.due),
                    status_progress(row),
                    row.progress or "-",
                    evidence_text(row) or "-",
                ]
                for row in data.rows
            ],
            lights=[row.item.light for row in data.rows],
            kind="ledger",
        )
    )
    blocks.extend(_signature(data.heading))
    return blocks


def _notices(data: NoticeData) -> list[Block]:
    heading = data.heading
    if not data.notices:
        return [*_heading_lines(heading), Line(t("print.notice_none"))]
    blocks: list[Block] = []
    for index, notice in enumerate(data.notices):
        if index:
            blocks.append(PageBreak())
        blocks.append(Title(title(heading.kind)))
        blocks.append(Line(t("print.notice.to", unit=localized(notice.unit, notice.unit_en))))
        blocks.append(
            Line(
                t(
                    "print.notice.body",
                    as_of=day(heading.as_of),
                    red=notice.group.red,
                    yellow=notice.group.yellow,
                    reply_by=day(notice.reply_by),
                )
            )
        )
        blocks.append(_overdue_table(notice.group))
        blocks.append(Line(t("print.notice.reply_by", date=day(notice.reply_by))))
        blocks.extend(_signature(heading))
    return blocks


def blocks(data: Printout) -> list[Block]:
    """The printout laid out as blocks, in the current language."""
    if isinstance(data, SummaryData):
        return _summary(data)
    if isinstance(data, LedgerData):
        return _ledger(data)
    return _notices(data)


def title_of(data: Printout) -> str:
    """The printout's title, for a file's <title> or a document's properties."""
    return title(data.heading.kind)


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` terminal cells (a Chinese character is two)."""
    return text + " " * max(0, width - cell_len(text))


def text_table(table: Table) -> list[str]:
    """A table's lines with every column starting at the same display column."""
    cells = [[_one_line(c) for c in table.headers]] + [
        [_one_line(c) for c in row] for row in table.rows
    ]
    widths = [max(cell_len(row[i]) for row in cells) for i in range(len(table.headers))]
    lines = [
        GAP.join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    rule = GAP.join("-" * w for w in widths)
    return [lines[0], rule, *lines[1:]]


def render_txt(data: Printout) -> str:
    """The printout as plain text; notices are separated by a form feed (a new page on `lp`)."""
    lines: list[str] = []
    width = 0
    laid_out = blocks(data)
    for block in laid_out:
        if isinstance(block, Table):
            width = max(width, max((cell_len(line) for line in text_table(block)), default=0))
    # Titles are centred on the widest table, within what a landscape page holds.
    width = min(max(width, 60), 100)
    for block in laid_out:
        if isinstance(block, PageBreak):
            lines.append("\f")
        elif isinstance(block, Title):
            text = block.text.replace("\n", " ")
            if block.level == 1:
                lines.append(" " * max(0, (width - cell_len(text)) // 2) + text)
            else:
                lines.extend(["", text])
        elif isinstance(block, Line):
            text = block.text.replace("\n", " ")
            indent = (width - cell_len(text)) // 2 if block.centred else 0
            lines.append(" " * max(0, indent) + text)
        else:
            lines.append("")
            lines.extend(text_table(block))
            lines.append("")
    text = "\n".join(lines)
    return text.replace("\n\f\n", "\n\f") + "\n"
