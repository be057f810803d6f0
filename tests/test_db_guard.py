"""A shared PostgreSQL ledger holds against its own officers (tracker.db_guard).

Real login roles, made for each test, as the README's setup makes them: an admin who owns
the ledger's schema and runs `tracker init`, an officer of one unit, a supervisor, and a
login with no account. Each attack a hostile officer tried with `psql` is made here in plain SQL
on that officer's own connection, and the database itself refuses it; the ledger is then
exactly as it was.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from tests.conftest import PG_URL
from tracker.cli import app
from tracker.i18n import t

pytestmark = pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set")
runner = CliRunner()
OWN_UNIT = "依法治镇工作领导小组"
# Tables whose rows a refused attack must leave as they were.
WATCHED = (
    "account",
    "accountunit",
    "counit",
    "commitment",
    "history",
    "event",
    "evidence",
    "extension",
    "audit",
    "alembic_version",
)


@dataclass(frozen=True)
class Ledger:
    """A guarded ledger and the logins that work on it (URLs per login)."""

    schema: str
    admin: str
    officer: str
    supervisor: str
    outsider: str
    urls: dict[str, str]

    def engine(self, login: str) -> Engine:
        return create_engine(self.urls[login])


def _url(schema: str, login: str) -> str:
    assert PG_URL is not None
    url = make_url(PG_URL).set(username=login)
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def run(ledger: Ledger, login: str, *args: str) -> tuple[int, str, str]:
    """`tracker` as `login` (--user is not believed on PostgreSQL: the login acts)."""
    result = runner.invoke(app, ["--db", ledger.urls[login], "--as-of", "2026-11-26", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    assert PG_URL is not None
    tag = uuid.uuid4().hex[:8]
    names = {role: f"t10{role[0]}_{tag}" for role in ("admin", "officer", "supervisor", "x")}
    schema = f"t_guard_{tag}"
    superuser = create_engine(PG_URL)
    with superuser.begin() as connection:
        for login in names.values():
            connection.execute(text(f"CREATE ROLE {login} LOGIN"))
        # What a DBA does: the admin's schema, in which `tracker init` makes the tables.
        connection.execute(text(f"CREATE SCHEMA {schema} AUTHORIZATION {names['admin']}"))
    urls = {login: _url(schema, login) for login in names.values()}
    ledger = Ledger(schema, names["admin"], names["officer"], names["supervisor"], names["x"], urls)
    try:
        assert run(ledger, ledger.admin, "init")[0] == 0
        officer = ("users", "add", ledger.officer, "--role", "officer", "--unit", OWN_UNIT)
        assert run(ledger, ledger.admin, *officer)[0] == 0
        supervisor = ("users", "add", ledger.supervisor, "--role", "supervisor")
        assert run(ledger, ledger.admin, *supervisor)[0] == 0
        yield ledger
    finally:
        with superuser.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            for login in names.values():
                connection.execute(text(f"DROP OWNED BY {login}"))
                connection.execute(text(f"DROP ROLE {login}"))
        superuser.dispose()


def fingerprint(ledger: Ledger) -> dict[str, str]:
    """Every row of the watched tables, hashed per table (read as the admin)."""
    engine = ledger.engine(ledger.admin)
    with engine.connect() as connection:
        prints = {
            table: connection.execute(
                text(
                    f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    f"FROM {table} t"
                )
            ).scalar_one()
            for table in WATCHED
        }
    engine.dispose()
    return prints


def attempt(ledger: Ledger, login: str, *statements: str) -> DBAPIError:
    """Run `statements` in one transaction as `login`; the error the database raised."""
    engine = ledger.engine(login)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    except DBAPIError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError(f"the database accepted: {statements}")


def item_of(ledger: Ledger, unit: str, *, other: bool = False) -> str:
    """The code of a top-level item of `unit` (or of another unit than it)."""
    engine = ledger.engine(ledger.admin)
    with engine.connect() as connection:
        code = connection.execute(
            text(
                "SELECT c.code FROM commitment c JOIN unit u ON u.id = c.unit_id "
                "WHERE c.parent_id IS NULL AND c.kind = 'one_off' "
                f"AND (u.name {'<>' if other else '='} :unit) "
                "AND c.id NOT IN (SELECT commitment_id FROM counit) ORDER BY c.code LIMIT 1"
            ),
            {"unit": unit},
        ).scalar_one()
    engine.dispose()
    return str(code)


def refused_by_guard(error: DBAPIError, reason: str) -> bool:
    return f"tracker:{reason}" in str(error.orig)


def refused_by_privilege(error: DBAPIError) -> bool:
    return "permission denied" in str(error.orig)


# --- rights ------------------------------------------------------------------------------


def test_an_officer_cannot_make_themselves_admin(ledger: Ledger) -> None:
    before = fingerprint(ledger)
    error = attempt(
        ledger, ledger.officer, "UPDATE account SET role = 'admin' WHERE name = current_user"
    )
    assert refused_by_guard(error, "needs_admin")
    assert fingerprint(ledger) == before
    code, _, err = run(ledger, ledger.officer, "users", "add", "新人", "--role", "officer")
    assert code == 1 and "管理员" in err


def test_an_officer_cannot_widen_their_own_units(ledger: Ledger) -> None:
    before = fingerprint(ledger)
    mine = (
        "INSERT INTO accountunit (account_id, unit_id) SELECT a.id, u.id FROM account a, unit u "
        f"WHERE a.name = current_user AND u.name <> '{OWN_UNIT}' LIMIT 1"
    )
    assert refused_by_guard(attempt(ledger, ledger.officer, mine), "needs_admin")
    other = item_of(ledger, OWN_UNIT, other=True)
    co_unit = (
        "INSERT INTO counit (commitment_id, unit_id) SELECT c.id, u.id FROM commitment c, unit u "
        f"WHERE c.code = '{other}' AND u.name = '{OWN_UNIT}'"
    )
    assert refused_by_guard(attempt(ledger, ledger.officer, co_unit), "needs_admin")
    assert fingerprint(ledger) == before
    code, _, err = run(ledger, ledger.officer, "status", other, "in_progress")
    assert code == 1 and other in err


def test_an_officer_cannot_forge_a_sign_off(ledger: Ledger) -> None:
    code = item_of(ledger, OWN_UNIT)
    before = fingerprint(ledger)
    update = f"UPDATE commitment SET status = 'verified' WHERE code = '{code}'"
    assert refused_by_guard(attempt(ledger, ledger.officer, update), "needs_supervisor")
    in_their_name = (
        "INSERT INTO history (commitment_id, kind, old, new, note, changed_by, changed_at, "
        f"effective_on) SELECT id, 'status', status, 'verified', '', '{ledger.supervisor}', "
        f"now(), current_date FROM commitment WHERE code = '{code}'"
    )
    assert refused_by_guard(attempt(ledger, ledger.officer, in_their_name), "not_you")
    in_own_name = in_their_name.replace(f"'{ledger.supervisor}'", "current_user")
    assert refused_by_guard(attempt(ledger, ledger.officer, in_own_name), "needs_supervisor")
    assert fingerprint(ledger) == before


def test_an_officer_may_not_touch_another_units_item_or_what_an_item_is(ledger: Ledger) -> None:
    other = item_of(ledger, OWN_UNIT, other=True)
    own = item_of(ledger, OWN_UNIT)
    before = fingerprint(ledger)
    status = f"UPDATE commitment SET status = 'done' WHERE code = '{other}'"
    assert refused_by_guard(attempt(ledger, ledger.officer, status), "not_your_unit")
    title = f"UPDATE commitment SET title = '改了' WHERE code = '{own}'"
    assert refused_by_guard(attempt(ledger, ledger.officer, title), "needs_admin")
    event = (
        "INSERT INTO event (commitment_id, happened_on, note, recorded_by, recorded_at) "
        f"SELECT id, current_date, '', '{ledger.supervisor}', now() FROM commitment "
        f"WHERE code = '{own}'"
    )
    assert refused_by_guard(attempt(ledger, ledger.officer, event), "not_you")
    assert fingerprint(ledger) == before


def test_a_login_without_an_account_writes_nothing(ledger: Ledger) -> None:
    own = item_of(ledger, OWN_UNIT)
    before = fingerprint(ledger)
    note = (
        "INSERT INTO history (commitment_id, kind, note, changed_by, changed_at, effective_on) "
        f"SELECT id, 'note', 'x', current_user, now(), current_date FROM commitment "
        f"WHERE code = '{own}'"
    )
    assert refused_by_guard(attempt(ledger, ledger.outsider, note), "no_account")
    account = (
        "INSERT INTO account (name, role, created_by, created_at) "
        "VALUES (current_user, 'admin', current_user, now())"
    )
    assert refused_by_guard(attempt(ledger, ledger.outsider, account), "no_account")
    assert fingerprint(ledger) == before


def test_a_login_without_an_account_still_reads(ledger: Ledger) -> None:
    code, out, err = run(ledger, ledger.outsider, "list", "--unit", OWN_UNIT)
    assert code == 0, err
    assert item_of(ledger, OWN_UNIT) in out
    assert run(ledger, ledger.outsider, "audit", "verify")[0] == 0


def test_what_is_recorded_cannot_be_rewritten_or_deleted(ledger: Ledger) -> None:
    own = item_of(ledger, OWN_UNIT)
    assert run(ledger, ledger.officer, "note", own, "第一次")[0] == 0
    before = fingerprint(ledger)
    for statement in (
        "UPDATE history SET note = '改过' WHERE changed_by = current_user",
        "DELETE FROM history WHERE changed_by = current_user",
        "UPDATE evidence SET sha256 = repeat('0', 64)",
        "DELETE FROM event",
        "TRUNCATE history",
    ):
        assert refused_by_privilege(attempt(ledger, ledger.officer, statement)), statement
    assert fingerprint(ledger) == before


# --- the audit chain and the schema's version --------------------------------------------


def test_the_audit_chain_cannot_be_written_read_for_its_key_or_emptied(ledger: Ledger) -> None:
    before = fingerprint(ledger)
    for statement in (
        "UPDATE audit SET detail = '{}' WHERE id = 1",
        "INSERT INTO audit (id, at, actor, action, target, detail, prev_hash, hash) "
        "SELECT max(id) + 1, now(), 'x', 'junk', 'x', '{}', 'x', md5('x') FROM audit",
        "DELETE FROM audit",
        "SELECT * FROM audit_key",
        "UPDATE alembic_version SET version_num = '9999'",
        "SELECT tracker_audit_write('x', 'junk', 'x', '{}'::jsonb)",
    ):
        assert refused_by_privilege(attempt(ledger, ledger.officer, statement)), statement
    assert fingerprint(ledger) == before
    code, out, _ = run(ledger, ledger.officer, "audit", "verify")
    assert code == 0 and "完整" in out


def test_an_officers_change_through_tracker_is_audited_under_their_login(ledger: Ledger) -> None:
    own = item_of(ledger, OWN_UNIT)
    assert run(ledger, ledger.officer, "status", own, "in_progress", "--note", "开始")[0] == 0
    engine = ledger.engine(ledger.officer)
    with engine.connect() as connection:
        actor, action = connection.execute(
            text("SELECT actor, action FROM audit ORDER BY id DESC LIMIT 1")
        ).one()
    engine.dispose()
    assert (actor, action) == (ledger.officer, "status")
    assert run(ledger, ledger.officer, "audit", "verify")[0] == 0


def test_a_change_made_in_plain_sql_is_audited_all_the_same(ledger: Ledger) -> None:
    """What the guards allow an officer by SQL, the chain records: nothing goes unseen."""
    own = item_of(ledger, OWN_UNIT)
    engine = ledger.engine(ledger.officer)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE commitment SET status = CASE status WHEN 'blocked' THEN 'in_progress' "
                f"ELSE 'blocked' END WHERE code = '{own}'"
            )
        )
    with engine.connect() as connection:
        actor, action, detail = connection.execute(
            text("SELECT actor, action, detail FROM audit ORDER BY id DESC LIMIT 1")
        ).one()
    engine.dispose()
    assert (actor, action) == (ledger.officer, "commitment.edit")
    assert '"status"' in detail


# --- nobody freezes the ledger -----------------------------------------------------------


def test_an_officer_cannot_lock_a_table(ledger: Ledger) -> None:
    for mode in ("ACCESS EXCLUSIVE", "EXCLUSIVE", "SHARE"):
        error = attempt(ledger, ledger.officer, f"LOCK TABLE commitment IN {mode} MODE")
        assert refused_by_privilege(error), mode


def test_a_held_row_times_out_and_says_who_holds_it(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.db

    monkeypatch.setattr(tracker.db, "LOCK_TIMEOUT_MS", 500)
    own = item_of(ledger, OWN_UNIT)
    engine = ledger.engine(ledger.officer)
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with engine.begin() as connection:
            connection.execute(text(f"SELECT 1 FROM commitment WHERE code = '{own}' FOR UPDATE"))
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        code, _, err = run(ledger, ledger.supervisor, "status", own, "in_progress")
    finally:
        release.set()
        holder.join()
        engine.dispose()
    assert code == 1
    assert err.strip() == t("db_held_by", user=ledger.officer)
