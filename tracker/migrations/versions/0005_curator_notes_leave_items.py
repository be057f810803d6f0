"""The seed's curator remarks leave the items' notes (issue 12): the 2021 seed of 保和镇
carried, as an item's 备注, the curator's own reasoning ("未说明已完成，故不记 done。时限为整理时
暂定"), shown to officers as if it were theirs. The seed now keeps such remarks apart
(`curator_note`, never imported); this removes the ones already imported.

Only the exact texts the seed wrote are removed, and only as the notes' first line, where the
seed put them: the lines officers appended after it ("[2022-05-10 09:12 张三] …") stay as they
are. An item whose notes no longer begin with the seed's text is left alone. 7.1c's note was
half for the officers: that half stays.

Notes are not part of the audit chain (services.audit_changes audits a commitment's status,
deadlines, unit and title), so `tracker audit verify` holds before and after. On PostgreSQL
the upgrade runs as the tables' owner, whom the database's guards let through.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLUG = "baohe-2021"
# (code, what the seed wrote as its notes, what stays of it for the officers).
SEEDED: tuple[tuple[str, str, str], ...] = (
    ("1.2a", "报告只说了2021年的计划；如每年都要制定，可改为 recurring、frequency yearly。", ""),
    (
        "1.2b",
        "报告写“定期或不定期”，未说明频次。若镇里确定了开会频次（如每季度），"
        "可改为 recurring 并填 frequency。",
        "",
    ),
    ("1.4c", "报告称“逐步推开”，未说明已完成，故不记 done。时限为整理时暂定。", ""),
    ("3.3c", "报告称“不断完善”，未说明已完成，故不记 done。", ""),
    (
        "4.4c",
        "报告未说明检查频次。若镇里确定了频次（如每季度），可改为 recurring 并填 frequency。",
        "",
    ),
    ("5.5b", "报告原文“至少参加2次以上”，按至少2次计。", ""),
    (
        "7.1c",
        "报告的节奏是“逢会必学”（每次会议都学），不是按日历的频次，故不设 frequency；"
        "每次会议的学习内容请在本事项下逐次记录（附会议记录）。",
        "每次会议的学习内容请在本事项下逐次记录（附会议记录）。",
    ),
)


def without_seed_note(notes: str, seeded: str, kept: str) -> str | None:
    """`notes` with the seed's text `seeded` replaced by `kept` when it is their first line
    (then the officers' lines after it), else None: nothing to change."""
    first, newline, rest = notes.partition("\n")
    if first != seeded:
        return None
    if kept:
        return kept + newline + rest
    return rest


def upgrade() -> None:
    connection = op.get_bind()
    commitment = sa.table(
        "commitment",
        sa.column("id", sa.Integer),
        sa.column("report_id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("notes", sa.Text),
    )
    report = sa.table("report", sa.column("id", sa.Integer), sa.column("slug", sa.String))
    report_id = connection.execute(sa.select(report.c.id).where(report.c.slug == SLUG)).scalar()
    if report_id is None:
        return
    for code, seeded, kept in SEEDED:
        row = connection.execute(
            sa.select(commitment.c.id, commitment.c.notes).where(
                commitment.c.report_id == report_id, commitment.c.code == code
            )
        ).first()
        if row is None or row.notes is None:
            continue
        changed = without_seed_note(row.notes, seeded, kept)
        if changed is not None:
            connection.execute(
                sa.update(commitment).where(commitment.c.id == row.id).values(notes=changed)
            )


def downgrade() -> None:
    raise NotImplementedError("the curator's remarks are not put back among the officers' notes")
