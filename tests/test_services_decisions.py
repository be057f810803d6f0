"""Which decisions are open to a supervisor on an item: asked of services.signoff (the app
offers exactly these), and each one offered is one the service then carries out."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.db import new_session
from tracker.errors import TrackerError
from tracker.models import Status
from tracker.services.lookup import get_commitment
from tracker.services.signoff import (
    Decision,
    decide_extension,
    open_decisions,
    request_extension,
    return_item,
    verify,
)
from tracker.services.updates import set_status

ADMIN = "管理员"  # an admin of the seeded ledger (tests/conftest.py): a supervisor too
ITEM = "5.5a/2022"  # 2022's law lectures, first due 2022-06-30
PARENT = "3.2-D"  # a recurring commitment itself: its periods are signed off, not it
AT = datetime(2022, 6, 1, 9, 0).astimezone()


def decisions(session: Session, code: str = ITEM, user: str = ADMIN) -> list[Decision]:
    item = get_commitment(session=session, code=code, report_slug=None)
    return open_decisions(session, user, item)


def test_a_supervisor_may_sign_off_or_return_a_done_item_and_only_return_a_signed_off_one(
    engine: Engine,
) -> None:
    with new_session(engine) as session:
        assert decisions(session) == []  # not done yet: nothing to decide
        item = get_commitment(session=session, code=ITEM, report_slug=None)
        set_status(session=session, item=item, status=Status.DONE, note="", user=ADMIN, now=AT)
        assert decisions(session) == [Decision.VERIFY, Decision.RETURN]
        verify(session=session, item=item, note="", user=ADMIN, now=AT)
        assert decisions(session) == [Decision.RETURN]
        return_item(session=session, item=item, reason="材料不全", user=ADMIN, now=AT)
        assert decisions(session) == []


def test_a_pending_extension_is_approved_or_refused_and_then_no_longer_offered(
    engine: Engine,
) -> None:
    with new_session(engine) as session:
        item = get_commitment(session=session, code=ITEM, report_slug=None)
        request_extension(
            session=session,
            item=item,
            new_due=date(2022, 9, 30),
            reason="场地",
            user=ADMIN,
            now=AT,
            today=date(2022, 6, 1),
        )
        assert decisions(session) == [Decision.APPROVE, Decision.REFUSE]
        decide_extension(session=session, item=item, approve=True, note="", user=ADMIN, now=AT)
        assert decisions(session) == []


def test_a_recurring_commitment_itself_is_never_offered_for_sign_off_or_return(
    engine: Engine,
) -> None:
    with new_session(engine) as session:
        parent = get_commitment(session=session, code=PARENT, report_slug=None)
        parent.status = Status.DONE  # as its periods may make it: still not signed off itself
        session.add(parent)
        session.flush()
        assert decisions(session, PARENT) == []
        with pytest.raises(TrackerError):  # as the services refuse both
            verify(session=session, item=parent, note="", user=ADMIN, now=AT)
        with pytest.raises(TrackerError):
            return_item(session=session, item=parent, reason="x", user=ADMIN, now=AT)


@pytest.mark.parametrize("user", ["路人"])  # no account: may read, decides nothing
def test_one_who_may_not_decide_is_told_why_rather_than_offered_nothing(
    engine: Engine, user: str
) -> None:
    with new_session(engine) as session, pytest.raises(TrackerError) as refused:
        decisions(session, user=user)
    assert refused.value.key.startswith("access_")
