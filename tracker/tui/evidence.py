"""佐证材料 from the app (`a` on an item): list the files of its events by name, then save one
into a folder or open it, in a worker, with the same checks as `tracker evidence get`.

Opening writes a checked copy under its own name into a new temporary folder (the store
keeps files under their fingerprint, with no extension for the system to go by) and hands
it to the system's opener: os.startfile on Windows, `open` on macOS, `xdg-open` elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from tracker.config import documents_folder
from tracker.errors import TrackerError
from tracker.failures import reason_of
from tracker.i18n import t
from tracker.labels import localized
from tracker.services.evidence_copies import item_evidence, save_copy, saved_words
from tracker.services.evidence_store import session_evidence_root
from tracker.services.lookup import get_commitment
from tracker.tui.widgets.evidence_dialog import EvidenceDialog, EvidenceRequest
from tracker.work import refusal_of

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp

Opener = Callable[[Path], None]


def system_opener() -> Opener | None:
    """How this computer opens a file with the program the user chose for its kind; None
    when it has no way (a server without a desktop)."""
    if sys.platform == "win32":
        return os.startfile  # type: ignore[attr-defined,no-any-return]
    found = shutil.which("open" if sys.platform == "darwin" else "xdg-open")
    if found is None:
        return None
    command = found

    def launch(path: Path) -> None:
        # Detached and silent: the opener's messages must not draw over the app.
        subprocess.Popen(
            [command, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    return launch


def show_evidence(
    app: TrackerApp, code: str, request: EvidenceRequest | None = None, error: str = ""
) -> None:
    """List the item's evidence files; a failed save or open reopens the list with the
    choice and the reason."""
    context = app.context
    try:
        with context.session() as session:
            item = get_commitment(session=session, code=code, report_slug=context.report)
            found = item_evidence(session=session, item=item, voided=True)
            root = session_evidence_root(session) if found.files else None
            title = localized(item.title, item.title_en)
    except (TrackerError, SQLAlchemyError) as exc:
        # A locked or damaged ledger is said as every screen says it, never a traceback.
        known = refusal_of(exc)
        app.notify(known.message() if known else reason_of(exc), severity="error")
        return
    if not found.files or root is None:
        app.notify(t("tui.evidence.none"))
        return
    dialog = EvidenceDialog(
        code=code,
        title=title,
        files=found.files,
        folder=documents_folder(),
        initial=request,
        error=error or None,
    )
    store = root

    def chosen(result: EvidenceRequest | None) -> None:
        if result is not None:
            app.run_worker(lambda: _act(app, code, store, result), thread=True, group="evidence")

    app.push_screen(dialog, chosen)


def _act(app: TrackerApp, code: str, root: Path, request: EvidenceRequest) -> None:
    """Save or open the chosen file, off the UI thread (a video takes a while to hash)."""
    file = request.file
    try:
        if app.is_web:
            # In a browser (`tracker serve`) the server's disk and programs are out of the
            # officer's reach: the copy is handed to the browser, to show or to download.
            saved = save_copy(root, file, Path(tempfile.mkdtemp(prefix="tracker-evidence-")))
            how = "browser" if request.open else "download"
            app.call_from_thread(app.deliver_binary, saved.path, open_method=how)
            said = t("tui.evidence.delivered", name=file.name)
        elif request.open:
            opener = system_opener()
            if opener is None:
                raise TrackerError("tui.evidence.no_opener", name=file.name)
            saved = save_copy(root, file, Path(tempfile.mkdtemp(prefix="tracker-evidence-")))
            opener(saved.path)
            said = t("tui.evidence.opened", name=file.name)
        else:
            said = saved_words(save_copy(root, file, request.folder), file)
    except (TrackerError, SQLAlchemyError, OSError) as exc:
        known = refusal_of(exc)  # the ledger's refusals; an OS failure in the officer's words
        reason = known.message() if known is not None else reason_of(exc)
        app.call_from_thread(show_evidence, app, code, request, reason)
        return
    app.call_from_thread(app.notify, said)
