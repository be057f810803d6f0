"""`tracker evidence get CODE [--event N] --out DIR`: an item's evidence files, under the
names they were logged with (tracker.services.evidence_copies)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.context import AppState, err, ledger
from tracker.errors import TrackerError, printable
from tracker.files import resolved
from tracker.i18n import t
from tracker.services.evidence_copies import item_evidence, save_copy, saved_words
from tracker.services.evidence_store import session_evidence_root
from tracker.services.lookup import get_commitment


def get_command(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="编号，如 5.5a / code")],
    out_dir: Annotated[
        Path,
        typer.Option("--out", metavar="DIR", help="写入此文件夹 / the folder to write into"),
    ],
    event: Annotated[
        int | None,
        typer.Option("--event", metavar="N", help="只取记录 #N 的 / only event #N's files"),
    ] = None,
) -> None:
    """按原文件名取回事项的佐证材料 / write an item's evidence files under their names."""
    state: AppState = ctx.obj
    folder = resolved(out_dir)
    if not folder.is_dir():
        raise TrackerError("evidence_out_not_dir", path=str(out_dir))
    with ledger(state) as led:
        item = get_commitment(session=led.session, code=code, report_slug=led.report)
        found = item_evidence(session=led.session, item=item, event_id=event)
        root = session_evidence_root(led.session) if found.files else None
    if not found.files and found.voided_left_out:
        raise TrackerError("evidence_get_only_voided", code=item.code, count=found.voided_left_out)
    if not found.files:
        raise TrackerError("evidence_get_none", code=item.code)
    assert root is not None
    written = refused = 0
    for file in found.files:
        try:
            saved = save_copy(root, file, folder)
        except TrackerError as exc:
            refused += 1
            err().print(exc.message(), style="red")
            continue
        written += 1
        sys.stdout.write(printable(saved_words(saved, file)) + "\n")
    if found.voided_left_out:
        err().print(t("evidence_get_voided", count=found.voided_left_out))
    if refused:
        err().print(t("evidence_get_refused", written=written, refused=refused), style="red")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """`get` joins `verify` in the `evidence` group."""
    from tracker.cli.maintenance import evidence_app

    evidence_app.command("get")(get_command)
