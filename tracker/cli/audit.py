"""The audit log: `tracker audit verify` checks the hash chain and the ledger against it (and
against a saved anchor), `tracker audit anchor` prints the chain's head to keep, `tracker
history CODE` shows one item's entries."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tracker.cli.context import AppState, err, fail, ledger, out
from tracker.errors import printable
from tracker.i18n import t
from tracker.models import Report, Role
from tracker.services.audit_chain import (
    AuditRecord,
    Break,
    BreakReason,
    item_history,
    verify_chain,
)
from tracker.services.audit_ledger import (
    Disagreement,
    check_anchor,
    compare_ledger,
    current_anchor,
    parse_anchor,
)
from tracker.services.changes import audit_change, value_text
from tracker.services.lookup import get_commitment

audit_app = typer.Typer(help="审计日志 / the tamper-evident audit log", add_completion=False)

# How many disagreements between the ledger and its chain are listed before "… N more".
SHOWN_DISAGREEMENTS = 20


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            metavar="N:HASH",
            help="与打印或保存的锚点核对（tracker audit anchor）/ check against a saved anchor",
        ),
    ] = None,
) -> None:
    """校验审计链是否完整，台账是否与审计链一致 / check the chain, and the ledger against it."""
    state: AppState = ctx.obj
    expected = parse_anchor(anchor) if anchor is not None else None
    with ledger(state) as led:
        result = verify_chain(led.session)
        if result.broken is not None:
            fail(broken_message(result.broken), 1)
        anchored = check_anchor(led.session, expected) if expected is not None else None
        if anchored is not None:
            fail(anchored.message(), 1)
        disagreements = compare_ledger(led.session, led.deadlines.today)
    for found in disagreements[:SHOWN_DISAGREEMENTS]:
        out().print(disagreement_line(found), markup=False)
    if len(disagreements) > SHOWN_DISAGREEMENTS:
        out().print(t("audit_ledger_more", count=len(disagreements) - SHOWN_DISAGREEMENTS))
    if disagreements:
        fail(t("audit_ledger_differs", count=len(disagreements)), 1)
    out().print(t("audit_intact_ledger", count=result.checked))
    if expected is not None:
        out().print(t("audit_anchor_ok", anchor=expected.printed()), markup=False)


@audit_app.command("anchor")
def audit_anchor(ctx: typer.Context) -> None:
    """打印审计链锚点（条数:末条哈希），供日后核对 / print the chain's head to keep."""
    state: AppState = ctx.obj
    with ledger(state) as led:
        head = current_anchor(led.session)
    # The anchor alone on stdout, so that `tracker audit anchor > anchor.txt` saves it.
    out().print(str(head), markup=False)
    err().print(t("audit_anchor_hint", anchor=str(head)), markup=False)


def disagreement_line(found: Disagreement) -> str:
    """One line: where the ledger and its chain differ, and what each says (stored text,
    shown escaped: a tampered note must not recolour the terminal of whoever checks).
    Statuses, roles and yes/no are said in the reader's language, targets by what they are."""
    ledger, chain = found.ledger, found.chain
    if found.kind in ("status", "account", "void"):
        ledger, chain = _value_words(ledger), _value_words(chain)
    target = target_text(found.target)
    return printable(t(f"audit_ledger_{found.kind}", target=target, ledger=ledger, chain=chain))


# What the chain stores in its own words ("True", "admin", "disabled") -> the catalogs' key.
_CHAIN_WORDS = {
    "True": "audit.yes",
    "False": "audit.no",
    "disabled": "audit.account_disabled",
    "enabled": "audit.account_enabled",
    **{role.value: f"role.{role.value}" for role in Role},
}


def _value_words(value: str) -> str:
    return t(_CHAIN_WORDS[value]) if value in _CHAIN_WORDS else value_text(value)


def target_text(target: str) -> str:
    """What an audit target names, in the reader's words: 记录 #12 for "event:12", 账号 王五
    for "account:王五"; a commitment's "baohe-2021:5.5a" stays its report and code."""
    kind, _, rest = target.partition(":")
    if kind in ("event", "evidence", "account", "village") and rest:
        return t(f"audit.target.{kind}", name=rest.replace(":", " "))
    return target


def broken_message(broken: Break) -> str:
    """One line naming the first broken link and why."""
    messages = {
        BreakReason.GAP: t("audit_broken_gap", position=broken.position, id=broken.id),
        BreakReason.LINK: t("audit_broken_link", position=broken.position, id=broken.id),
        BreakReason.HASH: t("audit_broken_hash", position=broken.position, id=broken.id),
    }
    return messages[broken.reason]


def history_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="编号，如 5.5a/2026 或 3.3a-V07 / code")],
) -> None:
    """显示一个事项的审计记录 / show one item's audit entries."""
    state: AppState = ctx.obj
    with ledger(state) as led:
        item = get_commitment(session=led.session, code=code, report_slug=led.report)
        report = led.session.get(Report, item.report_id)
        assert report is not None
        entries = item_history(session=led.session, report=report, code=item.code)
    if not entries:
        out().print(t("audit_history_empty", code=item.code))
        return
    out().print(history_table(entries))


def history_table(entries: list[AuditRecord]) -> Table:
    """时间, 操作人, 操作, 内容: one row per entry, oldest first, times in the local zone; the
    action and its detail say together what `show` and the app say of the same change."""
    table = Table(header_style="bold", pad_edge=False)
    table.add_column(t("audit.col.at"), no_wrap=True)
    table.add_column(t("audit.col.actor"), no_wrap=True)
    table.add_column(t("audit.col.action"), no_wrap=True)
    table.add_column(t("audit.col.detail"), overflow="fold")
    for entry in entries:
        change = audit_change(entry)
        # Text, not markup: a note may hold brackets that Rich would read as styles; its
        # control characters escaped before the columns are measured.
        table.add_row(
            entry.at.astimezone().strftime("%Y-%m-%d %H:%M"),
            Text(printable(entry.actor)),
            change.what,
            Text(printable(change.detail(), keep_lines=True)),
        )
    return table


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.command("history")(history_command)
