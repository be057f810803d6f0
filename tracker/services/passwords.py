"""Sign-in passwords for `tracker serve` on a SQLite ledger (`tracker users passwd`).

On PostgreSQL an officer signs in with their database login and the server checks the
password: nothing is stored, `set_password` refuses, and the database itself keeps the
columns empty (tracker/db_guard.sql). On SQLite an account may hold an argon2id hash, a
memory-hard one, so that a copied ledger file does not give its passwords away cheaply.

The audit records that a password was set, by whom and for whom, never the hash
(services.audit_changes).
"""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.models import Account, Role
from tracker.services.access import require_account

# Long enough to resist guessing over the network; at most 1024 characters, so that a
# form posting megabytes cannot make each attempt cost more than a normal one.
MIN_LENGTH = 8
MAX_LENGTH = 1024

# argon2id with RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes): the
# first one wants 2 GiB per sign-in, too much for a township office's server; this one
# takes under 0.1 s here. Named rather than the library's defaults (the same today) so
# that a new argon2-cffi cannot change the cost, nor the dummy hash below go out of step.
HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)

# Verified when a name has no account or no password, so that a sign-in takes as long for
# a name that does not exist as for a wrong password: names cannot be probed by timing.
# The hash of a random password nobody kept, made with HASHER's parameters (a test keeps
# the two equal: verifying it costs what verifying a real one does).
DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$Z6O1jHRmV9nUNhTMJqqMgw$"
    "EMz5XA5faueT4ZGqrDP8M3b2ne9edGLngF3lLX3RXBw"
)


def hash_password(password: str) -> str:
    """The argon2id hash of `password`, salted, in PHC string form ($argon2id$v=19$…)."""
    return HASHER.hash(password)


def _shared(session: Session) -> bool:
    """Whether the ledger is a shared PostgreSQL one (the database's logins sign in)."""
    return session.get_bind().dialect.name == "postgresql"


def _account(session: Session, name: str) -> Account | None:
    return session.exec(select(Account).where(col(Account.name) == name.strip())).first()


def require_may_set_password(*, session: Session, actor: str, name: str) -> Account:
    """The account whose password `actor` may set, or the refusal: on PostgreSQL always;
    an admin may set anyone's, any account its own; never a disabled account's. Asked
    before the password is typed, and again when it is written (`set_password`)."""
    if _shared(session):
        raise TrackerError("password_postgresql")
    me = require_account(session, actor)  # a reader or a disabled account sets nothing
    account = _account(session, name)
    if me.name != name.strip() and me.role != Role.ADMIN:
        raise TrackerError("password_not_yours", user=actor, name=name)
    if account is None:
        raise TrackerError("account_unknown", name=name)
    if account.disabled_at is not None:
        raise TrackerError("password_account_disabled", name=account.name)
    return account


def set_password(
    *, session: Session, actor: str, name: str, password: str, now: datetime
) -> Account:
    """Give the account `name` a new sign-in password (SQLite ledgers only)."""
    account = require_may_set_password(session=session, actor=actor, name=name)
    if len(password) < MIN_LENGTH:
        raise TrackerError("password_too_short", least=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise TrackerError("password_too_long", most=MAX_LENGTH)
    account.password_hash = hash_password(password)
    account.password_set_at = now
    session.add(account)
    session.flush()
    return account


def check_password(session: Session, name: str, password: str) -> bool:
    """Whether `password` signs `name` in: an existing, enabled account whose hash it
    matches. Never on PostgreSQL, where the database checks its logins' passwords."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return False  # no password that long or short was ever set: nothing about the name
    account = None if _shared(session) else _account(session, name)
    stored = None
    if account is not None and account.disabled_at is None:
        stored = account.password_hash
    try:
        # Always one verification, of the dummy hash when there is nothing to match.
        matched = HASHER.verify(stored or DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):  # a mismatch, or a damaged hash
        return False
    return matched and stored is not None


def has_passwords(session: Session) -> bool:
    """Whether any enabled account may sign in with a password (`tracker serve` listens
    beyond this machine only then). Never on PostgreSQL."""
    if _shared(session):
        return False
    query = select(Account.id).where(
        col(Account.password_hash).is_not(None), col(Account.disabled_at).is_(None)
    )
    return session.exec(query.limit(1)).first() is not None
