from __future__ import annotations

from sqlmodel import Session, func, select

from tracker.models import Commitment


def test_seeded_database_holds_the_reports_commitments(session: Session) -> None:
    parents = session.exec(
        select(func.count()).select_from(Commitment).where(Commitment.parent_id.is_(None))
    ).one()
    assert parents >= 24
