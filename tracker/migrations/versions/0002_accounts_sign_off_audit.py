"""Many officers, one ledger (issue 5): accounts and their units, extension requests, the
audit hash chain, and on commitments an approved extension date and a version number for
optimistic locking.

The person who seeded the ledger (the author of its "seed" history) becomes its admin, as
`tracker init` makes the person who runs it admin of a new ledger. The index a district's
lists need (ix_commitment_parent_open_due) is created where a database made before it was
added to the first schema lacks it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_name"), ["name"], unique=True)

    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hash"),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_target"), ["target"], unique=False)

    op.create_table(
        "accountunit",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("account_id", "unit_id"),
    )
    op.create_table(
        "extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("old_due", sa.Date(), nullable=False),
        sa.Column("new_due", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("extension", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_extension_commitment_id"), ["commitment_id"], unique=False
        )

    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extended_due", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
    _index_for_lists()
    _first_admin()


def _index_for_lists() -> None:
    indexes = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("commitment")}
    if "ix_commitment_parent_open_due" not in indexes:
        op.create_index(
            "ix_commitment_parent_open_due", "commitment", ["parent_id", "status", "due"]
        )


def _first_admin() -> None:
    bind = op.get_bind()
    seeder = bind.execute(
        sa.text("SELECT changed_by FROM history WHERE kind = 'seed' ORDER BY id LIMIT 1")
    ).scalar()
    if seeder is None:
        return  # an empty ledger: the first account made becomes its admin
    if bind.dialect.name == "postgresql":
        # Who acts on PostgreSQL is the database login, and the seed's author was only the
        # name typed then (often the machine's user, "root"): the login that owns the
        # ledger's tables is its admin, as `tracker init` makes it on a new one.
        seeder = bind.execute(
            sa.text(
                "SELECT tableowner FROM pg_tables "
                "WHERE schemaname = current_schema() AND tablename = 'commitment'"
            )
        ).scalar_one()
    account = sa.table(
        "account",
        sa.column("name", sa.String),
        sa.column("role", sa.String),
        sa.column("created_by", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        account,
        [{"name": seeder, "role": "admin", "created_by": seeder, "created_at": datetime.now(UTC)}],
    )


def downgrade() -> None:
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("extended_due")

    with op.batch_alter_table("extension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extension_commitment_id"))

    op.drop_table("extension")
    op.drop_table("accountunit")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_target"))

    op.drop_table("audit")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_name"))

    op.drop_table("account")
