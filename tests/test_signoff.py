"""Sign-off (销号), return (退回) and extensions (延期申请), from the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.i18n import t

runner = CliRunner()
ADMIN = "管理员"
SUP, OFF = "督办人", "经办人"
AS_OF = "2022-06-01"  # before 2022's deadlines, so that extensions can still be asked for


def run(db_url: str, user: str, *args: str, as_of: str = AS_OF) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db_url, "--user", user, "--as-of", as_of, *args])
    return result.exit_code, result.stdout.strip(), result.stderr.strip()


def show(db_url: str, code: str, as_of: str = AS_OF) -> dict[str, object]:
    code_, out, err = run(db_url, ADMIN, "show", code, "--format", "json", as_of=as_of)
    assert code_ == 0, err
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


@pytest.fixture
def ledger(db_url: str) -> str:
    """镇党委's officer 张经办 and the supervisor 李督办."""
    for args in (
        ("users", "add", "张经办", "--role", "officer", "--unit", "镇党委"),
        ("users", "add", "李督办", "--role", "supervisor"),
    ):
        assert run(db_url, ADMIN, *args)[0] == 0
    return db_url


PARTY_ITEM = "5.5a/2022"  # 2022's law lectures: 镇党委's, first due 2022-06-30


def test_an_officer_marks_done_and_a_supervisor_signs_it_off(ledger: str) -> None:
    assert run(ledger, "张经办", "status", PARTY_ITEM, "done", "--note", "已学")[0] == 0
    code, _, err = run(ledger, "张经办", "verify", PARTY_ITEM)
    assert code == 1 and err == t("access_role_needed", user="张经办", role="督办人", has="经办人")
    code, out, _ = run(ledger, "李督办", "verify", PARTY_ITEM, "--note", "材料齐全")
    # Run with --as-of in the past, the sign-off takes effect on that day, and says so.
    assert code == 0 and out.startswith(t("signed_off", code=PARTY_ITEM, evidence=0))
    data = show(ledger, PARTY_ITEM)
    assert data["status"] == "verified"
    history = data["history"]
    assert isinstance(history, list)
    assert (history[-1]["by"], history[-1]["new"], history[-1]["note"]) == (
        "李督办",
        "verified",
        "材料齐全",
    )


def test_only_a_done_item_is_signed_off_and_the_status_command_cannot_do_it(ledger: str) -> None:
    code, _, err = run(ledger, "李督办", "verify", PARTY_ITEM)
    assert code == 1 and PARTY_ITEM in err
    code, _, err = run(ledger, "李督办", "status", PARTY_ITEM, "verified")
    assert (code, err) == (1, t("status_verified_by_signoff", code=PARTY_ITEM))
    assert show(ledger, PARTY_ITEM)["status"] == "todo"


def test_a_supervisor_returns_a_done_item_with_a_reason(ledger: str) -> None:
    run(ledger, "张经办", "status", PARTY_ITEM, "done")
    code, _, err = run(ledger, "李督办", "return", PARTY_ITEM, "--reason", " ")
    assert (code, err) == (1, t("return_reason_empty"))
    code, out, _ = run(ledger, "李督办", "return", PARTY_ITEM, "--reason", "缺学习记录")
    assert code == 0 and "缺学习记录" in out
    data = show(ledger, PARTY_ITEM)
    assert data["status"] == "in_progress"


def test_an_extension_is_asked_before_the_deadline_and_approved_by_a_supervisor(
    ledger: str,
) -> None:
    code, out, _ = run(
        ledger, "张经办", "extend", PARTY_ITEM, "--to", "2022-09-30", "--reason", "换届"
    )
    assert code == 0 and "2022-09-30" in out
    code, _, err = run(ledger, "张经办", "extend", PARTY_ITEM, "--approve")
    assert code == 1 and "督办人" in err
    code, out, _ = run(ledger, "李督办", "extend", PARTY_ITEM, "--approve", "--reason", "同意")
    assert code == 0 and "2022-09-30" in out and "2022-06-30" in out
    # Overdue statistics keep counting against the original deadline.
    late = show(ledger, PARTY_ITEM, as_of="2022-07-15")
    assert late["due"] == "2022-06-30" and late["overdue"] is True


def test_extension_requests_that_cannot_be_taken_are_refused_with_the_reason(ledger: str) -> None:
    cases = [
        (("--to", "2022-09-30"), AS_OF, t("extension_reason_empty")),
        (
            ("--to", "2022-06-15", "--reason", "早"),
            AS_OF,
            t("extension_not_later", code=PARTY_ITEM, due="2022-06-30", to="2022-06-15"),
        ),
        (
            ("--to", "2022-09-30", "--reason", "晚了"),
            "2022-07-05",
            t("extension_too_late", code=PARTY_ITEM, due="2022-06-30"),
        ),
        (
            ("--approve",),
            AS_OF,
            t("access_role_needed", user="张经办", role="督办人", has="经办人"),
        ),
        (("--to", "2022-09-30", "--approve"), AS_OF, None),
    ]
    for args, as_of, message in cases:
        code, out, err = run(ledger, "张经办", "extend", PARTY_ITEM, *args, as_of=as_of)
        assert code in (1, 2) and out == "", args
        if message is not None:
            assert err == message, args
    assert (
        run(ledger, "张经办", "extend", PARTY_ITEM, "--to", "2022-08-31", "--reason", "一")[0] == 0
    )
    code, _, err = run(
        ledger, "张经办", "extend", PARTY_ITEM, "--to", "2022-10-31", "--reason", "二"
    )
    assert (code, err) == (1, t("extension_pending", code=PARTY_ITEM))
    code, out, _ = run(ledger, "李督办", "extend", PARTY_ITEM, "--refuse", "--reason", "不同意")
    assert code == 0 and "2022-06-30" in out


@pytest.mark.parametrize(
    "args", [(), ("--approve", "--refuse"), ("--to", "2022-09-30", "--approve")]
)
def test_extend_without_one_of_its_three_ways_says_what_to_type(
    ledger: str, args: tuple[str, ...]
) -> None:
    code, out, err = run(ledger, "张经办", "extend", PARTY_ITEM, *args)
    assert (code, out) == (2, "")
    assert err.strip() == t("extend_usage")
