"""The json and csv exports written from the database's tuples (services.export_text): odd
stored text (every control character, quotes, percent signs, text that reads as a formula),
figures (1e21, 0.1), an unnamed village and a multi-line unit are written as json.dumps and
the CSV of ItemRows write them; the bytes are those of the rows `list_items` gives."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from tests.test_exports_stream import invoke, reference_rows, whole_json
from tracker.db import make_engine, new_session
from tracker.models import Commitment, Unit, Village
from tracker.printouts.listing import csv_lines
from tracker.services.list_filter import ListFilter

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
