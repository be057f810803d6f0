"""Corrections without deletion (issue 9): void an event, log the same event twice only with
--again, retire a village, disable an account. Each keeps what it corrects, leaves a trace,
and refuses bad input in one line without changing anything.

Run through the CLI (typer.testing.CliRunner) on a database of its own, and through the
services on the module's shared database rolled back after each test.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.db import new_session
from tracker.errors import TrackerError
from tracker.i18n import en, t, zh
from tracker.models import (
    Account,
    AuditEntry,
    Commitment,
    Event,
    History,
    HistoryKind,
    Role,
    Status,
    Village,
)
from tracker.printouts.assembly import Scope, ledger_data
from tracker.schedule import WorkCalendar
from tracker.services.accounts import disable_account, set_role
from tracker.services.audit_chain import verify_chain
from tracker.services.corrections import void_event
from tracker.services.deadlines import Deadlines
from tracker.services.events import log_event
from tracker.services.grid import village_grid
from tracker.services.lookup import get_commitment, require_report
from tracker.services.signoff import evidence_count

runner = CliRunner()
AS_OF = "2026-11-26"
ADMIN = "管理员"  # one of the seeded test ledger's admins (tests/conftest.py)
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone(timedelta(hours=8)))
LECTURES = "5.5a"  # at least two rule-of-law lectures a year
THIS_YEAR = f"{LECTURES}/2026"  # the period of the lectures logged below


def run(db: str, *args: str, user: str = ADMIN) -> tuple[int, str, str]:
    """`tracker ARGS` as `user`: exit code, stdout and stderr."""
    result = runner.invoke(app, ["--db", db, "--user", user, "--as-of", AS_OF, *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def ok(db: str, *args: str, user: str = ADMIN) -> str:
    code, out, err = run(db, *args, user=user)
    assert code == 0, err
    return out


def show(db: str, code: str) -> dict[str, Any]:
    data = json.loads(ok(db, "show", code, "--format", "json"))
    assert isinstance(data, dict)
    return data


def fingerprint(engine: Engine) -> tuple[Any, ...]:
    """What a refused command must leave as it was."""
    with new_session(engine) as session:

        def count(*where: Any, table: Any = History) -> int:
            return session.exec(select(func.count()).select_from(table).where(*where)).one()

        return (
            count(table=Event),
            count(col(Event.voided_on).is_not(None), table=Event),
            count(),
            count(table=AuditEntry),
            session.exec(select(func.sum(Commitment.version))).one(),
            count(col(Account.disabled_at).is_not(None), table=Account),
            count(col(Village.retired_on).is_not(None), table=Village),
        )


def refused(db: str, engine: Engine, *args: str, user: str = ADMIN, code: int = 1) -> str:
    """Run a command that must be refused in one line, changing nothing; its message."""
    before = fingerprint(engine)
    exit_code, out, err = run(db, *args, user=user)
    assert (exit_code, out) == (code, ""), err
    assert err.strip() and "\n" not in err.strip()
    assert fingerprint(engine) == before
    return err.strip()


def lecture(db: str, day: str, note: str, *extra: str) -> None:
    ok(db, "log", LECTURES, "--date", day, "--note", note, *extra)


def event_ids(db: str, code: str = THIS_YEAR) -> list[int]:
    return [e["id"] for e in show(db, code)["events"]]


# --- the same event twice ------------------------------------------------------------------


def test_the_same_lecture_logged_twice_is_refused_until_the_officer_says_again(
    db_url: str, engine: Engine
) -> None:
    """Entered again by another officer (the same officer repeating it at once is told it is
    already recorded: tests/test_crashes.py)."""
    lecture(db_url, "2026-05-10", "宪法专题讲座")
    [first] = event_ids(db_url)
    message = refused(
        db_url, engine, "log", LECTURES, "--date", "2026-05-10", "--note", "宪法专题讲座",
        user="李四",
    )  # fmt: skip
    assert message == t("event_duplicate", code=THIS_YEAR, date="2026-05-10", id=first, by=ADMIN)
    assert show(db_url, THIS_YEAR)["done_count"] == 1
    lecture(db_url, "2026-05-10", "宪法专题讲座", "--again")
    assert show(db_url, THIS_YEAR)["done_count"] == 2


def test_another_note_or_day_is_not_a_duplicate_nor_is_a_voided_twin(db_url: str) -> None:
    lecture(db_url, "2026-05-10", "宪法专题讲座")
    lecture(db_url, "2026-05-10", "民法典专题讲座")
    lecture(db_url, "2026-05-11", "宪法专题讲座")
    first = event_ids(db_url)[0]
    ok(db_url, "void", str(first), "--reason", "日期记错")
    lecture(db_url, "2026-05-10", "宪法专题讲座")
    assert show(db_url, THIS_YEAR)["done_count"] == 3


# --- void ----------------------------------------------------------------------------------


def test_voiding_a_lecture_logged_twice_brings_3_of_2_back_to_2_and_show_marks_it(
    db_url: str,
) -> None:
    lecture(db_url, "2026-05-10", "宪法专题讲座")
    lecture(db_url, "2026-05-10", "宪法专题讲座", "--again")
    lecture(db_url, "2026-09-08", "民法典专题讲座")
    assert (show(db_url, THIS_YEAR)["done_count"], show(db_url, THIS_YEAR)["status"]) == (3, "done")
    twin = event_ids(db_url)[1]
    out = ok(db_url, "void", f"#{twin}", "--reason", "重复录入")
    today = AS_OF
    assert t("event_voided", code=THIS_YEAR, id=twin, date="2026-05-10", effective=today) in out
    data = show(db_url, THIS_YEAR)
    assert (data["done_count"], data["status"]) == (2, "done")
    voided = data["events"][1]
    assert (voided["voided_on"], voided["voided_by"], voided["void_reason"]) == (
        today,
        ADMIN,
        "重复录入",
    )
    table = ok(db_url, "show", THIS_YEAR)
    assert f"#{twin} 2026-05-10" in table
    assert t("event_voided_mark", reason="重复录入", by=ADMIN, date=today) in table
    [row] = [r for r in json.loads(ok(db_url, "list", "--all", "--format", "json"))
             if r["code"] == THIS_YEAR]  # fmt: skip
    assert row["done_count"] == 2


def test_a_void_below_the_target_moves_the_period_back_and_says_so(
    db_url: str, engine: Engine
) -> None:
    lecture(db_url, "2026-05-10", "宪法专题讲座")
    lecture(db_url, "2026-09-08", "民法典专题讲座")
    first, second = event_ids(db_url)
    ok(db_url, "void", str(second), "--reason", "未举办", "--date", "2026-10-01")
    assert show(db_url, THIS_YEAR)["status"] == "in_progress"
    ok(db_url, "void", str(first), "--reason", "未举办")
    assert (show(db_url, THIS_YEAR)["status"], show(db_url, THIS_YEAR)["done_count"]) == ("todo", 0)
    with new_session(engine) as session:
        item = get_commitment(session=session, code=THIS_YEAR)
        rows = session.exec(
            select(History)
            .where(History.commitment_id == item.id, col(History.kind).in_(["void", "auto_status"]))
            .order_by(col(History.id))
        ).all()
    assert [(h.kind, h.old, h.new, h.effective_on) for h in rows] == [
        (HistoryKind.AUTO_STATUS, "todo", "in_progress", date(2026, 5, 10)),
        (HistoryKind.AUTO_STATUS, "in_progress", "done", date(2026, 9, 8)),
        (HistoryKind.VOID, "2026-09-08", None, date(2026, 10, 1)),
        (HistoryKind.AUTO_STATUS, "done", "in_progress", date(2026, 10, 1)),
        (HistoryKind.VOID, "2026-05-10", None, date.fromisoformat(AS_OF)),
        (HistoryKind.AUTO_STATUS, "in_progress", "todo", date.fromisoformat(AS_OF)),
    ]
    assert rows[2].note == "未举办"


def test_a_void_is_in_the_audit_chain_which_stays_intact(db_url: str, engine: Engine) -> None:
    lecture(db_url, "2026-05-10", "宪法专题讲座")
    [event_id] = event_ids(db_url)
    ok(db_url, "void", str(event_id), "--reason", "重复录入")
    with new_session(engine) as session:
        assert verify_chain(session).intact
        entries = session.exec(
            select(AuditEntry.action, AuditEntry.detail).where(
                col(AuditEntry.action).in_(["void", "event.void"])
            )
        ).all()
    details = {action: json.loads(detail) for action, detail in entries}
    assert details["void"]["note"] == "重复录入" and details["void"]["old"] == "2026-05-10"
    assert details["event.void"] == {
        "event": event_id,
        "date": AS_OF,
        "reason": "重复录入",
    }
    assert zh.MESSAGES["audit.action.event_void"] in ok(db_url, "history", THIS_YEAR)


def test_bad_voids_are_refused_in_one_line_and_change_nothing(db_url: str, engine: Engine) -> None:
    lecture(db_url, "2026-05-10", "宪法专题讲座")
    [event_id] = event_ids(db_url)
    eid = str(event_id)
    assert refused(db_url, engine, "void", "9999", "--reason", "x") == t("event_unknown", id=9999)
    assert refused(db_url, engine, "void", eid, "--reason", "  ") == t("void_reason_empty")
    assert refused(db_url, engine, "void", eid, "--reason", "x", "--date", "2026-05-09") == t(
        "void_before_event", date="2026-05-09", event="2026-05-10"
    )
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert refused(db_url, engine, "void", eid, "--reason", "x", "--date", tomorrow) == t(
        "void_in_future", date=tomorrow
    )
    refused(db_url, engine, "void", eid, "--reason", "x", "--date", "2026-13-01")
    refused(db_url, engine, "void", "abc", "--reason", "x", code=2)
    refused(db_url, engine, "void", eid, code=2)  # --reason is required
    ok(db_url, "void", eid, "--reason", "重复录入")
    assert refused(db_url, engine, "void", eid, "--reason", "x") == t(
        "event_already_void", id=event_id, by=ADMIN, date=AS_OF
    )


def test_a_signed_off_period_must_be_returned_before_its_event_is_voided(
    db_url: str, engine: Engine
) -> None:
    ok(db_url, "log", "3.2-M", "--date", "2026-03-10", "--note", "三月分析")
    ok(db_url, "verify", "3.2-M/2026-03")
    [event_id] = event_ids(db_url, "3.2-M/2026-03")
    message = refused(db_url, engine, "void", str(event_id), "--reason", "重复")
    assert message == t("void_verified", code="3.2-M/2026-03", id=event_id)
    ok(db_url, "return", "3.2-M/2026-03", "--reason", "佐证不足")
    assert show(db_url, "3.2-M/2026-03")["status"] == "done"  # by its event, not signed off
    ok(db_url, "void", str(event_id), "--reason", "重复")
    # No event left: the period is in progress, as the supervisor's return set it.
    assert show(db_url, "3.2-M/2026-03")["status"] == "in_progress"


def test_an_officer_voids_only_events_of_their_units(db_url: str, engine: Engine) -> None:
    ok(db_url, "users", "add", "张经办", "--role", "officer", "--unit", "派出所")
    lecture(db_url, "2026-05-10", "宪法专题讲座")
    [event_id] = event_ids(db_url)  # 5.5a is 镇党委's, not 派出所's
    message = refused(db_url, engine, "void", str(event_id), "--reason", "x", user="张经办")
    assert message.startswith("张经办 不能修改 " + THIS_YEAR)


def test_a_void_message_in_english(db_url: str) -> None:
    lecture(db_url, "2026-05-10", "Constitution lecture")
    [event_id] = event_ids(db_url)
    out = ok(db_url, "--lang", "en", "void", str(event_id), "--reason", "entered twice")
    today = AS_OF
    expected = en.MESSAGES["event_voided"].format(
        code=THIS_YEAR, id=event_id, date="2026-05-10", effective=today
    )
    assert expected in out


def test_voided_events_count_nowhere_sign_off_printouts_or_lists(
    session: Session, deadlines: Deadlines, tmp_path: Path
) -> None:
    minutes = tmp_path / "讲座纪要.pdf"
    minutes.write_bytes(b"minutes")
    lectures = session.exec(select(Commitment).where(Commitment.code == LECTURES)).one()
    logged = [
        log_event(
            session=session,
            item=lectures,
            day=day,
            note=note,
            evidence=[minutes],
            user=ADMIN,
            now=NOW,
            calendar=deadlines.calendar,
        )
        for day, note in ((date(2026, 3, 10), "宪法讲座"), (date(2026, 9, 8), "民法典讲座"))
    ]
    item = logged[1].item
    assert logged[1].event.id is not None
    voided = void_event(
        session=session,
        event_id=logged[1].event.id,
        reason="未举办",
        user=ADMIN,
        now=NOW,
        calendar=deadlines.calendar,
    )
    assert (voided.done_count, voided.status_changed) == (1, (Status.DONE, Status.IN_PROGRESS))
    assert evidence_count(session, item) == 1
    data = ledger_data(session=session, scope=Scope(), deadlines=deadlines, user=ADMIN, now=NOW)
    (row,) = [r for r in data.rows if r.item.code == "5.5a/2026"]
    assert (row.progress, row.evidence) == ("2026-03-10 宪法讲座", ["讲座纪要.pdf"])
    assert row.item.done_count == 1


# --- villages retire -----------------------------------------------------------------------


def _added_village(db: str, tmp_path: Path) -> int:
    """A village added to the roster by mistake, with its per-village items (due "-")."""
    roster = tmp_path / "roster.csv"
    roster.write_text("number,name\n24,误加社区\n", encoding="utf-8")
    ok(db, "villages", "import", str(roster))
    return 24


def test_retiring_a_village_cancels_its_open_items_and_keeps_it_marked(
    db_url: str, engine: Engine, tmp_path: Path, calendar: WorkCalendar
) -> None:
    number = _added_village(db_url, tmp_path)
    items = json.loads(ok(db_url, "list", "--village", str(number), "--format", "json"))
    assert items and {row["status"] for row in items} == {"todo"}
    out = ok(db_url, "villages", "retire", str(number), "--reason", "误加")
    assert t("village_retired", number="24", count=len(items)) in out
    after = json.loads(ok(db_url, "list", "--all", "--village", str(number), "--format", "json"))
    assert {row["status"] for row in after} == {"cancelled"}
    today = AS_OF
    assert t("village_retired_mark", date=today) in ok(db_url, "villages", "list")
    with new_session(engine) as session:
        village = session.exec(select(Village).where(Village.number == number)).one()
        assert (village.retired_on, village.retired_reason) == (date.fromisoformat(AS_OF), "误加")
        notes = session.exec(
            select(History.note)
            .join(Commitment, col(Commitment.id) == History.commitment_id)
            .where(Commitment.village_id == village.id, History.kind == HistoryKind.STATUS)
        ).all()
        assert notes and set(notes) == {"村(社区)撤销：误加"}
        report = require_report(session=session, slug=None)
        grid = village_grid(
            session=session,
            report=report,
            deadlines=Deadlines(as_of=date(2026, 11, 26), calendar=calendar),
        )
        assert [r.retired_on for r in grid.rows if r.number == number] == [
            date.fromisoformat(AS_OF)
        ]
        assert verify_chain(session).intact
    # A later import adds the items of a new village only, none for the retired one.
    roster = tmp_path / "more.csv"
    roster.write_text("number,name\n25,新建社区\n", encoding="utf-8")
    ok(db_url, "villages", "import", str(roster))
    again = json.loads(ok(db_url, "list", "--all", "--village", str(number), "--format", "json"))
    assert len(again) == len(items)


def test_bad_retirements_are_refused_in_one_line(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    number = str(_added_village(db_url, tmp_path))
    assert refused(db_url, engine, "villages", "retire", "99", "--reason", "x") == t(
        "village_unknown", village="99"
    )
    assert refused(db_url, engine, "villages", "retire", number, "--reason", " ") == t(
        "village_retire_reason_empty"
    )
    refused(db_url, engine, "villages", "retire", "abc", "--reason", "x", code=2)
    ok(db_url, "users", "add", "李督办", "--role", "supervisor")
    message = refused(db_url, engine, "villages", "retire", number, "--reason", "x", user="李督办")
    assert "管理员" in message
    ok(db_url, "villages", "retire", number, "--reason", "误加")
    assert refused(db_url, engine, "villages", "retire", number, "--reason", "x") == t(
        "village_already_retired", number="24", date=AS_OF, reason="误加"
    )


# --- users disable -------------------------------------------------------------------------


def test_a_disabled_account_reads_but_changes_nothing_until_enabled(
    db_url: str, engine: Engine
) -> None:
    ok(db_url, "users", "add", "张经办", "--role", "officer", "--unit", "镇党委")
    out = ok(db_url, "users", "disable", "张经办", "--reason", "调离")
    assert t("account_disabled", name="张经办") in out
    assert "张经办" + zh.MESSAGES["account_disabled_mark"] in ok(db_url, "users", "list")
    assert run(db_url, "show", "1.4c", user="张经办")[0] == 0
    # An account is disabled when it is done (a recorded time, not an effective date).
    expected = t("access_disabled", user="张经办", by=ADMIN, date=date.today().isoformat())
    for args in (
        ("note", "1.4c", "看看"),
        ("log", LECTURES, "--date", "2026-03-10", "--note", "讲座"),
        ("status", "1.4c", "进行中"),
    ):
        assert refused(db_url, engine, *args, user="张经办") == expected, args
    ok(db_url, "users", "enable", "张经办")
    with new_session(engine) as session:
        actions = session.exec(
            select(AuditEntry.action, AuditEntry.actor, AuditEntry.detail).where(
                col(AuditEntry.action).startswith("account.")
            )
        ).all()
        assert verify_chain(session).intact
    assert [(a, by, json.loads(d).get("reason")) for a, by, d in actions][-2:] == [
        ("account.disable", ADMIN, "调离"),
        ("account.enable", ADMIN, None),
    ]


def test_bad_disables_are_refused_in_one_line(db_url: str, engine: Engine) -> None:
    ok(db_url, "users", "add", "张经办", "--role", "officer", "--unit", "镇党委")
    assert refused(db_url, engine, "users", "disable", "无名氏") == t(
        "account_unknown", name="无名氏"
    )
    assert refused(db_url, engine, "users", "enable", "张经办") == t(
        "account_not_disabled", name="张经办"
    )
    assert "管理员" in refused(db_url, engine, "users", "disable", ADMIN, user="张经办")
    ok(db_url, "users", "disable", "张经办")
    assert refused(db_url, engine, "users", "disable", "张经办") == t(
        "account_already_disabled", name="张经办", date=date.today().isoformat()
    )


def test_the_last_admin_who_may_act_can_be_neither_disabled_nor_demoted(
    session: Session,
) -> None:
    others = session.exec(
        select(Account).where(Account.role == Role.ADMIN, Account.name != ADMIN)
    ).all()
    for account in others:
        disable_account(session=session, actor=ADMIN, name=account.name, reason="", now=NOW)
    with pytest.raises(TrackerError) as refusal:
        disable_account(session=session, actor=ADMIN, name=ADMIN, reason="", now=NOW)
    assert refusal.value.key == "account_last_admin_disable"
    with pytest.raises(TrackerError) as demotion:
        set_role(session=session, actor=ADMIN, name=ADMIN, role=Role.SUPERVISOR)
    assert demotion.value.key == "account_last_admin"
