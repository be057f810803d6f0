"""The json and csv exports written from the database's tuples (services.export_text): odd
stored text (every control character, quotes, percent signs, text that reads as a formula),
figures (1e21, 0.1), an unnamed village and a multi-line unit are written as json.dumps and
the CSV of ItemRows write them; the bytes are those of the rows `list_items` gives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from tests.test_exports_stream import AS_OF, invoke, reference_rows, whole_json
from tracker.cli.exports import _csv_chunks, json_text_chunks
from tracker.db import make_engine, new_session
from tracker.models import Commitment, Unit, Village
from tracker.printouts.listing import csv_lines
from tracker.schedule import WorkCalendar
from tracker.services import export_text
from tracker.services.deadlines import Deadlines
from tracker.services.export_text import CsvRows, JsonRows
from tracker.services.list_filter import ListFilter
from tracker.services.listing import Renderer, stream_items

# Every control character, quotes, a backslash, percent signs, a DEL, a line separator,
# a right-to-left override, an emoji and text that looks like a formula.
ODD = "".join(chr(code) for code in range(1, 32)) + '"\\%s%%\x7f\u2028\u202e😀'


def test_odd_stored_text_and_figures_are_written_as_json_dumps_writes_them(db_url: str) -> None:
    engine = make_engine(db_url)  # text kept from before it was checked on the way in
    with new_session(engine) as session:
        first = session.execute(
            update(Commitment)
            .where(col(Commitment.code) == "1.1a")
            .values(title=ODD, title_en="=1+2", excerpt="-负数", baseline=1e21, measure="%")
        )
        assert first.rowcount == 1
        unit = session.execute(update(Unit).where(col(Unit.id) == 1).values(name="单位\n第二行\t"))
        assert unit.rowcount == 1
        session.execute(update(Village).where(col(Village.number) == 3).values(name=""))
        session.execute(
            update(Commitment).where(col(Commitment.code) == "1.1b").values(baseline=0.1)
        )
        session.commit()
    engine.dispose()
    rows = reference_rows(db_url, ListFilter(show_all=True))
    assert any(row.title == ODD for row in rows)
    result = invoke(db_url, "list", "--all", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == whole_json(rows)
    assert b"\\u0001" in result.stdout_bytes and b"1e+21" in result.stdout_bytes
    result = invoke(db_url, "list", "--all", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == "".join(csv_lines(rows)).encode("utf-8")


def test_an_empty_list_is_an_empty_array_and_a_header(shared_db_url: str) -> None:
    result = invoke(shared_db_url, "list", "--all", "--search", "无此编号", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"[]\n"
    result = invoke(shared_db_url, "list", "--all", "--search", "无此编号", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == "".join(csv_lines([])).encode("utf-8")


def test_a_code_holding_characters_to_escape_is_written_escaped(db_url: str) -> None:
    """Each row's code is encoded as it comes (the other values once, with their memo): a
    batch whose codes hold an escape or a right-to-left override is written the slow,
    escaping way, the same bytes as the list's."""
    engine = make_engine(db_url)  # a code kept from before codes were checked
    with new_session(engine) as session:
        changed = session.execute(
            update(Commitment)
            .where(col(Commitment.code) == "5.5a")
            .values(code="5.5a\u202e\x1b[31m")
        )
        assert changed.rowcount == 1
        session.commit()
    engine.dispose()
    rows = reference_rows(db_url, ListFilter(show_all=True))
    assert any(row.code == "5.5a\u202e\x1b[31m" for row in rows)
    result = invoke(db_url, "list", "--all", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == whole_json(rows)
    assert b'"5.5a\\u202e\\u001b[31m"' in result.stdout_bytes
    result = invoke(db_url, "list", "--all", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == "".join(csv_lines(rows)).encode("utf-8")


def _instances(db_url: str) -> list[tuple[int, str, int]]:
    """(id, code, parent id) of the ledger's period and village instances, in code order."""
    engine = make_engine(db_url)
    with new_session(engine) as session:
        found = session.execute(
            select(col(Commitment.id), col(Commitment.code), col(Commitment.parent_id))
            .where(col(Commitment.parent_id).is_not(None))
            .order_by(col(Commitment.code))
        ).all()
    engine.dispose()
    return [(row[0], row[1], row[2]) for row in found]


def test_an_instance_with_values_of_its_own_is_written_with_its_own(db_url: str) -> None:
    """A commitment's instances share its title, unit, report and source, and are read once
    for all of them (listing._group_key); an instance whose own title, unit, baseline or
    source differs from its commitment's is written with its own, like the list shows it."""
    instances = _instances(db_url)
    by_parent: dict[int, list[tuple[int, str, int]]] = {}
    for instance in instances:
        by_parent.setdefault(instance[2], []).append(instance)
    siblings = max(by_parent.values(), key=len)
    assert len(siblings) >= 4
    retitled, moved, own_source, own_baseline = (row[0] for row in siblings[:4])
    engine = make_engine(db_url)
    with new_session(engine) as session:
        unit = session.execute(select(col(Unit.id)).order_by(col(Unit.id).desc())).first()
        assert unit is not None
        for item_id, values in (
            (retitled, {"title": "另行改名的一期", "title_en": "A period renamed"}),
            (moved, {"unit_id": unit[0]}),
            (own_source, {"excerpt": "本期另有出处"}),
            (own_baseline, {"baseline": 7.5, "baseline_text": "本期基数", "measure": "件"}),
        ):
            changed = session.execute(
                update(Commitment).where(col(Commitment.id) == item_id).values(**values)
            )
            assert changed.rowcount == 1
        session.commit()
    engine.dispose()
    rows = reference_rows(db_url, ListFilter(show_all=True))
    assert "另行改名的一期" in [row.title for row in rows]
    codes = {sibling[1] for sibling in siblings}
    assert len({row.unit for row in rows if row.code in codes}) == 2
    result = invoke(db_url, "list", "--all", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == whole_json(rows)
    assert result.stdout_bytes.count("另行改名的一期".encode()) == 1
    assert "本期另有出处".encode() in result.stdout_bytes
    result = invoke(db_url, "list", "--all", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == "".join(csv_lines(rows)).encode("utf-8")


def _stream(db_url: str, render: Renderer, batch: int) -> Iterator[list[bytes]]:
    """The texts `render` makes of every row of the ledger, a list per `batch` rows read."""
    engine = make_engine(db_url)
    try:
        with new_session(engine) as session:
            deadlines = Deadlines(as_of=date.fromisoformat(AS_OF), calendar=WorkCalendar())
            flt = ListFilter(show_all=True)
            yield from stream_items(
                session=session, flt=flt, deadlines=deadlines, batch=batch, render=render
            )
    finally:
        engine.dispose()


def test_groups_forgotten_between_batches_are_read_again(
    shared_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The groups' values are kept up to MEMO_LIMIT (memory) and then forgotten: with none
    kept from one batch of 7 to the next, every batch reads its groups again, and the
    export is the same."""
    monkeypatch.setattr(export_text, "MEMO_LIMIT", 0)
    rows = reference_rows(shared_db_url, ListFilter(show_all=True))
    texts = _stream(shared_db_url, JsonRows(), batch=7)
    assert b"".join(json_text_chunks(texts)) == whole_json(rows)
    lines = _stream(shared_db_url, CsvRows(), batch=7)
    assert b"".join(_csv_chunks(lines)) == "".join(csv_lines(rows)).encode("utf-8")


def test_an_export_writes_the_ledger_as_it_stood_when_it_began(db_url: str) -> None:
    """A title changed by another officer while the export is being written is not in it:
    the last row's title is read by a statement of its own, after every row has been read
    (on SQLite; on PostgreSQL with the row), and still as it stood at the start."""
    engine = make_engine(db_url)

    def retitle(item_id: int, title: str) -> None:
        with new_session(engine) as session:
            changed = session.execute(
                update(Commitment).where(col(Commitment.id) == item_id).values(title=title)
            )
            assert changed.rowcount == 1
            session.commit()

    # The last row, with a title of its own: a group no earlier row shares.
    last = reference_rows(db_url, ListFilter(show_all=True))[-1]
    retitle(last.id, "导出开始时的标题")
    rows = reference_rows(db_url, ListFilter(show_all=True))
    batches = _stream(db_url, JsonRows(), batch=len(rows) - 1)
    first = next(batches)
    retitle(last.id, "导出途中改的标题")
    written = b",\n  ".join([*first, *next(batches)])
    assert next(batches, None) is None
    engine.dispose()
    assert b"[\n  " + written + b"\n]\n" == whole_json(rows)
    assert "导出开始时的标题".encode() in written
