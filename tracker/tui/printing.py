"""Printing from the app: the dialog, then the printout made in a worker and saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from tracker.errors import TrackerError
from tracker.failures import reason_of
from tracker.i18n import t
from tracker.labels import localized
from tracker.models import Unit
from tracker.printouts.assembly import Scope
from tracker.printouts.make import gather, render, write
from tracker.services.lookup import now
from tracker.tui.widgets.print_dialog import PrintChoice, PrintDialog

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


def open_print_dialog(app: TrackerApp, choice: PrintChoice | None = None, error: str = "") -> None:
    """Ask what to print; a failure reopens the dialog with the choice and the reason."""
    context = app.context
    with context.session() as session:
        units = [
            (localized(u.name, u.name_en), u.name)
            for u in session.exec(select(Unit).order_by(col(Unit.name))).all()
        ]
        report = context.the_report(session) if context.report else None
    dialog = PrintDialog(
        as_of=context.deadlines.as_of.isoformat(),
        report_title=report.title if report else "",
        units=units,
        choice=choice,
        error=error or None,
    )

    def chosen(result: PrintChoice | None) -> None:
        if result is not None:
            # A district's printout takes a second or two: say at once that it is under way.
            app.notify(t("print.making", path=str(result.path)), timeout=3)
            app.run_worker(lambda: _make(app, result), thread=True, group="print")

    app.push_screen(dialog, chosen)


def _make(app: TrackerApp, choice: PrintChoice) -> None:
    """Gather, render and write, off the UI thread; say where the file went, or why not."""
    context = app.context
    try:
        with context.session() as session:
            data = gather(
                session=session,
                kind=choice.kind,
                scope=Scope(report=context.report, unit=choice.unit),
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
    app.call_from_thread(app.notify, t("print.written", path=str(choice.path)))
