"""The ledger tells the truth about the past (issue 9): every history row carries the day it
took effect beside when it was recorded; events can be voided, villages retired, accounts
disabled; a deadline keeps the date the report states beside the working-day one.

Existing history rows take effect on the day they were recorded, except the seed's: those
state what the report itself says was achieved, so they take effect on the report's
publication date (or the last day of its year when it has none).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
    _fill_effective_dates()
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.alter_column("effective_on", existing_type=sa.Date(), nullable=False)
        batch_op.create_index(
            "ix_history_commitment_effective", ["commitment_id", "effective_on"], unique=False
        )
        batch_op.create_index("ix_history_effective", ["effective_on"], unique=False)

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
        batch_op.create_index("ix_event_day", ["happened_on"], unique=False)
        batch_op.create_index("ix_event_voided", ["voided_on"], unique=False)

    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("retired_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("disabled_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("disabled_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stated_due", sa.Date(), nullable=True))


def _fill_effective_dates() -> None:
    bind = op.get_bind()
    # The local day the row was recorded on: SQLite keeps the local time as text.
    recorded_day = (
        "substr(changed_at, 1, 10)" if bind.dialect.name == "sqlite" else "CAST(changed_at AS date)"
    )
    report_day = (
        "(SELECT COALESCE(r.published, {year_end}) FROM commitment c "
        "JOIN report r ON r.id = c.report_id WHERE c.id = history.commitment_id)"
    ).format(
        year_end="date(r.year || '-12-31')"
        if bind.dialect.name == "sqlite"
        else "make_date(r.year, 12, 31)"
    )
    bind.execute(
        sa.text(
            f"UPDATE history SET effective_on = COALESCE({report_day}, {recorded_day}) "
            "WHERE kind = 'seed'"
        )
    )
    bind.execute(
        sa.text(f"UPDATE history SET effective_on = {recorded_day} WHERE effective_on IS NULL")
    )


def downgrade() -> None:
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.drop_column("stated_due")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("disabled_reason")
        batch_op.drop_column("disabled_by")
        batch_op.drop_column("disabled_at")
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.drop_column("retired_reason")
        batch_op.drop_column("retired_on")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_voided")
        batch_op.drop_index("ix_event_day")
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("voided_on")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index("ix_history_effective")
        batch_op.drop_index("ix_history_commitment_effective")
        batch_op.drop_column("effective_on")
