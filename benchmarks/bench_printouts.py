"""Time every printout in every format over the whole district database.

For each kind (summary, ledger, notice) and format (txt, md, html, docx, xlsx, pdf): the
wall time of `python -m tracker report ... --out FILE` as a fresh process (median of N), its
peak RSS and CPU time, and the size of the file. Then, in this process, where the time goes:
gathering the data once per kind, and rendering it once per format.

    python benchmarks/build_district.py          # once
    python benchmarks/bench_printouts.py         # SQLite, benchmarks/out/district.db
    python benchmarks/bench_printouts.py --db postgresql+psycopg://postgres@127.0.0.1/tracker_bench
    python benchmarks/bench_printouts.py --smoke  # seconds: one town, N=1, children print txt only
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench_cli import Sample, child_env, describe, run_once, through_year
from build_district import DEFAULT_DB, as_of_for, smoke_database

from tracker.db import database_url, make_engine, new_session
from tracker.errors import TrackerError
from tracker.printouts.assembly import LedgerData, NoticeData, PrintKind, Printout, Scope
from tracker.printouts.make import PrintFormat, gather, render
from tracker.printouts.pdf import find_font
from tracker.schedule import WorkCalendar
from tracker.services.deadlines import Deadlines

TARGET_S = 5.0


@dataclass(frozen=True)
class Timing:
    kind: PrintKind
    fmt: PrintFormat
    samples: list[Sample]
    size: int  # bytes of the file written


def rows_of(data: Printout) -> str:
    """What the printout holds, in its own terms."""
    if isinstance(data, LedgerData):
        folded = sum(row.folded for row in data.rows if row.folded > 1)
        stands = sum(max(row.folded, 1) for row in data.rows)
        return f"{len(data.rows):,} rows ({folded:,} past periods folded; {stands:,} in all)"
    if isinstance(data, NoticeData):
        entries = sum(len(n.group.entries) for n in data.notices)
        late = sum(n.group.red + n.group.yellow for n in data.notices)
        return f"{len(data.notices)} notices, {entries:,} entries for {late:,} late items"
    late = sum(g.red + g.yellow for g in data.overdue)
    return f"{len(data.sections)} sections, {len(data.quotas)} quotas, {late:,} late items"


def has_font(font: Path | None) -> bool:
    """Whether a PDF can be made here (a machine without a Chinese font cannot)."""
    try:
        find_font(font)
    except TrackerError:
        return False
    return True


def in_process(url: str, deadlines: Deadlines, font: Path | None) -> None:
    """Gather once per kind and render once per format, timed apart."""
    engine = make_engine(url)
    print("in this process (s): gather, then render per format")
    header = ["kind", "gather"] + [fmt.value for fmt in PrintFormat] + ["holds"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for kind in PrintKind:
        started = time.perf_counter()
        with new_session(engine) as session:
            data = gather(
                session=session,
                kind=kind,
                scope=Scope(),
                deadlines=deadlines,
                user="bench",
                now=datetime.now(),
            )
        gathered = time.perf_counter() - started
        cells = [kind.value, f"{gathered:.2f}"]
        for fmt in PrintFormat:
            if fmt is PrintFormat.PDF and not has_font(font):
                cells.append("no CJK font")
                continue
            started = time.perf_counter()
            render(data, fmt, font)
            cells.append(f"{time.perf_counter() - started:.2f}")
        cells.append(rows_of(data))
        print("| " + " | ".join(cells) + " |")
    engine.dispose()
    print()


def as_child(
    db: str,
    as_of: str,
    repeats: int,
    font: Path | None,
    workdir: Path,
    formats: list[PrintFormat],
) -> list[Timing]:
    """Each kind and format as `tracker report --out`, a fresh process each time."""
    env = child_env(workdir)
    base = [sys.executable, "-m", "tracker", "--db", db, "--as-of", as_of, "report"]
    timings: list[Timing] = []
    for kind in PrintKind:
        for fmt in formats:
            out = workdir / f"{kind.value}.{fmt.value}"
            argv = [*base, "--kind", kind.value, "--format", fmt.value, "--out", str(out)]
            if fmt is PrintFormat.PDF and not has_font(font):
                print(f"  {kind.value:8} pdf   skipped: no CJK font on this machine")
                continue
            if font is not None and fmt is PrintFormat.PDF:
                argv += ["--font", str(font)]
            samples = [run_once(argv, env) for _ in range(repeats)]
            timings.append(Timing(kind, fmt, samples, out.stat().st_size))
            median = statistics.median(sample.wall for sample in samples)
            print(f"  {kind.value:8} {fmt.value:5} {median:.2f} s")
    return timings


def print_table(timings: list[Timing], repeats: int) -> None:
    print()
    print(f"`tracker report --out FILE` as a fresh process, N={repeats}; target {TARGET_S:g} s")
    print("| kind | format | median s | max s | CPU s | peak RSS MiB | file KiB | ok |")
    print("|---|---|--:|--:|--:|--:|--:|:-:|")
    for timing in timings:
        walls = [s.wall for s in timing.samples]
        median = statistics.median(walls)
        print(
            f"| {timing.kind.value} | {timing.fmt.value} | {median:.2f} | {max(walls):.2f} "
            f"| {statistics.median(s.cpu for s in timing.samples):.2f} "
            f"| {max(s.peak_rss for s in timing.samples) / 2**20:.0f} "
            f"| {timing.size / 1024:,.0f} | {'yes' if median < TARGET_S else 'NO'} |"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help=f"SQLite path or database URL (default: {DEFAULT_DB})")
    parser.add_argument("-n", "--repeats", type=int, default=3)
    parser.add_argument("--font", type=Path, help="a CJK font for the PDF (else one is found)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="check that the benchmark runs: N=1, each kind as a child in txt only (every "
        "format still rendered in this process), a one-town ledger unless --db is given",
    )
    args = parser.parse_args(argv)
    formats = list(PrintFormat)
    with tempfile.TemporaryDirectory() as scratch:
        if args.smoke:
            args.repeats, formats = 1, [PrintFormat.TXT]
            args.db = args.db or smoke_database(Path(scratch))
        run(args.db or str(DEFAULT_DB), args.repeats, args.font, formats)


def run(db: str, repeats: int, font: Path | None, formats: list[PrintFormat]) -> None:
    """The children's table, then the in-process one."""
    url = database_url(db)
    engine = make_engine(url)
    as_of = as_of_for(through_year(engine))
    describe(engine, url, as_of)
    engine.dispose()
    # Children first: a child's peak RSS starts from this process's size when it is forked,
    # so the in-process part, which holds whole printouts, must come after.
    with tempfile.TemporaryDirectory() as workdir:
        timings = as_child(db, as_of.isoformat(), repeats, font, Path(workdir), formats)
    print_table(timings, repeats)
    print()
    in_process(url, Deadlines(as_of=as_of, calendar=WorkCalendar()), font)


if __name__ == "__main__":
    main()
