"""导入 from the app (issue 13): a town's report read into a draft in the documents folder,
or a draft written before, opened in the draft review (草稿审核); from there the reviewed
draft is seeded into the ledger as a new report, which the app then shows.

The same steps as `tracker import REPORT`, `tracker review DRAFT.yaml` and `tracker import
--apply DRAFT.yaml`, through the same functions: the import never overwrites a file, the
review writes each decision to the draft at once, and applying seeds the accepted drafts in
one transaction or nothing (undecided drafts, not an admin, a report already there: one line).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from tracker.config import documents_folder
from tracker.errors import TrackerError
from tracker.failures import reason_of
from tracker.i18n import t
from tracker.importing.review import Draft, load_draft
from tracker.tui.screens.draft_review import LedgerDraftReviewScreen
from tracker.tui.widgets.import_dialog import ImportDialog
from tracker.work import refused

if TYPE_CHECKING:
    from tracker.importing.applying import Applied
    from tracker.tui.app import TrackerApp

DRAFT_SUFFIXES = (".yaml", ".yml")
_TEXT_SUFFIX = "-report.txt"  # the report text written beside a draft (tracker.importing.run)


@dataclass(frozen=True)
class Opened:
    """A draft to review: its file, as loaded, and what the import wrote (None: a draft
    opened as it was)."""

    path: Path
    draft: Draft
    written: str | None = None


def open_import_dialog(app: TrackerApp) -> None:
    """Ask which file to import; open the review on the draft it gives."""
    folder = documents_folder()

    def opened(result: Opened | None) -> None:
        if result is None:
            return
        open_review(app, result.path, result.draft)
        if result.written:
            app.notify(result.written, timeout=10)  # a path worth the time to read

    dialog: ImportDialog[Opened] = ImportDialog(
        folder=folder, open_file=partial(open_file, app, folder=folder)
    )
    app.push_screen(dialog, opened)


def open_file(app: TrackerApp, path: Path, *, folder: Path) -> Opened:
    """A draft file loaded as it is, or a report read into a new draft in `folder`, its
    drafts linked to the commitments of the town's earlier reports in the ledger."""
    if path.suffix.lower() in DRAFT_SUFFIXES:
        return Opened(path, load_draft(path))
    from tracker.importing.run import Overrides, import_report

    try:
        with refused(app.context.engine):  # the ledger is read for the links
            done = import_report(path, folder, Overrides(), ledger=app.context.engine)
    except TrackerError as exc:
        if exc.key != "import.exists":
            raise
        # Said the app's way: the command line's --slug and --out are no help here.
        there = str(exc.params["path"])
        seed = there.removesuffix(_TEXT_SUFFIX) + ".yaml" if there.endswith(_TEXT_SUFFIX) else there
        raise TrackerError("tui.import.exists", path=there, seed=seed) from exc
    written = t("import.written", seed=str(done.seed_path), text=str(done.text_path))
    return Opened(done.seed_path, load_draft(done.seed_path), written)


def open_review(app: TrackerApp, path: Path, draft: Draft) -> None:
    """草稿审核 on the draft at `path`, over the current screen, able to apply it."""
    app.push_screen(LedgerDraftReviewScreen(path, draft, apply=partial(apply_to_ledger, app)))


def apply_to_ledger(app: TrackerApp, path: Path) -> None:
    """Seed the reviewed draft at `path` as a new report, in a worker (a large report's
    periods take a second or so to write)."""
    app.notify(t("review.applying"), timeout=3)
    app.run_worker(partial(_apply, app, path), thread=True, group="import", exit_on_error=False)


def _apply(app: TrackerApp, path: Path) -> None:
    from tracker.importing.applying import apply_draft

    try:
        with refused(app.context.engine):
            applied = apply_draft(app.opening, app.context.engine, path)
    except (TrackerError, SQLAlchemyError, OSError) as exc:
        # Nothing was written: the reason in the officer's words, the review left open.
        reason = exc.message() if isinstance(exc, TrackerError) else reason_of(exc)
        app.call_from_thread(app.notify, reason, severity="error", timeout=10)
        return
    app.call_from_thread(_applied, app, path, applied)


def _applied(app: TrackerApp, path: Path, applied: Applied) -> None:
    """The draft is in the ledger: leave its review for the new report's overview (when it
    has commitments of its own), and have every screen read the ledger again."""
    screen = app.screen
    if isinstance(screen, LedgerDraftReviewScreen) and screen.path == path:
        app.pop_screen()
    shown = applied.report
    if not applied.result.commitments:
        # Every accepted draft went onto an earlier report's commitments: the new report has
        # nothing of its own to show, so the officer stays on the report shown (named now,
        # if it was the only one until this report came).
        others = [slug for slug in app.context.report_slugs() if slug != applied.report]
        shown = app.context.report or (others[0] if len(others) == 1 else applied.report)
    app.use_report(shown)
    app.ledger_changed.publish(applied.report)
    for line in applied.lines(app.opening.settings.db):
        app.notify(line, timeout=10)  # one each: a notification shows no line breaks
