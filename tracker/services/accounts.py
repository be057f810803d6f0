"""Accounts: who may change the ledger (`tracker users`). Only an admin manages them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from tracker.errors import TrackerError
from tracker.models import Account, AccountUnit, Role
from tracker.services.access import (
    has_accounts,
    require_role,
    require_visible_name,
    units_of,
)
from tracker.services.lookup import get_unit


@dataclass(frozen=True)
class AccountRow:
    name: str
    role: Role
    units: list[str]
    created_by: str
    created_at: datetime
    disabled_at: datetime | None = None


def parse_role(value: str) -> Role:
    """A role from its code or its Chinese name (管理员, 督办人, 经办人)."""
    text = value.strip().lower()
    aliases = {"管理员": Role.ADMIN, "督办人": Role.SUPERVISOR, "经办人": Role.OFFICER}
    if text in aliases:
        return aliases[text]
    try:
        return Role(text)
    except ValueError as exc:
        raise TrackerError("role_unknown", role=value) from exc


def ensure_first_admin(*, session: Session, name: str, now: datetime) -> Account | None:
    """Make `name` the admin of a ledger that has no account yet (who ran `init`)."""
    if has_accounts(session):
        return None
    require_visible_name(name)
    account = Account(name=name, role=Role.ADMIN, created_by=name, created_at=now)
    session.add(account)
    session.flush()
    return account


def add_account(
    *,
    session: Session,
    actor: str,
    name: str,
    role: Role,
    units: Sequence[str],
    now: datetime,
) -> Account:
    """A new account; an officer must be given at least one unit."""
    require_role(session, actor, Role.ADMIN)
    clean = require_visible_name(name.strip())
    if not clean:
        raise TrackerError("account_name_empty")
    if session.exec(select(Account).where(col(Account.name) == clean)).first() is not None:
        raise TrackerError("account_exists", name=clean)
    if role is Role.OFFICER and not units:
        raise TrackerError("account_officer_needs_unit", name=clean)
    unit_ids = [get_unit(session=session, name=unit).id for unit in dict.fromkeys(units)]
    account = Account(name=clean, role=role, created_by=actor, created_at=now)
    session.add(account)
    session.flush()
    assert account.id is not None
    for unit_id in unit_ids:
        assert unit_id is not None
        session.add(AccountUnit(account_id=account.id, unit_id=unit_id))
    session.flush()
    return account


def set_role(*, session: Session, actor: str, name: str, role: Role) -> Account:
    """Change an account's role; the ledger always keeps at least one admin."""
    require_role(session, actor, Role.ADMIN)
    account = session.exec(select(Account).where(col(Account.name) == name.strip())).first()
    if account is None:
        raise TrackerError("account_unknown", name=name)
    if account.role == Role.ADMIN and role is not Role.ADMIN and _active_admins(session) <= 1:
        raise TrackerError("account_last_admin", name=account.name)
    if role is Role.OFFICER and not units_of(session, account):
        raise TrackerError("account_officer_needs_unit", name=account.name)
    account.role = role
    session.add(account)
    session.flush()
    return account


def _active_admins(session: Session) -> int:
    """How many admins may still act (a disabled admin cannot keep the ledger)."""
    return session.exec(
        select(func.count())
        .select_from(Account)
        .where(col(Account.role) == Role.ADMIN, col(Account.disabled_at).is_(None))
    ).one()


def _named(session: Session, name: str) -> Account:
    account = session.exec(select(Account).where(col(Account.name) == name.strip())).first()
    if account is None:
        raise TrackerError("account_unknown", name=name)
    return account


def disable_account(
    *, session: Session, actor: str, name: str, reason: str, now: datetime
) -> Account:
    """停用: the account may still read but changes nothing; kept for the history it signed.
    The last admin who may act cannot be disabled."""
    require_role(session, actor, Role.ADMIN)
    account = _named(session, name)
    if account.disabled_at is not None:
        raise TrackerError(
            "account_already_disabled", name=account.name, date=f"{account.disabled_at:%Y-%m-%d}"
        )
    if account.role == Role.ADMIN and _active_admins(session) <= 1:
        raise TrackerError("account_last_admin_disable", name=account.name)
    account.disabled_at = now
    account.disabled_by = actor
    account.disabled_reason = reason.strip() or None
    session.add(account)
    session.flush()
    return account


def enable_account(*, session: Session, actor: str, name: str) -> Account:
    """启用: a disabled account may change the ledger again, as its role allows."""
    require_role(session, actor, Role.ADMIN)
    account = _named(session, name)
    if account.disabled_at is None:
        raise TrackerError("account_not_disabled", name=account.name)
    account.disabled_at = None
    account.disabled_by = None
    account.disabled_reason = None
    session.add(account)
    session.flush()
    return account


def list_accounts(*, session: Session) -> list[AccountRow]:
    accounts = session.exec(select(Account).order_by(col(Account.name))).all()
    return [
        AccountRow(
            name=a.name,
            role=Role(a.role),
            units=[u.name for u in units_of(session, a)],
            created_by=a.created_by,
            created_at=a.created_at,
            disabled_at=a.disabled_at,
        )
        for a in accounts
    ]
