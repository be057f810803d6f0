"""The open rows by unit and commitment (issue 15), for a unit's review on a district's
ledger: status, unit, parent, village, then the deadline and what the review filters and
orders by. services.overdue_scan walks it one commitment at a time (a loose index scan), so
that the first page of a unit's review reads a seek or two per commitment, not every late
period: at a million periods, one unit's `overdue` in a warm process went from 0.21 s to
0.03 s (benchmarks/README.md).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "status", "unit_id", "parent_id", "village_id", "due", "period_start", "report_id",
    "sort_key",
]  # fmt: skip


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # As in 0008: earlier revisions in this transaction may leave deferred triggers
        # pending, and PostgreSQL will not index a table with pending events.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.create_index("ix_commitment_open_parents", "commitment", COLUMNS, if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_commitment_open_parents", table_name="commitment")
