"""Copy a district ledger built on SQLite into a new PostgreSQL database, to measure there.

The schema is made by tracker (tables, guards, audit triggers, search index); the rows are
copied as they are with COPY, the database's triggers switched off for the copy
(session_replication_role = replica, which needs a superuser), and the sequences moved past
the copied ids. The copy is for measuring reads: the audit chain is not re-keyed, so
`tracker audit verify` is not expected to pass on it.

    python benchmarks/load_pg.py /work/bench-data/district-100k.db bench_100k
    python benchmarks/bench_search.py --db "postgresql+psycopg://postgres@127.0.0.1/bench_100k"
"""

from __future__ import annotations

import argparse
import sqlite3
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tracker import search_index
from tracker.db import make_engine
from tracker.schema import create_schema

# Parents before children (foreign keys are not checked while triggers are off, but the
# order keeps the copy readable should anything stop half way).
TABLES = (
    "report",
    "unit",
    "village",
    "account",
    "accountunit",
    "person",
    "section",
    "commitment",
    "counit",
    "commitmentlink",
    "event",
    "history",
    "extension",
    "evidence",
    "audit",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("sqlite")
    parser.add_argument("database")
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    admin = create_engine(args.server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{args.database}"'))
    admin.dispose()
    url = make_url(args.server).set(database=args.database)
    engine = make_engine(url.render_as_string(hide_password=False))
    create_schema(engine)
    source = sqlite3.connect(args.sqlite)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # The search indexes are built once after the copy, faster than row by row.
        for name in (
            *search_index.PG_INDEXES,
            search_index.PG_BIGRAM_INDEX,
            search_index.PG_CHAR_INDEX,
        ):
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute("SET session_replication_role = replica")
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table}")
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(f'"{c}"' for c in columns)
            started, count = time.perf_counter(), 0
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in source.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
                    count += 1
            print(f"{table}: {count:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
            if "id" in columns:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
        cursor.execute("SET session_replication_role = DEFAULT")
        raw.commit()
    finally:
        raw.close()
        source.close()
    started = time.perf_counter()
    with engine.begin() as connection:
        search_index.create_postgresql(connection)
    print(f"search indexes: {time.perf_counter() - started:.1f} s", flush=True)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


if __name__ == "__main__":
    main()
