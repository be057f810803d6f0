"""The search index answers 1-character queries too (issue 15): the indexed text now ends
with two separators, so that every character of a row, the description's last included,
begins a trigram, and the rows holding 讲 are those with a trigram beginning with it
(tracker.search_index). SQLite's FTS5 table is made again from the rows; a search of one
rare character in a town's report at a million periods no longer reads the report's every
row. PostgreSQL's indexes are unchanged.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tracker import search_index

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite" and search_index.has_fts(connection):
        # The triggers restate a row's old text to take it out: the index and the triggers
        # must be made from the same text, so both are made again.
        search_index.create_sqlite(connection)


def downgrade() -> None:
    # The index made here answers the older revisions' searches as well: each of their
    # queries is a phrase or a range of terms, and the text only gained a separator.
    pass
