"""Who may change what: accounts, roles and the units of officers.

Roles nest: an admin may do what a supervisor may, and a supervisor what an officer of every
unit may. An officer changes the items whose responsible unit, or co-operating unit (配合单位),
is one of theirs. A name without an account may read but not write. Every refusal is a
TrackerError raised before anything is written, so the command that asked writes nothing.
A disabled account (停用) may read, like a name without one, but change nothing.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, col, select

from tracker.errors import TrackerError, hidden_character, printable
from tracker.labels import localized
from tracker.models import Account, AccountUnit, Commitment, CoUnit, Role, Unit

# What each role may do beyond the one below it.
RANK = {Role.OFFICER: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}


def require_visible_name(name: str) -> str:
    """`name`, refused when it holds a control or invisible formatting character: a name
    signs every change in the history, and one with a right-to-left override (U+202E) or a
    zero-width space would show as someone else's, or two accounts as one."""
    found = hidden_character(name)
    if found is not None:
        raise TrackerError("name_hidden_character", name=printable(name), char=printable(found))
    return name


def acting_user(session: Session, given: str) -> str:
    """Who is acting. On SQLite, the name given (--user, TRACKER_USER, config, login name).
    On PostgreSQL, the database login: a shared ledger trusts the server's authentication,
    not a name typed on the command line. A superuser login (who could change any row
    anyway) may act under the name given, for administration and tests."""
    if session.get_bind().dialect.name != "postgresql":
        return require_visible_name(given)
    login, superuser = session.execute(
        text("SELECT current_user, usesuper FROM pg_user WHERE usename = current_user")
    ).one()
    return require_visible_name(given if superuser else str(login))


def may_write(session: Session, user: str) -> bool:
    """Whether `user` may write at all: on PostgreSQL, where the database refuses a reader's
    writes (tracker.db_guard), a login with an active account or a superuser. A reader's
    command then leaves the periods of a new year to the next officer's."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    superuser = session.execute(
        text("SELECT usesuper FROM pg_user WHERE usename = current_user")
    ).scalar()
    if superuser or not has_accounts(session):
        return True
    account = account_of(session, user)
    return account is not None and account.disabled_at is None


def account_of(session: Session, name: str) -> Account | None:
    return session.exec(select(Account).where(col(Account.name) == name)).first()


def has_accounts(session: Session) -> bool:
    """Whether the ledger has any account (a ledger made before accounts may have none)."""
    return session.exec(select(Account.id).limit(1)).first() is not None


def require_account(session: Session, user: str) -> Account:
    """The account of `user`, or the refusal every write by a reader gets; a disabled
    account is a reader's too (every change goes through here)."""
    account = account_of(session, user)
    if account is None:
        raise TrackerError("access_no_account", user=user)
    if account.disabled_at is not None:
        raise TrackerError(
            "access_disabled",
            user=user,
            by=account.disabled_by or "?",
            date=f"{account.disabled_at:%Y-%m-%d}",
        )
    return account


def require_role(session: Session, user: str, role: Role) -> Account:
    """`user`'s account if it is `role` or above; `what` names the refused action."""
    account = require_account(session, user)
    if RANK[Role(account.role)] < RANK[role]:
        raise TrackerError(
            "access_role_needed", user=user, role=t_role(role), has=t_role(Role(account.role))
        )
    return account


def t_role(role: Role) -> str:
    from tracker.i18n import t

    return t(f"role.{role.value}")


def units_of(session: Session, account: Account) -> list[Unit]:
    return list(
        session.exec(
            select(Unit)
            .join(AccountUnit, col(AccountUnit.unit_id) == Unit.id)
            .where(col(AccountUnit.account_id) == account.id)
            .order_by(col(Unit.name))
        ).all()
    )


def item_units(session: Session, item: Commitment) -> set[int]:
    """The units that answer for `item`: its own, and the co-operating units of it or of the
    commitment it is a period or village of."""
    owners = {item.unit_id} if item.unit_id is not None else set()
    ids = [i for i in (item.id, item.parent_id) if i is not None]
    co_units = session.exec(select(CoUnit.unit_id).where(col(CoUnit.commitment_id).in_(ids)))
    return owners | set(co_units.all())


def may_change(session: Session, user: str, item: Commitment) -> bool:
    """Whether `user` may change `item` (for the app, which offers only what is allowed)."""
    try:
        require_item(session, user, item)
    except TrackerError:
        return False
    return True


def require_item(session: Session, user: str, item: Commitment) -> Account:
    """`user`'s account if they may change `item`: a supervisor or admin, or an officer of one
    of the item's units."""
    account = require_account(session, user)
    if RANK[Role(account.role)] >= RANK[Role.SUPERVISOR]:
        return account
    mine = {unit.id for unit in units_of(session, account)}
    if mine & item_units(session, item):
        return account
    owner = session.get(Unit, item.unit_id) if item.unit_id is not None else None
    raise TrackerError(
        "access_not_your_unit",
        user=user,
        code=item.code,
        unit=localized(owner.name, owner.name_en) if owner else "-",
    )
