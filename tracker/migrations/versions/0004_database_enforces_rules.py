"""A shared ledger holds against its own officers (issue 10): on PostgreSQL the database
itself checks who may write what, and writes the audit chain, keyed with a secret only the
owner of the tables can read (tracker/db_guard.py). The entries written before stay as they
are, checked by their SHA-256 links; the database keys every entry after them.

Nothing changes on SQLite, where whoever can open the file can change it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        from tracker.db_guard import install

        install(connection)


def downgrade() -> None:
    raise NotImplementedError("the database's own rules are not removed by a downgrade")
