"""Corrections without deletion: `tracker void` marks an event logged by mistake void."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.context import DATE_METAVAR, AppState, date_help, out, parse_date, unit_of_work
from tracker.i18n import t
from tracker.labels import progress_label, status_label
from tracker.services.corrections import VoidedEvent, void_event
from tracker.services.listing import ItemRow, row_of
from tracker.services.lookup import now
from tracker.work import Ledger

MAX_ID_DIGITS = 18  # beyond a 64-bit id: a typo, not an event


def parse_event_id(text: str) -> int:
    """An event's id as `show` prints it, with or without its #: 12 or #12."""
    digits = text.strip().removeprefix("#")
    if not digits.isdecimal() or len(digits) > MAX_ID_DIGITS:
        raise typer.BadParameter(text)  # said as "EVENT-ID must be a whole number"
    return int(digits)


def void_command(
    ctx: typer.Context,
    event_id: Annotated[
        int,
        typer.Argument(
            metavar="EVENT-ID", parser=parse_event_id, help="记录编号，如 12 或 #12 / event id"
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="作废原因 / why")],
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar=DATE_METAVAR,
            help=date_help("自哪天起作废（默认今天）/ effective from"),
        ),
    ] = None,
) -> None:
    """作废一条记录（保留不删，不再计数）/ void an event: kept, no longer counted."""
    state: AppState = ctx.obj
    wanted = event_id
    effective = parse_date(day, "--date", state.as_of) if day is not None else None

    def void(led: Ledger) -> tuple[VoidedEvent, ItemRow]:
        voided = void_event(
            session=led.session,
            event_id=wanted,
            reason=reason,
            user=led.user,
            now=now(),
            calendar=led.deadlines.calendar,
            day=led.effective_on(effective),
        )
        assert voided.item.id is not None
        return voided, row_of(session=led.session, item_id=voided.item.id, deadlines=led.deadlines)

    voided, row = unit_of_work(state, void)
    code, status = voided.item.code, voided.item.status
    event = voided.event
    assert event.voided_on is not None
    console = out()
    console.print(
        t(
            "event_voided",
            code=code,
            id=wanted,
            date=event.happened_on.isoformat(),
            effective=event.voided_on.isoformat(),
        )
    )
    if voided.done_count is not None:
        console.print(
            t("event_progress", progress=progress_label(row), status=status_label(status))
        )
    if voided.status_changed is not None:
        old, new = voided.status_changed
        console.print(t("status_changed", code=code, old=status_label(old), new=status_label(new)))


def register(app: typer.Typer) -> None:
    app.command("void")(void_command)
