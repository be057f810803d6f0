"""The import as one step: read a report file, find its structure and metadata, check it is
a report of the genre, and write the draft seed file and the report text beside it.

Nothing is written unless everything before it succeeded; no file is ever replaced; the
draft is loaded back with the seed loader before the command says it is written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import TrackerError
from tracker.files import path_error
from tracker.importing.draft import Meta, draft_seed
from tracker.importing.linking import earlier_commitments
from tracker.importing.reading import ReadReport, read_report
from tracker.importing.structure import Outline, outline
from tracker.services.seed_file import FIRST_YEAR, LAST_YEAR, load_seed_file

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class Overrides:
    """What the officer typed instead of what the text says (None: take the text's)."""

    slug: str | None = None
    town: str | None = None
    issuer: str | None = None
    year: int | None = None
    published: date | None = None


@dataclass(frozen=True)
class Imported:
    """What an import found and wrote."""

    path: Path
    read: ReadReport
    found: Outline
    meta: Meta
    drafts: int
    seed_path: Path
    text_path: Path
    # The town's earlier commitments the drafts were compared with (None: no ledger), and
    # how many drafts were linked to one (tracker.importing.linking).
    compared: int | None = None
    continues: int = 0
    closes: int = 0


def import_report(
    path: Path, out_dir: Path, overrides: Overrides, ledger: Engine | None = None
) -> Imported:
    """Import the report at `path` into a draft seed in `out_dir`; refusals raise TrackerError.

    With `ledger` (the database the draft is meant for), each draft is compared with the
    commitments of the same town's earlier reports there, and a continuation or a plan item
    it closes is proposed in the draft for the reviewer to confirm (tracker.importing.linking).
    The ledger is only read."""
    read = read_report(path)
    found = outline(read.text)
    _check_found(found, read.text)
    meta = _meta(path, found, overrides)
    earlier = earlier_commitments(ledger, meta.town, meta.year) if ledger is not None else []
    written = draft_seed(read.text, found, meta, earlier=earlier)
    if not out_dir.is_dir():
        raise TrackerError("import.out_missing", path=str(out_dir))
    seed_path = out_dir / f"{meta.slug}.yaml"
    text_path = out_dir / f"{meta.slug}-report.txt"
    for target in (seed_path, text_path):
        if os.path.lexists(target):
            raise TrackerError("import.exists", path=str(target))
    _write_new(text_path, written.report)
    try:
        _write_new(seed_path, written.seed)
        load_seed_file(seed_path)  # what is written must seed: else it is not left behind
    except BaseException:
        for target in (seed_path, text_path):
            target.unlink(missing_ok=True)
        raise
    return Imported(
        path,
        read,
        found,
        meta,
        written.drafts,
        seed_path,
        text_path,
        compared=len(earlier) if ledger is not None else None,
        continues=written.continues,
        closes=written.closes,
    )


def _check_found(found: Outline, text: str) -> None:
    """Refuse what is not a report of the genre, saying what was found and what was not."""
    if not found.sections:
        raise TrackerError("import.no_parts", chars=len(text))
    if found.item_count == 0:
        raise TrackerError("import.no_items", parts=len(found.sections))
    if not found.genre:
        title = found.title or "-"
        raise TrackerError("import.other_genre", title=title, parts=len(found.sections))


def _meta(path: Path, found: Outline, given: Overrides) -> Meta:
    town = given.town or (str(found.town.value) if found.town else None)
    issuer = given.issuer or (str(found.issuer.value) if found.issuer else None)
    read_year = found.year.value if found.year else None
    year_value = given.year or (read_year if isinstance(read_year, int) else None)
    if not town:
        raise TrackerError("import.missing_town", parts=len(found.sections))
    if not issuer:
        raise TrackerError("import.missing_issuer", town=town)
    if not year_value:
        raise TrackerError("import.missing_year", town=town)
    if not FIRST_YEAR <= year_value < LAST_YEAR:
        raise TrackerError("import.bad_year", year=year_value, first=FIRST_YEAR, last=LAST_YEAR - 1)
    published = given.published or (found.published.value if found.published else None)
    words = {
        "title": found.title or "",
        "town": "" if given.town or not found.town else found.town.words,
        "issuer": "" if given.issuer or not found.issuer else found.issuer.words,
        "year": "" if given.year or not found.year else found.year.words,
        "published": "" if given.published or not found.published else found.published.words,
    }
    title = found.title or f"{issuer}{year_value}年法治政府建设年度报告"
    return Meta(
        slug=check_slug(given.slug) if given.slug else _slug(path, town, year_value),
        title=title[:200],
        issuer=issuer[:200],
        town=town[:64],
        year=year_value,
        published=published if isinstance(published, date) else None,
        words=words,
    )


_SLUG_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.\-]{0,63}$")


def _slug(path: Path, town: str, year: int) -> str:
    """The file's own name when it is a plain one (baohe-2021), else 保和镇-2021."""
    stem = path.stem.removesuffix("-report")
    return stem if _SLUG_RE.match(stem) else f"{town}-{year}"[:64]


def check_slug(slug: str) -> str:
    """A slug given by the officer: it names two files, so it is a plain name."""
    if not slug or "/" in slug or "\\" in slug or slug.startswith(".") or len(slug) > 64:
        raise TrackerError("import.bad_slug", slug=slug)
    return slug


def _write_new(path: Path, text: str) -> None:
    """Write `text` to `path`, which must not exist (O_EXCL: a file made meanwhile wins)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError as exc:
        raise TrackerError("import.exists", path=str(path)) from exc
    except OSError as exc:
        raise path_error(path, exc, write=True) from exc
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
