"""`tracker audit verify` compares the ledger with what its chain says happened, and checks
the chain against an anchor printed or saved earlier (tracker.services.audit_ledger).

Tampering is done the way someone bypassing tracker would: plain SQL on the database (on
PostgreSQL, as a superuser with triggers switched off, the only way past the database's own
audit; tests/test_db_guard.py shows an officer cannot).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.i18n import t

runner = CliRunner()
USER = "测试员"  # an admin of the seeded test ledger
ITEM = "1.4c"


def invoke(db_url: str, *args: str) -> Result:
    return runner.invoke(
        app,
        ["--db", db_url, "--user", USER, "--as-of", "2026-11-26", *args],
        env={"COLUMNS": "250"},
    )


def ok(db_url: str, *args: str) -> str:
    result = invoke(db_url, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def bypassing_audit(engine: Engine, *statements: str) -> None:
    """Run `statements` without tracker and, on PostgreSQL, without the database's audit."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for statement in statements:
            connection.execute(text(statement))


def some_work(db_url: str, engine: Engine, tmp_path: Path) -> None:
    """A bit of everything the chain records: statuses, notes, events with evidence, a
    void, an extension decided, an account added and disabled."""
    minutes = tmp_path / "会议纪要.txt"
    minutes.write_text("纪要", encoding="utf-8")
    ok(db_url, "status", ITEM, "in_progress", "--note", "开始")
    ok(db_url, "note", "7.1a", "请各村上报")
    ok(
        db_url,
        "log",
        "5.5a",
        "--date",
        "2026-05-10",
        "--note",
        "宪法讲座",
        "--evidence",
        str(minutes),
    )
    ok(db_url, "log", "5.5a", "--date", "2026-06-10", "--note", "民法典讲座")
    with engine.connect() as connection:
        last = connection.execute(text("SELECT max(id) FROM event")).scalar_one()
    ok(db_url, "void", f"#{last}", "--reason", "记错")
    extension = ("--to", "2023-03-31", "--reason", "等待上级文件", "--date", "2022-06-01")
    ok(db_url, "extend", ITEM, *extension)
    ok(db_url, "extend", ITEM, "--approve")
    ok(db_url, "users", "add", "新同事", "--role", "supervisor")
    ok(db_url, "users", "disable", "新同事", "--reason", "调离")


def test_after_ordinary_work_the_ledger_agrees_with_its_chain(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    some_work(db_url, engine, tmp_path)
    out = ok(db_url, "audit", "verify")
    assert out.strip().splitlines()[-1].startswith(t("audit_intact_ledger", count=0)[:6])
    assert "一致" in out


def test_a_status_changed_outside_tracker_is_named_with_what_each_says(
    db_url: str, engine: Engine
) -> None:
    ok(db_url, "status", ITEM, "in_progress")
    bypassing_audit(engine, f"UPDATE commitment SET status = 'verified' WHERE code = '{ITEM}'")
    result = invoke(db_url, "audit", "verify")
    assert result.exit_code == 1
    line = t(
        "audit_ledger_status",
        target=f"baohe-2021:{ITEM}",
        ledger=t("status.verified"),
        chain=t("status.in_progress"),
    )
    assert result.stdout.strip().splitlines() == [line]
    assert result.stderr.strip() == t("audit_ledger_differs", count=1)


def test_a_deleted_or_rewritten_event_is_found(db_url: str, engine: Engine) -> None:
    ok(db_url, "log", "5.5a", "--date", "2026-05-10", "--note", "宪法讲座")
    ok(db_url, "log", "5.5a", "--date", "2026-06-10", "--note", "民法典讲座")
    with engine.connect() as connection:
        first, second = connection.execute(text("SELECT id FROM event ORDER BY id")).scalars()
    bypassing_audit(
        engine,
        f"DELETE FROM event WHERE id = {first}",
        f"UPDATE event SET note = '改过的' WHERE id = {second}",
    )
    result = invoke(db_url, "audit", "verify")
    assert result.exit_code == 1
    kinds = [line.split("：")[0] for line in result.stdout.strip().splitlines()]
    # Each by what it is, in the reader's words (the chain's target is event:N).
    assert kinds == [t("audit.target.event", name=second), t("audit.target.event", name=first)]
    assert "改过的" in result.stdout and "宪法讲座" in result.stdout


def test_a_swapped_evidence_file_repointed_in_the_database_is_found(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    minutes = tmp_path / "会议纪要.txt"
    minutes.write_text("纪要", encoding="utf-8")
    ok(db_url, "log", "5.5a", "--date", "2026-05-10", "--evidence", str(minutes))
    forged = "f" * 64
    bypassing_audit(engine, f"UPDATE evidence SET sha256 = '{forged}'")
    result = invoke(db_url, "audit", "verify")
    assert result.exit_code == 1
    evidence = t("audit.target.evidence", name=1)
    assert evidence in result.stdout and forged[:12] in result.stdout
    checked = invoke(db_url, "evidence", "verify")
    assert checked.exit_code == 1
    assert evidence in checked.stdout and forged[:12] in checked.stdout


def test_an_account_made_admin_outside_tracker_is_found(db_url: str, engine: Engine) -> None:
    ok(db_url, "users", "add", "小王", "--role", "officer", "--unit", "镇党委")
    bypassing_audit(engine, "UPDATE account SET role = 'admin' WHERE name = '小王'")
    result = invoke(db_url, "audit", "verify")
    assert result.exit_code == 1
    # The roles by their labels, the account by its name: 账号 小王：台账中为 管理员…
    expected = t(
        "audit_ledger_account",
        target=t("audit.target.account", name="小王"),
        ledger=t("role.admin"),
        chain=t("role.officer"),
    )
    assert result.stdout.strip().splitlines() == [expected]


# --- anchors -----------------------------------------------------------------------------


def test_an_anchor_is_printed_alone_on_stdout_and_a_grown_chain_still_agrees(db_url: str) -> None:
    anchor = ok(db_url, "audit", "anchor").strip()
    count, digest = anchor.split(":")
    assert int(count) > 100 and len(digest) == 64
    ok(db_url, "note", ITEM, "之后的记录")
    out = ok(db_url, "audit", "verify", "--anchor", anchor)
    assert t("audit_anchor_ok", anchor=f"{count}:{digest[:16]}") in out
    # The printed form (16 hex digits) is enough.
    assert invoke(db_url, "audit", "verify", "--anchor", f"{count}:{digest[:16]}").exit_code == 0


def test_a_deleted_tail_is_caught_by_the_anchor(db_url: str, engine: Engine) -> None:
    ok(db_url, "note", ITEM, "将被删除的记录")
    anchor = ok(db_url, "audit", "anchor").strip()
    count = int(anchor.split(":")[0])
    bypassing_audit(engine, f"DELETE FROM audit WHERE id > {count - 1}")
    # The history row the entry told of is gone from the chain only: the ledger check sees
    # nothing wrong with statuses, so the anchor is what tells.
    result = invoke(db_url, "audit", "verify", "--anchor", anchor)
    assert result.exit_code == 1
    assert result.stderr.strip() == t("audit_anchor_missing", count=count)


def test_a_chain_recomputed_from_a_rewritten_entry_is_caught_by_the_anchor(
    backend: str, db_url: str, engine: Engine
) -> None:
    if backend == "postgresql":
        return  # only the owner's key could recompute it; test_audit covers the HMAC
    from tracker.services.audit_chain import GENESIS, entry_hash

    anchor = ok(db_url, "audit", "anchor").strip()
    with engine.begin() as connection:
        rows = connection.execute(
            text("SELECT id, at, actor, action, target, detail FROM audit ORDER BY id")
        ).all()
        prev = GENESIS
        for entry_id, at, actor, action, target, detail in rows:
            if entry_id == 2:
                actor = "冒名者"
            at = datetime.fromisoformat(at) if isinstance(at, str) else at
            digest = entry_hash(
                prev, id=entry_id, at=at, actor=actor, action=action, target=target, detail=detail
            )
            connection.execute(
                text(
                    "UPDATE audit SET actor = :actor, prev_hash = :prev, hash = :hash "
                    "WHERE id = :id"
                ),
                {"actor": actor, "prev": prev, "hash": digest, "id": entry_id},
            )
            prev = digest
    assert invoke(db_url, "audit", "verify").exit_code == 0  # the chain alone cannot tell
    result = invoke(db_url, "audit", "verify", "--anchor", anchor)
    assert result.exit_code == 1
    assert result.stderr.strip() == t("audit_anchor_changed", count=int(anchor.split(":")[0]))


def test_a_malformed_anchor_is_one_line(db_url: str) -> None:
    result = invoke(db_url, "audit", "verify", "--anchor", "12:xyz")
    assert result.exit_code == 1
    assert result.stderr.strip() == t("audit_anchor_invalid", value="12:xyz")


def test_the_summary_printout_carries_the_anchor(db_url: str) -> None:
    anchor = ok(db_url, "audit", "anchor").strip()
    count, digest = anchor.split(":")
    printed = ok(db_url, "report", "--format", "txt")
    assert f"{count}:{digest[:16]}" in printed


def test_an_emptied_audit_table_is_found_without_an_anchor(
    backend: str, db_url: str, engine: Engine
) -> None:
    if backend == "postgresql":
        return  # nobody but the owner may touch it there (tests/test_db_guard.py)
    ok(db_url, "status", ITEM, "in_progress")
    bypassing_audit(engine, "DELETE FROM audit")
    result = invoke(db_url, "audit", "verify")
    # An empty chain is intact, but says nothing of a ledger full of statuses and accounts.
    assert result.exit_code == 1
    assert f"baohe-2021:{ITEM}" in result.stdout
