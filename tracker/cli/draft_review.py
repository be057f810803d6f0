"""`tracker review DRAFT.yaml`: the terminal app's 草稿审核 screen on a draft seed file.

It needs no database: the draft is checked as seeding checks it (a bad file is refused in
one line before the app opens), then every decision is written to the file at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def review_command(
    draft: Annotated[Path, typer.Argument(metavar="DRAFT.yaml", help="草稿文件 / draft file")],
) -> None:
    """审核 tracker import 写出的草稿：接受、驳回、编辑（不改动数据库）/ review a draft."""
    from tracker.importing.review import load_draft

    loaded = load_draft(draft.expanduser())  # a TrackerError is said in one line, exit 1

    from tracker.tui.review_app import ReviewApp

    ReviewApp(draft.expanduser(), loaded).run()


def register(app: typer.Typer) -> None:
    app.command("review")(review_command)
