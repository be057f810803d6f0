"""Read and check a seed file: the report and its curated commitments, in YAML.

Nothing here touches the database. A file that is not right is refused as a whole, with the
file, the line and the reason, so that seeding never writes half a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tracker.errors import TrackerError, hidden_character, printable
from tracker.files import MB, read_limited
from tracker.i18n import CATALOGS, t
from tracker.models import Kind, Status
from tracker.schedule import Frequency, parse_checkpoints
from tracker.services.report_text import SectionSpan, parse_sections

# A code names one commitment; "/" and "-Vnn" are kept for period and village instances.
CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]*$")
_VILLAGE_SUFFIX_RE = re.compile(r"-V\d+$")
# An earlier report's commitment, as a later report's draft names it: "baohe-2021/5.5a".
EARLIER_RE = re.compile(r"^[^/\s]{1,64}/[0-9A-Za-z][0-9A-Za-z.\-]*$")
# The largest seed file, and report text, read (the 2021 seed is 52 KB, its text 12 KB): a
# file beyond it is the wrong file, and is not read into memory.
MAX_SEED_BYTES = 5 * MB
# Years a report and its plan may name: bounded, so that seeding never builds the periods of
# centuries (or of a year the calendar cannot hold).
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_CHECKPOINTS_TEXT = 200  # the width of Commitment.checkpoints
# The lead unit `tracker import` gives drafts whose unit the report does not name: the
# reviewer renames it, and a commitment still naming it is not seeded (tracker.services.seeding).
PLACEHOLDER_UNIT = "待核定单位"


def _problem(key: str, /, **params: Any) -> PydanticCustomError:
    """A problem of the seed, by its message key (`seed.<key>`): said in the officer's
    language when it is shown, never in pydantic's English."""
    return PydanticCustomError(f"seed.{key}", key, params)


def _say(key: str, /, **params: Any) -> str:
    return t(f"seed.{key}", **params)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    if isinstance(value, dict):
        return [item for pair in value.items() for item in pair if isinstance(item, str)]
    return []


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        # PostgreSQL refuses NUL in text; the other control characters (escape sequences)
        # garble tables and terminals, and the invisible formatting ones (a right-to-left
        # override) reorder what follows them on screen. Tabs and line breaks are text.
        for text in _strings(value):
            found = hidden_character(text, keep_lines=True)
            if found:
                raise _problem("control_character", char=printable(found))
        return value


class SeedReport(_Strict):
    slug: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    issuer: str = Field(min_length=1, max_length=200)
    town: str = Field(min_length=1, max_length=64)
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    published: date | None = None
    plan_year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    text_file: str = Field(min_length=1)


class SeedUnit(_Strict):
    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)


class SeedSection(_Strict):
    number: int = Field(ge=1)
    heading: str = Field(min_length=1, max_length=200)
    heading_en: str | None = Field(default=None, max_length=200)


class Review(StrEnum):
    """A reviewer's decision on a drafted commitment. A hand-made seed says none: accepted."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNDECIDED = "undecided"


class SeedCommitment(_Strict):
    code: str = Field(min_length=1, max_length=32)
    # Only accepted commitments are ever seeded (tracker.services.seeding).
    review: Review = Review.ACCEPTED
    section: int = Field(ge=1)
    item: int | None = Field(default=None, ge=1)
    title: str = Field(min_length=1, max_length=200)
    title_en: str | None = Field(default=None, max_length=200)
    description: str = ""
    excerpt: str = Field(min_length=1)
    kind: Kind
    unit: str = Field(min_length=1)
    co_units: list[str] = Field(default_factory=list)
    leader: str | None = Field(default=None, max_length=100)
    start: date | None = None
    due: date | None = None
    frequency: Frequency | None = None
    target: int | None = Field(default=None, ge=1, le=10_000)
    checkpoints: dict[str, int] | None = None
    baseline: float | None = Field(default=None, allow_inf_nan=False)
    baseline_text: str | None = Field(default=None, max_length=64)
    measure: str | None = Field(default=None, max_length=20)
    status: Status | None = None
    status_note: str | None = None
    addressed_by: list[str] = Field(default_factory=list)
    # A later report of the same town (tracker.importing.linking): "slug/code" of the earlier
    # commitment this one goes on with (the lecture quota, the legal advisers), or of the
    # earlier plan item it says was done. Either makes the draft no new commitment: accepted,
    # it is written onto the earlier one (its history, events and figures go on there).
    continues: str | None = Field(default=None, max_length=100)
    closes: str | None = Field(default=None, max_length=100)
    # For the officers: shown as the item's 备注.
    notes: str = ""
    # The curator's own remarks on how this entry was read from the report (why no status,
    # a provisional deadline, what an admin might change). They stay in the file for the
    # next curator: never imported, so never shown to an officer as the item's notes.
    curator_note: str = ""

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> SeedCommitment:
        if not CODE_RE.match(self.code) or _VILLAGE_SUFFIX_RE.search(self.code):
            raise _problem("code_chars", code=self.code)
        dated = {Kind.ONE_OFF, Kind.PER_VILLAGE, Kind.RECTIFICATION}
        periodic = {Kind.RECURRING, Kind.QUOTA}
        if self.kind in dated and self.due is None:
            raise _problem("kind_needs", kind=self.kind.value, field="due")
        if self.kind in periodic and self.frequency is None:
            raise _problem("kind_needs", kind=self.kind.value, field="frequency")
        if self.kind is Kind.QUOTA and self.target is None:
            raise _problem("kind_needs", kind=self.kind.value, field="target")
        if self.kind is not Kind.QUOTA and (self.target is not None or self.checkpoints):
            raise _problem("quota_only")
        if self.kind is Kind.INDICATOR and self.baseline is None:
            raise _problem("kind_needs", kind=self.kind.value, field="baseline")
        if self.kind is not Kind.RECTIFICATION and self.addressed_by:
            raise _problem("rectification_only")
        if self.checkpoints is not None:
            try:
                steps = parse_checkpoints(self.checkpoints)
            except ValueError as exc:  # its message is English: said as the seed's own
                raise _problem("bad_checkpoints") from exc
            stored = ",".join(f"{c.month:02d}-{c.day:02d}:{c.count}" for c in steps)
            if len(stored) > MAX_CHECKPOINTS_TEXT:
                raise _problem("checkpoints_too_long", max=MAX_CHECKPOINTS_TEXT)
        if self.status is not None and not self.status_note:
            raise _problem("status_needs_note")
        for earlier in (self.continues, self.closes):
            if earlier is not None and not EARLIER_RE.match(earlier):
                raise _problem("earlier_ref", value=earlier)
        if self.continues is not None and self.closes is not None:
            raise _problem("earlier_both")
        return self


class SeedDocument(_Strict):
    report: SeedReport
    villages: int = Field(ge=0, le=500)
    units: list[SeedUnit]
    sections: list[SeedSection]
    commitments: list[SeedCommitment] = Field(min_length=1)


@dataclass(frozen=True)
class Seed:
    """A checked seed file: its document, the report text and where each excerpt lies."""

    path: Path
    document: SeedDocument
    text: str
    sections: tuple[SectionSpan, ...]
    excerpt_offsets: dict[str, tuple[int, int]]

    def reviewed(self, decision: Review) -> list[SeedCommitment]:
        """The commitments the reviewer left with `decision`, in the file's order."""
        return [c for c in self.document.commitments if c.review is decision]

    def new_commitments(self) -> list[SeedCommitment]:
        """The accepted commitments that become commitments of this report: all but those
        linked to an earlier report's (`continues`, `closes`), which are written onto it."""
        return [c for c in self.reviewed(Review.ACCEPTED) if not c.continues and not c.closes]

    def linked(self) -> list[SeedCommitment]:
        """The accepted commitments linked to an earlier report's commitment."""
        return [c for c in self.reviewed(Review.ACCEPTED) if c.continues or c.closes]


def _node_at(root: yaml.Node | None, loc: Sequence[int | str]) -> yaml.Node | None:
    """The YAML node at `loc`, or its nearest ancestor that exists."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        else:
            child = None
        if child is None:
            break
        node = child
    return node


def _line_of(root: yaml.Node | None, loc: Sequence[int | str]) -> int:
    """The 1-based line of the YAML node at `loc`, or of its nearest ancestor."""
    node = _node_at(root, loc)
    return node.start_mark.line + 1 if node is not None else 1


def _one_line(text: str) -> str:
    """`text` with line breaks and control characters escaped: a message is one line."""
    return printable(text)


def _refuse(path: Path, line: int, reason: str) -> TrackerError:
    return TrackerError("seed_invalid", file=str(path), line=line, reason=_one_line(reason))


class _Loader(yaml.SafeLoader):
    """The safe loader, with every failure a YAMLError that says where.

    PyYAML's own constructors let plain Python errors through for values that match a tag but
    are not one: `due: 2021-02-30` (a date with no such day), `!!int abc`, `!!bool maybe`.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            tag = str(node.tag).rsplit(":", 1)[-1]
            what = _say(f"tag.{tag}") if f"seed.tag.{tag}" in CATALOGS["zh"] else _say("tag.other")
            if isinstance(node, yaml.ScalarNode):
                problem = _say("not_valid", value=repr(node.value), what=what)
            else:
                problem = _say("not_valid_here", what=what)
            raise _Said(None, None, problem, node.start_mark) from exc


class _Said(yaml.constructor.ConstructorError):
    """A value refused while constructing, its problem already in the officer's words."""


# PyYAML's own problems (English) -> the key of the line that says what to do.
_YAML_PROBLEMS = (
    ("mapping values are not allowed", "yaml_colon"),
    ("cannot start any token", "yaml_tab"),
    ("could not find expected ':'", "yaml_no_colon"),
    ("expected <block end>", "yaml_indent"),
    ("expected ',' or ']'", "yaml_brackets"),
    ("expected ',' or '}'", "yaml_brackets"),
    ("found unexpected end of stream", "yaml_quotes"),
    ("found undefined alias", "yaml_alias"),
)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, _Said):
        return str(exc.problem)
    found = str(exc)
    for words, key in _YAML_PROBLEMS:
        if words in found:
            return _say(key)
    return _say("yaml")


def _parse(path: Path, raw_text: str) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree of `raw_text` and the data it holds; bad YAML is refused."""
    loader: _Loader | None = None
    try:
        loader = _Loader(raw_text)
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise _refuse(path, line, _yaml_problem(exc)) from exc
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow, e.g. a control character pasted from a web page.
        line = raw_text.count("\n", 0, exc.position) + 1
        character = printable(chr(exc.character)) if isinstance(exc.character, int) else "?"
        raise _refuse(path, line, _say("yaml_character", char=character)) from exc
    except yaml.YAMLError as exc:
        raise _refuse(path, 1, _yaml_problem(exc)) from exc
    except RecursionError as exc:
        # PyYAML composes and constructs recursively: [[[[...]]]] a thousand deep exhausts it.
        line = loader.get_mark().line + 1 if loader is not None else 1
        raise _refuse(path, line, _say("nested")) from exc
    finally:
        if loader is not None:
            loader.dispose()


def _describe(error: Any, root: yaml.Node | None) -> str:
    """What pydantic found, in the officer's words: the field as the file names it, and what
    is wrong with its value (pydantic's own message is English)."""
    kind = str(error["type"])
    context = dict(error.get("ctx") or {})
    if kind.startswith("seed."):
        return t(kind, **context)
    names = [str(part) for part in error["loc"] if isinstance(part, str)]
    field = names[-1] if names else "-"
    if error["loc"] and error["loc"][-1] == "code" and kind == "string_type":
        # YAML reads 1.10 as the number 1.1: the officer must quote codes. Show what they typed.
        node = _node_at(root, error["loc"])
        typed = node.value if isinstance(node, yaml.ScalarNode) else error["input"]
        return _say("code_quoted", code=typed)
    if kind in ("missing", "extra_forbidden"):
        return _say(kind, field=field)
    if kind == "enum":
        # pydantic lists them in English ("'a', 'b' or 'c'"): the values alone, listed.
        values = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        return _say("enum", field=field, expected=t("list_separator").join(values))
    limit = next((context[name] for name in ("ge", "gt", "le", "lt") if name in context), None)
    if kind in ("greater_than_equal", "greater_than"):
        return _say("too_small", field=field, limit=limit)
    if kind in ("less_than_equal", "less_than"):
        return _say("too_large", field=field, limit=limit)
    if kind in ("string_too_short", "too_short"):
        return _say("empty", field=field)
    if kind in ("string_too_long", "too_long"):
        return _say("too_long", field=field, limit=context.get("max_length", "-"))
    if kind == "finite_number":
        return _say("finite", field=field)
    for prefix, key in _VALUE_KINDS:
        if kind.startswith(prefix):
            return _say("type", field=field, expected=_say(key))
    return _say("bad_value", field=field)


# Pydantic's kinds of a value of the wrong type -> the key naming what it should be.
_VALUE_KINDS = (
    ("int_", "kind.integer"),
    ("float_", "kind.number"),
    ("string_", "kind.text"),
    ("date", "kind.date"),
    ("bool_", "kind.bool"),
    ("list_", "kind.list"),
    ("dict_", "kind.mapping"),
    ("model_", "kind.mapping"),
)


def _repeated(values: Sequence[str]) -> int | None:
    """The index of the first value that came before in `values`, if one did."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index
        seen.add(value)
    return None


def _text(data: bytes) -> str:
    """UTF-8 text with its line ends made \\n, as reading it in text mode would."""
    text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return text.removeprefix("\ufeff")  # the byte-order mark Windows Notepad writes


def load_seed_file(path: Path) -> Seed:
    """Read and check the seed file at `path`; a bad file raises TrackerError('seed_invalid')."""
    try:
        raw_text = _text(read_limited(path, MAX_SEED_BYTES))
    except UnicodeDecodeError as exc:
        raise _refuse(path, 1, t("reason.not_utf8")) from exc
    root, data = _parse(path, raw_text)
    if not isinstance(data, dict):
        raise _refuse(path, 1, _say("not_mapping"))
    try:
        document = SeedDocument.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise _refuse(path, _line_of(root, first["loc"]), _describe(first, root)) from exc
    return _check_against_report(path, root, document)


def _check_against_report(path: Path, root: yaml.Node | None, doc: SeedDocument) -> Seed:
    def refuse_at(loc: Sequence[int | str], reason: str) -> TrackerError:
        return _refuse(path, _line_of(root, loc), reason)

    text_path = path.parent / doc.report.text_file
    try:
        text = _text(read_limited(text_path, MAX_SEED_BYTES))
    except TrackerError as exc:  # missing, not a regular file, too large
        reason = _say("text_unreadable", path=str(text_path), reason=exc.message())
        raise refuse_at(("report", "text_file"), reason) from exc
    except UnicodeDecodeError as exc:
        reason = _say("text_unreadable", path=str(text_path), reason=t("reason.not_utf8"))
        raise refuse_at(("report", "text_file"), reason) from exc
    control = hidden_character(text, keep_lines=True)
    if control:
        at = ("report", "text_file")
        raise refuse_at(at, _say("text_control", path=str(text_path), char=printable(control)))
    spans = parse_sections(text)
    unit_names: set[str] = set()
    for index, listed in enumerate(doc.units):
        if listed.name in unit_names:
            raise refuse_at(("units", index, "name"), _say("unit_twice", unit=listed.name))
        unit_names.add(listed.name)
    section_numbers: set[int] = set()
    for index, section in enumerate(doc.sections):
        if section.number in section_numbers:
            number_at = ("sections", index, "number")
            raise refuse_at(number_at, _say("section_twice", section=section.number))
        section_numbers.add(section.number)
    codes: dict[str, int] = {}
    offsets: dict[str, tuple[int, int]] = {}
    for index, item in enumerate(doc.commitments):
        loc: tuple[int | str, ...] = ("commitments", index)
        if item.code in codes:
            raise refuse_at((*loc, "code"), _say("code_twice", code=item.code))
        codes[item.code] = index
        named: list[tuple[tuple[int | str, ...], str]] = [(("unit",), item.unit)]
        named += [(("co_units", i), unit) for i, unit in enumerate(item.co_units)]
        for where, unit in named:
            if unit not in unit_names:
                raise refuse_at((*loc, *where), _say("unit_unlisted", unit=unit))
        # Each is one row of the database (its primary key): named twice, the second would
        # be refused only while seeding, as if the database could not be read.
        twice = _repeated(item.co_units)
        if twice is not None:
            unit = item.co_units[twice]
            raise refuse_at((*loc, "co_units", twice), _say("co_unit_twice", unit=unit))
        if item.section not in section_numbers or item.section > len(spans):
            raise refuse_at((*loc, "section"), _say("no_section", section=item.section))
        span = spans[item.section - 1]
        start, end = span.start, span.end
        if item.item is not None:
            if item.item > len(span.items):
                raise refuse_at(
                    (*loc, "item"), _say("no_item", section=item.section, item=item.item)
                )
            start, end = span.items[item.item - 1].start, span.items[item.item - 1].end
        found = text.find(item.excerpt, start, end)
        if found == -1:
            raise refuse_at((*loc, "excerpt"), _say("excerpt_not_found"))
        offsets[item.code] = (found, found + len(item.excerpt))
    for index, item in enumerate(doc.commitments):
        loc = ("commitments", index, "addressed_by")
        for code in item.addressed_by:
            if code not in codes:
                raise refuse_at(loc, _say("unknown_code", code=code))
        twice = _repeated(item.addressed_by)
        if twice is not None:
            raise refuse_at(loc, _say("code_listed_twice", code=item.addressed_by[twice]))
    return Seed(path=path, document=doc, text=text, sections=spans, excerpt_offsets=offsets)
