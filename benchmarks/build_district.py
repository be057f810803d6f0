"""Build a district-scale ledger for the benchmarks: many towns, five years of periods.

Every town is a copy of the 2021 seed with its own report slug (`town-01-2021`) and town
name (`保和镇-01`), written by the real services (`load_seed_file` + `apply_seed`), so the
rows are exactly what the app makes. One seed yields only ~1.6k period instances per town,
so each town also gets a few clearly labelled synthetic daily commitments
("村级日排查（基准测试）NN", code `3.2-DXnn`) that reuse the verbatim excerpt of 3.2-D; they
go through the same seeding code path. Then officers' activity is recorded, so most past
periods are done and a realistic share is late, rather than everything being 'todo'.

The activity is written by the batched writer (`--writer bulk`, the default): the rows that
`log_event` and `set_status` would write (events, history, statuses, deadlines, versions,
and on SQLite the audit chain; PostgreSQL's triggers chain it there), replicated and written
with executemany, one transaction per town; tests/test_build_district.py checks them against
the real services (`--writer orm`, one call per change: ~6 ms each).

    python benchmarks/build_district.py                  # SQLite, benchmarks/out/district.db
    python benchmarks/build_district.py --scale 1m --db /work/bench-data/district-1m.db
    python benchmarks/build_district.py --db postgresql+psycopg://postgres@127.0.0.1/tracker_bench

Scales (`--scale`; --towns/--years/--extra-daily override): smoke (1 town, ~1.6k periods,
seconds), 10k, 100k (the default), 1m. An existing database is reused unless `--rebuild`.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import random
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, event, func, text
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel, col, select

from tracker.db import database_url, make_engine, new_session
from tracker.models import (
    AuditEntry,
    Commitment,
    Event,
    History,
    HistoryKind,
    Kind,
    Person,
    Report,
    Status,
)
from tracker.schedule import WorkCalendar, period_from_key
from tracker.schema import create_schema, has_schema
from tracker.services.accounts import ensure_first_admin
from tracker.services.audit_chain import GENESIS, canonical_json, commitment_target, entry_hash
from tracker.services.events import log_event
from tracker.services.instances import frequency_of, instance_deadline
from tracker.services.lookup import now
from tracker.services.seed_file import Seed, SeedCommitment, load_seed_file
from tracker.services.seeding import SeedResult, apply_seed
from tracker.services.updates import set_status

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "seed_data" / "baohe-2021.yaml"
DEFAULT_DB = ROOT / "benchmarks" / "out" / "district.db"
# The day the benchmark looks at the ledger (within the last year built).
AS_OF_MONTH_DAY = (11, 26)
USER = "基准测试"
SYNTHETIC_TEMPLATE = "3.2-D"
SYNTHETIC_TITLE = "村级日排查（基准测试）"
SYNTHETIC_NOTE = "基准测试合成负载 / synthetic benchmark load, not part of the report"
EVENT_NOTE = "基准测试模拟记录 / simulated by the benchmark"
# The seed's plan year: its periodic commitments have periods from then on.
FIRST_YEAR = 2022
# Share of ended periods whose work was logged; the rest stay open and turn red.
DONE_RATE = 0.92


@dataclasses.dataclass(frozen=True)
class BuildOptions:
    """What to build: where, how many towns, how many years, how much synthetic load."""

    url: str
    towns: int
    years: int
    extra_daily: int
    rebuild: bool
    seed_path: Path = SEED_PATH
    # "bulk" (batched, the default) or "orm" (log_event/set_status one call at a time).
    writer: str = "bulk"

    @property
    def through_year(self) -> int:
        return FIRST_YEAR + self.years - 1


def as_of_for(through_year: int) -> date:
    """The benchmark's as-of date for a ledger built through `through_year` (never future)."""
    return min(date(through_year, *AS_OF_MONTH_DAY), date.today())


def town_slug(index: int) -> str:
    """The report slug of town `index` (1-based): `town-01-2021`."""
    return f"town-{index:02d}-2021"


def synthetic_commitments(seed: Seed, count: int) -> list[SeedCommitment]:
    """`count` daily commitments modelled on 3.2-D, labelled as benchmark load."""
    template = next(c for c in seed.document.commitments if c.code == SYNTHETIC_TEMPLATE)
    data = template.model_dump()
    return [
        SeedCommitment.model_validate(
            {
                **data,
                "code": f"{SYNTHETIC_TEMPLATE}X{n:02d}",
                "title": f"{SYNTHETIC_TITLE}{n:02d}",
                "title_en": f"Village daily screening {n:02d} (benchmark)",
                "description": SYNTHETIC_NOTE,
                "notes": SYNTHETIC_NOTE,
            }
        )
        for n in range(1, count + 1)
    ]


def town_seed(seed: Seed, index: int, extra_daily: int) -> Seed:
    """A copy of `seed` for town `index`: its own slug and town, plus synthetic load."""
    doc = seed.document
    report = doc.report.model_copy(update={"slug": town_slug(index), "town": f"保和镇-{index:02d}"})
    extra = synthetic_commitments(seed, extra_daily)
    offsets = dict(seed.excerpt_offsets)
    start, end = offsets[SYNTHETIC_TEMPLATE]
    for entry in extra:
        # Same excerpt as the template, so the same verbatim span of the report.
        assert seed.text[start:end] == entry.excerpt, entry.code
        offsets[entry.code] = (start, end)
    document = doc.model_copy(update={"report": report, "commitments": [*doc.commitments, *extra]})
    return dataclasses.replace(seed, document=document, excerpt_offsets=offsets)


def _bulk_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Runs after tracker's own pragmas: a benchmark build need not survive a power cut."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def open_engine(url: str) -> Engine:
    """tracker's engine for `url`, with bulk-friendly settings on SQLite."""
    engine = make_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _bulk_pragmas)
    return engine


def existing_reports(engine: Engine) -> int:
    """How many reports the database holds (0 when it has no schema)."""
    if not has_schema(engine):
        return 0
    with new_session(engine) as session:
        return session.exec(select(func.count()).select_from(Report)).one()


def drop_everything(url: str) -> None:
    """Remove a previous build: the SQLite file, or every ledger table on a server."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = make_engine(url)
    import tracker.models  # noqa: F401  (registers the tables)

    SQLModel.metadata.drop_all(engine)
    engine.dispose()


def seed_town(engine: Engine, seed: Seed, through_year: int, calendar: WorkCalendar) -> SeedResult:
    """Write one town's seed in one transaction, exactly as `tracker init` does."""
    with new_session(engine) as session:
        result = apply_seed(
            session=session,
            seed=seed,
            user=USER,
            now=now(),
            through_year=through_year,
            calendar=calendar,
        )
        # As `tracker init` does: whoever seeds a new ledger becomes its admin.
        ensure_first_admin(session=session, name=USER, now=now())
        session.commit()
    return result


@dataclasses.dataclass
class Activity:
    """What the simulated officers did."""

    events: int = 0
    statuses: int = 0

    def add(self, other: Activity) -> None:
        self.events += other.events
        self.statuses += other.statuses


def _workdays(first: date, last: date, calendar: WorkCalendar) -> Iterator[date]:
    day = first
    while day <= last:
        if calendar.is_workday(day):
            yield day
        day += timedelta(days=1)


class Writer(Protocol):
    """Where a town's simulated activity goes: the real services one call at a time
    (`OrmWriter`), or the same rows written in batches (`BulkWriter`)."""

    def log(self, item: Any, day: date, value: float | None) -> None: ...

    def status(self, item: Any, status: Status, effective_on: date) -> None: ...


class OrmWriter:
    """The real code path: `log_event` and `set_status` on ORM rows, one call each."""

    def __init__(self, session: Session, calendar: WorkCalendar, stamp: datetime) -> None:
        self.session = session
        self.calendar = calendar
        self.stamp = stamp

    def log(self, item: Any, day: date, value: float | None) -> None:
        log_event(
            session=self.session,
            item=item,
            day=day,
            note=EVENT_NOTE,
            evidence=[],
            user=USER,
            now=self.stamp,
            calendar=self.calendar,
            value=value,
        )

    def status(self, item: Any, status: Status, effective_on: date) -> None:
        changed = set_status(
            session=self.session,
            item=item,
            status=status,
            note=EVENT_NOTE,
            user=USER,
            now=self.stamp,
            effective_on=effective_on,
        )
        assert changed, item.code


class TownActivity:
    """Simulates one town's officers on the ledger up to the as-of date. Which rows get
    what is decided here alone (seeded random numbers), whichever writer records it."""

    def __init__(
        self, writer: Writer, rng: random.Random, as_of: date, calendar: WorkCalendar
    ) -> None:
        self.writer = writer
        self.rng = rng
        self.as_of = as_of
        self.calendar = calendar
        # Entered by the as-of day the benchmark looks at, so that it sees them.
        self.effective_on = min(as_of, now().date())
        self.done = Activity()

    def log(self, item: Any, day: date, value: float | None = None) -> None:
        self.writer.log(item, day, value)
        self.done.events += 1

    def status(self, item: Any, status: Status) -> None:
        self.writer.status(item, status, self.effective_on)
        self.done.statuses += 1

    def period(self, item: Any) -> None:
        """A recurring period: logged on a working day in it, mostly; current ones half."""
        assert item.period_start is not None and item.period_end is not None
        if item.period_start > self.as_of:
            return
        ended = item.period_end < self.as_of
        if self.rng.random() >= (DONE_RATE if ended else 0.5):
            return
        days = list(_workdays(item.period_start, min(item.period_end, self.as_of), self.calendar))
        if days:
            self.log(item, self.rng.choice(days))

    def quota(self, item: Any) -> None:
        """A yearly quota (lectures): two in past years, usually; one so far this year."""
        assert item.period_start is not None and item.period_end is not None
        if item.period_start > self.as_of:
            return
        ended = item.period_end < self.as_of
        count = 2 if ended and self.rng.random() < 0.85 else 1
        for month in (4, 10)[:count]:
            day = date(item.period_start.year, month, 15)
            if day <= self.as_of:
                self.log(item, day)

    def indicator(self, item: Any, baseline: float | None) -> None:
        """A yearly figure, reported for the years that have ended."""
        assert item.period_end is not None
        if item.period_end < self.as_of and self.rng.random() < DONE_RATE:
            figure = (baseline or 1.0) * self.rng.uniform(0.9, 1.3)
            self.log(item, item.period_end, value=round(figure, 1))

    def dated(self, item: Any) -> None:
        """A one-off, rectification or village item still todo: some progress on most."""
        if item.status != Status.TODO:
            return
        roll = self.rng.random()
        if roll < 0.55:
            self.status(item, Status.DONE)
        elif roll < 0.8:
            self.status(item, Status.IN_PROGRESS)
        elif roll < 0.85:
            self.status(item, Status.BLOCKED)

    def run(self, rows: Sequence[Any]) -> None:
        """Every row of the town, in the ledger's order."""
        baselines = {row.id: row.baseline for row in rows if row.parent_id is None}
        for row in rows:
            if row.period_key is not None:
                if row.kind == Kind.RECURRING:
                    self.period(row)
                elif row.kind == Kind.QUOTA:
                    self.quota(row)
                elif row.kind == Kind.INDICATOR:
                    self.indicator(row, baselines.get(row.parent_id))
            elif row.kind in (Kind.ONE_OFF, Kind.RECTIFICATION, Kind.PER_VILLAGE):
                self.dated(row)


def simulate_town_orm(
    engine: Engine, slug: str, seed_no: int, as_of: date, calendar: WorkCalendar
) -> Activity:
    """The real path: one transaction per town, `log_event`/`set_status` per change."""
    with new_session(engine) as session:
        report = session.exec(select(Report).where(Report.slug == slug)).one()
        rows = session.exec(
            select(Commitment)
            .where(Commitment.report_id == report.id)
            .order_by(col(Commitment.sort_key))
        ).all()
        writer = OrmWriter(session, calendar, now())
        town = TownActivity(writer, random.Random(seed_no), as_of, calendar)
        town.run(rows)
        session.commit()
    return town.done


# --- The batched path -------------------------------------------------------------------
#
# What `log_event` and `set_status` write, replicated row for row (tracker/services/events.py,
# updates.py, and the audit hook, tracker/services/audit.py + audit_changes.py):
#
# * an event: an Event row, a History row of kind "event" (new = the day), the instance's
#   version bumped (`touch`); then `settle_period`: the replayed status (services.asof:
#   an open stated status follows the events counted: target reached -> done, one event on
#   a todo row -> in progress) and, for a quota, its next unmet checkpoint as `due`. A status
#   that moved gets an "auto_status" History row effective on the event's day; any change
#   of status or deadline is one more UPDATE, so one more version.
# * a status: a "status" History row (old -> new, the note, effective on the given day), the
#   row's status, one more version.
# * the audit chain (SQLite: written here exactly as services.audit would at commit, one entry
#   per event, per auto_status / status history row, and a "commitment.edit" for a quota's
#   moved deadline; PostgreSQL: its own triggers write it from the rows, as for any write).
#
# tests/test_build_district.py builds the same tiny district both ways and compares every row.

BATCH = 20_000
COUNTED_KINDS = frozenset({Kind.QUOTA, Kind.RECURRING, Kind.INDICATOR})
OPEN_STATES = frozenset(s for s in Status if not s.closed)


@dataclasses.dataclass
class RowState:
    """An instance's columns as the bulk writer changes them."""

    id: int
    target_name: str  # its audit target, "town-01-2021:3.2-D/2022-01-04"
    kind: Kind
    is_instance: bool
    stated: Status  # the status its seed/status history states (what events build on)
    status: Status
    target: int | None
    due: date | None
    stated_due: date | None
    version: int
    counted: int = 0
    changed: bool = False


def replayed_status(row: RowState) -> Status:
    """services.asof.status_at for today, with every event counting (none voided, none later)."""
    if not (row.is_instance and row.kind in COUNTED_KINDS) or row.stated not in OPEN_STATES:
        return row.stated
    goal = (row.target or 1) if row.kind == Kind.QUOTA else 1
    if row.counted >= goal:
        return Status.DONE
    if row.counted >= 1 and row.stated == Status.TODO:
        return Status.IN_PROGRESS
    return row.stated


class BulkWriter:
    """Collects one town's rows as the real services would write them, then writes each
    table with executemany in batches (the caller's transaction: one per town)."""

    def __init__(
        self,
        conn: Connection,
        slug: str,
        rows: Sequence[Any],
        calendar: WorkCalendar,
        stamp: datetime,
    ) -> None:
        self.conn = conn
        self.calendar = calendar
        self.stamp = stamp
        self.parents = {row.id: row for row in rows if row.parent_id is None}
        self.states: dict[int, RowState] = {}
        self.slug = slug
        self.next_event = _next_id(conn, Event)
        self.next_history = _next_id(conn, History)
        self.events: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        # Audit entries in the order services.audit would chain them: (action, target, detail).
        self.audit: list[tuple[str, str, dict[str, Any]]] = []
        # Each UPDATE the real path makes, in order (PostgreSQL's audit triggers see each).
        self.updates: list[dict[str, Any]] = []

    def _state(self, item: Any) -> RowState:
        state = self.states.get(item.id)
        if state is None:
            state = RowState(
                id=item.id,
                target_name=commitment_target(self.slug, item.code),
                kind=Kind(item.kind),
                is_instance=item.parent_id is not None,
                stated=Status(item.status),
                status=Status(item.status),
                target=item.target,
                due=item.due,
                stated_due=item.stated_due,
                version=item.version,
            )
            self.states[item.id] = state
        return state

    def _history(self, state: RowState, kind: HistoryKind, **values: Any) -> int:
        number = self.next_history
        self.next_history += 1
        row = {"id": number, "commitment_id": state.id, "village_id": None, "kind": kind.value}
        row |= {"old": None, "new": None, "note": "", "changed_by": USER, "changed_at": self.stamp}
        self.history.append(row | values)
        return number

    def _effective(self, detail: dict[str, Any], day: date) -> dict[str, Any]:
        # audit_changes._history: a late entry (补录) says which day it took effect.
        if day != self.stamp.date():
            detail["effective"] = day.isoformat()
        return detail

    def _update(self, state: RowState) -> None:
        state.version += 1
        state.changed = True
        self.updates.append(
            {
                "b_id": state.id,
                "status": state.status.value,
                "due": state.due,
                "stated_due": state.stated_due,
                "version": state.version,
            }
        )

    def log(self, item: Any, day: date, value: float | None) -> None:
        state = self._state(item)
        number = self.next_event
        self.next_event += 1
        self.events.append(
            {
                "id": number,
                "commitment_id": state.id,
                "happened_on": day,
                "note": EVENT_NOTE,
                "value": value,
                "recorded_by": USER,
                "recorded_at": self.stamp,
            }
        )
        detail: dict[str, Any] = {"event": number, "date": day.isoformat(), "note": EVENT_NOTE}
        if value is not None:
            detail["value"] = value
        self.audit.append(("event", state.target_name, detail))
        self._history(
            state, HistoryKind.EVENT, new=day.isoformat(), note=EVENT_NOTE, effective_on=day
        )
        self._update(state)  # touch: the event bumps the row's version
        self._settle(state, item, day)

    def _settle(self, state: RowState, item: Any, day: date) -> None:
        """events.settle_period: the replayed status, and a quota's next checkpoint."""
        if not state.is_instance:
            return
        state.counted += 1
        old_status, old_due, old_stated_due = state.status, state.due, state.stated_due
        if state.kind == Kind.QUOTA:
            parent = self.parents[item.parent_id]
            period = period_from_key(frequency_of(parent), item.period_key)
            deadline = instance_deadline(parent, period, self.calendar, state.counted)
            state.due, state.stated_due = deadline.due, deadline.stated_if_moved
        new_status = replayed_status(state)
        if new_status != old_status:
            state.status = new_status
            history = self._history(
                state,
                HistoryKind.AUTO_STATUS,
                old=old_status.value,
                new=new_status.value,
                effective_on=day,
            )
            detail = {"history": history, "old": old_status.value, "new": new_status.value}
            self.audit.append(("auto_status", state.target_name, self._effective(detail, day)))
        if state.due != old_due:
            changes = {"due": {"old": _iso(old_due), "new": _iso(state.due)}}
            self.audit.append(
                ("commitment.edit", state.target_name, {"commitment": state.id, "changes": changes})
            )
        if (state.status, state.due, state.stated_due) != (old_status, old_due, old_stated_due):
            self._update(state)

    def status(self, item: Any, status: Status, effective_on: date) -> None:
        state = self._state(item)
        old = state.status
        history = self._history(
            state,
            HistoryKind.STATUS,
            old=old.value,
            new=status.value,
            note=EVENT_NOTE,
            effective_on=effective_on,
        )
        detail = {"history": history, "old": old.value, "new": status.value, "note": EVENT_NOTE}
        self.audit.append(("status", state.target_name, self._effective(detail, effective_on)))
        state.status = state.stated = status
        self._update(state)

    def write(self) -> None:
        """Every row collected, table by table, in batches."""
        if not self.events and not self.history:
            return
        _ensure_person(self.conn)
        postgres = self.conn.dialect.name == "postgresql"
        _insert(self.conn, Event, self.events)
        _insert(self.conn, History, self.history)
        if postgres:
            # Each UPDATE as the real path makes it, so the audit triggers see each change.
            rows = self.updates
        else:
            rows = [u for u in self.updates if self._last_update(u)]
        table = cast(Table, Commitment.__table__)
        update = (
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(
                status=bindparam("status"),
                due=bindparam("due"),
                stated_due=bindparam("stated_due"),
                version=bindparam("version"),
            )
        )
        for batch in _batches(rows):
            self.conn.execute(update, batch)
        if postgres:
            for model in (Event, History):
                name = cast(Table, model.__table__).name
                self.conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
        else:
            self._write_audit()

    def _last_update(self, update: dict[str, Any]) -> bool:
        return self.states[update["b_id"]].version == update["version"]

    def _write_audit(self) -> None:
        """services.audit.write_pending for SQLite: the entries chained at commit time."""
        last = self.conn.execute(
            sa_select(col(AuditEntry.id), col(AuditEntry.hash))
            .order_by(col(AuditEntry.id).desc())
            .limit(1)
        ).first()
        next_id, prev_hash = (1, GENESIS) if last is None else (int(last[0]) + 1, last[1])
        at = datetime.now(UTC).replace(microsecond=0)
        rows: list[dict[str, Any]] = []
        for number, (action, target, detail) in enumerate(self.audit, start=next_id):
            text = canonical_json(detail)
            digest = entry_hash(
                prev_hash, id=number, at=at, actor=USER, action=action, target=target, detail=text
            )
            rows.append(
                {
                    "id": number,
                    "at": at,
                    "actor": USER,
                    "action": action,
                    "target": target,
                    "detail": text,
                    "prev_hash": prev_hash,
                    "hash": digest,
                }
            )
            prev_hash = digest
        _insert(self.conn, AuditEntry, rows)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _next_id(conn: Connection, model: Any) -> int:
    table = cast(Table, model.__table__)
    return int(conn.execute(sa_select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _insert(conn: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    table = cast(Table, model.__table__)
    for batch in _batches(rows):
        conn.execute(table.insert(), batch)


def _ensure_person(conn: Connection) -> None:
    """lookup.ensure_person: whoever changes something is a Person."""
    table = cast(Table, Person.__table__)
    found = conn.execute(sa_select(table.c.id).where(table.c.name == USER)).first()
    if found is None:
        conn.execute(table.insert(), [{"name": USER}])


def simulate_town_bulk(
    engine: Engine, slug: str, seed_no: int, as_of: date, calendar: WorkCalendar
) -> Activity:
    """The batched path: the same decisions, the same rows, one executemany per table."""
    table = cast(Table, Commitment.__table__)
    reports = cast(Table, Report.__table__)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # As a session of tracker would: the guards and the audit know who acts.
            actor = text("SELECT set_config('tracker.actor', :actor, true)")
            conn.execute(actor, {"actor": USER})
        report_id = conn.execute(sa_select(reports.c.id).where(reports.c.slug == slug)).scalar_one()
        rows = conn.execute(
            sa_select(table).where(table.c.report_id == report_id).order_by(table.c.sort_key)
        ).all()
        writer = BulkWriter(conn, slug, rows, calendar, now())
        town = TownActivity(writer, random.Random(seed_no), as_of, calendar)
        town.run(rows)
        writer.write()
    return town.done


WRITERS = {"bulk": simulate_town_bulk, "orm": simulate_town_orm}


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per table, and the period and village instances among the commitments."""
    import tracker.models  # noqa: F401  (registers the tables)

    counts: dict[str, int] = {}
    with new_session(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            counts[table.name] = session.exec(select(func.count()).select_from(table)).one()
        for label, condition in (
            ("period instances", col(Commitment.period_key).is_not(None)),
            ("village instances", col(Commitment.village_id).is_not(None)),
            ("open commitments+instances", col(Commitment.status).in_(["todo", "in_progress"])),
        ):
            query = select(func.count()).select_from(Commitment).where(condition)
            counts[label] = session.exec(query).one()
    return counts


def print_counts(counts: dict[str, int]) -> None:
    """The table counts, then the total number of rows."""
    tables = {k: v for k, v in counts.items() if " " not in k}
    for name, value in counts.items():
        print(f"  {name:<28} {value:>9,}")
    print(f"  {'total rows (all tables)':<28} {sum(tables.values()):>9,}")


def finish(engine: Engine, url: str) -> None:
    """Leave the database as it would settle: SQLite's write-ahead log folded into the file;
    on PostgreSQL, the dead row versions of the status updates vacuumed and statistics
    gathered, which autovacuum would do by itself a little later. (SQLite gets no ANALYZE:
    the app never runs it, so the planner works without statistics there.)"""
    if url.startswith("sqlite"):
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def build(options: BuildOptions) -> None:
    """Seed every town, then simulate its activity; print timings and counts."""
    base = load_seed_file(options.seed_path)
    assert base.document.report.plan_year == FIRST_YEAR, "periods would not start in 2022"
    calendar = WorkCalendar()
    as_of = as_of_for(options.through_year)
    engine = open_engine(options.url)
    create_schema(engine)
    started = time.perf_counter()
    instances = 0
    for index in range(1, options.towns + 1):
        result = seed_town(
            engine, town_seed(base, index, options.extra_daily), options.through_year, calendar
        )
        instances += result.instances
    seeded = time.perf_counter()
    print(f"seeded {options.towns} towns, {instances:,} instances in {seeded - started:.1f} s")
    total = Activity()
    simulate = WRITERS[options.writer]
    for index in range(1, options.towns + 1):
        total.add(simulate(engine, town_slug(index), index, as_of, calendar))
    finish(engine, options.url)
    print(
        f"activity as of {as_of}: {total.events:,} events, {total.statuses:,} status changes "
        f"in {time.perf_counter() - seeded:.1f} s ({options.writer} writer)"
    )
    print_counts(table_counts(engine))
    engine.dispose()


# Named sizes: (towns, years, extra daily commitments per town) -> period instances.
# "smoke" is for the tests (seconds); the others are the 10k / 100k / 1M.
SCALES: dict[str, tuple[int, int, int]] = {
    "smoke": (1, 5, 0),
    "10k": (2, 5, 3),
    "100k": (20, 5, 3),
    "1m": (20, 5, 39),
}


def parse_args(argv: list[str] | None = None) -> BuildOptions:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(DEFAULT_DB), help="SQLite path or database URL")
    parser.add_argument(
        "--scale",
        choices=sorted(SCALES),
        help="a named size (towns, years, extra daily); the three options below override it",
    )
    parser.add_argument("--towns", type=int)
    parser.add_argument("--years", type=int, help=f"years of periods from {FIRST_YEAR}")
    parser.add_argument(
        "--extra-daily",
        type=int,
        help="synthetic daily commitments per town (benchmark load)",
    )
    parser.add_argument(
        "--writer",
        choices=sorted(WRITERS),
        default="bulk",
        help="bulk: batched executemany (default); orm: log_event/set_status per change",
    )
    parser.add_argument("--smoke", action="store_true", help="the same as --scale smoke")
    parser.add_argument("--rebuild", action="store_true", help="drop an existing build first")
    args = parser.parse_args(argv)
    towns, years, extra = SCALES["smoke" if args.smoke else (args.scale or "100k")]
    return BuildOptions(
        url=database_url(args.db),
        towns=towns if args.towns is None else args.towns,
        years=years if args.years is None else args.years,
        extra_daily=extra if args.extra_daily is None else args.extra_daily,
        rebuild=args.rebuild,
        writer=args.writer,
    )


def smoke_database(directory: Path) -> str:
    """A smoke-scale district (one town, seconds to build) in `directory`, built once: what
    every benchmark's `--smoke` runs on when it is given no `--db`."""
    path = directory / "district-smoke.db"
    if not path.exists():
        towns, years, extra = SCALES["smoke"]
        options = BuildOptions(database_url(str(path)), towns, years, extra, rebuild=False)
        with contextlib.redirect_stdout(io.StringIO()):
            build(options)
    return str(path)


def main(argv: list[str] | None = None) -> None:
    """Build, or reuse, the district database."""
    options = parse_args(argv)
    if options.rebuild:
        drop_everything(options.url)
    engine = open_engine(options.url)
    reports = existing_reports(engine)
    if reports:
        print(f"{options.url}: already built ({reports} reports); --rebuild to start over")
        print_counts(table_counts(engine))
        engine.dispose()
        return
    engine.dispose()
    build(options)


if __name__ == "__main__":
    main()
