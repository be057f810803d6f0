"""批量记录 from the app: ask for a range in the bulk dialog, log it with the same service
as `tracker log CODE --from … --to …`, and say in one notice what was done.

An `Edit` of tracker.tui.edit_flow, an append (run again when it loses a race). A year of
daily periods is a few hundred rows in one short transaction, so, like the other saves, it
runs on the UI thread while the officer waits for it.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from tracker.labels import bulk_summary
from tracker.models import Commitment
from tracker.services.bulk import BulkResult, log_range
from tracker.services.lookup import now
from tracker.tui.edit_flow import Edit, Said, Shown, form, run_edit
from tracker.tui.editing import read_item
from tracker.tui.widgets.bulk_dialog import BulkDialog, BulkEntry
from tracker.work import Ledger, OpenLedger


def _dialog(
    context: OpenLedger, shown: Shown, initial: BulkEntry | None, error: str | None
) -> BulkDialog:
    return BulkDialog(as_of=context.deadlines.as_of, **form(shown, initial, error))


def _save(work: Ledger, item: Commitment, _: Shown, entry: BulkEntry) -> BulkResult:
    return log_range(
        session=work.session,
        item=item,
        start=entry.start,
        end=entry.end,
        note=entry.note,
        evidence=list(entry.evidence),
        user=work.user,
        now=now(),
        calendar=work.deadlines.calendar,
    )


def _said(result: BulkResult) -> Said:
    logged = len(result.logged)
    line = bulk_summary(result.code, logged, result.recorded, result.cancelled)
    return Said(line, result.code if logged else None)


BULK: Edit[Shown, BulkEntry, BulkResult] = Edit(read_item, _dialog, _save, _said, append=True)


def bulk_log(screen: Screen[Any], code: str) -> None:
    """Ask for a range of `code`'s periods and log every one that has no record yet."""
    run_edit(screen, code, BULK)
