"""Printing from the app: the dialog, a question before overwriting a file, then the
printout made in a worker and saved. The dialog's 年度报告草稿 is drafted and shown before it
is written (tracker.tui.annual)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from tracker.errors import TrackerError
from tracker.failures import reason_of
from tracker.i18n import t
from tracker.labels import localized
from tracker.models import Report, Section, Unit
from tracker.printouts.assembly import Scope
from tracker.printouts.make import gather, render, write
from tracker.services.access import may_write
from tracker.services.lookup import get_report, now
from tracker.tui.widgets.confirm_dialog import ConfirmDialog
from tracker.tui.widgets.print_dialog import DraftChoice, PrintChoice, PrintDialog
from tracker.work import add_new_periods, check_as_of

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


def _sections(session: Session, report: str | None) -> list[tuple[str, int]]:
    """The sections to choose from, "1 依法全面履行政府职能": the report's, or every number
    when several reports are shown at once."""
    query = select(Section.number, Section.heading, Section.heading_en).join(
        Report, col(Report.id) == Section.report_id
    )
    if report is not None:
        query = query.where(col(Report.slug) == report)
    named: dict[int, str] = {}
    for number, heading, heading_en in session.exec(query.order_by(col(Section.number))).all():
        named.setdefault(number, f"{number} {localized(heading, heading_en)}".strip())
    return [(label, number) for number, label in named.items()]


def open_print_dialog(
    app: TrackerApp, choice: PrintChoice | DraftChoice | None = None, error: str = ""
) -> None:
    """Ask what to print; a failure reopens the dialog with the choice and the reason."""
    context = app.context
    with context.session() as session:
        units = [
            (localized(u.name, u.name_en), u.name)
            for u in session.exec(select(Unit).order_by(col(Unit.name))).all()
        ]
        sections = _sections(session, context.report)
        # The report printed from: the one chosen, or the only one (a district's printout
        # of every town names none).
        report = get_report(session=session, slug=context.report)
    dialog = PrintDialog(
        as_of=context.deadlines.as_of.isoformat(),
        report_title=report.title if report else "",
        units=units,
        sections=sections,
        choice=choice,
        error=error or None,
    )

    def chosen(result: PrintChoice | DraftChoice | None) -> None:
        if result is None:
            return
        if isinstance(result, DraftChoice):
            from tracker.tui.annual import start_draft

            start_draft(app, result)  # the file is asked about once the draft is seen
        elif result.path.exists():
            ask_overwrite(app, result, partial(_start, app, result))
        else:
            _start(app, result)

    app.push_screen(dialog, chosen)


def ask_overwrite(
    app: TrackerApp, choice: PrintChoice | DraftChoice, write: Callable[[], None]
) -> None:
    """The file is there already: `write` only when the officer says so; 取消 brings the
    dialog back with everything as it was typed."""

    def answered(yes: bool | None) -> None:
        if yes:
            write()
        else:
            open_print_dialog(app, choice)

    question = t("tui.print.overwrite", path=str(choice.path))
    app.push_screen(
        ConfirmDialog(heading=t("tui.print.heading"), code=choice.path.name, question=question),
        answered,
    )


def _start(app: TrackerApp, choice: PrintChoice) -> None:
    # A district's printout takes a second or two: say at once that it is under way.
    app.notify(t("print.making", path=str(choice.path)), timeout=3)
    app.run_worker(lambda: _make(app, choice), thread=True, group="print")


def _make(app: TrackerApp, choice: PrintChoice) -> None:
    """Gather, render and write, off the UI thread; say where the file went, or why not.
    As of another day than the app's, the ledger is viewed as `tracker report --as-of`
    views it: not before the report's year, with the periods of a new year made."""
    context = app.context if choice.as_of is None else app.context.on(choice.as_of)
    try:
        with context.session() as session:
            if choice.as_of is not None:
                check_as_of(session, context.deadlines, context.report, t("tui.print.as_of"))
                if may_write(session, context.user):
                    add_new_periods(session, context.deadlines)
            data = gather(
                session=session,
                kind=choice.kind,
                scope=Scope(report=context.report, unit=choice.unit, section=choice.section),
                deadlines=context.deadlines,
                user=context.user,
                now=now(),
            )
        write(choice.path, render(data, choice.fmt))
    except (TrackerError, SQLAlchemyError, OSError) as exc:
        # Never the library's English ("Permission denied"): the reason in the officer's words.
        reason = exc.message() if isinstance(exc, TrackerError) else reason_of(exc)
        app.call_from_thread(open_print_dialog, app, choice, reason)
        return
    app.call_from_thread(_written, app, choice.path)


def _written(app: TrackerApp, path: Path) -> None:
    """Say where the printout went. In a browser (`tracker serve`) the file is on the
    server's disk, out of the officer's reach: it is also handed to the browser, which
    downloads it."""
    if app.is_web:
        app.deliver_binary(path)
        app.notify(t("print.delivered", path=str(path), name=path.name))
    else:
        app.notify(t("print.written", path=str(path)))
