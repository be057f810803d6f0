"""The search index (tracker.search_index) finds exactly what LIKE finds: on the seed and on
rows inserted, changed and deleted afterwards (the triggers), for ASCII in either case,
Chinese words of one and two characters, and LIKE's own metacharacters in the query."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, event, or_, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from tracker import search_index
from tracker.models import Commitment
from tracker.services.deadlines import Deadlines
from tracker.services.list_filter import ListFilter, filter_conditions

QUERIES = (
    "讲座",
    "讲",
    "法治",
    "法治宣传",
    "开展",
    "LAW",
    "law",
    "Law",
    "lA",
    "5.",
    "5.1",
    "%",
    "_",
    "\\",
    "5_1",
    "%讲",
    "a\\b",
    '"',
    "'",
    "  讲座  ",
    "不存在的词语",
    "x",
    "É",
    "é",
    "Éc",
)


def like_ids(session: Session, query: str) -> set[int]:
    """What the search found before the index: LIKE (ILIKE on PostgreSQL) over every row."""
    escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    fields = (Commitment.code, Commitment.title, Commitment.title_en, Commitment.description)
    if session.get_bind().dialect.name == "sqlite":
        matches = or_(*(col(f).like(pattern, escape="\\") for f in fields))
    else:
        matches = or_(*(col(f).ilike(pattern, escape="\\") for f in fields))
    return set(session.execute(select(col(Commitment.id)).where(matches)).scalars())


def search_ids(session: Session, deadlines: Deadlines, query: str) -> set[int]:
    """What `--search` finds now, over every row (show_all: nothing else narrows)."""
    conditions = filter_conditions(session, ListFilter(show_all=True, search=query), deadlines)
    return set(session.execute(select(col(Commitment.id)).where(*conditions)).scalars())


def assert_same(session: Session, deadlines: Deadlines, queries: tuple[str, ...]) -> None:
    for query in queries:
        assert search_ids(session, deadlines, query) == like_ids(session, query), query


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def _copy(row: Commitment, code: str, **changes: object) -> Commitment:
    fields = row.model_dump(exclude={"id", "version"})
    fields.update(code=code, sort_key=code, **changes)
    return Commitment(**fields)


def test_the_seed_is_searched_as_like_searches_it(session: Session, deadlines: Deadlines) -> None:
    assert like_ids(session, "讲座")  # the seed has lectures: the comparison means something
    assert_same(session, deadlines, QUERIES)


def test_rows_inserted_changed_and_deleted_are_found_as_like_finds_them(
    session: Session, deadlines: Deadlines
) -> None:
    template = session.execute(select(Commitment).limit(1)).scalar_one()
    added = [
        _copy(template, "99.1", title="年终讲座", title_en="Year-end LECTURE", description=""),
        _copy(template, "99.2", title="讲", title_en=None, description="100% 完成_率 a\\b"),
        _copy(template, "99.3", title="Écoles 讲座活动", title_en="law", description="讲座"),
        _copy(template, "99.4", title="临时", title_en=None, description="将被删除的讲座"),
    ]
    session.add_all(added)
    session.commit()
    assert_same(session, deadlines, QUERIES)
    lecture = session.execute(
        select(Commitment).where(col(Commitment.title).contains("讲座")).limit(1)
    ).scalar_one()
    # Changing a title takes the old words out of the index and puts the new ones in.
    session.execute(
        update(Commitment)
        .where(col(Commitment.id).in_([lecture.id, added[0].id]))
        .values(title="法治培训", title_en="Law TRAINING", description="")
    )
    session.execute(delete(Commitment).where(col(Commitment.id) == added[3].id))
    session.commit()
    assert_same(session, deadlines, QUERIES)
    assert added[3].id not in search_ids(session, deadlines, "讲座")
    assert lecture.id not in search_ids(session, deadlines, "讲座")
    assert lecture.id in search_ids(session, deadlines, "training")


def test_many_random_changes_leave_the_index_agreeing_with_like(
    session: Session, deadlines: Deadlines
) -> None:
    """A small alphabet, so that queries of one to three characters hit and miss often."""
    alphabet = "讲座法治aAbB%_\\ é"
    rng = random.Random(15)

    def words(size: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(size))

    template = session.execute(select(Commitment).limit(1)).scalar_one()
    rows = [
        _copy(template, f"98.{n}", title=words(6), title_en=words(3) or None, description=words(9))
        for n in range(200)
    ]
    session.add_all(rows)
    session.commit()
    for row in rng.sample(rows, 60):
        session.execute(
            update(Commitment).where(col(Commitment.id) == row.id).values(title=words(5))
        )
    gone = rng.sample(rows, 30)
    session.execute(delete(Commitment).where(col(Commitment.id).in_([r.id for r in gone])))
    session.commit()
    queries = tuple({words(rng.randint(1, 3)) for _ in range(80)})
    assert_same(session, deadlines, queries + ("讲座", "aB", "ab", "%_"))
    if session.get_bind().dialect.name == "sqlite":
        # Both plans were taken: the index for rare words, LIKE for the common ones.
        common = [search_index.is_common(session.connection(), q) for q in queries if len(q) > 1]
        assert any(common) and not all(common)


def search_plan(session: Session, deadlines: Deadlines, query: str) -> str:
    """The database's plan for the search's statement, as one line."""
    conditions = filter_conditions(session, ListFilter(show_all=True, search=query), deadlines)
    compiled = (
        select(col(Commitment.id))
        .where(*conditions)
        .compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    )
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        return " ".join(str(row[-1]) for row in rows)
    return " ".join(str(row[0]) for row in session.execute(text(f"EXPLAIN {compiled}")))


def test_the_index_is_what_a_search_reads(session: Session, deadlines: Deadlines) -> None:
    """Not a scan of the commitment table: SQLite reads the FTS5 table (or its terms, for one
    or two characters); PostgreSQL's ILIKE has its trigram indexes, and the indexes of
    character pairs and characters for two and one."""
    if session.get_bind().dialect.name == "sqlite":
        assert search_index.FTS_TABLE in search_plan(session, deadlines, "法治宣传")
        assert search_index.TERMS_TABLE in search_plan(session, deadlines, "讲座")
        assert search_index.TERMS_TABLE in search_plan(session, deadlines, "讲")
        return
    session.execute(text("SET LOCAL enable_seqscan = off"))  # the seed is small
    assert "ix_commitment_title_trgm" in search_plan(session, deadlines, "法治宣传")
    assert search_index.PG_BIGRAM_INDEX in search_plan(session, deadlines, "讲座")
    assert search_index.PG_CHAR_INDEX in search_plan(session, deadlines, "讲")


def test_a_search_typed_on_asks_the_index_only_for_its_new_trigrams(session: Session) -> None:
    """Whether a query is common is read from the FTS5 vocabulary, whose count of a term's
    rows reads all of them; the app asks again at every key, so counts once read are kept."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the FTS5 index is SQLite's")
    connection = session.connection()
    asked: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if search_index.ROWS_TABLE in statement:
            asked.append(statement)

    event.listen(connection, "before_cursor_execute", note)
    try:
        first = search_index.is_common(connection, "法治宣")
        assert len(asked) == 1  # one trigram
        again = search_index.is_common(connection, "法治宣传")
        assert len(asked) == 2  # only 治宣传 is new
        assert first == search_index.is_common(connection, "法治宣")
        assert len(asked) == 2
    finally:
        event.remove(connection, "before_cursor_execute", note)
    assert not first and not again  # held by few of the seed's rows


def test_a_character_found_only_at_the_end_of_a_description_is_found(
    session: Session, deadlines: Deadlines
) -> None:
    """Every character begins a trigram, the description's last too (the indexed text ends
    with two separators): a 1-character search reads the index and misses nothing."""
    template = session.execute(select(Commitment).limit(1)).scalar_one()
    last = _copy(template, "97.1", title="收尾", title_en=None, description="末字为巅")
    only = _copy(template, "97.2", title="巅", title_en=None, description="")
    session.add_all([last, only])
    session.commit()
    if session.get_bind().dialect.name == "sqlite":
        assert not search_index.is_common(session.connection(), "巅")
    assert search_ids(session, deadlines, "巅") == {last.id, only.id}
    assert_same(session, deadlines, ("巅", "字为巅", "为巅"))
