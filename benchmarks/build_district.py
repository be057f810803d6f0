"""Build a district-scale ledger for the benchmarks: many towns, five years of periods.

Every town is a copy of the 2021 seed with its own report slug (`town-01-2021`) and town
name (`保和镇-01`), written by the real services (`load_seed_file` + `apply_seed`), so the
rows are exactly what the app makes. One seed yields only ~1.7k period instances per town,
so each town also gets a few clearly labelled synthetic daily commitments
("村级日排查（基准测试）NN", code `3.2-DXnn`) that reuse the verbatim excerpt of 3.2-D; they
go through the same seeding code path. Then some activity is recorded through the update
services (`log_event`, `set_status`), so most past periods are done and a realistic share
is late, rather than everything being 'todo'.

    python benchmarks/build_district.py                  # SQLite, benchmarks/out/district.db
    python benchmarks/build_district.py --db postgresql+psycopg://postgres@127.0.0.1/tracker_bench

An existing database is reused unless `--rebuild` is given.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from tracker.db import database_url, make_engine, new_session
from tracker.models import Commitment, Kind, Report, Status
from tracker.schedule import WorkCalendar
from tracker.schema import create_schema, has_schema
from tracker.services.accounts import ensure_first_admin
from tracker.services.events import log_event
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


class TownActivity:
    """Simulates one town's officers on the ledger up to the as-of date."""

    def __init__(
        self, session: Session, rng: random.Random, as_of: date, calendar: WorkCalendar
    ) -> None:
        self.session = session
        self.rng = rng
        self.as_of = as_of
        self.calendar = calendar
        self.stamp = now()
        self.done = Activity()

    def log(self, item: Commitment, day: date, value: float | None = None) -> None:
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
        self.done.events += 1

    def status(self, item: Commitment, status: Status) -> None:
        if set_status(
            session=self.session,
            item=item,
            status=status,
            note=EVENT_NOTE,
            user=USER,
            now=self.stamp,
            # Entered by the as-of day the benchmark looks at, so that it sees them.
            effective_on=min(self.as_of, self.stamp.date()),
        ):
            self.done.statuses += 1

    def period(self, item: Commitment) -> None:
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

    def quota(self, item: Commitment) -> None:
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

    def indicator(self, item: Commitment, baseline: float | None) -> None:
        """A yearly figure, reported for the years that have ended."""
        assert item.period_end is not None
        if item.period_end < self.as_of and self.rng.random() < DONE_RATE:
            figure = (baseline or 1.0) * self.rng.uniform(0.9, 1.3)
            self.log(item, item.period_end, value=round(figure, 1))

    def dated(self, item: Commitment) -> None:
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


def simulate_town(
    engine: Engine, slug: str, seed_no: int, as_of: date, calendar: WorkCalendar
) -> Activity:
    """Record one town's activity in one transaction; returns what was done."""
    with new_session(engine) as session:
        report = session.exec(select(Report).where(Report.slug == slug)).one()
        rows = session.exec(
            select(Commitment)
            .where(Commitment.report_id == report.id)
            .order_by(col(Commitment.sort_key))
        ).all()
        baselines = {row.id: row.baseline for row in rows if row.parent_id is None}
        town = TownActivity(session, random.Random(seed_no), as_of, calendar)
        for row in rows:
            _simulate_row(town, row, baselines)
        session.commit()
    return town.done


def _simulate_row(
    town: TownActivity, row: Commitment, baselines: dict[int | None, float | None]
) -> None:
    if row.period_key is not None:
        if row.kind == Kind.RECURRING:
            town.period(row)
        elif row.kind == Kind.QUOTA:
            town.quota(row)
        elif row.kind == Kind.INDICATOR:
            town.indicator(row, baselines.get(row.parent_id))
    elif row.kind in (Kind.ONE_OFF, Kind.RECTIFICATION, Kind.PER_VILLAGE):
        town.dated(row)


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
    for index in range(1, options.towns + 1):
        total.add(simulate_town(engine, town_slug(index), index, as_of, calendar))
    finish(engine, options.url)
    print(
        f"activity as of {as_of}: {total.events:,} events, {total.statuses:,} status changes "
        f"in {time.perf_counter() - seeded:.1f} s"
    )
    print_counts(table_counts(engine))
    engine.dispose()


def parse_args(argv: list[str] | None = None) -> BuildOptions:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(DEFAULT_DB), help="SQLite path or database URL")
    parser.add_argument("--towns", type=int, default=20)
    parser.add_argument("--years", type=int, default=5, help=f"years of periods from {FIRST_YEAR}")
    parser.add_argument(
        "--extra-daily",
        type=int,
        default=3,
        help="synthetic daily commitments per town (benchmark load)",
    )
    parser.add_argument("--rebuild", action="store_true", help="drop an existing build first")
    args = parser.parse_args(argv)
    return BuildOptions(
        url=database_url(args.db),
        towns=args.towns,
        years=args.years,
        extra_daily=args.extra_daily,
        rebuild=args.rebuild,
    )


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
