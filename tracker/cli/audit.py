"""The audit log: `tracker audit verify` checks the hash chain and the ledger against it (and
against a saved anchor), `tracker audit anchor` prints the chain's head to keep, `tracker
history CODE` shows one item's entries."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from tracker.cli.context import AppState, err, fail, ledger, out
from tracker.errors import printable
from tracker.i18n import t
from tracker.labels import status_label
from tracker.models import Report, Status
from tracker.services.audit_chain import (
    AuditRecord,
    Break,
    BreakReason,
    canonical_json,
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
from tracker.services.lookup import get_commitment

audit_app = typer.Typer(help="审计日志 / the tamper-evident audit log", add_completion=False)

_STATUSES = frozenset(status.value for status in Status)


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
    shown escaped: a tampered note must not recolour the terminal of whoever checks)."""
    ledger, chain = found.ledger, found.chain
    if found.kind == "status":
        ledger, chain = _shown(ledger), _shown(chain)
    return printable(
        t(f"audit_ledger_{found.kind}", target=found.target, ledger=ledger, chain=chain)
    )


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
    """时间, 操作人, 操作, 内容: one row per entry, oldest first, times in the local zone."""
    table = Table(header_style="bold", pad_edge=False)
    table.add_column(t("audit.col.at"), no_wrap=True)
    table.add_column(t("audit.col.actor"), no_wrap=True)
    table.add_column(t("audit.col.action"), no_wrap=True)
    table.add_column(t("audit.col.detail"), overflow="fold")
    for entry in entries:
        # Text, not markup: a note may hold brackets that Rich would read as styles; its
        # control characters escaped before the columns are measured.
        table.add_row(
            entry.at.astimezone().strftime("%Y-%m-%d %H:%M"),
            Text(printable(entry.actor)),
            action_label(entry.action),
            Text(printable(describe(entry), keep_lines=True)),
        )
    return table


def action_label(action: str) -> str:
    """An action's name in the current language; an unknown one as written."""
    labels = {
        "seed": t("history.seed"),
        "status": t("history.status"),
        "auto_status": t("history.auto_status"),
        "note": t("history.note"),
        "event": t("history.event"),
        "village": t("history.village"),
        "evidence": t("audit.action.evidence"),
        "commitment.edit": t("audit.action.commitment_edit"),
        "extension.request": t("audit.action.extension_request"),
        "extension.approve": t("audit.action.extension_approve"),
        "extension.refuse": t("audit.action.extension_refuse"),
        "account.add": t("audit.action.account_add"),
        "account.role": t("audit.action.account_role"),
        "account.unit": t("audit.action.account_unit"),
        "account.unit.remove": t("audit.action.account_unit_remove"),
        "account.remove": t("audit.action.account_remove"),
        "void": t("history.void"),
        "event.void": t("audit.action.event_void"),
        "account.disable": t("audit.action.account_disable"),
        "account.enable": t("audit.action.account_enable"),
    }
    return labels.get(action, action)


def _shown(value: Any) -> str:
    """A value of a detail: a status by its label, nothing as "-"."""
    if value is None or value == "":
        return "-"
    return status_label(value) if value in _STATUSES else str(value)


def _with_note(text: str, note: Any) -> str:
    return f"{text}  {note}" if note else text


def _field(name: str) -> str:
    labels = {
        "status": t("col.status"),
        "due": t("col.due"),
        "extended_due": t("audit.field.extended_due"),
        "unit": t("col.unit"),
        "title": t("col.title"),
    }
    return labels.get(name, name)


def describe(entry: AuditRecord) -> str:
    """What an entry changed, in a line; its detail as stored for anything unforeseen."""
    detail, action = entry.detail, entry.action
    if action in ("seed", "status", "auto_status", "village", "account.role"):
        change = _shown(detail.get("new"))
        if "old" in detail:
            change = f"{_shown(detail['old'])} → {change}"
        return _with_note(change, detail.get("note"))
    if action == "note":
        return str(detail.get("note", ""))
    if action == "event":
        text = " ".join(str(detail[key]) for key in ("date", "value", "note") if key in detail)
        files = detail.get("evidence") or []
        return _with_note(text, t("audit.detail.evidence", count=len(files)) if files else "")
    if action == "void":  # the voided event's date, and why
        return _with_note(_shown(detail.get("old")), detail.get("note"))
    if action == "event.void":
        return _with_note(
            f"#{detail.get('event')} {_shown(detail.get('date'))}", detail.get("reason")
        )
    if action in ("account.disable", "account.enable"):
        return str(detail.get("reason", ""))
    if action == "evidence":
        return f"{detail.get('path', '')}  sha256:{str(detail.get('sha256', ''))[:12]}…"
    if action == "commitment.edit":
        changes: dict[str, dict[str, Any]] = detail.get("changes", {})
        return t("list_separator").join(
            t("audit.detail.change", field=_field(name), old=_shown(c["old"]), new=_shown(c["new"]))
            for name, c in changes.items()
        )
    if action == "extension.request":
        change = f"{_shown(detail.get('old_due'))} → {_shown(detail.get('new_due'))}"
        return _with_note(change, detail.get("reason"))
    if action.startswith("extension."):
        return _with_note(_shown(detail.get("new_due")), detail.get("note"))
    return canonical_json(detail)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.command("history")(history_command)
