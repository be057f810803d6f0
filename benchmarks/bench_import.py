"""Time `tracker import` on a report of 10,000 characters (the issue's target: under 2 s).

The report is the shipped 保和镇 report with parts added (its first five parts again, as
八、九、…) until it is 10,000 characters long. Timed twice: the import in this process
(reading, structure, drafting, writing and loading the draft back), and
`python -m tracker import` as a fresh process, which is what an officer waits for; and the
same process against a ledger holding the 2021 report, as the town's report of 2022
(`--year 2022`), so that every draft is compared with the ledger's 66 commitments
(tracker.importing.linking).

    python benchmarks/bench_import.py            # -n 5 --chars 10000
    python benchmarks/bench_import.py --smoke    # n=1: checks that it runs (CI)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tracker.importing.run import Overrides, import_report
from tracker.services.report_text import parse_sections

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "seed_data" / "baohe-2021-report.txt"
CN = "一二三四五六七八九十"


def long_report(chars: int) -> str:
    """The shipped report with parts repeated after its seventh until it has `chars`."""
    text = REPORT.read_text(encoding="utf-8")
    sections = parse_sections(text)
    body_end = sections[-1].end
    head, tail = text[:body_end], text[body_end:]
    extra: list[str] = []
    number = len(sections)
    while len(head) + sum(map(len, extra)) + len(tail) < chars:
        source = sections[(number - len(sections)) % 5]
        number += 1
        numeral = CN[number - 1] if number <= 10 else "十" + CN[number - 11]
        part = text[source.start : source.end].split("、", 1)[1]
        extra.append(f"\n\n{numeral}、{part}")
    return head + "".join(extra) + tail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=5, help="runs of each (median shown)")
    parser.add_argument("--chars", type=int, default=10_000)
    parser.add_argument("--smoke", action="store_true", help="check that it runs: n=1")
    args = parser.parse_args()
    if args.smoke:
        args.n = 1
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        report = base / "long-2021.txt"
        report.write_text(long_report(args.chars), encoding="utf-8")
        size = len(report.read_text(encoding="utf-8"))
        ledger = base / "ledger.db"
        seeded = [sys.executable, "-m", "tracker", "--db", str(ledger), "init"]
        subprocess.run(seeded, check=True, capture_output=True)
        inner: list[float] = []
        outer: list[float] = []
        linked: list[float] = []
        drafts = 0
        for run in range(args.n):
            out = base / f"in-{run}"
            out.mkdir()
            started = time.perf_counter()
            done = import_report(report, out, Overrides())
            inner.append(time.perf_counter() - started)
            drafts = done.drafts
            out = base / f"cli-{run}"
            out.mkdir()
            started = time.perf_counter()
            command = [sys.executable, "-m", "tracker", "import", str(report), "--out", str(out)]
            subprocess.run(command, check=True, capture_output=True)
            outer.append(time.perf_counter() - started)
            out = base / f"linked-{run}"
            out.mkdir()
            started = time.perf_counter()
            against = [*command[:3], "--db", str(ledger), *command[3:-2], "--out", str(out)]
            subprocess.run([*against, "--year", "2022"], check=True, capture_output=True)
            linked.append(time.perf_counter() - started)
    print(f"report: {size} characters, {drafts} drafts")
    print(f"import in this process:    median {statistics.median(inner):.3f} s (n={args.n})")
    print(f"`tracker import` process:  median {statistics.median(outer):.3f} s (n={args.n})")
    print(f"  against a 2021 ledger:   median {statistics.median(linked):.3f} s (n={args.n})")
    verdict = "OK" if max(statistics.median(outer), statistics.median(linked)) < 2 else "OVER"
    print(f"target: under 2 s per import of a 10,000-character report: {verdict}")


if __name__ == "__main__":
    main()
