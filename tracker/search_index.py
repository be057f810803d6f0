"""The index behind `--search` and the app's search box (issue 15): a substring search over
a commitment's code, titles and description that stays fast on a district's million periods.

What a search matches is defined by LIKE, as before the index: a substring of one of the four
columns, ASCII letters in either case (SQLite's LIKE; PostgreSQL's ILIKE, which folds by the
database's locale). The index only narrows the rows LIKE then checks, so the results are the
same with or without it; every candidate set below is a superset of LIKE's matches.

SQLite: an FTS5 table with the trigram tokenizer (SQLite 3.34+), external content read from
the view `commitment_search`, kept in step by triggers. Its one column is the four fields
joined, each followed by SEPARATOR, and the last by two, so that every character of every
field begins a trigram ("讲座" at the end of a title is the trigram "讲座␟", the last
character of a description the trigram "。␟␟"):

- a query of 3 characters or more is an FTS5 phrase: every row holding it as a substring, in
  any case (the tokenizer folds case);
- a query of 1 or 2 characters (讲, or a Chinese word such as 讲座) cannot be a trigram
  query; the rows holding it are those with an indexed trigram beginning with it, read as a
  range of terms from the fts5vocab table `commitment_fts_terms`;
- a query held by many rows (is_common) is answered by LIKE over the rows the other
  conditions leave: listing most of the district's ids first would be no narrower.

PostgreSQL: pg_trgm GIN indexes on the four columns, which ILIKE uses for patterns with a
trigram (3 characters or more); GIN indexes of each row's characters and character pairs
answer 1 and 2 characters. pg_trgm is a trusted extension: the tables' owner creates it
if it may create objects in the database; otherwise a DBA runs `CREATE EXTENSION pg_trgm`
and the indexes are made by `tracker db upgrade` or by hand (benchmarks/README.md). Shorter
queries scan, as before.

A later migration that rebuilds the commitment table on SQLite (batch mode) must call
`drop_sqlite` before and `create_sqlite` after: the view and triggers refer to the table.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

FTS_TABLE = "commitment_fts"
TERMS_TABLE = "commitment_fts_terms"
ROWS_TABLE = "commitment_fts_rows"  # per term, how many rows hold it (to choose a plan)
VIEW = "commitment_search"
TRIGGERS = ("commitment_fts_insert", "commitment_fts_delete", "commitment_fts_update")
# FTS5's own tables behind commitment_fts.
SHADOW_TABLES = tuple(f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "docsize", "config"))
PG_INDEXES = {
    "ix_commitment_code_trgm": "code",
    "ix_commitment_title_trgm": "title",
    "ix_commitment_title_en_trgm": "title_en",
    "ix_commitment_description_trgm": "description",
}
# PostgreSQL, queries of 2 and of 1 character (pg_trgm has no trigram in them and reads every
# row): GIN indexes of each row's character pairs, and of its characters, lower-cased as
# ILIKE compares (lower() by the database's collation, the same in the index and the query).
PG_BIGRAMS = "tracker_bigrams"
PG_BIGRAM_INDEX = "ix_commitment_bigrams"
PG_CHARS = "tracker_chars"
PG_CHAR_INDEX = "ix_commitment_chars"
# The function and index that answer a query of each short length.
PG_SHORT = {1: (PG_CHARS, PG_CHAR_INDEX), 2: (PG_BIGRAMS, PG_BIGRAM_INDEX)}
PG_PUBLIC_FUNCTIONS = (f"{PG_BIGRAMS}(text)", f"{PG_CHARS}(text)")  # officers' writes compute them
PG_BODY = (
    "lower(commitment.code || chr(31) || commitment.title || chr(31) || "
    "coalesce(commitment.title_en, '') || chr(31) || commitment.description)"
)
# What a search index adds to a database, by name: not the models' (schema comparisons skip it).
INDEX_OBJECTS = frozenset(
    {
        FTS_TABLE,
        TERMS_TABLE,
        ROWS_TABLE,
        VIEW,
        *TRIGGERS,
        *SHADOW_TABLES,
        *PG_INDEXES,
        PG_BIGRAM_INDEX,
        PG_CHAR_INDEX,
    }
)

# Unit separator: follows each field in the indexed text (see the module's docstring).
SEPARATOR = "char(31)"
# Past any character a term can continue with (U+10FFFF): the end of a range of terms.
LAST_CHAR = "\U0010ffff"


def _body(row: str) -> str:
    """The indexed text of `row` (new, old, or the table itself), as SQL."""
    fields = (
        f"{row}code",
        f"{row}title",
        f"coalesce({row}title_en, '')",
        f"coalesce({row}description, '')",
    )
    return " || ".join(f"{field} || {SEPARATOR}" for field in fields) + f" || {SEPARATOR}"


def _sqlite_statements() -> list[str]:
    new, old = _body("new."), _body("old.")
    insert = f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, {new});"
    # External content: a row leaves the index by restating exactly what was indexed.
    delete = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIEW {VIEW} AS SELECT id, {_body('')} AS body FROM commitment",
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(body, content='{VIEW}', "
        "content_rowid='id', tokenize='trigram')",
        f"CREATE VIRTUAL TABLE {TERMS_TABLE} USING fts5vocab({FTS_TABLE}, instance)",
        f"CREATE VIRTUAL TABLE {ROWS_TABLE} USING fts5vocab({FTS_TABLE}, row)",
        f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON commitment BEGIN {insert} END",
        f"CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON commitment BEGIN {delete} END",
        f"CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE OF code, title, title_en, description "
        f"ON commitment BEGIN {delete} {insert} END",
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
    ]


def create_sqlite(connection: Connection) -> None:
    """Make the FTS5 index afresh and fill it from the rows already there (an index left by a
    ledger stamped back to an older revision is replaced)."""
    drop_sqlite(connection)
    for statement in _sqlite_statements():
        connection.exec_driver_sql(statement)


def drop_sqlite(connection: Connection) -> None:
    for trigger in TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TERMS_TABLE}")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {ROWS_TABLE}")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    connection.exec_driver_sql(f"DROP VIEW IF EXISTS {VIEW}")


def _trgm_schema(connection: Connection) -> str | None:
    """The schema pg_trgm is installed in, installing it in `public` if it is missing and the
    user may; None when it cannot be had.

    Not in the ledger's own schema (the first of its search_path): a backup of that schema
    (`pg_dump -n`, as `tracker backup` prints it) leaves extensions out, and the restore's
    `DROP SCHEMA` would then refuse to drop a schema the extension lives in."""
    query = text(
        "SELECT quote_ident(n.nspname) FROM pg_extension e "
        "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
    )
    schema = connection.execute(query).scalar()
    if schema is not None:
        return str(schema)
    savepoint = connection.begin_nested()  # a refusal must not abort the caller's transaction
    try:
        connection.exec_driver_sql("CREATE EXTENSION pg_trgm SCHEMA public")
    except Exception:  # noqa: BLE001  (no privilege, or not installed on the server)
        savepoint.rollback()
        return None
    savepoint.commit()
    return str(connection.execute(query).scalar())


def create_postgresql(connection: Connection) -> bool:
    """Make the pair index, and the pg_trgm indexes if pg_trgm can be had (whether it could)."""
    # An earlier migration in the same transaction leaves the audit's deferred triggers
    # pending, and PostgreSQL will not index a table with pending trigger events: fire them.
    connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
    for function, size in ((PG_BIGRAMS, 2), (PG_CHARS, 1)):
        connection.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {function}(body text) RETURNS text[] LANGUAGE sql "
            "IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$ "
            f"SELECT coalesce(array_agg(DISTINCT substr(body, i, {size})), '{{}}') "
            f"FROM generate_series(1, length(body) - {size - 1}) AS i $$"
        )
    for function in PG_PUBLIC_FUNCTIONS:
        connection.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {function} TO PUBLIC")
    body = PG_BODY.replace("commitment.", "")
    for function, index in PG_SHORT.values():
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {index} ON commitment USING gin ({function}({body}))"
        )
    schema = _trgm_schema(connection)
    if schema is None:
        return False
    for name, column in PG_INDEXES.items():
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {name} ON commitment "
            f"USING gin ({column} {schema}.gin_trgm_ops)"
        )
    return True


def drop_postgresql(connection: Connection) -> None:
    for name in (*PG_INDEXES, PG_BIGRAM_INDEX, PG_CHAR_INDEX):
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    for function in PG_PUBLIC_FUNCTIONS:
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}")


def create(connection: Connection) -> None:
    """The search index for the connection's database (either kind)."""
    if connection.dialect.name == "sqlite":
        create_sqlite(connection)
    elif connection.dialect.name == "postgresql":
        create_postgresql(connection)


def has_fts(connection: Connection) -> bool:
    """Whether a SQLite database has the FTS5 index (a ledger made by this version has)."""
    query = text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name")
    return connection.execute(query, {"name": FTS_TABLE}).first() is not None


# A query held by more than this share of the rows is answered by LIKE over the rows the
# other conditions leave (a town's report, read by its index): narrowing by the index would
# first list most of the district's ids (`3.2` is in nearly every row) for nothing.
COMMON_SHARE = 0.1


def is_common(connection: Connection, query: str) -> bool:
    """Whether the index says `query` may be in more than COMMON_SHARE of the rows: the
    fewest rows holding any one of its trigrams (or, for 1 or 2 characters, all the
    trigrams it begins), against the highest id. Only the plan depends on it, never the result."""
    rows = connection.execute(text("SELECT coalesce(max(id), 0) FROM commitment")).scalar_one()
    limit = COMMON_SHARE * rows
    folded = "".join(char.lower() if char.isascii() else char for char in query)
    if len(folded) >= 3:
        # A few trigrams suffice: any one held by few rows makes the query rare.
        trigrams = sorted({folded[i : i + 3] for i in range(len(folded) - 2)})[:8]
        return all(_rows_holding(connection, term, term) > limit for term in trigrams)
    bounds = term_range(query)
    return bounds is None or _rows_holding(connection, *bounds) > limit


# How many rows hold each term (or range of terms), by database: fts5vocab counts a term's
# rows by reading its whole list of rows (~20 ms for a term in every row of a million), and
# a search typed a key at a time asks again for the trigrams of its last query. A count
# kept from earlier can only be a little off, which changes the plan at most, never what
# is found.
_HOLDING: dict[tuple[str, str, str], int] = {}
_HOLDING_LIMIT = 10_000


def _rows_holding(connection: Connection, low: str, high: str) -> int:
    """How many rows hold the term `low` (when `high` is `low`), or a term in [low, high)."""
    key = (connection.engine.url.render_as_string(), low, high)
    if key not in _HOLDING:
        if len(_HOLDING) >= _HOLDING_LIMIT:
            _HOLDING.clear()
        if low == high:
            query = f"SELECT coalesce(sum(doc), 0) FROM {ROWS_TABLE} WHERE term = :lo"
        else:
            query = (
                f"SELECT coalesce(sum(doc), 0) FROM {ROWS_TABLE} WHERE term >= :lo AND term < :hi"
            )
        found = connection.execute(text(query), {"lo": low, "hi": high}).scalar_one()
        _HOLDING[key] = int(found)
    return _HOLDING[key]


def has_pg_index(connection: Connection, name: str) -> bool:
    """Whether a PostgreSQL database has the index `name` (a ledger made by this version has
    them all; one upgraded without the right to create them may not)."""
    query = text("SELECT to_regclass(:name) IS NOT NULL")
    return bool(connection.execute(query, {"name": name}).scalar())


def fts_phrase(query: str) -> str:
    """`query` as one FTS5 phrase (a string in double quotes; a quote in it doubled)."""
    return '"' + query.replace('"', '""') + '"'


def term_range(query: str) -> tuple[str, str] | None:
    """The range of indexed trigrams that begin with a 1- or 2-character `query`, or None
    when the index cannot say (the query is longer, or has a letter whose case FTS5 might
    fold differently from Python: only ASCII and caseless characters are safe)."""
    if len(query) not in (1, 2):
        return None
    for char in query:
        if not char.isascii() and (char.lower() != char or char.upper() != char):
            return None
    folded = query.lower()
    return folded, folded + LAST_CHAR
