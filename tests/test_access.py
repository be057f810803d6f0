"""Roles: who may change what, `tracker users`, and refusals that write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from tracker.cli import app
from tracker.db import make_engine, new_session
from tracker.i18n import t
from tracker.models import Account, Commitment, History, Role
from tracker.services.lookup import get_commitment

runner = CliRunner()
ADMIN = "管理员"  # one of the seeded test ledger's admins (tests/conftest.py)
AS_PARTY_OFFICER = ("--role", "officer", "--unit", "镇党委")


def run(db_url: str, user: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db_url, "--user", user, "--as-of", "2026-11-26", *args])
    return result.exit_code, result.stdout, result.stderr


def fingerprint(engine: Engine) -> tuple[int, int, int, int]:
    """What a refused command must leave as it was: statuses, histories, accounts."""
    with new_session(engine) as session:
        statuses = session.execute(
            select(func.count()).select_from(Commitment).where(Commitment.status != "todo")
        ).scalar_one()
        history = session.execute(select(func.count()).select_from(History)).scalar_one()
        accounts = session.execute(select(func.count()).select_from(Account)).scalar_one()
        versions = session.execute(select(func.sum(Commitment.version))).scalar_one()
    return statuses, history, accounts, versions


@pytest.fixture
def officers(db_url: str) -> str:
    """镇党委's officer 张经办 and the supervisor 李督办, added by an admin."""
    assert (
        run(db_url, ADMIN, "users", "add", "张经办", "--role", "officer", "--unit", "镇党委")[0]
        == 0
    )
    assert run(db_url, ADMIN, "users", "add", "李督办", "--role", "supervisor")[0] == 0
    return db_url


def _unit_item(db_url: str, unit: str, other: bool = False) -> str:
    """The code of a commitment not yet started whose unit is (or, with other, is not) `unit`."""
    engine = make_engine(db_url)
    with Session(engine) as session:
        from tracker.models import Unit

        unit_id = session.execute(select(Unit.id).where(Unit.name == unit)).scalar_one()
        condition = Commitment.unit_id != unit_id if other else Commitment.unit_id == unit_id
        code = (
            session.execute(
                select(Commitment.code)
                .where(condition, Commitment.parent_id.is_(None), Commitment.status == "todo")
                .order_by(Commitment.sort_key)
            )
            .scalars()
            .first()
        )
    engine.dispose()
    assert code is not None
    return code


def test_an_officer_changes_the_items_of_their_unit_and_nothing_else(
    officers: str, engine: Engine
) -> None:
    own, other = _unit_item(officers, "镇党委"), _unit_item(officers, "镇党委", other=True)
    code, _, _ = run(officers, "张经办", "status", own, "进行中")
    assert code == 0
    before = fingerprint(engine)
    code, out, err = run(officers, "张经办", "status", other, "进行中")
    assert code == 1 and out == ""
    assert err.strip().startswith("张经办 不能修改 " + other) and "\n" not in err.strip()
    assert fingerprint(engine) == before


def test_a_name_without_an_account_may_read_but_not_write(officers: str, engine: Engine) -> None:
    assert run(officers, "路人", "list", "--overdue")[0] == 0
    assert run(officers, "路人", "show", "5.5a")[0] == 0
    before = fingerprint(engine)
    for args in (
        ("status", "1.4c", "进行中"),
        ("note", "1.4c", "看看"),
        ("log", "5.5a", "--date", "2026-03-10", "--note", "讲座"),
        ("extend", "1.4c", "--to", "2027-03-01", "--reason", "人手不足"),
        ("users", "add", "路人甲", "--role", "admin"),
    ):
        code, _, err = run(officers, "路人", *args)
        assert (code, err.strip()) == (1, t("access_no_account", user="路人")), args
    assert fingerprint(engine) == before


def test_only_an_admin_manages_accounts_and_the_last_admin_stays(
    officers: str, engine: Engine
) -> None:
    before = fingerprint(engine)
    code, _, err = run(
        officers, "李督办", "users", "add", "王五", "--role", "officer", "--unit", "镇党委"
    )
    assert code == 1 and "管理员" in err
    code, _, err = run(officers, "张经办", "users", "set-role", "张经办", "admin")
    assert code == 1
    assert fingerprint(engine) == before
    code, out, _ = run(officers, ADMIN, "users", "set-role", "李督办", "admin")
    assert code == 0 and "李督办" in out


def test_an_officer_needs_a_unit_and_a_role_must_be_known(officers: str, engine: Engine) -> None:
    before = fingerprint(engine)
    assert run(officers, ADMIN, "users", "add", "赵经办", "--role", "officer")[0] == 1
    code, _, err = run(officers, ADMIN, "users", "add", "赵经办", "--role", "boss")
    assert code == 1 and "boss" in err
    code, _, err = run(
        officers, ADMIN, "users", "add", "赵经办", "--role", "officer", "--unit", "无此单位"
    )
    assert code == 1 and "无此单位" in err
    assert (
        run(officers, ADMIN, "users", "add", "张经办", "--role", "officer", "--unit", "镇党委")[0]
        == 1
    )
    assert fingerprint(engine) == before


def test_users_list_shows_roles_and_units(officers: str) -> None:
    code, out, _ = run(officers, ADMIN, "users", "list")
    assert code == 0
    (line,) = [row for row in out.splitlines() if "张经办" in row]
    assert "经办人" in line and "镇党委" in line
    assert any("李督办" in row and "督办人" in row for row in out.splitlines())


def test_a_fresh_database_has_one_admin_who_ran_init(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    db = tmp_path / "new.db"
    assert runner.invoke(app, ["--db", str(db), "--user", "刘主任", "init"]).exit_code == 0
    code, out, _ = run(str(db), "刘主任", "users", "list")
    assert code == 0
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        accounts = session.execute(select(Account.name, Account.role)).all()
    engine.dispose()
    assert [tuple(row) for row in accounts] == [("刘主任", Role.ADMIN.value)]
    # Seeding again is an admin's work: someone else is refused.
    code, _, err = run(str(db), "路人", "init")
    assert code == 1 and "路人" in err


def test_a_co_operating_units_officer_may_change_the_item(officers: str, db_url: str) -> None:
    engine = make_engine(db_url)
    with Session(engine) as session:
        from tracker.models import CoUnit, Unit

        row = session.execute(
            select(Commitment.code, Unit.name)
            .join(CoUnit, CoUnit.commitment_id == Commitment.id)
            .join(Unit, Unit.id == CoUnit.unit_id)
            .where(Commitment.unit_id != CoUnit.unit_id)
        ).first()
    engine.dispose()
    assert row is not None
    code, unit = row
    assert run(db_url, ADMIN, "users", "add", "配合人", "--role", "officer", "--unit", unit)[0] == 0
    assert run(db_url, "配合人", "note", code, "配合单位已参加")[0] == 0


def test_on_postgresql_the_database_login_is_who_acts(backend: str, db_url: str) -> None:
    if backend != "postgresql":
        pytest.skip("the database login is PostgreSQL's identity")
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = make_engine(db_url)
    login = "tracker_test_officer"
    with admin.begin() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": login})
        if exists.first() is None:
            connection.execute(text(f"CREATE ROLE {login} LOGIN"))
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {login}'))
        connection.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA "{schema}" TO {login}'))
        connection.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA "{schema}" TO {login}'))
    admin.dispose()
    as_officer = make_url(db_url).set(username=login).render_as_string(hide_password=False)
    # --user names an admin, but the server says who is connected: a name with no account.
    code, _, err = run(as_officer, ADMIN, "note", "1.4c", "冒名")
    assert code == 1 and err.strip() == t("access_no_account", user=login)
    assert run(db_url, ADMIN, "users", "add", login, "--role", "supervisor")[0] == 0
    assert run(as_officer, ADMIN, "note", "1.4c", "本人")[0] == 0
    engine = make_engine(db_url)
    with new_session(engine) as session:
        item = get_commitment(session=session, code="1.4c", report_slug=None)
        last = (
            session.execute(
                select(History.changed_by)
                .where(History.commitment_id == item.id)
                .order_by(History.id.desc())
            )
            .scalars()
            .first()
        )
    engine.dispose()
    assert last == login


def test_the_village_roster_is_an_admins_to_keep(officers: str, engine: Engine) -> None:
    before = fingerprint(engine)
    for user in ("李督办", "张经办"):
        code, _, err = run(officers, user, "villages", "rename", "7", "清水村")
        assert code == 1 and "管理员" in err
    assert fingerprint(engine) == before
    code, out, _ = run(officers, ADMIN, "villages", "rename", "7", "清水村")
    assert code == 0 and "清水村" in out
