"""The rows of `tracker list --format json|csv` written as text straight from the database's
tuples (issue 15): `stream_items(render=…)` with one of these renderers gives each row's JSON
object or CSV line, the very text the ItemRow of the row gives (tests/test_exports_stream.py
and tests/test_exports_text.py compare them byte for byte with the rows of `list_items`).

No ItemRow, dict or enum is made per row. What needs the working-day calendar (the due
date, light and lateness) is worked out once per distinct (due, status) pair and kept as
its text: a million rows share a few thousand. The event count and the figure come from the
statement itself (correlated subqueries). What a row shares with its group (a commitment's
title, unit, report, source… on each of its periods in a village: listing._group_key) is
read and made into text once a group (`share`); a row's own values are written into a
template around it. A value that repeats down the list is encoded once: json's own C string
encoder, the same as json.dumps(ensure_ascii=False) uses.

Each row comes out as UTF-8 bytes, made printable (errors.printable_json) before it is
made: a repeated value is escaped and encoded once, with its memo; only the code, unique to
each row, is encoded row by row (by C functions, unless the batch's codes hold a character
to escape). (Checking and encoding the finished text instead cost a fifth of an
export's time.)
(Having the database write the JSON, SQLite's json_quote, was measured: it escapes the same
way but cost about 15% more than this.)"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring, encode_basestring_ascii
from math import isfinite
from typing import Any

from sqlalchemy import case, func
from sqlmodel import col

from tracker.errors import hidden_character, printable_json
from tracker.i18n import get_language, t
from tracker.labels import baseline_label, figure, kind_label, light_label, status_label
from tracker.models import Commitment, Kind, Report, Unit, Village
from tracker.schedule import Light
from tracker.services.deadlines import Deadlines
from tracker.services.listing import StreamColumns

INDICATOR = Kind.INDICATOR.value
# The members of a row's object, four spaces in, as json.dumps(indent=2) writes them inside
# the list (ItemRow.as_json's keys, in its order).
_NEXT = ",\n    "


# A row's members from "status"'s value to "workdays_overdue" (JsonRows._block).
_BLOCK = (
    f'%s{_NEXT}"due": %s{_NEXT}"light": %s{_NEXT}"overdue": %s'
    f'{_NEXT}"days_overdue": %d{_NEXT}"workdays_overdue": %d'
).encode()


def float_text(value: float) -> str:
    """A float as json.dumps writes it (NaN and the infinities as it spells them)."""
    return float.__repr__(value) if isfinite(value) else json.dumps(value)


def _number_text(value: Any) -> str:
    """A figure column's JSON: null, or the number as json.dumps writes its type."""
    if value is None:
        return "null"
    if isinstance(value, float):
        return float_text(value)
    return json.dumps(value)


def _number_json(value: Any) -> bytes:
    return _number_text(value).encode()


def _text_json(value: str | None) -> bytes:
    """A text column's JSON, printable, in UTF-8."""
    return b"null" if value is None else _printable_utf8(encode_basestring(value))


def _printable_utf8(dumped: str) -> bytes:
    return printable_json(dumped).encode("utf-8")


class _Lights:
    """The light and lateness of each (due date, status) pair, worked out once."""

    def __init__(self, deadlines: Deadlines) -> None:
        self.deadlines = deadlines
        # Each due date's lateness, shared by the rows of every status due that day.
        self.lateness: dict[date, tuple[int, int]] = {}

    def of(self, due: Any, status: str) -> tuple[date | None, Light, int, int]:
        """`due` (a date, or SQLite's text of one) as a date, its light on the day for a row
        of `status`, and its calendar and working days late."""
        day = date.fromisoformat(due) if isinstance(due, str) else due
        light = self.deadlines.light(day, status)
        if light is not Light.RED or day is None:
            return day, light, 0, 0
        late = self.lateness.get(day)
        if late is None:
            lateness = self.deadlines.lateness(day)
            late = self.lateness[day] = (lateness.calendar_days, lateness.working_days)
        return day, light, *late


class JsonRows:
    """Each row as its object in `json.dumps([row.as_json() …], ensure_ascii=False,
    indent=2)`, made printable, in UTF-8, without the separating comma
    (tracker.cli.exports joins them): the row's own values written into a template of its
    members, with its group's members (titles, unit, report, source…) made once a group,
    and each distinct value of a column that repeats down the list encoded once."""

    KEYS = (
        "code", "report", "title", "title_en", "section", "kind", "unit", "status",
        "village", "village_name", "period", "target", "done_count", "value", "baseline",
        "baseline_text", "measure", "source", "parent",
    )  # fmt: skip
    # The members a row shares with its group, in three runs between its own.
    HEAD = KEYS[1:7]
    VILLAGE = KEYS[8:10]
    TAIL = KEYS[14:]

    def __init__(self) -> None:
        self.quota_dues: dict[int, date] = {}
        self.blocks: dict[tuple[Any, str], bytes] = {}
        self.lights: _Lights | None = None
        # Each group's three runs of members, by its key (listing._group_key).
        self.groups: dict[Any, tuple[bytes, bytes, bytes]] = {}
        # Apart, as 1 and 1.0 are the same key of a dict and not the same JSON.
        self.texts = _Memo(_text_json)
        self.ints = _Memo(_number_json)
        self.floats = _Memo(_number_json)
        self.head = _members(self.HEAD)
        self.village = _members(self.VILLAGE)
        self.tail = _members(self.TAIL)
        own = ['"code": %s', "%s", '"status": %s', "%s"]
        own += [f'"{key}": %s' for key in self.KEYS[10:14]]
        self.template = ("{\n    " + _NEXT.join([*own, "%s"]) + "\n  }").encode()

    def columns(self, parts: StreamColumns) -> list[Any]:
        self.quota_dues = parts.quota_dues
        self.lights = _Lights(parts.deadlines)
        child = col(Commitment.parent_id).is_not(None)
        return [
            col(Commitment.id),
            parts.status,
            parts.due,
            col(Commitment.code),
            col(Commitment.period_key),
            case((child, col(Commitment.target)), else_=None),
            parts.done,
            parts.value,
        ]

    def shared_columns(self, parts: StreamColumns) -> list[Any]:
        parent = parts.parent
        return [
            col(Report.slug),
            col(Commitment.title),
            col(Commitment.title_en),
            col(Commitment.section),
            col(Commitment.kind),
            col(Unit.name),
            col(Village.number),
            # A village's empty name is none (ItemRow: `village_name or None`).
            func.nullif(col(Village.name), ""),
            func.coalesce(parent.baseline, Commitment.baseline),
            func.coalesce(parent.baseline_text, Commitment.baseline_text),
            func.coalesce(parent.measure, Commitment.measure),
            func.coalesce(Commitment.excerpt, parent.excerpt),
            col(parent.code),
        ]

    def unshared(self, keys: Iterable[Any]) -> set[Any]:
        return _unshared(self.groups, keys)

    def share(self, key: Any, values: Sequence[Any]) -> None:
        (
            report, title, title_en, section, kind, unit, village, village_name, baseline,
            baseline_text, measure, source, parent_code,
        ) = values  # fmt: skip
        texts = self.texts
        if len(texts) > MEMO_LIMIT:
            texts.clear()
        self.groups[key] = (
            self.head
            % (
                texts[report],
                texts[title],
                texts[title_en],
                self.ints[section],
                texts[kind],
                texts[unit],
            ),
            self.village % (self.ints[village], texts[village_name]),
            self.tail
            % (
                self.floats[baseline],
                texts[baseline_text],
                texts[measure],
                texts[source],
                texts[parent_code],
            ),
        )

    def _block(self, due: Any, status: str) -> bytes:
        """The members from "status"'s value to "workdays_overdue" of a row: the status as
        stored (printable, by the texts' memo), the rest made by tracker itself."""
        assert self.lights is not None
        day, light, days, workdays = self.lights.of(due, status)
        block = self.blocks[(due, status)] = _BLOCK % (
            self.texts[status],
            f'"{day.isoformat()}"'.encode() if day else b"null",
            encode_basestring_ascii(light.value).encode(),  # json.dumps(light.value)
            b"true" if light is Light.RED else b"false",
            days,
            workdays,
        )
        return block

    def render(self, rows: Sequence[Any]) -> list[bytes]:
        return self._render(rows, self._codes_json([row[3] for row in rows]))

    @staticmethod
    def _codes_json(codes: list[str]) -> list[bytes]:
        """The JSON of a batch's codes, in UTF-8: by C functions alone (no Python frame per
        code) when none holds a character to escape, else each made printable."""
        joined = "".join(codes)
        # isprintable() holds for no character that hidden_character finds (tested), and
        # is a C loop: the search cost 5% of an export.
        if joined.isprintable() or hidden_character(joined, keep_lines=True) is None:
            try:
                return list(map(str.encode, map(encode_basestring, codes)))
            except UnicodeEncodeError:  # a lone surrogate, which UTF-8 cannot hold
                pass
        return [_printable_utf8(encode_basestring(code)) for code in codes]

    def _render(self, rows: Sequence[Any], codes_json: list[bytes]) -> list[bytes]:
        blocks = self.blocks
        dues = self.quota_dues
        groups = self.groups
        texts = self.texts
        ints = self.ints
        floats = self.floats
        if len(floats) > MEMO_LIMIT:
            floats.clear()
        template = self.template
        out = []
        for (item_id, status, due, _code, period, target, done, value, key), code_json in zip(
            rows, codes_json, strict=True
        ):
            if dues:
                due = dues.get(item_id, due)
            head, village, tail = groups[key]
            out.append(
                template
                % (
                    code_json,
                    head,
                    blocks.get((due, status)) or self._block(due, status),
                    village,
                    texts[period],
                    ints[target],
                    ints[done],
                    floats[value],
                    tail,
                )
            )
        return out


def _members(keys: Sequence[str]) -> bytes:
    """A template of the members `keys` of a row's object, one line each."""
    return _NEXT.join(f'"{key}": %s' for key in keys).encode()


class CsvRows:
    """Each row as its CSV line (tracker.printouts.listing.csv_lines, header apart), in
    the interface language of the moment its first batch is written."""

    def __init__(self) -> None:
        self.quota_dues: dict[int, date] = {}
        self.blocks: dict[tuple[Any, str], tuple[str, str, str, int, int]] = {}
        self.lights: _Lights | None = None
        self.lines = _Lines()
        self.writer = csv.writer(self.lines)  # \r\n after each row, as csv_lines writes
        # A text cell as the CSV of ItemRows writes it: printable, never a formula. (The
        # printouts import openpyxl, which a JSON export has no use for.)
        from tracker.printouts.listing import _csv_text

        self.cell: Callable[[str], str] = _csv_text
        self.texts = _Memo(_csv_text)
        self.labels = _Memo(lambda kind: _csv_text(kind_label(kind)))
        self.baselines = _Memo(_baseline_cell)
        self.groups: dict[Any, _CsvGroup] = {}

    def columns(self, parts: StreamColumns) -> list[Any]:
        self.quota_dues = parts.quota_dues
        self.lights = _Lights(parts.deadlines)
        return [
            col(Commitment.id),
            parts.status,
            parts.due,
            col(Commitment.code),
            col(Commitment.period_key),
            col(Commitment.target),
            parts.done,
            parts.value,
        ]

    def shared_columns(self, parts: StreamColumns) -> list[Any]:
        parent = parts.parent
        return [
            col(Commitment.kind),
            col(Commitment.title),
            col(Commitment.title_en),
            col(Unit.name),
            col(Unit.name_en),
            col(Commitment.section),
            col(Village.number),
            col(Village.name),
            func.coalesce(parent.baseline, Commitment.baseline),
            func.coalesce(parent.baseline_text, Commitment.baseline_text),
            func.coalesce(parent.measure, Commitment.measure),
            col(parent.code),
            col(Report.slug),
        ]

    def unshared(self, keys: Iterable[Any]) -> set[Any]:
        return _unshared(self.groups, keys)

    def share(self, key: Any, values: Sequence[Any]) -> None:
        """The group's cells, in the interface language of the moment (CsvRows)."""
        (
            kind, title, title_en, unit, unit_en, section, village, village_name, baseline,
            baseline_text, measure, parent_code, report,
        ) = values  # fmt: skip
        english = get_language() == "en"
        texts = self.texts
        if len(texts) > MEMO_LIMIT:
            texts.clear()
        self.groups[key] = _CsvGroup(
            kind=kind,
            # An instance's parent's code is never none (parent_id is a foreign key).
            child=parent_code is not None,
            title=texts[title_en if english and title_en else title or "-"],
            unit=texts[unit_en if english and unit_en else unit] if unit else None,
            section=section,
            kind_label=self.labels[kind],
            village=(
                None
                if village is None
                else texts[village_name or t("village_placeholder", number=village)]
            ),
            baseline=(
                baseline_label(baseline, baseline_text, measure) if kind == INDICATOR else ""
            ),
            baseline_cell=self.baselines[(baseline, baseline_text, measure)],
            parent=None if parent_code is None else texts[parent_code],
            report=texts[report],
        )

    def _block(self, due: Any, status: str) -> tuple[str, str, str, int, int]:
        """The due date, status, light and lateness cells of a row with `due` and `status`."""
        assert self.lights is not None
        day, light, days, workdays = self.lights.of(due, status)
        block = (
            day.isoformat() if day else "",
            self.cell(status_label(status)),
            self.cell(light_label(light)),
            days,
            workdays,
        )
        self.blocks[(due, status)] = block
        return block

    def render(self, rows: Sequence[Any]) -> list[bytes]:
        blocks = self.blocks
        dues = self.quota_dues
        groups = self.groups
        cell = self.cell
        lines = []
        for item_id, status, due, code, period, target, done, value, key in rows:
            if dues:
                due = dues.get(item_id, due)
            due_text, status_text, light_text, days, workdays = blocks.get(
                (due, status)
            ) or self._block(due, status)
            group = groups[key]
            child = group.child
            if done is None:
                progress = None
            elif group.kind == INDICATOR:
                progress = (
                    None
                    if value is None
                    else cell(t("indicator_progress", value=figure(value), baseline=group.baseline))
                )
            else:
                target_of = target if child else None
                progress = f"{done}/{target_of}" if target_of else str(done)
            lines.append(
                (
                    cell(code),
                    group.title,
                    group.unit,
                    due_text,
                    status_text,
                    light_text,
                    progress,
                    days,
                    workdays,
                    group.section,
                    group.kind_label,
                    None if period is None else cell(period),
                    group.village,
                    target if child else None,
                    done,
                    None if value is None else figure(value),
                    group.baseline_cell,
                    group.parent,
                    group.report,
                )
            )
        self.lines.clear()
        self.writer.writerows(lines)
        return [line.encode("utf-8") for line in self.lines]


@dataclass(frozen=True, slots=True)
class _CsvGroup:
    """The cells (and what decides a row's other cells) that a group's rows share."""

    kind: str
    child: bool
    title: str
    unit: str | None
    section: int
    kind_label: str
    village: str | None
    # An indicator's baseline label, which its periods' progress is read against.
    baseline: str
    baseline_cell: str | None
    parent: str | None
    report: str


# The most distinct texts kept made into cells (a batch's worth of unique titles at most
# is added to it before it is emptied): the memory of the export stays bounded.
MEMO_LIMIT = 20_000


def _unshared(groups: dict[Any, Any], keys: Iterable[Any]) -> set[Any]:
    """Which of `keys` `groups` lacks, every group forgotten first once there are more than
    MEMO_LIMIT (the export's memory stays bounded)."""
    if len(groups) > MEMO_LIMIT:
        groups.clear()
    return {key for key in keys if key not in groups}


class _Memo(dict[Any, Any]):
    """A value of `make` for each key, made on its first lookup."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.make(key)
        return value


def _baseline_cell(key: tuple[Any, str | None, str | None]) -> str | None:
    """The baseline column's cell of (baseline, baseline_text, measure)."""
    baseline, text, measure = key
    if baseline is None and not text:
        return None
    from tracker.printouts.listing import _csv_text

    return _csv_text(baseline_label(baseline, text, measure))


class _Lines(list[str]):
    """What csv.writer writes to: each row's line kept as an item of its own (the writer
    writes a row with one call of `write`)."""

    write = list.append
