"""The audit log (留痕): every change appends exactly one entry to a hash chain, and any entry
edited, deleted or moved directly in the database breaks the chain where `verify` says.

Changes go through the services (or the CLI) on real databases, SQLite and PostgreSQL when
configured; tampering is plain SQL, as someone with the database file or a login would do.
The hash is recomputed here from its documented definition, not with the module's code.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.db import new_session
from tracker.i18n import en, zh
from tracker.models import AuditEntry, Commitment, Report, Role, Status
from tracker.schedule import WorkCalendar
from tracker.services.accounts import add_account, set_role
from tracker.services.audit import set_actor, write_pending
from tracker.services.audit_chain import GENESIS, BreakReason, item_history, verify_chain
from tracker.services.events import log_event
from tracker.services.lookup import get_commitment
from tracker.services.signoff import decide_extension, request_extension
from tracker.services.updates import add_note, set_status
from tracker.services.villages import rename_village

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
SLUG = "baohe-2021"
OFFICER = "王科员"
ADMIN = "管理员"
runner = CliRunner()


# --- helpers -------------------------------------------------------------------------------


def item(session: Session, code: str) -> Commitment:
    return get_commitment(session=session, code=code, report_slug=None)


def last_id(session: Session) -> int:
    return session.exec(select(func.coalesce(func.max(AuditEntry.id), 0))).one()


def entries_after(session: Session, after: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(col(AuditEntry.id) > after).order_by(col(AuditEntry.id))
    return list(session.exec(query).all())


def detail(entry: AuditEntry) -> dict[str, object]:
    value = json.loads(entry.detail)
    assert isinstance(value, dict)
    return value


def expected_hash(prev_hash: str, entry: AuditEntry, detail_text: str) -> str:
    """The documented hash: sha256(prev_hash + "\\n" + canonical JSON of the content)."""
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    content = {
        "id": entry.id,
        "at": at.astimezone(UTC).isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "detail": detail_text,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def entry(session: Session, entry_id: int) -> AuditEntry:
    return session.exec(select(AuditEntry).where(AuditEntry.id == entry_id)).one()


def set_columns(session: Session, entry_id: int, **values: object) -> None:
    """UPDATE audit SET … WHERE id = …, in plain SQL."""
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    session.execute(
        text(f"UPDATE audit SET {assignments} WHERE id = :entry_id"),
        {**values, "entry_id": entry_id},
    )


# --- one change, one entry -----------------------------------------------------------------


def test_the_seeded_ledger_starts_an_intact_chain_from_64_zeros(session: Session) -> None:
    first = entry(session, 1)
    result = verify_chain(session)
    assert first.prev_hash == GENESIS
    assert first.action == "seed"
    assert result.intact
    assert result.checked == last_id(session) > 100


def test_a_status_change_adds_one_entry_saying_who_what_and_old_and_new(
    session: Session,
) -> None:
    before = last_id(session)
    set_status(
        session=session,
        item=item(session, "1.4c"),
        status=Status.IN_PROGRESS,
        note="已启动",
        user=OFFICER,
        now=NOW,
    )
    session.commit()
    [added] = entries_after(session, before)
    assert (added.actor, added.action, added.target) == (OFFICER, "status", f"{SLUG}:1.4c")
    recorded = detail(added)
    assert isinstance(recorded.pop("history"), int)  # the history row's id
    assert recorded == {"old": "todo", "new": "in_progress", "note": "已启动"}
    assert verify_chain(session).checked == before + 1


def test_a_note_adds_one_note_entry(session: Session) -> None:
    before = last_id(session)
    add_note(session=session, item=item(session, "7.1a"), text="请各村上报", user=OFFICER, now=NOW)
    session.commit()
    [added] = entries_after(session, before)
    assert (added.actor, added.action, added.target) == (OFFICER, "note", f"{SLUG}:7.1a")
    assert detail(added)["note"] == "请各村上报"


def test_an_event_adds_one_entry_holding_its_evidence_fingerprints(
    session: Session, calendar: WorkCalendar, tmp_path: Path
) -> None:
    proof = tmp_path / "会议纪要.txt"
    proof.write_text("minutes", encoding="utf-8")
    before = last_id(session)
    log_event(
        session=session,
        item=item(session, "1.4c"),
        day=date(2022, 5, 6),
        note="召开会议",
        evidence=[proof],
        user=OFFICER,
        now=NOW,
        calendar=calendar,
    )
    session.commit()
    [added] = entries_after(session, before)
    assert (added.actor, added.action, added.target) == (OFFICER, "event", f"{SLUG}:1.4c")
    recorded = detail(added)
    assert recorded["date"] == "2022-05-06" and recorded["note"] == "召开会议"
    files = recorded["evidence"]
    assert isinstance(files, list)
    [file] = files
    assert file["sha256"] == hashlib.sha256(b"minutes").hexdigest()
    assert file["path"] == str(proof.resolve())


def test_an_event_meeting_a_checkpoint_records_the_event_status_and_due_once_each(
    session: Session, calendar: WorkCalendar
) -> None:
    """The period's status moves (told by its auto_status history row, not again as an
    edit) and the quota's next checkpoint becomes its due date (an edit, by the recorder)."""
    instance = item(session, "5.5a/2026")
    old_due = instance.due
    before = last_id(session)
    log_event(
        session=session,
        item=item(session, "5.5a"),
        day=date(2026, 3, 2),
        note="讲座",
        evidence=[],
        user=OFFICER,
        now=NOW,
        calendar=calendar,
    )
    session.commit()
    added = entries_after(session, before)
    # In the order the rows were written: tracker writes inserts first, the database (on
    # PostgreSQL) in the order of the statements.
    assert sorted(e.action for e in added) == ["auto_status", "commitment.edit", "event"]
    assert {e.target for e in added} == {f"{SLUG}:5.5a/2026"}
    assert {e.actor for e in added} == {OFFICER}
    [edit] = [e for e in added if e.action == "commitment.edit"]
    assert detail(edit)["changes"] == {
        "due": {"old": old_due.isoformat() if old_due else None, "new": instance.due.isoformat()}
    }


def test_renaming_a_village_adds_one_entry_targeting_the_village(session: Session) -> None:
    report = session.exec(select(Report)).one()
    before = last_id(session)
    rename_village(session=session, report=report, number=7, name="红旗村", user=ADMIN, now=NOW)
    session.commit()
    [added] = entries_after(session, before)
    assert (added.actor, added.action) == (ADMIN, "village")
    assert added.target == f"village:{report.town}:7"
    assert detail(added)["new"] == "红旗村"


@pytest.mark.parametrize(("actor", "recorded"), [(ADMIN, ADMIN), (None, "?")])
def test_an_edit_without_a_history_row_is_audited_under_the_sessions_actor_or_a_question_mark(
    session: Session, actor: str | None, recorded: str
) -> None:
    row = item(session, "7.1a")
    old_title = row.title
    row.title = "新标题"
    session.add(row)
    if actor is not None:
        set_actor(session, actor)
    before = last_id(session)
    session.commit()
    [added] = entries_after(session, before)
    assert (added.actor, added.action, added.target) == (
        recorded,
        "commitment.edit",
        f"{SLUG}:7.1a",
    )
    assert detail(added)["changes"] == {"title": {"old": old_title, "new": "新标题"}}


def test_accounts_and_their_roles_are_audited(session: Session) -> None:
    set_actor(session, ADMIN)
    before = last_id(session)
    add_account(
        session=session, actor=ADMIN, name="新科员", role=Role.OFFICER, units=["司法所"], now=NOW
    )
    set_role(session=session, actor=ADMIN, name="新科员", role=Role.SUPERVISOR)
    session.commit()
    added = entries_after(session, before)
    assert [(e.action, e.actor, e.target) for e in added] == [
        ("account.add", ADMIN, "account:新科员"),
        ("account.unit", ADMIN, "account:新科员"),
        ("account.role", ADMIN, "account:新科员"),
    ]
    assert detail(added[1])["unit"] == "司法所"
    assert (detail(added[2])["old"], detail(added[2])["new"]) == ("officer", "supervisor")


def test_an_extension_request_and_its_approval_are_one_entry_each(session: Session) -> None:
    row = item(session, "1.4c")
    before = last_id(session)
    request_extension(
        session=session,
        item=row,
        new_due=date(2023, 3, 31),
        reason="等待上级文件",
        user=OFFICER,
        now=NOW,
        today=date(2022, 11, 1),
    )
    session.commit()
    decide_extension(session=session, item=row, approve=True, note="同意", user="李所长", now=NOW)
    session.commit()
    added = entries_after(session, before)
    assert [(e.action, e.actor) for e in added] == [
        ("extension.request", OFFICER),
        ("extension.approve", "李所长"),  # the extended date is not told a second time
    ]
    assert detail(added[0])["new_due"] == "2023-03-31"
    assert detail(added[1])["new"] == "approved"


def test_changes_rolled_back_to_a_savepoint_leave_no_entry(session: Session) -> None:
    before = last_id(session)
    with pytest.raises(RuntimeError), session.begin_nested():
        add_note(session=session, item=item(session, "7.1a"), text="撤回", user=OFFICER, now=NOW)
        session.flush()
        raise RuntimeError
    add_note(session=session, item=item(session, "7.1a"), text="保留", user=OFFICER, now=NOW)
    session.commit()
    assert [detail(e)["note"] for e in entries_after(session, before)] == ["保留"]


def test_a_rolled_back_transaction_leaves_no_entry_for_the_next_commit(engine: Engine) -> None:
    with new_session(engine) as session:
        before = last_id(session)
        add_note(session=session, item=item(session, "7.1a"), text="撤回", user=OFFICER, now=NOW)
        session.flush()
        session.rollback()
        add_note(session=session, item=item(session, "7.1a"), text="保留", user=OFFICER, now=NOW)
        session.commit()
        assert [detail(e)["note"] for e in entries_after(session, before)] == ["保留"]
        assert verify_chain(session).intact


def test_write_pending_makes_a_transactions_entries_visible_before_commit(
    session: Session,
) -> None:
    before = last_id(session)
    add_note(session=session, item=item(session, "7.1a"), text="先看", user=OFFICER, now=NOW)
    session.flush()
    assert entries_after(session, before) == []  # written at commit …
    assert write_pending(session) == 1  # … or when asked
    assert [e.action for e in entries_after(session, before)] == ["note"]
    session.commit()
    assert len(entries_after(session, before)) == 1


# --- tampering -----------------------------------------------------------------------------


@pytest.fixture
def middle(session: Session) -> int:
    """The id of an entry well inside the chain (the seed's entries and a few more)."""
    return last_id(session) // 2


def test_editing_an_entrys_detail_breaks_the_chain_at_that_entry(
    session: Session, middle: int
) -> None:
    changed = detail(entry(session, middle)) | {"note": "改过的"}
    set_columns(session, middle, detail=json.dumps(changed, ensure_ascii=False))
    result = verify_chain(session)
    assert result.broken is not None
    assert (result.broken.id, result.broken.reason) == (middle, BreakReason.HASH)
    assert result.broken.position == middle
    assert result.checked == middle - 1


@pytest.mark.parametrize("column", ["actor", "action", "target", "at"])
def test_editing_any_other_column_breaks_the_chain_at_that_entry(
    session: Session, middle: int, column: str
) -> None:
    value: object = datetime(2020, 1, 1, tzinfo=UTC) if column == "at" else "篡改"
    set_columns(session, middle, **{column: value})
    result = verify_chain(session)
    assert result.broken is not None
    assert (result.broken.id, result.broken.reason) == (middle, BreakReason.HASH)


def test_deleting_an_entry_breaks_the_chain_at_the_entry_after_it(
    session: Session, middle: int
) -> None:
    session.execute(text("DELETE FROM audit WHERE id = :id"), {"id": middle})
    result = verify_chain(session)
    assert result.broken is not None
    assert (result.broken.id, result.broken.reason) == (middle + 1, BreakReason.GAP)
    assert result.broken.position == middle


def test_deleting_the_first_entry_breaks_the_chain_at_the_start(session: Session) -> None:
    session.execute(text("DELETE FROM audit WHERE id = 1"))
    result = verify_chain(session)
    assert result.broken is not None
    assert (result.broken.position, result.broken.id, result.checked) == (1, 2, 0)


def test_swapping_two_entries_contents_breaks_the_chain_at_the_first_of_them(
    session: Session, middle: int
) -> None:
    """Everything but the ids swapped (hashes included, so each still matches its own
    content): the first of the two no longer follows the entry before it."""
    columns = ("at", "actor", "action", "target", "detail", "prev_hash", "hash")
    first, second = entry(session, middle), entry(session, middle + 5)
    one = {c: getattr(first, c) for c in columns}
    other = {c: getattr(second, c) for c in columns}
    set_columns(session, middle, hash="x")  # the hash column is unique
    set_columns(session, middle + 5, **one)
    set_columns(session, middle, **other)
    result = verify_chain(session)
    assert result.broken is not None
    assert (result.broken.id, result.broken.reason) == (middle, BreakReason.LINK)


def test_reordering_two_entries_by_their_ids_breaks_the_chain_at_the_first_of_them(
    session: Session, middle: int
) -> None:
    set_columns(session, middle, id=-1)
    set_columns(session, middle + 5, id=middle)
    set_columns(session, -1, id=middle + 5)
    result = verify_chain(session)
    assert result.broken is not None
    assert result.broken.id == middle
    assert result.broken.reason in (BreakReason.LINK, BreakReason.HASH)


def test_a_tampered_entry_given_a_recomputed_sha256_breaks_the_chain(
    session: Session, middle: int
) -> None:
    tampered = entry(session, middle)
    new_detail = json.dumps(detail(tampered) | {"note": "改过的"}, ensure_ascii=False)
    set_columns(
        session,
        middle,
        detail=new_detail,
        hash=expected_hash(tampered.prev_hash, tampered, new_detail),
    )
    result = verify_chain(session)
    assert result.broken is not None
    if session.get_bind().dialect.name == "postgresql":
        # The database keys its entries with a secret: a recomputed SHA-256 is no hash.
        assert (result.broken.id, result.broken.reason) == (middle, BreakReason.HASH)
        assert result.checked == middle - 1
        return
    # The tampered entry is consistent in itself (so the hash here is the documented one);
    # the next entry's prev_hash still holds the old hash.
    assert (result.broken.id, result.broken.reason) == (middle + 1, BreakReason.LINK)
    assert result.checked == middle


def test_verify_reads_in_batches_and_still_finds_a_break_beyond_the_first_batch(
    session: Session, middle: int
) -> None:
    set_columns(session, middle, actor="篡改")
    broken = verify_chain(session, batch=7).broken
    assert broken is not None and broken.id == middle


# --- the command line ----------------------------------------------------------------------


def invoke(db: str, *args: str, lang: str = "zh") -> Result:
    result = runner.invoke(
        app,
        ["--db", db, "--user", OFFICER, "--as-of", "2026-11-26", "--lang", lang, *args],
        env={"COLUMNS": "250"},
        catch_exceptions=False,
    )
    assert "Traceback" not in result.output
    return result


def test_audit_verify_says_the_chain_is_intact_and_the_ledger_agrees_and_exits_0(
    db_url: str, engine: Engine
) -> None:
    with new_session(engine) as session:
        count = last_id(session)
    result = invoke(db_url, "audit", "verify")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == zh.MESSAGES["audit_intact_ledger"].format(count=count)
    english = invoke(db_url, "audit", "verify", lang="en")
    assert english.stdout.strip() == en.MESSAGES["audit_intact_ledger"].format(count=count)


def test_audit_verify_names_the_first_broken_entry_in_one_line_and_exits_1(
    db_url: str, engine: Engine
) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit SET actor = '篡改' WHERE id IN (5, 9)"))
    result = invoke(db_url, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == zh.MESSAGES["audit_broken_hash"].format(position=5, id=5)
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.fixture
def changed_db(db_url: str) -> str:
    """A ledger where 5.5a/2026, its sibling 5.5a/2025, its commitment 5.5a and the village
    instance 3.3a-V07 were each changed through the command line."""
    for args in (
        ("status", "5.5a/2026", "进行中", "--note", "本期开始"),
        ("note", "5.5a/2026", "甲备注"),
        ("note", "5.5a/2025", "乙备注"),
        ("note", "5.5a", "丙备注"),
        ("status", "3.3a-V07", "受阻", "--note", "村里换届"),
    ):
        assert invoke(db_url, *args).exit_code == 0
    return db_url


def test_history_lists_the_entries_of_that_item_only(changed_db: str) -> None:
    result = invoke(changed_db, "history", "5.5a/2026")
    assert result.exit_code == 0, result.stderr
    for header in ("时间", "操作人", "操作", "内容"):
        assert header in result.stdout
    assert "本期开始" in result.stdout and "甲备注" in result.stdout
    assert "乙备注" not in result.stdout and "丙备注" not in result.stdout
    assert result.stdout.count(OFFICER) == 2


def test_history_of_a_village_instance_lists_its_entries(changed_db: str) -> None:
    result = invoke(changed_db, "history", "3.3a-V07", lang="en")
    assert result.exit_code == 0, result.stderr
    assert "村里换届" in result.stdout and "Action" in result.stdout


def test_history_entries_match_the_items_audit_entries_in_order(
    changed_db: str, engine: Engine
) -> None:
    with new_session(engine) as session:
        report = session.exec(select(Report)).one()
        records = item_history(session=session, report=report, code="5.5a/2026")
    assert [(r.action, r.actor) for r in records] == [("status", OFFICER), ("note", OFFICER)]
    assert records[0].at.tzinfo is not None
    assert records[0].id < records[1].id


def test_history_of_an_unknown_code_is_the_usual_one_line_error(db_url: str) -> None:
    result = invoke(db_url, "history", "9.9z")
    assert result.exit_code == 1
    assert result.stderr.strip() == zh.MESSAGES["code_unknown"].format(code="9.9z")


# --- concurrent writers --------------------------------------------------------------------


def _change_repeatedly(engine: Engine, code: str, user: str, start: threading.Barrier) -> None:
    """20 status changes to `code` by `user`, each its own transaction."""
    start.wait()
    for turn in range(20):
        with new_session(engine) as session:
            status = Status.BLOCKED if turn % 2 else Status.IN_PROGRESS
            row = item(session, code)
            assert set_status(session=session, item=row, status=status, note="", user=user, now=NOW)
            session.commit()


def test_concurrent_writers_extend_one_chain_without_forking_it(engine: Engine) -> None:
    with new_session(engine) as session:
        before = last_id(session)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(code: str, user: str) -> None:
        try:
            _change_repeatedly(engine, code, user, start)
        except BaseException as exc:  # a thread's failure would otherwise pass unseen
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=("1.4c", "李四")),
        threading.Thread(target=worker, args=("6.1", "赵六")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with new_session(engine) as session:
        result = verify_chain(session)
        added = entries_after(session, before)
    assert result.intact
    assert result.checked == before + 40
    assert sorted(e.actor for e in added) == ["李四"] * 20 + ["赵六"] * 20
