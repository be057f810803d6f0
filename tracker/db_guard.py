"""A shared PostgreSQL ledger enforces its own rules (the SQL is in db_guard.sql).

An officer runs `tracker` on their own machine with their own database login, and could
as well run `psql`: so on PostgreSQL the rules `tracker.services.access` applies are also
the database's.

* **Privileges.** Every login may read (a name without an account may read everything).
  Nobody but the owner may write the audit table, its key or `alembic_version`, or delete
  anything. Inserts and column updates are granted to all, and checked row by row:
* **Guards**, triggers before each row is written, match the login (`session_user`, which
  `SET ROLE` cannot change) with its account: accounts, units, the roster and what a
  commitment is are an admin's; an item's work is its units' officers'; 销号 and extended
  deadlines are a supervisor's; a row that names who did it must name the login.
* **The audit chain** is written by deferred triggers at commit, from the rows themselves,
  keyed with an HMAC whose key only the owner can read: an officer can neither skip an
  entry, nor write one, nor recompute the chain after editing it.

Only table-level UPDATE, DELETE or TRUNCATE allow `LOCK TABLE … EXCLUSIVE`; officers get
none of those, so they cannot freeze a table (row locks are bounded by `lock_timeout`,
set on every connection by tracker.db).

`install` is idempotent; the migration that introduced it and `create_schema` call it, and
a later migration that adds a table or column calls it again.
"""

from __future__ import annotations

import secrets
from importlib import resources

from sqlalchemy import text
from sqlalchemy.engine import Connection

from tracker import search_index

# Tables only an admin changes (guarded), and tables whose rows are appended by who acts.
ADMIN_TABLES = (
    "account",
    "accountunit",
    "counit",
    "village",
    "section",
    "unit",
    "commitmentlink",
)
GUARDED = {
    **{table: "tracker_guard_admin" for table in ADMIN_TABLES},
    "person": "tracker_guard_person",
    "report": "tracker_guard_report",
    "commitment": "tracker_guard_commitment",
    "history": "tracker_guard_history",
    "event": "tracker_guard_event",
    "evidence": "tracker_guard_evidence",
    "extension": "tracker_guard_extension",
}
# Tables every login may insert into (the guards decide whose rows), and those whose
# columns it may update (never `id`; never the history, evidence or audit).
INSERTABLE: tuple[str, ...] = (*ADMIN_TABLES, "person", "report", "commitment", "history")
INSERTABLE += ("event", "evidence", "extension")
UPDATABLE: tuple[str, ...] = ("account", "village", "section", "unit", "person", "report")
UPDATABLE += ("commitment", "event", "extension")
# The deferred triggers that write the audit chain: (table, events, function).
AUDITED = (
    ("history", "INSERT", "tracker_audit_history"),
    ("event", "INSERT OR UPDATE", "tracker_audit_event"),
    ("evidence", "INSERT", "tracker_audit_evidence"),
    ("account", "INSERT OR UPDATE", "tracker_audit_account"),
    ("accountunit", "INSERT", "tracker_audit_account_unit"),
    ("extension", "INSERT OR UPDATE", "tracker_audit_extension"),
    ("commitment", "UPDATE", "tracker_audit_commitment"),
)
# Functions anyone may call; every other tracker_* function is the owner's.
PUBLIC_FUNCTIONS = ("tracker_audit_verify",)
HMAC_BLOCK = 64  # SHA-256's block size, in bytes


def _quoted(connection: Connection, name: str) -> str:
    return str(connection.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one())


def _run_script(connection: Connection, script: str) -> None:
    """Run several statements at once on the DBAPI cursor: no parameters, so the `%` of
    plpgsql's RAISE is not taken for a placeholder."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(script)
    finally:
        cursor.close()


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys (RFC 2104) for a key of at most one block."""
    block = key.ljust(HMAC_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def _new_key(connection: Connection) -> None:
    """A fresh secret key; the database keys the entries after the ones already there."""
    last = connection.execute(text("SELECT id FROM audit ORDER BY id DESC LIMIT 1")).first()
    last_id = 0 if last is None else int(last[0])
    ipad, opad = _pads(secrets.token_bytes(32))
    connection.execute(
        text(
            "INSERT INTO audit_key (id, ipad, opad, keyed_from) "
            "VALUES (1, :ipad, :opad, :keyed_from)"
        ),
        {"ipad": ipad, "opad": opad, "keyed_from": last_id + 1},
    )


def _columns(connection: Connection, table: str) -> list[str]:
    rows = connection.execute(
        text(
            "SELECT quote_ident(column_name) FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = :t AND column_name <> 'id' "
            "ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [str(name) for name in rows.scalars()]


def _grants(connection: Connection, schema: str) -> str:
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM PUBLIC",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO PUBLIC",
        "REVOKE ALL ON audit_key FROM PUBLIC",
        f"GRANT INSERT ON {', '.join(INSERTABLE)} TO PUBLIC",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO PUBLIC",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {schema} FROM PUBLIC",
    ]
    for table in UPDATABLE:
        statements.append(
            f"GRANT UPDATE ({', '.join(_columns(connection, table))}) ON {table} TO PUBLIC"
        )
    statements += [f"GRANT EXECUTE ON FUNCTION {name} TO PUBLIC" for name in PUBLIC_FUNCTIONS]
    # The search index's function, where it exists: every write of a commitment computes it.
    statements += [
        f"GRANT EXECUTE ON FUNCTION {name} TO PUBLIC"
        for name in search_index.PG_PUBLIC_FUNCTIONS
        if connection.execute(text("SELECT to_regprocedure(:f)"), {"f": name}).scalar()
    ]
    owns_schema = connection.execute(
        text(
            "SELECT n.nspowner = r.oid FROM pg_namespace n, pg_roles r "
            "WHERE n.nspname = current_schema() AND r.rolname = current_user"
        )
    ).scalar()
    if owns_schema:
        statements.append(f"GRANT USAGE ON SCHEMA {schema} TO PUBLIC")
    return ";\n".join(statements) + ";\n"


def _triggers() -> str:
    statements = []
    for table, function in GUARDED.items():
        statements.append(f"DROP TRIGGER IF EXISTS tracker_guard ON {table}")
        statements.append(
            f"CREATE TRIGGER tracker_guard BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    for table, events, function in AUDITED:
        statements.append(f"DROP TRIGGER IF EXISTS tracker_audit ON {table}")
        statements.append(
            f"CREATE CONSTRAINT TRIGGER tracker_audit AFTER {events} ON {table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    return ";\n".join(statements) + ";\n"


def install(connection: Connection) -> None:
    """Set up privileges, guards and the database-written audit chain in the ledger's
    schema (PostgreSQL; run by the owner of the tables, inside the caller's transaction)."""
    schema_name = connection.execute(text("SELECT current_schema()")).scalar_one()
    schema = _quoted(connection, schema_name)
    script = resources.files("tracker").joinpath("db_guard.sql").read_text(encoding="utf-8")
    _run_script(connection, script.replace("@SCHEMA@", schema))
    if connection.execute(text("SELECT count(*) FROM audit_key")).scalar_one() == 0:
        _new_key(connection)
    _run_script(connection, _triggers())
    _run_script(connection, _grants(connection, schema))


def is_guarded(connection: Connection) -> bool:
    """Whether the database keeps the audit chain itself (a PostgreSQL ledger)."""
    return connection.dialect.name == "postgresql"
