"""The command line's ledger tables (tracker.cli.ledger_table) are drawn as rich.table.Table
draws the same columns and rows, character for character and colour for colour, at every
terminal width: the seed's ledger in both languages, the overdue review with its
title, stored text that must be escaped, and measured inside other renderables (`show`)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from rich.console import Group
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from sqlmodel import Session

from tracker.cli.context import StoredTextConsole
from tracker.cli.ledger_table import LedgerTable
from tracker.cli.render import overdue_view, row_table
from tracker.db import make_engine, new_session
from tracker.i18n import set_language
from tracker.schedule import WorkCalendar
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import ListFilter
from tracker.services.listing import ItemRow, list_items
from tracker.services.overdue import overdue_by_unit

# From too narrow for any text to wider than any row, in uneven steps; in colour at two.
WIDTHS = [1, 4, 9, 17, 24, 31, 40, 52, 60, 71, 80, 93, 120, 161, 250]
COLOURED = {40, 93}


def rich_twin(table: LedgerTable) -> Table:
    """The same table as rich.table.Table draws it."""
    twin = Table(title=table.title, title_justify="left", header_style="bold", pad_edge=False)
    for column in table.columns:
        twin.add_column(
            column.header,
            justify=column.justify,
            overflow=column.overflow,
            no_wrap=column.no_wrap,
            min_width=column.min_width,
        )
    for row in table.rows:
        twin.add_row(*row)
    return twin


def drawn(renderable: object, width: int, colour: bool) -> str:
    console = StoredTextConsole(
        file=io.StringIO(),
        width=width,
        force_terminal=colour,
        color_system="truecolor" if colour else None,
        soft_wrap=False,
    )
    console.print(renderable)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def assert_drawn_as_rich_draws(table: LedgerTable) -> None:
    for width in WIDTHS:
        for colour in (False, True) if width in COLOURED else (False,):
            ours, rich = drawn(table, width, colour), drawn(rich_twin(table), width, colour)
            assert ours == rich, f"width {width}, colour {colour}"


@pytest.fixture(scope="module")
def ledger(sqlite_template: Path) -> Iterator[Session]:
    """The seeded ledger, read only (on SQLite: what is drawn does not depend on where the
    rows were read)."""
    engine = make_engine(f"sqlite:///{sqlite_template}")
    with new_session(engine) as session:
        yield session
    engine.dispose()


def ledger_rows(session: Session, deadlines: Deadlines) -> list[ItemRow]:
    return list_items(session=session, flt=ListFilter(show_all=True), deadlines=deadlines).rows


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_whole_ledger_is_drawn_as_rich_draws_it(
    ledger: Session, deadlines: Deadlines, language: str
) -> None:
    set_language(language)
    everything = ledger_rows(ledger, deadlines)
    # Every fifth row, and the first of each kind and light.
    firsts = {(row.kind, row.light): row for row in reversed(everything)}
    rows = everything[::5] + list(firsts.values())
    assert {row.kind for row in rows} == {row.kind for row in everything}
    assert {row.light for row in rows} == {row.light for row in everything}
    assert any(row.village is not None for row in rows)
    table = row_table(rows)
    assert_drawn_as_rich_draws(table)
    # One title and unit on many rows: each distinct cell is laid out once.
    assert len({row[1] for row in table.rows}) < len(table.rows) / 2


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_overdue_review_is_drawn_as_rich_draws_it(
    ledger: Session, calendar: WorkCalendar, language: str
) -> None:
    set_language(language)
    late = Deadlines(as_of=date(2026, 11, 26), calendar=calendar)
    groups = overdue_by_unit(session=ledger, deadlines=late)
    assert groups
    view = overdue_view(groups)
    assert isinstance(view, Group)
    tables = [part for part in view.renderables if isinstance(part, LedgerTable)]
    assert tables and all(table.title for table in tables)
    for table in tables[:3]:
        assert_drawn_as_rich_draws(table)


def test_stored_text_that_could_act_on_a_terminal_is_escaped_in_place(
    ledger: Session, deadlines: Deadlines
) -> None:
    rows = ledger_rows(ledger, deadlines)[:6]
    table = row_table(rows)
    table.add_row("1.1\x1b[31m", "标题\u202e倒转", "单位\x07", "2026-01-01", "未开始", "-", "")
    assert_drawn_as_rich_draws(table)
    output = drawn(table, 120, colour=False)
    assert "\x1b" not in output and "\u202e" not in output
    assert "\\x1b" in output or "\\u001b" in output


def test_a_table_inside_a_panel_is_measured_as_rich_measures_it(
    ledger: Session, deadlines: Deadlines
) -> None:
    table = row_table(ledger_rows(ledger, deadlines)[:12])
    twin = rich_twin(table)
    for width in WIDTHS:
        options = StoredTextConsole(width=width).options
        console = StoredTextConsole(width=width)
        assert Measurement.get(console, options, table) == Measurement.get(console, options, twin)
        ours = drawn(Panel(Group("标题", table)), width, colour=False)
        assert ours == drawn(Panel(Group("标题", twin)), width, colour=False)
