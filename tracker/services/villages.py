"""The village roster (村/社区): list, import from a CSV file, rename one, retire one."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from tracker.errors import TrackerError, hidden_character, printable
from tracker.failures import reason_of
from tracker.files import MB, read_limited
from tracker.i18n import t
from tracker.models import (
    CLOSED_STATUSES,
    Commitment,
    History,
    HistoryKind,
    Report,
    Role,
    Status,
    Village,
)
from tracker.services.access import require_role
from tracker.services.instances import ensure_village_instances
from tracker.services.lookup import ensure_person
from tracker.services.updates import record_status

# Column headers accepted for the number and the name, in either language.
NUMBER_HEADERS = ("编号", "序号", "number", "no", "n")
NAME_HEADERS = (
    "名称",
    "村名",
    "村(社区)",
    "村（社区）",
    "村(社区)名称",
    "村（社区）名称",
    "村居",
    "name",
)
MAX_NAME = 100
MAX_VILLAGES = 999  # a town has dozens; this only keeps typos out of the database
# The largest roster file read: 999 villages of 100 characters are 300 KB.
MAX_ROSTER_BYTES = 1 * MB
SHOWN = 40  # characters of a bad cell quoted in a message


@dataclass(frozen=True)
class RosterChange:
    """What an import or rename did."""

    renamed: int
    added: int
    instances: int


def list_villages(*, session: Session, town: str) -> list[Village]:
    """The town's villages by number."""
    return list(
        session.exec(
            select(Village).where(Village.town == town).order_by(col(Village.number))
        ).all()
    )


def _decode(path: Path) -> str:
    # A pipe or device is refused rather than waited on, and a file past the limit unread.
    data = read_limited(path, MAX_ROSTER_BYTES)
    # Excel on Chinese Windows saves CSV as GBK; everything else is UTF-8 (maybe with a BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TrackerError("csv_encoding", path=str(path))


def _shown(text: str) -> str:
    """A value as quoted in a message: control characters escaped, so the message stays one
    line, and cut short, so a runaway cell does not fill the screen."""
    escaped = printable(text)
    return escaped if len(escaped) <= SHOWN else escaped[:SHOWN] + "…"


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def read_roster_csv(path: Path) -> dict[int, str]:
    """Village numbers and names from a CSV with columns 编号,名称 (or number,name)."""
    # newline="": the csv module splits the lines itself, so that a file saved with CR line
    # ends (Excel for Mac) reads as rows, and a quoted cell may hold a line break.
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    # Blank rows are skipped, but errors name the row's line in the file as the officer sees it.
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, row))
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        raise TrackerError(
            "csv_malformed", path=str(path), line=reader.line_num, reason=reason_of(exc)
        ) from exc
    if not rows:
        raise TrackerError("csv_empty", path=str(path))
    header = rows[0][1]
    number_col, name_col = _column(header, NUMBER_HEADERS), _column(header, NAME_HEADERS)
    if number_col is None or name_col is None:
        raise TrackerError("csv_columns", path=str(path))
    roster: dict[int, str] = {}
    names: set[str] = set()
    for line, row in rows[1:]:
        if len(row) <= max(number_col, name_col):
            reason = t("reason.csv_missing_cells")
            raise TrackerError("csv_row", path=str(path), line=line, reason=reason)
        number_text, name = row[number_col].strip(), row[name_col].strip()
        # The length first: int() refuses numbers of thousands of digits with a ValueError.
        if (
            not number_text.isdecimal()
            or len(number_text) > len(str(MAX_VILLAGES)) + 3  # leading zeros: 007
            or not 1 <= int(number_text) <= MAX_VILLAGES
        ):
            reason = t("reason.csv_bad_number", number=_shown(number_text), max=MAX_VILLAGES)
            raise TrackerError("csv_row", path=str(path), line=line, reason=reason)
        number = int(number_text)
        _check_name(name, path=str(path), line=line)
        if number in roster or name in names:
            raise TrackerError("csv_duplicate", path=str(path), line=line)
        roster[number] = name
        names.add(name)
    return roster


def _check_name(name: str, *, path: str, line: int) -> None:
    if not name or len(name) > MAX_NAME:
        reason = (
            t("reason.csv_long_name", name=_shown(name), max=MAX_NAME)
            if name
            else t("reason.csv_empty_name")
        )
        raise TrackerError("csv_row", path=path, line=line, reason=reason)
    # Line breaks, other control characters and invisible formatting characters (a bidi
    # override) are never part of a name; PostgreSQL refuses NUL.
    if hidden_character(name):
        raise TrackerError("csv_name_control", path=path, line=line, name=_shown(name))


def roster_day(effective_on: date | None, now: datetime, report: Report) -> date:
    """The day a change of the roster takes effect: `effective_on` for a late entry (补录),
    else today; never in the future. A village has no start of its own to be after, but
    nothing of the ledger happened before its report's year."""
    day = effective_on or now.date()
    if day > now.date():
        raise TrackerError("effective_in_future", date=day.isoformat())
    if day.year < report.year:
        raise TrackerError("roster_before_report", year=report.year, date=day.isoformat())
    return day


def _apply(
    session: Session,
    report: Report,
    roster: dict[int, str],
    user: str,
    now: datetime,
    day: date,
) -> RosterChange:
    existing = {v.number: v for v in list_villages(session=session, town=report.town)}
    taken = {v.name: v.number for v in existing.values() if v.name}
    for number, name in roster.items():
        if taken.get(name, number) != number and taken[name] not in roster:
            raise TrackerError("village_name_taken", name=name, number=taken[name])
    ensure_person(session=session, name=user)
    renamed = added = 0
    for number, name in sorted(roster.items()):
        village = existing.get(number)
        if village is None:
            village = Village(town=report.town, number=number, name=name)
            added += 1
            old = None
        elif village.name == name:
            continue
        else:
            old = village.name or None
            village.name = name
            renamed += 1
        session.add(village)
        session.flush()
        session.add(
            History(
                village_id=village.id,
                kind=HistoryKind.VILLAGE,
                old=old,
                new=name,
                changed_by=user,
                changed_at=now,
                effective_on=day,
            )
        )
    instances = ensure_village_instances(session=session, report=report) if added else []
    return RosterChange(renamed=renamed, added=added, instances=len(instances))


def import_roster(
    *,
    session: Session,
    report: Report,
    path: Path,
    user: str,
    now: datetime,
    effective_on: date | None = None,
) -> RosterChange:
    """Name villages from a CSV file, from today or `effective_on` (a late entry); new numbers
    add villages and their per-village items. The roster is an admin's to keep."""
    require_role(session, user, Role.ADMIN)
    day = roster_day(effective_on, now, report)
    return _apply(session, report, read_roster_csv(path), user, now, day)


def rename_village(
    *,
    session: Session,
    report: Report,
    number: int,
    name: str,
    user: str,
    now: datetime,
    effective_on: date | None = None,
) -> RosterChange:
    """Give village `number` the name `name` from today or `effective_on` (a late entry): an
    admin's change, as the whole roster is."""
    require_role(session, user, Role.ADMIN)
    day = roster_day(effective_on, now, report)
    clean = name.strip()
    if not clean or len(clean) > MAX_NAME:
        raise TrackerError("village_bad_name", name=_shown(name))
    if hidden_character(clean):
        raise TrackerError("village_name_control", name=_shown(clean))
    if not any(v.number == number for v in list_villages(session=session, town=report.town)):
        raise TrackerError("village_unknown", village=str(number))
    return _apply(session, report, {number: clean}, user, now, day)


@dataclass(frozen=True)
class RetiredVillage:
    """What retiring a village did: the village and the codes of the items it cancelled."""

    village: Village
    cancelled: list[str]


def retire_village(
    *,
    session: Session,
    report: Report,
    number: int,
    reason: str,
    user: str,
    now: datetime,
    effective_on: date | None = None,
) -> RetiredVillage:
    """Retire village `number` (撤并, or added by mistake), an admin's change: its open items
    are cancelled with a history row giving the reason, its history is kept, and it gets no
    new items. Done and signed-off items stay as they are: they happened."""
    require_role(session, user, Role.ADMIN)
    why = reason.strip()
    if not why:
        raise TrackerError("village_retire_reason_empty")
    village = session.exec(
        select(Village).where(Village.town == report.town, Village.number == number)
    ).first()
    if village is None:
        raise TrackerError("village_unknown", village=str(number))
    if village.retired_on is not None:
        raise TrackerError(
            "village_already_retired",
            number=f"{number:02d}",
            date=village.retired_on.isoformat(),
            reason=village.retired_reason or "-",
        )
    day = roster_day(effective_on, now, report)
    ensure_person(session=session, name=user)
    village.retired_on = day
    village.retired_reason = why
    session.add(village)
    # History notes are in the ledger's language, whatever the UI's.
    note = f"村(社区)撤销：{why}"
    session.add(
        History(
            village_id=village.id,
            kind=HistoryKind.VILLAGE,
            note=note,
            changed_by=user,
            changed_at=now,
            effective_on=day,
        )
    )
    items = session.exec(
        select(Commitment)
        .where(
            col(Commitment.village_id) == village.id,
            col(Commitment.status).not_in([s.value for s in CLOSED_STATUSES]),
        )
        .order_by(col(Commitment.sort_key))
    ).all()
    for item in items:
        record_status(session, item, Status.CANCELLED, note, user, now, day)
    session.flush()
    return RetiredVillage(village=village, cancelled=[item.code for item in items])
