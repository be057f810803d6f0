"""年度报告草稿 from the app (`p`, the print dialog's fourth kind): the year drafted from the
ledger in a worker, as `tracker draft-report` drafts it, then shown as it will read
(AnnualPreviewScreen); only when the officer says 写入 is it written — after the question
the print flow asks before overwriting a file — again in a worker.

Escape in the preview goes back to the dialog with every choice kept, and writes nothing. A
failure (no report of the town for that year, a year not begun, an unknown unit, a file that
cannot be written) reopens the dialog with the choice and the reason in the officer's words,
as a printout's does.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from tracker.annual.model import AnnualDraft
from tracker.errors import TrackerError
from tracker.failures import reason_of
from tracker.i18n import t
from tracker.printouts.make import write
from tracker.services.lookup import now
from tracker.tui.printing import ask_overwrite, open_print_dialog
from tracker.tui.widgets.print_dialog import DraftChoice

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp

GROUP = "print"  # the workers' group: the same as a printout's


def start_draft(app: TrackerApp, choice: DraftChoice) -> None:
    """Draft the year chosen off the UI thread, then show it (or reopen the dialog)."""
    app.notify(t("tui.annual.drafting", year=choice.year), timeout=3)
    app.run_worker(partial(_draft, app, choice), thread=True, group=GROUP)


def _draft(app: TrackerApp, choice: DraftChoice) -> None:
    """The draft of the town shown, of the year chosen, seen on the year's last day (or on
    the app's day, when that is earlier: a year still under way is drafted as it stands)."""
    from tracker.annual.draft import annual_draft, town_of, view_day

    today = now().date()
    try:
        day = view_day(choice.year, app.context.deadlines.as_of, today)
        context = app.context.on(day)
        with context.session() as session:
            draft = annual_draft(
                session=session,
                town=town_of(session, context.report),
                year=choice.year,
                deadlines=context.deadlines,
                unit=choice.unit,
                today=today,
            )
    except (TrackerError, SQLAlchemyError) as exc:
        _refused(app, choice, exc)
        return
    app.call_from_thread(show_preview, app, choice, draft)


def show_preview(app: TrackerApp, choice: DraftChoice, draft: AnnualDraft) -> None:
    """The draft as it will read; 写入 writes it, Escape goes back to the dialog."""
    from tracker.tui.screens.annual_preview import AnnualPreviewScreen

    def answered(write_it: bool | None) -> None:
        if not write_it:
            open_print_dialog(app, choice)
        elif choice.path.exists():
            ask_overwrite(app, choice, partial(_start_writing, app, choice, draft))
        else:
            _start_writing(app, choice, draft)

    app.push_screen(AnnualPreviewScreen(draft, choice), answered)


def _start_writing(app: TrackerApp, choice: DraftChoice, draft: AnnualDraft) -> None:
    app.notify(t("print.making", path=str(choice.path)), timeout=3)
    app.run_worker(partial(_write, app, choice, draft), thread=True, group=GROUP)


def _write(app: TrackerApp, choice: DraftChoice, draft: AnnualDraft) -> None:
    """Render and write off the UI thread (a Word file takes a moment); say where it went."""
    from tracker.annual.render import render_draft

    try:
        write(choice.path, render_draft(draft, choice.fmt, plain=choice.plain))
    except (TrackerError, OSError) as exc:
        _refused(app, choice, exc)
        return
    app.call_from_thread(app.notify, t("print.written", path=str(choice.path)))


def _refused(app: TrackerApp, choice: DraftChoice, exc: Exception) -> None:
    """Back to the dialog (from the worker's thread) with the reason in the officer's
    words, never the library's English ("Permission denied")."""
    reason = exc.message() if isinstance(exc, TrackerError) else reason_of(exc)
    app.call_from_thread(open_print_dialog, app, choice, reason)
