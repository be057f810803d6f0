"""Sign-in passwords for `tracker serve` (tracker.services.passwords, `tracker users passwd`).

On a SQLite ledger an account may hold an argon2id hash; on PostgreSQL the database login's
own password signs in, so nothing is stored, the command refuses and the database keeps the
columns empty. Real SQLite files (copies of the seeded one) and, when configured, a real
PostgreSQL database; the command line through CliRunner.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from argon2 import Type, extract_parameters, profiles
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.db import make_engine, new_session
from tracker.errors import TrackerError
from tracker.i18n import t
from tracker.models import Account, AuditEntry, Role
from tracker.schema import HEAD, _config, current_revision
from tracker.services import passwords
from tracker.services.accounts import add_account, disable_account
from tracker.services.audit import set_actor
from tracker.services.passwords import (
    DUMMY_HASH,
    HASHER,
    check_password,
    has_passwords,
    hash_password,
    set_password,
)

runner = CliRunner()
ADMIN = "管理员"  # an admin of the seeded ledger (tests/conftest.py)
OTHER_ADMIN = "李所长"
OFFICER = "经办甲"
OTHER_OFFICER = "经办乙"
UNIT = "依法治镇工作领导小组"
SECRET = "correct horse 电池"
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A copy of the seeded SQLite ledger, with two officers of one unit."""
    path = tmp_path / "tracker.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    with _session(url) as session:
        for name in (OFFICER, OTHER_OFFICER):
            add_account(
                session=session, actor=ADMIN, name=name, role=Role.OFFICER, units=[UNIT], now=NOW
            )
        session.commit()
    return url


class _session:
    """A session on `url` acting as `actor` (for the audit), its engine disposed after."""

    def __init__(self, url: str, actor: str = ADMIN) -> None:
        self.engine = make_engine(url)
        self.session = new_session(self.engine)
        set_actor(self.session, actor)

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *_: Any) -> None:
        self.session.close()
        self.engine.dispose()


def _set(url: str, actor: str, name: str, password: str = SECRET) -> None:
    with _session(url, actor) as session:
        set_password(session=session, actor=actor, name=name, password=password, now=NOW)
        session.commit()


def _check(url: str, name: str, password: str = SECRET) -> bool:
    with _session(url) as session:
        return check_password(session, name, password)


def _hash_of(url: str, name: str) -> str | None:
    with _session(url) as session:
        account = session.exec(select(Account).where(col(Account.name) == name)).one()
        return account.password_hash


@contextmanager
def _refused(key: str, **params: Any) -> Iterator[None]:
    """The block is refused with the TrackerError of `key`, told as the officer reads it."""
    with pytest.raises(TrackerError) as refused:
        yield
    assert refused.value.message() == t(key, **params)


def passwd(url: str, user: str, name: str, typed: str | None) -> Result:
    """`tracker users passwd NAME` as `user`, with `typed` on its standard input."""
    return runner.invoke(app, ["--db", url, "--user", user, "users", "passwd", name], input=typed)


# --- hashing -----------------------------------------------------------------------------


def test_a_password_is_hashed_with_argon2id_salted_and_verifies() -> None:
    first, second = hash_password(SECRET), hash_password(SECRET)
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert extract_parameters(first) == profiles.RFC_9106_LOW_MEMORY
    assert first != second  # a salt of its own
    assert HASHER.verify(first, SECRET)
    assert SECRET not in first


def test_the_dummy_hash_costs_what_a_real_one_does() -> None:
    """An unknown name is checked against it: the same parameters, the same time."""
    assert extract_parameters(DUMMY_HASH) == profiles.RFC_9106_LOW_MEMORY
    assert extract_parameters(hash_password(SECRET)) == extract_parameters(DUMMY_HASH)
    assert extract_parameters(DUMMY_HASH).type is Type.ID


# --- who may set whose, and what -------------------------------------------------------


def test_the_right_password_signs_in_and_a_wrong_one_does_not(sqlite_url: str) -> None:
    assert not _check(sqlite_url, ADMIN)  # no password yet
    _set(sqlite_url, ADMIN, ADMIN)
    assert _check(sqlite_url, ADMIN)
    assert not _check(sqlite_url, ADMIN, SECRET + "!")
    assert not _check(sqlite_url, ADMIN, SECRET.upper())
    assert not _check(sqlite_url, OTHER_ADMIN)  # another account's is not set by it


def test_an_unknown_name_or_a_disabled_account_does_not_sign_in(sqlite_url: str) -> None:
    _set(sqlite_url, ADMIN, OFFICER)
    assert not _check(sqlite_url, "没有这个人")
    with _session(sqlite_url) as session:
        disable_account(session=session, actor=ADMIN, name=OFFICER, reason="调走", now=NOW)
        session.commit()
    assert not _check(sqlite_url, OFFICER)
    with _refused("password_account_disabled", name=OFFICER):
        _set(sqlite_url, ADMIN, OFFICER)


def test_an_admin_sets_anyones_an_officer_only_their_own(sqlite_url: str) -> None:
    _set(sqlite_url, ADMIN, OFFICER, "管理员设的初始密码")
    assert _check(sqlite_url, OFFICER, "管理员设的初始密码")
    _set(sqlite_url, OFFICER, OFFICER)  # changes it themselves
    assert _check(sqlite_url, OFFICER)
    assert not _check(sqlite_url, OFFICER, "管理员设的初始密码")
    with _refused("password_not_yours", user=OFFICER, name=OTHER_OFFICER):
        _set(sqlite_url, OFFICER, OTHER_OFFICER)
    with _refused("password_not_yours", user=OFFICER, name=ADMIN):
        _set(sqlite_url, OFFICER, ADMIN)
    assert _hash_of(sqlite_url, OTHER_OFFICER) is None
    with _refused("access_no_account", user="路人"):  # a reader sets nobody's, not even own
        _set(sqlite_url, "路人", "路人")
    with _refused("account_unknown", name="没有这个人"):
        _set(sqlite_url, ADMIN, "没有这个人")


@pytest.mark.parametrize(
    ("password", "key", "params"),
    [
        ("1234567", "password_too_short", {"least": 8}),
        ("", "password_too_short", {"least": 8}),
        ("长" * 1025, "password_too_long", {"most": 1024}),
    ],
    ids=["seven", "empty", "1025"],
)
def test_a_password_too_short_or_too_long_is_refused(
    sqlite_url: str, password: str, key: str, params: dict[str, int]
) -> None:
    with _refused(key, **params):
        _set(sqlite_url, ADMIN, ADMIN, password)
    assert _hash_of(sqlite_url, ADMIN) is None


def test_the_limits_themselves_are_accepted(sqlite_url: str) -> None:
    _set(sqlite_url, ADMIN, ADMIN, "12345678")
    assert _check(sqlite_url, ADMIN, "12345678")
    _set(sqlite_url, ADMIN, ADMIN, "长" * 1024)
    assert _check(sqlite_url, ADMIN, "长" * 1024)


def test_has_passwords_counts_only_enabled_accounts(sqlite_url: str) -> None:
    with _session(sqlite_url) as session:
        assert not has_passwords(session)
    _set(sqlite_url, ADMIN, OFFICER)
    with _session(sqlite_url) as session:
        assert has_passwords(session)
        disable_account(session=session, actor=ADMIN, name=OFFICER, reason="", now=NOW)
        assert not has_passwords(session)


class _CountingHasher:
    """HASHER, recording which hashes each check verified against."""

    def __init__(self) -> None:
        self.verified: list[str] = []

    def verify(self, stored: str, password: str) -> bool:
        self.verified.append(stored)
        return HASHER.verify(stored, password)


def test_every_check_verifies_exactly_one_hash_whether_or_not_the_name_exists(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So a sign-in takes as long for a name that does not exist as for a wrong password:
    names cannot be probed by timing."""
    _set(sqlite_url, ADMIN, OFFICER)
    counting = _CountingHasher()
    monkeypatch.setattr(passwords, "HASHER", counting)
    assert not _check(sqlite_url, "没有这个人")  # no account
    assert not _check(sqlite_url, OTHER_OFFICER)  # an account without a password
    assert not _check(sqlite_url, OFFICER, "wrong password")
    assert _check(sqlite_url, OFFICER)
    assert counting.verified[:2] == [DUMMY_HASH, DUMMY_HASH]
    assert counting.verified[2] == counting.verified[3] == _hash_of(sqlite_url, OFFICER)


# --- the audit -----------------------------------------------------------------------------


def test_setting_a_password_is_audited_without_the_hash(sqlite_url: str) -> None:
    _set(sqlite_url, ADMIN, OFFICER)
    _set(sqlite_url, OFFICER, OFFICER, SECRET + "2")
    stored = _hash_of(sqlite_url, OFFICER)
    assert stored is not None
    with _session(sqlite_url) as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    told = [(e.actor, e.action, e.target, e.detail) for e in entries if "password" in e.action]
    account_id = told[0][3]
    assert told == [
        (ADMIN, "account.password", f"account:{OFFICER}", account_id),
        (OFFICER, "account.password", f"account:{OFFICER}", account_id),
    ]
    for entry in entries:
        row = " ".join(str(v) for v in (entry.actor, entry.action, entry.target, entry.detail))
        assert "argon2" not in row and SECRET not in row and stored not in row
    verified = runner.invoke(app, ["--db", sqlite_url, "audit", "verify"])
    assert verified.exit_code == 0, verified.output


# --- the command -------------------------------------------------------------------------


def test_the_command_reads_one_line_from_a_pipe(sqlite_url: str) -> None:
    result = passwd(sqlite_url, ADMIN, OFFICER, f"{SECRET}\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == t("password_set", name=OFFICER) + "\n"
    assert _check(sqlite_url, OFFICER)
    # Spaces are part of a password; only the line's end is not.
    assert passwd(sqlite_url, OFFICER, OFFICER, f" {SECRET} \r\n").exit_code == 0
    assert _check(sqlite_url, OFFICER, f" {SECRET} ")


@pytest.mark.parametrize(
    ("user", "name", "typed", "message"),
    [
        (ADMIN, OFFICER, "", t("password_none")),
        (ADMIN, OFFICER, "short\n", t("password_too_short", least=8)),
        (OFFICER, OTHER_OFFICER, f"{SECRET}\n", None),
        (ADMIN, "没有这个人", f"{SECRET}\n", t("account_unknown", name="没有这个人")),
    ],
    ids=["empty-stdin", "too-short", "someone-elses", "unknown-name"],
)
def test_the_command_refuses_in_one_line_and_changes_nothing(
    sqlite_url: str, user: str, name: str, typed: str, message: str | None
) -> None:
    expected = message or t("password_not_yours", user=user, name=name)
    result = passwd(sqlite_url, user, name, typed)
    assert result.exit_code == 1
    assert result.stderr == expected + "\n"
    assert result.stdout == "" and "Traceback" not in result.output
    with _session(sqlite_url) as session:
        assert not has_passwords(session)


@pytest.mark.in_process_only("makes the test's stdin count as a terminal")
def test_at_a_terminal_the_password_is_asked_twice(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.cli.supervision._from_terminal", lambda: True)
    result = passwd(sqlite_url, OFFICER, OFFICER, f"{SECRET}\n{SECRET}\n")
    assert result.exit_code == 0, result.output
    assert t("password_prompt", name=OFFICER) in result.stdout
    assert t("password_prompt_again") in result.stdout
    assert SECRET not in result.output  # hidden as it is typed
    assert result.stdout.endswith(t("password_set", name=OFFICER) + "\n")
    assert _check(sqlite_url, OFFICER)


@pytest.mark.in_process_only("makes the test's stdin count as a terminal")
def test_at_a_terminal_two_different_passwords_change_nothing(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.cli.supervision._from_terminal", lambda: True)
    result = passwd(sqlite_url, ADMIN, OFFICER, f"{SECRET}\n{SECRET}x\n")
    assert result.exit_code == 1
    assert result.stderr == t("password_mismatch") + "\n"
    assert "Traceback" not in result.output
    assert _hash_of(sqlite_url, OFFICER) is None


@pytest.mark.in_process_only("makes the test's stdin count as a terminal")
def test_a_refused_officer_is_not_asked_for_a_password(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.cli.supervision._from_terminal", lambda: True)
    result = passwd(sqlite_url, OFFICER, OTHER_OFFICER, f"{SECRET}\n{SECRET}\n")
    assert result.exit_code == 1
    assert t("password_prompt", name=OTHER_OFFICER) not in result.stdout
    assert result.stderr == t("password_not_yours", user=OFFICER, name=OTHER_OFFICER) + "\n"


# --- PostgreSQL ------------------------------------------------------------------------


@pytest.fixture
def pg_url(backend: str, db_url: str) -> str:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: its logins' passwords are the database's")
    return db_url


def test_postgresql_keeps_no_password(pg_url: str) -> None:
    with _session(pg_url) as session:
        with _refused("password_postgresql"):
            set_password(session=session, actor=ADMIN, name=ADMIN, password=SECRET, now=NOW)
        assert not has_passwords(session)
        assert not check_password(session, ADMIN, SECRET)
    result = passwd(pg_url, ADMIN, ADMIN, f"{SECRET}\n")
    assert result.exit_code == 1
    assert result.stderr == t("password_postgresql") + "\n"
    assert "Traceback" not in result.output


def test_postgresql_itself_refuses_a_stored_password(pg_url: str) -> None:
    """Even the test suite's superuser, writing SQL, cannot store one there."""
    engine = make_engine(pg_url)
    try:
        for statement in (
            "UPDATE account SET password_hash = 'x'",
            "UPDATE account SET password_set_at = now()",
        ):
            with pytest.raises(IntegrityError), engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        engine.dispose()


# --- the migration -------------------------------------------------------------------------


@pytest.fixture
def ledger_0006(db_url: str, backend: str) -> Iterator[str]:
    """The seeded ledger as revision 0006 left it: no password columns."""
    engine = make_engine(db_url)
    with engine.begin() as connection:
        if backend == "postgresql":
            connection.execute(text("ALTER TABLE account DROP CONSTRAINT account_no_password"))
        for column in ("password_hash", "password_set_at"):
            connection.execute(text(f"ALTER TABLE account DROP COLUMN {column}"))
        command.stamp(_config(connection), "0006")
    engine.dispose()
    yield db_url


def test_db_upgrade_adds_the_password_columns_to_a_0006_ledger(
    ledger_0006: str, backend: str
) -> None:
    result = runner.invoke(app, ["--db", ledger_0006, "db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = make_engine(ledger_0006)
    try:
        assert current_revision(engine) == HEAD
        columns = {c["name"]: c for c in inspect(engine).get_columns("account")}
        assert columns["password_hash"]["nullable"] and columns["password_set_at"]["nullable"]
        with engine.connect() as connection:
            hashes = connection.execute(text("SELECT password_hash FROM account")).scalars()
            assert set(hashes) == {None}
    finally:
        engine.dispose()
    if backend == "sqlite":
        _set(ledger_0006, ADMIN, ADMIN)
        assert _check(ledger_0006, ADMIN)
    else:  # the guards were installed again: the database keeps the columns empty
        test_postgresql_itself_refuses_a_stored_password(ledger_0006)
    verified = runner.invoke(app, ["--db", ledger_0006, "audit", "verify"])
    assert verified.exit_code == 0, verified.output
