"""Sign-off (销号) and extensions (延期申请): the supervisor's side of an item.

An officer marks an item done with its evidence; a supervisor then verifies it (销号) or
returns it with a reason, which puts it back in progress. An officer asks for more time
before the deadline; a supervisor approves or refuses. An approved extension gives the unit
a new date to work to (`extended_due`), but lights and overdue statistics keep counting
against the original deadline, as supervision offices count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.labels import status_label
from tracker.models import (
    Commitment,
    Event,
    Evidence,
    Extension,
    ExtensionState,
    History,
    HistoryKind,
    Role,
    Status,
)
from tracker.services.access import require_item, require_role
from tracker.services.recurring import is_recurring_parent, refuse_parent_signoff
from tracker.services.updates import change_day, check_version, record_status, status_of
from tracker.services.voids import counting


class Decision(StrEnum):
    """What a supervisor may decide about an item."""

    VERIFY = "verify"  # 销号
    RETURN = "return"  # 退回
    APPROVE = "approve"  # 批准延期
    REFUSE = "refuse"  # 不予延期


def open_decisions(session: Session, user: str, item: Commitment) -> list[Decision]:
    """The decisions open to `user` on `item` as it now stands, in the order offered: 销号
    of a done item, 退回 of a done or signed-off one (neither of a recurring commitment
    itself: its periods are), and approving or refusing a pending extension. A user who
    may decide nothing is refused (TrackerError), saying why. The rules are the ones
    `verify`, `return_item` and `decide_extension` enforce."""
    require_role(session, user, Role.SUPERVISOR)
    status = Status(item.status)
    found = []
    if not is_recurring_parent(item):  # its periods are signed off and returned, not it
        if status is Status.DONE:
            found.append(Decision.VERIFY)
        if status in (Status.DONE, Status.VERIFIED):
            found.append(Decision.RETURN)
    if pending_extension(session, item) is not None:
        found += [Decision.APPROVE, Decision.REFUSE]
    return found


@dataclass(frozen=True)
class SignOff:
    code: str
    old: Status
    new: Status
    evidence: int  # files among the item's events


def evidence_count(session: Session, item: Commitment) -> int:
    return len(
        session.exec(
            select(Evidence.id)
            .join(Event, col(Event.id) == Evidence.event_id)
            .where(col(Event.commitment_id) == item.id, counting())
        ).all()
    )


def verify(
    *,
    session: Session,
    item: Commitment,
    note: str,
    user: str,
    now: datetime,
    expected_version: int | None = None,
    effective_on: date | None = None,
) -> SignOff:
    """销号: a supervisor accepts a done item as finished (today, or on a past day)."""
    require_role(session, user, Role.SUPERVISOR)
    check_version(session, item, expected_version)
    refuse_parent_signoff(item)
    day = change_day(session, item, effective_on, now)
    old = status_of(session, item, day)
    if old is not Status.DONE:
        raise TrackerError("verify_not_done", code=item.code, status=status_label(old))
    record_status(session, item, Status.VERIFIED, note.strip() or "销号", user, now, day)
    return SignOff(item.code, old, Status.VERIFIED, evidence_count(session, item))


def return_item(
    *,
    session: Session,
    item: Commitment,
    reason: str,
    user: str,
    now: datetime,
    expected_version: int | None = None,
    effective_on: date | None = None,
) -> SignOff:
    """退回: a supervisor sends a done (or signed-off) item back to the unit, saying why."""
    require_role(session, user, Role.SUPERVISOR)
    check_version(session, item, expected_version)
    why = reason.strip()
    if not why:
        raise TrackerError("return_reason_empty")
    day = change_day(session, item, effective_on, now)
    old = status_of(session, item, day)
    if old not in (Status.DONE, Status.VERIFIED):
        raise TrackerError("return_not_done", code=item.code, status=status_label(old))
    record_status(session, item, Status.IN_PROGRESS, why, user, now, day)
    after = Status(item.status)
    if after is old:
        # A period that counts events is done while they reach its target: returning it
        # changes nothing; what is wrong is an event, which is voided (rolled back here).
        raise TrackerError("return_counted_period", code=item.code)
    return SignOff(item.code, old, after, evidence_count(session, item))


def pending_extension(session: Session, item: Commitment) -> Extension | None:
    return session.exec(
        select(Extension).where(
            col(Extension.commitment_id) == item.id,
            col(Extension.state) == ExtensionState.PENDING,
        )
    ).first()


def request_extension(
    *,
    session: Session,
    item: Commitment,
    new_due: date,
    reason: str,
    user: str,
    now: datetime,
    today: date,
    effective_on: date | None = None,
) -> Extension:
    """延期申请: filed by someone who may change the item, before its deadline, with a reason.

    `effective_on` is the day it was asked for when entered late (补录): a request made on
    paper before the deadline is entered after it. Without it, the request is asked `today`
    (the day the ledger is viewed on)."""
    require_item(session, user, item)
    why = reason.strip()
    if not why:
        raise TrackerError("extension_reason_empty")
    day = change_day(session, item, effective_on, now)
    asked_on = day if effective_on is not None else today
    if item.due is None:
        raise TrackerError("extension_no_deadline", code=item.code)
    if Status(item.status).closed:
        raise TrackerError("extension_closed", code=item.code)
    current = item.extended_due or item.due
    if asked_on > current:
        raise TrackerError("extension_too_late", code=item.code, due=current.isoformat())
    if new_due <= current:
        raise TrackerError(
            "extension_not_later", code=item.code, due=current.isoformat(), to=new_due.isoformat()
        )
    if pending_extension(session, item) is not None:
        raise TrackerError("extension_pending", code=item.code)
    assert item.id is not None
    request = Extension(
        commitment_id=item.id,
        old_due=current,
        new_due=new_due,
        reason=why,
        requested_by=user,
        requested_at=now,
    )
    session.add(request)
    session.add(
        History(
            commitment_id=item.id,
            kind=HistoryKind.EXTENSION,
            old=current.isoformat(),
            new=new_due.isoformat(),
            note=t_reason("extension.requested", why),
            changed_by=user,
            changed_at=now,
            effective_on=day,
        )
    )
    session.flush()
    return request


def decide_extension(
    *,
    session: Session,
    item: Commitment,
    approve: bool,
    note: str,
    user: str,
    now: datetime,
    expected_version: int | None = None,
    effective_on: date | None = None,
) -> Extension:
    """A supervisor approves (the item's extended date moves) or refuses the pending request,
    today or, entered late, on `effective_on`: never before the request was made."""
    require_role(session, user, Role.SUPERVISOR)
    check_version(session, item, expected_version)
    request = pending_extension(session, item)
    if request is None:
        raise TrackerError("extension_none_pending", code=item.code)
    day = change_day(session, item, effective_on, now)
    asked_on = requested_on(session, item, request)
    if day < asked_on:
        raise TrackerError(
            "extension_decided_before_request",
            code=item.code,
            asked=asked_on.isoformat(),
            date=day.isoformat(),
        )
    request.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    request.decided_by = user
    request.decided_at = now
    request.decision_note = note.strip()
    session.add(request)
    if approve:
        item.extended_due = request.new_due
        session.add(item)
    session.add(
        History(
            commitment_id=item.id,
            kind=HistoryKind.EXTENSION,
            old=request.old_due.isoformat(),
            new=request.new_due.isoformat() if approve else request.old_due.isoformat(),
            note=t_reason(
                "extension.approved" if approve else "extension.refused", note.strip() or "-"
            ),
            changed_by=user,
            changed_at=now,
            effective_on=day,
        )
    )
    session.flush()
    return request


def requested_on(session: Session, item: Commitment, request: Extension) -> date:
    """The day the pending `request` took effect: its history row's (a request entered late
    is dated the day it was made), else the day it was recorded."""
    # One request is pending at a time, so the latest request row of the item is its own.
    row = session.exec(
        select(History)
        .where(
            col(History.commitment_id) == item.id,
            col(History.kind) == HistoryKind.EXTENSION,
            col(History.note).startswith(t_reason("extension.requested", "")),
        )
        .order_by(col(History.id).desc())
    ).first()
    return row.effective_on if row is not None else request.requested_at.date()


def t_reason(key: str, reason: str) -> str:
    """History notes are written in Chinese, the ledger's language, whatever the UI's."""
    words = {
        "extension.requested": "申请延期：",
        "extension.approved": "批准延期：",
        "extension.refused": "不予延期：",
    }
    return words[key] + reason
