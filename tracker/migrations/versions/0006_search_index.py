"""The search index (issue 15): `--search` and the app's search box read an index instead of
every row. SQLite gets an FTS5 trigram table kept in step by triggers, filled here from the
rows already there; PostgreSQL gets pg_trgm GIN indexes, when the extension can be had (see
tracker.search_index). What a search finds does not change. And an index of the open rows
by deadline, (status, due), for the overdue review on a district's ledger.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tracker import search_index

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # 0005's updates in this transaction leave the audit's deferred triggers pending,
        # and PostgreSQL will not index a table with pending trigger events: fire them now.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.create_index("ix_commitment_status_due", "commitment", ["status", "due"], if_not_exists=True)
    search_index.create(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_commitment_status_due", table_name="commitment")
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        search_index.drop_sqlite(connection)
    else:
        search_index.drop_postgresql(connection)
