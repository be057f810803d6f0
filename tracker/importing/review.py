"""Review a draft seed file in place: accept, reject or edit one commitment at a time.

The draft is text a person also reads and edits by hand, with comments (the drafter's
confidence and the words it went by, the 待核定 marks): it is never re-written from its
parsed values, which would lose them. Each change edits the lines of one commitment — the
block from its `  - code:` line to the next one or the end of the `commitments:` list —
then the whole new text is checked as seeding checks it (load_seed_file, on a copy beside
the file, so that its report text is found) and only then replaces the file, atomically.
A change the loader refuses raises its one line, naming the file and the line; the file is
left as it was.

Nothing here touches a database; the app's 草稿审核 screen and tests call it.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tracker.errors import TrackerError
from tracker.files import path_error
from tracker.models import Kind
from tracker.schedule import Frequency
from tracker.services.report_text import SectionSpan
from tracker.services.seed_file import Review, Seed, load_seed_file

# Kinds whose periods (or figures) carry the status, never the commitment itself.
PERIODIC_DRAFT_KINDS = frozenset({Kind.RECURRING, Kind.QUOTA, Kind.INDICATOR})
# The fields the review screen edits, in the order its dialog shows them.
EDITABLE = ("title", "kind", "unit", "due", "frequency", "target")

_CODE_LINE = re.compile(r"^  - code:")
_FIELD_LINE = re.compile(r"^    ([A-Za-z_]+):")
_REVIEW_LINE = re.compile(r"^    review:[ \t]*[\"']?([A-Za-z_]*)")


@dataclass(frozen=True)
class DraftRow:
    """One draft commitment as the review screen lists it."""

    code: str
    section: int
    item: int | None
    title: str
    kind: Kind
    unit: str
    due: date | None
    frequency: Frequency | None
    target: int | None
    review: Review
    start: int  # the excerpt's offsets in the report text
    end: int
    # A later report's draft that goes on with (continues) or closes an earlier report's
    # commitment, "slug/code"; accepted, it becomes no new commitment (seed_file).
    continues: str | None = None
    closes: str | None = None
    # What the import said of the link, from the comment after it (the earlier title, why).
    link_note: str = ""

    @property
    def earlier(self) -> str | None:
        """The earlier commitment this draft is linked to, either way."""
        return self.continues or self.closes


@dataclass(frozen=True)
class Counts:
    accepted: int
    rejected: int
    undecided: int


@dataclass(frozen=True)
class Draft:
    """A loaded draft: its rows, and the report (title, text, parts) their offsets index."""

    rows: list[DraftRow]
    title: str
    text: str
    sections: tuple[SectionSpan, ...]


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except OSError as exc:
        raise path_error(path, exc) from exc  # the file's trouble in the officer's words
    except UnicodeDecodeError as exc:
        raise TrackerError("review.unreadable", file=str(path), reason="UTF-8") from exc


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """[start, end) line indexes of each commitment, in file order."""
    top = next(
        (i for i, line in enumerate(lines) if line.rstrip().startswith("commitments:")), None
    )
    if top is None:
        return []
    starts: list[int] = []
    end = len(lines)
    for index in range(top + 1, len(lines)):
        line = lines[index]
        if line[:1] not in ("", " ", "#", "\n", "\r"):
            end = index  # the next top-level key: the list is over
            break
        if _CODE_LINE.match(line):
            starts.append(index)
    return [(s, starts[i + 1] if i + 1 < len(starts) else end) for i, s in enumerate(starts)]


def _reviews(lines: list[str], blocks: list[tuple[int, int]]) -> list[str | None]:
    """The `review:` value written in each block, or None where there is none."""
    found: list[str | None] = []
    for start, end in blocks:
        match = next((m for i in range(start, end) if (m := _REVIEW_LINE.match(lines[i]))), None)
        found.append(match.group(1) if match else None)
    return found


@contextmanager
def _copy_beside(path: Path, text: str) -> Iterator[Path]:
    """A temporary file holding `text` in `path`'s folder (where its report text is)."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    copy = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        yield copy
    finally:
        copy.unlink(missing_ok=True)


def _check(path: Path, text: str) -> Seed:
    """`text` loaded as seeding loads it; a refusal names `path`, not the copy."""
    lines = text.splitlines(keepends=True)
    blocks = _blocks(lines)
    with _copy_beside(path, text) as copy:
        try:
            seed = load_seed_file(copy)
        except TrackerError as exc:
            if exc.key == "seed_invalid" and exc.params.get("file") == str(copy):
                raise TrackerError("seed_invalid", **{**exc.params, "file": str(path)}) from exc
            raise
    if len(blocks) != len(seed.document.commitments):
        # A commitment written another way (`- {code: …}`, keys in another order): this
        # screen edits only the layout `tracker import` writes.
        raise TrackerError("review.layout", file=str(path))
    return seed


def load_draft(path: Path) -> Draft:
    """The draft at `path`, checked as seeding checks it, with each commitment's review."""
    text = _read(path)
    seed = _check(path, text)
    notes = _link_notes(text)
    rows = []
    for item in seed.document.commitments:
        start, end = seed.excerpt_offsets[item.code]
        rows.append(
            DraftRow(
                code=item.code,
                section=item.section,
                item=item.item,
                title=item.title,
                kind=item.kind,
                unit=item.unit,
                due=item.due,
                frequency=item.frequency,
                target=item.target,
                review=item.review,
                start=start,
                end=end,
                continues=item.continues,
                closes=item.closes,
                link_note=notes.get(item.code, ""),
            )
        )
    title = seed.document.report.title
    return Draft(rows=rows, title=title, text=seed.text, sections=seed.sections)


_LINK_LINE = re.compile(r"^    (?:continues|closes):[^#\n]*#[ \t]*(.*?)[ \t]*$")


def _link_notes(text: str) -> dict[str, str]:
    """The comment written after each commitment's `continues:` or `closes:` line."""
    lines = text.splitlines()
    found: dict[str, str] = {}
    for code, (start, end) in zip(_codes(text), _blocks(lines), strict=False):
        for line in lines[start:end]:
            match = _LINK_LINE.match(line)
            if match:
                found[code] = match.group(1)
    return found


def unlink(path: Path, code: str) -> bool:
    """Drop draft `code`'s link to an earlier commitment (the reviewer says it is not the
    same duty): accepted, it becomes a new commitment of its own. False when it had none."""
    row = next((r for r in load_draft(path).rows if r.code == code), None)
    if row is None:
        raise TrackerError("review.no_code", code=code)
    if row.earlier is None:
        return False
    _write(path, _set_lines(_read(path), code, {"continues": None, "closes": None}))
    return True


def drafts(path: Path) -> list[DraftRow]:
    """The draft commitments of the file at `path`, in its order."""
    return load_draft(path).rows


def counts(rows: list[DraftRow]) -> Counts:
    """How many drafts are accepted, rejected and not yet decided."""
    reviews = [row.review for row in rows]
    return Counts(
        accepted=reviews.count(Review.ACCEPTED),
        rejected=reviews.count(Review.REJECTED),
        undecided=reviews.count(Review.UNDECIDED),
    )


def _yaml_value(name: str, value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Kind | Review | Frequency):
        return value.value
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # JSON's quoting is YAML's


def _line_end(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _set_lines(text: str, code: str, values: dict[str, object]) -> str:
    """`text` with the fields of commitment `code` set to `values` (None removes the
    field): a field's line is replaced whole, its trailing comment (a 待核定 mark) dropped,
    with any continuation lines; a missing one is added after the `code:` line."""
    lines = text.splitlines(keepends=True)
    seed_codes = _codes(text)
    blocks = _blocks(lines)
    if code not in seed_codes:
        raise TrackerError("review.no_code", code=code)
    start, end = blocks[seed_codes.index(code)]
    newline = _line_end(text)
    block = lines[start:end]
    for name, value in values.items():
        at = next((i for i, line in enumerate(block) if _field(line) == name), None)
        new = [] if value is None else [f"    {name}: {_yaml_value(name, value)}{newline}"]
        if at is None:
            block[1:1] = new
            continue
        stop = at + 1
        while stop < len(block) and _continues(block[stop]):
            stop += 1
        block[at:stop] = new
    return "".join([*lines[:start], *block, *lines[end:]])


def _field(line: str) -> str | None:
    match = _FIELD_LINE.match(line)
    return match.group(1) if match else None


def _continues(line: str) -> bool:
    """Whether `line` continues the value above it (more indented than a field)."""
    return line.startswith("     ") and bool(line.strip())


def _codes(text: str) -> list[str]:
    """The codes of the `- code:` blocks in file order (the i-th block is the loader's i-th
    commitment: _check makes sure there are as many)."""
    lines = text.splitlines(keepends=True)
    codes = []
    for start, _end in _blocks(lines):
        raw = lines[start].split(":", 1)[1].split(" #", 1)[0].strip()
        try:
            codes.append(str(json.loads(raw)) if raw.startswith('"') else raw.strip("'"))
        except ValueError:
            codes.append(raw)
    return codes


def _write(path: Path, text: str) -> None:
    """Check `text` as seeding would, then make it the file at `path` atomically."""
    _check(path, text)
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(name, mode)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def set_review(path: Path, code: str, decision: Review | str) -> bool:
    """Mark commitment `code` accepted, rejected or undecided; False when it already was."""
    review = Review(decision)
    text = _read(path)
    lines = text.splitlines(keepends=True)
    current = dict(zip(_codes(text), _reviews(lines, _blocks(lines)), strict=True))
    if code not in current:
        raise TrackerError("review.no_code", code=code)
    if current[code] == review.value:
        return False
    _write(path, _set_lines(text, code, {"review": review}))
    return True


def edit(path: Path, code: str, **fields: object) -> bool:
    """Set the given fields (title, kind, unit, due, frequency, target; None removes due,
    frequency or target) of commitment `code`. Fields equal to what the file holds are not
    touched (their 待核定 mark stays); False when nothing changed. A result seeding would
    refuse raises its line."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise TypeError(f"not editable: {', '.join(unknown)}")
    text = _read(path)
    row = next((r for r in load_draft(path).rows if r.code == code), None)
    if row is None:
        raise TrackerError("review.no_code", code=code)
    changed = {name: value for name, value in fields.items() if getattr(row, name) != value}
    for name, enum in (("kind", Kind), ("frequency", Frequency)):
        if changed.get(name) is not None:
            changed[name] = enum(str(changed[name]))
            if changed[name] == getattr(row, name):
                del changed[name]
    if not changed:
        return False
    if changed.get("kind") in PERIODIC_DRAFT_KINDS:
        # A duty that goes on has a status per period, not one of its own: the report's
        # "done" the import proposed for a one-off goes with the kind.
        changed |= {"status": None, "status_note": None}
    text = _set_lines(text, code, changed)
    if "unit" in changed:
        text = _with_unit(text, str(changed["unit"]))
    _write(path, text)
    return True


_UNITS_LINE = re.compile(r"^units:[ \t]*(?:#.*)?$")
_UNIT_ENTRY = re.compile(r"^  - name:[ \t]*[\"']?([^\"'#\n]+?)[\"']?[ \t]*(?:#.*)?$")


def _with_unit(text: str, unit: str) -> str:
    """`text` with `unit` in its `units:` list, added at the end of it when the reviewer
    named a unit the draft did not list (the loader accepts a lead unit only if listed)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if _UNITS_LINE.match(line.rstrip())), None)
    if start is None:
        return text  # not the layout `tracker import` writes: the loader will say so
    end = start + 1
    names: list[str] = []
    while end < len(lines) and (lines[end].startswith("  ") or not lines[end].strip()):
        entry = _UNIT_ENTRY.match(lines[end].rstrip())
        if entry:
            names.append(entry.group(1).strip())
        end += 1
    if unit in names:
        return text
    last = max(i for i in range(start, end) if _UNIT_ENTRY.match(lines[i].rstrip()) or i == start)
    added = f"  - name: {_yaml_value('unit', unit)}{_line_end(text)}"
    return "".join([*lines[: last + 1], added, *lines[last + 1 :]])


def _own_end(lines: list[str], start: int, end: int) -> int:
    """Where commitment [start, end)'s own lines end: before the comments and blank lines
    that lead into the next one (its confidence, written above its code line)."""
    while end > start + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    return end


def _leading(lines: list[str], start: int) -> int:
    """Where the comments just above a commitment's code line begin (they are its own)."""
    while (
        start > 0
        and lines[start - 1].lstrip().startswith("#")
        and lines[start - 1].startswith("  ")
    ):
        start -= 1
    return start


def _block_of(text: str, code: str) -> tuple[list[str], int, int]:
    lines = text.splitlines(keepends=True)
    codes = _codes(text)
    if code not in codes:
        raise TrackerError("review.no_code", code=code)
    start, end = _blocks(lines)[codes.index(code)]
    return lines, start, end


def merge(path: Path, code: str, other: str) -> None:
    """Make drafts `code` and `other`, of the same item, one: `code` keeps its fields and
    its excerpt grows to cover both (the report's words between them included); `other`
    and the comments above it go. Refused as any edit is when the file would not load."""
    draft = load_draft(path)
    rows = {row.code: row for row in draft.rows}
    if code not in rows or other not in rows:
        raise TrackerError("review.no_code", code=other if code in rows else code)
    first, second = rows[code], rows[other]
    if code == other or (first.section, first.item) != (second.section, second.item):
        raise TrackerError("review.merge_items", code=code, other=other)
    excerpt = draft.text[min(first.start, second.start) : max(first.end, second.end)]
    text = _set_lines(_read(path), code, {"excerpt": excerpt})
    lines, start, end = _block_of(text, other)
    start = _leading(lines, start)
    end = _own_end(lines, start, end)
    _write(path, "".join([*lines[:start], *lines[end:]]))


def _free_code(code: str, taken: set[str]) -> str:
    """A code for the second half of `code`: the next letter of its item (1.1a → 1.1e when
    a–d are taken), or `code` with a number after it."""
    prefix = code.rstrip("abcdefghijklmnopqrstuvwxyz")
    for letter in "abcdefghijklmnopqrstuvwxyz":
        if prefix != code and f"{prefix}{letter}" not in taken:
            return f"{prefix}{letter}"
    return next(f"{code}{n}" for n in range(2, 1000) if f"{code}{n}" not in taken)


def split(path: Path, code: str, words: str) -> str:
    """Split draft `code` where `words` begin in its excerpt: it keeps the words before
    them, a new draft after it (its fields copied, titled by its first words, undecided)
    takes the rest. Returns the new draft's code."""
    draft = load_draft(path)
    row = next((r for r in draft.rows if r.code == code), None)
    if row is None:
        raise TrackerError("review.no_code", code=code)
    excerpt = draft.text[row.start : row.end]
    at = excerpt.find(words.strip(), 1) if words.strip() else -1
    if at <= 0:
        raise TrackerError("review.split_where", code=code, words=words)
    head, tail = excerpt[:at].strip(), excerpt[at:].strip()
    new = _free_code(code, {r.code for r in draft.rows})
    text = _set_lines(_read(path), code, {"excerpt": head})
    lines, start, end = _block_of(text, code)
    end = _own_end(lines, start, end)
    newline = _line_end(text)
    copy = [f"  - code: {_yaml_value('code', new)}{newline}"]
    copy += [line for line in lines[start + 1 : end] if not _REVIEW_LINE.match(line)]
    copy_text = "".join(copy)
    values: dict[str, object] = {"review": Review.UNDECIDED, "excerpt": tail, "title": tail[:16]}
    block = _set_lines_in(copy_text, values)
    _write(path, "".join([*lines[:end], newline, *block, *lines[end:]]))
    return new


def _set_lines_in(block_text: str, values: dict[str, object]) -> list[str]:
    """The lines of one commitment's block (from its code line) with `values` set."""
    wrapped = "commitments:\n" + block_text
    code = _codes(wrapped)[0]
    return _set_lines(wrapped, code, values).splitlines(keepends=True)[1:]
