"""The text, Markdown and HTML printouts, read back and checked against the services' data."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

from rich.cells import cell_len
from sqlmodel import Session

from tracker.i18n import set_language, t
from tracker.labels import localized, village_label
from tracker.printouts.assembly import Scope, ledger_data, notice_data, summary_data
from tracker.printouts.html import render_html
from tracker.printouts.markdown import render_md
from tracker.printouts.pages import lay_out
from tracker.printouts.text import render_txt
from tracker.schedule import Light
from tracker.services.deadlines import Deadlines
from tracker.services.overdue import overdue_by_unit

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone(timedelta(hours=8)))
PRINTER = "王科员"
# A table row of the text printouts starts with its 序号.
NUMBERED = re.compile(r"^(\d+)  ")


class Tables(HTMLParser):
    """The rows of every <table> of an HTML page: (table class, row class, cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str, list[str]]] = []
        self.page_breaks = 0
        self._table = ""
        self._cells: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._table = found.get("class") or ""
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append((self._table, found.get("class") or "", []))
        elif tag == "td":
            self._cells = self.rows[-1][2]
            self._cells.append("")
        elif tag == "div" and found.get("class") == "page-break":
            self.page_breaks += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag == "td":
            self._cells = None

    def handle_data(self, data: str) -> None:
        if self._cells is not None:
            self._cells[-1] += data


def tables(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    return parser


def numbered_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if NUMBERED.match(line)]


def test_ledger_has_one_row_per_item_in_every_format(
    session: Session, deadlines: Deadlines
) -> None:
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user=PRINTER, now=NOW)
    numbers = [str(row.number) for row in data.rows]
    assert numbers

    txt = render_txt(lay_out(data))
    assert [line.split()[0] for line in numbered_lines(txt)] == numbers
    md_rows = [
        line for line in render_md(lay_out(data)).splitlines() if re.match(r"^\| \d+ \|", line)
    ]
    assert len(md_rows) == len(data.rows)

    rows = [r for r in tables(render_html(lay_out(data))).rows if r[0] == "ledger"]
    assert [cells[0] for _, _, cells in rows] == numbers
    assert [cells[2] for _, _, cells in rows] == [
        localized(row.item.unit, row.item.unit_en) for row in data.rows
    ]
    # Red and yellow rows are filled as the officers' paper ledgers are.
    red = [str(row.number) for row in data.rows if row.item.light is Light.RED]
    assert red
    assert [cells[0] for _, css, cells in rows if css == "red"] == red


def test_text_ledger_columns_line_up_in_a_terminal(session: Session, deadlines: Deadlines) -> None:
    data = ledger_data(
        session=session, scope=Scope(section=3), deadlines=deadlines, user=PRINTER, now=NOW
    )
    lines = render_txt(lay_out(data)).splitlines()
    rule_at = next(i for i, line in enumerate(lines) if line.startswith("----"))
    # The dashes under the header mark where each column starts, in display cells.
    starts = [m.start() for m in re.finditer(r"-+", lines[rule_at])]
    assert len(starts) == 8
    table = [lines[rule_at - 1], *numbered_lines("\n".join(lines))]
    assert len(table) == len(data.rows) + 1
    assert any(cell_len(line) != len(line) for line in table)  # Chinese is in it
    for line in table:
        cells_at: dict[int, str] = {}
        column = 0
        for char in line:
            cells_at[column] = char
            column += cell_len(char)
        for start in starts:
            assert start in cells_at, (start, line)  # not inside a wide character
            assert cells_at[start] != " ", (start, line)
            assert start == 0 or cells_at[start - 1] == " ", (start, line)


def test_notice_lists_exactly_the_units_late_items(session: Session, deadlines: Deadlines) -> None:
    unit = "镇党委"
    late = overdue_by_unit(session=session, deadlines=deadlines, unit=unit)
    assert len(late) == 1 and late[0].entries
    data = notice_data(
        session=session, scope=Scope(unit=unit), deadlines=deadlines, user=PRINTER, now=NOW
    )
    txt = render_txt(lay_out(data))
    codes = [re.split(r"\s{2,}", line)[1] for line in numbered_lines(txt)]
    assert codes == [entry.code for entry in late[0].entries]
    assert t("print.notice.to", unit=unit) in txt
    assert "\f" not in txt

    rows = [r for r in tables(render_html(lay_out(data))).rows if r[0] == "notice"]
    assert [cells[1] for _, _, cells in rows] == [entry.code for entry in late[0].entries]
    assert [css for _, css, _ in rows] == [entry.light.value for entry in late[0].entries]


def test_notices_of_several_units_are_on_pages_of_their_own(
    session: Session, deadlines: Deadlines
) -> None:
    data = notice_data(session=session, scope=Scope(), deadlines=deadlines, user=PRINTER, now=NOW)
    pages = len(data.notices)
    assert pages > 1
    txt = render_txt(lay_out(data))
    assert txt.count("\f") == pages - 1
    for page, notice in zip(txt.split("\f"), data.notices, strict=True):
        assert t("print.notice.to", unit=notice.unit) in page
        assert len(numbered_lines(page)) == len(notice.group.entries)
    html = render_html(lay_out(data))
    assert tables(html).page_breaks == pages - 1
    assert "break-after: page" in html and "size: A4" in html


def test_summary_shows_every_part(session: Session, deadlines: Deadlines) -> None:
    data = summary_data(
        session=session,
        scope=Scope(report="baohe-2021"),
        deadlines=deadlines,
        user=PRINTER,
        now=NOW,
    )
    txt = render_txt(lay_out(data))
    for section in data.sections:
        assert localized(section.heading, section.heading_en) in txt
    assert data.quotas
    for quota in data.quotas:
        line = next(line for line in txt.splitlines() if line.startswith(quota.code + " "))
        done, target = re.split(r"\s{2,}", line)[4:6]
        assert (done, target) == (str(quota.done_count or 0), str(quota.target))
    for group in data.overdue:
        assert f"{group.unit}：" in txt
    assert data.villages is not None
    for row in data.villages.rows:
        assert village_label(row.number, row.name) in txt
    for indicator in data.indicators:
        assert indicator.code in txt
    assert "制表人：王科员" in txt and "审核人" in txt


def test_html_is_self_contained_and_in_the_chosen_language(
    session: Session, deadlines: Deadlines
) -> None:
    data = ledger_data(
        session=session, scope=Scope(section=1), deadlines=deadlines, user=PRINTER, now=NOW
    )
    html = render_html(lay_out(data))
    assert '<meta charset="utf-8">' in html and 'lang="zh-CN"' in html
    assert "<script" not in html and "http" not in html
    set_language("en")
    english = render_html(lay_out(data))
    assert 'lang="en"' in english and f"<h1>{t('print.title.ledger')}</h1>" in english
    assert t("print.title.ledger") in render_txt(lay_out(data)) and t(
        "print.title.ledger"
    ) in render_md(lay_out(data))


def test_the_html_ledger_prints_landscape_and_the_summary_portrait(
    session: Session, deadlines: Deadlines
) -> None:
    scope = Scope()
    ledger = ledger_data(session=session, scope=scope, deadlines=deadlines, user="t", now=NOW)
    summary = summary_data(session=session, scope=scope, deadlines=deadlines, user="t", now=NOW)
    assert "size: A4 landscape" in render_html(lay_out(ledger))
    assert "size: A4 portrait" in render_html(lay_out(summary))
