"""Sign-in passwords for `tracker serve` on a SQLite ledger: an account's argon2id hash and
when it was set (tracker.services.passwords). Both stay NULL until `tracker users passwd`.

On PostgreSQL officers sign in with their database login, whose password the database
checks: nothing is stored there, and the guards are installed again (tracker.db_guard),
which forbid a non-NULL password on a shared ledger.

The columns are added only where they are missing: a ledger created by a newer tracker and
stamped back to an older revision (as tests do) already holds them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("password_hash", "password_set_at")


def upgrade() -> None:
    connection = op.get_bind()
    present = {column["name"] for column in sa.inspect(connection).get_columns("account")}
    # Nullable columns without a default: SQLite adds them in place, no table copy.
    if "password_hash" not in present:
        op.add_column("account", sa.Column("password_hash", sa.Text(), nullable=True))
    if "password_set_at" not in present:
        column = sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=True)
        op.add_column("account", column)
    if connection.dialect.name == "postgresql":
        from tracker.db_guard import install

        install(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute("ALTER TABLE account DROP CONSTRAINT IF EXISTS account_no_password")
    with op.batch_alter_table("account") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
