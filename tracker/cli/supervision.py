"""Accounts and the supervisor's work: `tracker users`, `verify`, `return`, `extend`."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from tracker import work
from tracker.cli.context import (
    DATE_METAVAR,
    AppState,
    EffectiveDate,
    date_help,
    fail,
    late_text,
    ledger,
    out,
    parse_date,
    parse_effective,
    say,
    unit_of_work,
)
from tracker.errors import TrackerError, printable
from tracker.i18n import t
from tracker.labels import status_label
from tracker.services.access import t_role
from tracker.services.accounts import (
    add_account,
    disable_account,
    enable_account,
    list_accounts,
    parse_role,
    set_role,
)
from tracker.services.lookup import get_commitment, now
from tracker.services.signoff import (
    SignOff,
    decide_extension,
    request_extension,
    return_item,
    verify,
)
from tracker.work import Ledger

users_app = typer.Typer(help="账号与角色 / accounts and roles", add_completion=False)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="用户名 / name")],
    role: Annotated[
        str, typer.Option("--role", metavar="ROLE", help="admin | supervisor | officer")
    ],
    units: Annotated[
        list[str] | None,
        typer.Option("--unit", metavar="UNIT", help="经办单位（可重复）/ unit (repeatable)"),
    ] = None,
) -> None:
    """添加账号（管理员）/ add an account (admin only)."""
    state: AppState = ctx.obj
    chosen = parse_role(role)
    with ledger(state) as led:
        account = add_account(
            session=led.session,
            actor=led.user,
            name=name,
            role=chosen,
            units=units or [],
            now=now(),
        )
    shown = t("list_separator").join(units or []) or "-"
    out().print(t("account_added", name=account.name, role=t_role(chosen), units=shown))


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """列出账号 / list the accounts."""
    state: AppState = ctx.obj
    with ledger(state) as led:
        rows = list_accounts(session=led.session)
    table = Table(t("col.name"), t("col.role"), t("col.units"), t("col.created_by"))
    for row in rows:
        units = t("list_separator").join(row.units) or "-"
        name = row.name + (t("account_disabled_mark") if row.disabled_at else "")
        table.add_row(name, t_role(row.role), units, row.created_by)
    out().print(table)


@users_app.command("set-role")
def users_set_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="用户名 / name")],
    role: Annotated[str, typer.Argument(help="admin | supervisor | officer")],
) -> None:
    """更改账号的角色（管理员）/ change an account's role (admin only)."""
    state: AppState = ctx.obj
    chosen = parse_role(role)
    with ledger(state) as led:
        account = set_role(session=led.session, actor=led.user, name=name, role=chosen)
    out().print(t("account_role_set", name=account.name, role=t_role(chosen)))


@users_app.command("disable")
def users_disable(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="用户名 / name")],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="原因 / why")] = "",
) -> None:
    """停用账号：可以查看，不能修改（管理员）/ disable an account (admin only)."""
    state: AppState = ctx.obj
    with ledger(state) as led:
        account = disable_account(
            session=led.session, actor=led.user, name=name, reason=reason, now=now()
        )
    out().print(t("account_disabled", name=account.name))


@users_app.command("enable")
def users_enable(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="用户名 / name")]
) -> None:
    """重新启用停用的账号（管理员）/ enable a disabled account (admin only)."""
    state: AppState = ctx.obj
    with ledger(state) as led:
        account = enable_account(session=led.session, actor=led.user, name=name)
    out().print(t("account_enabled", name=account.name))


def _from_terminal() -> bool:
    """Whether someone types the password (asked twice, hidden) rather than a script piping
    it in (one line: printf 'secret123\\n' | tracker users passwd 王科员)."""
    return sys.stdin.isatty()


def _read_password(name: str) -> str:
    if not _from_terminal():
        line = sys.stdin.readline()
        if not line:
            raise TrackerError("password_none")
        return line.removesuffix("\n").removesuffix("\r")  # the line's end, not its spaces
    # Asked twice and compared here rather than with click's confirmation_prompt, whose
    # mismatch is told in English and asked again forever: one line, nothing changed.
    first = typer.prompt(t("password_prompt", name=printable(name)), hide_input=True)
    again = typer.prompt(t("password_prompt_again"), hide_input=True)
    if first != again:
        raise TrackerError("password_mismatch")
    return str(first)


@users_app.command("passwd")
def users_passwd(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="用户名 / name")]
) -> None:
    """设置 tracker serve 的登录密码（SQLite 台账；管理员可设任何人的，其他账号设自己的）/
    set a sign-in password for tracker serve (SQLite ledgers; an admin sets anyone's)."""
    # Imported here: argon2 is for this command (and the server) only.
    from tracker.services.passwords import require_may_set_password, set_password

    state: AppState = ctx.obj
    opened = work.open_ledger(state, say=say)
    try:
        # Refused before anything is typed: on PostgreSQL, someone else's, a disabled one.
        with opened.transaction() as led:
            require_may_set_password(session=led.session, actor=led.user, name=name)
        password = _read_password(name.strip())
        # One transaction writes it, asking again (the ledger may have changed meanwhile).
        with opened.transaction() as led:
            account = set_password(
                session=led.session, actor=led.user, name=name, password=password, now=now()
            )
            shown = account.name
    finally:
        opened.close()
    state.warn_fallback()
    out().print(t("password_set", name=shown))


Note = Annotated[str, typer.Option("--note", metavar="TEXT", help="说明 / note")]


def verify_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="编号 / code")],
    note: Note = "",
    effective: EffectiveDate = None,
) -> None:
    """销号：督办人确认已完成的事项 / sign a done item off (supervisor)."""
    state: AppState = ctx.obj
    day = parse_effective(effective, state.as_of)

    def sign_off(led: Ledger) -> tuple[SignOff, date | None]:
        item = get_commitment(session=led.session, code=code, report_slug=led.report)
        when = led.effective_on(day)
        done = verify(
            session=led.session, item=item, note=note, user=led.user, now=now(), effective_on=when
        )
        return done, when

    done, when = unit_of_work(state, sign_off)
    out().print(
        t("signed_off", code=done.code, evidence=done.evidence),
        late_text(when, typed=day is not None),
    )


def return_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="编号 / code")],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="退回理由 / why")],
    effective: EffectiveDate = None,
) -> None:
    """退回：督办人将事项退回重办 / send an item back to its unit (supervisor)."""
    state: AppState = ctx.obj
    day = parse_effective(effective, state.as_of)

    def send_back(led: Ledger) -> tuple[SignOff, date | None]:
        item = get_commitment(session=led.session, code=code, report_slug=led.report)
        when = led.effective_on(day)
        back = return_item(
            session=led.session,
            item=item,
            reason=reason,
            user=led.user,
            now=now(),
            effective_on=when,
        )
        return back, when

    back, when = unit_of_work(state, send_back)
    out().print(
        t(
            "returned",
            code=back.code,
            old=status_label(back.old),
            new=status_label(back.new),
            reason=reason.strip(),
        ),
        late_text(when, typed=day is not None),
    )


def extend_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="编号 / code")],
    to: Annotated[
        str | None,
        typer.Option("--to", metavar=DATE_METAVAR, help=date_help("延至 / new deadline")),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="理由 / reason")] = "",
    approve: Annotated[
        bool, typer.Option("--approve", help="批准待审的延期申请 / approve the pending request")
    ] = False,
    refuse: Annotated[
        bool, typer.Option("--refuse", help="不予延期 / refuse the pending request")
    ] = False,
    effective: EffectiveDate = None,
) -> None:
    """延期申请（--to 与 --reason），或督办人 --approve / --refuse / request or decide an
    extension."""
    state: AppState = ctx.obj
    if sum((to is not None, approve, refuse)) != 1:
        fail(t("extend_usage"), 2)  # a usage error, said as what to type instead
    day = parse_effective(effective, state.as_of)
    new_due = parse_date(to, "--to", state.as_of) if to is not None else None

    def extend(led: Ledger) -> tuple[str, date | None]:
        item = get_commitment(session=led.session, code=code, report_slug=led.report)
        when = led.effective_on(day)
        if new_due is not None:
            request = request_extension(
                session=led.session,
                item=item,
                new_due=new_due,
                reason=reason,
                user=led.user,
                now=now(),
                today=led.deadlines.as_of,
                effective_on=when,
            )
            line = t(
                "extension_requested",
                code=item.code,
                old=request.old_due.isoformat(),
                new=request.new_due.isoformat(),
            )
        else:
            decided = decide_extension(
                session=led.session,
                item=item,
                approve=approve,
                note=reason,
                user=led.user,
                now=now(),
                effective_on=when,
            )
            key = "extension_approved" if approve else "extension_refused"
            line = t(
                key,
                code=item.code,
                old=decided.old_due.isoformat(),
                new=decided.new_due.isoformat(),
                due=(item.due.isoformat() if item.due else "-"),
            )
        return line, when

    line, when = unit_of_work(state, extend)
    out().print(line, late_text(when, typed=day is not None))


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.command("verify")(verify_command)
    app.command("return")(return_command)
    app.command("extend")(extend_command)
