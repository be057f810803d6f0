"""PostgreSQL answers 1-character searches from an index too (issue 15): a GIN index of
each row's characters, lower-cased as ILIKE compares, beside 0006's index of character
pairs (tracker.search_index). A search of one character in a district's million periods
read every row of the report (1 s in the app at each key); SQLite's FTS5 index answers it
since 0010. Nothing changes on SQLite.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tracker import search_index

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        # What exists already is kept (IF NOT EXISTS, the same functions).
        search_index.create_postgresql(connection)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {search_index.PG_CHAR_INDEX}")
        op.execute(f"DROP FUNCTION IF EXISTS {search_index.PG_CHARS}(text)")
