"""The app's first screen as an officer sees it: `tracker` typed in a real terminal (a
pseudo-terminal), timed until the overview shows its data, cold (every library imported
by the command, TRACKER_SERVER=off) and warm (handed to the background process).

    python benchmarks/bench_first_screen.py --db /work/bench-data/district-1m.db \\
        --report town-01-2021 --as-of 2026-11-26 -n 5
    python benchmarks/bench_first_screen.py --smoke       # a seeded ledger of its own, N=1

Target (issue 15): the first screen in ≤ 1.0 s at every scale.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

TRACKER = str(Path(sys.executable).parent / "tracker")
# The overview's first line of figures: "亮灯  ● 红 23 项 …" once its data is read.
DATA_SHOWN = re.compile(r"红\s*[\d,]+\s*项")
ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-_])")


def first_screen(args: list[str], env: dict[str, str], timeout: float = 60.0) -> float:
    """Seconds from starting `tracker ARGS` in a 100×30 terminal to the overview's data."""
    main_fd, terminal_fd = pty.openpty()
    fcntl.ioctl(terminal_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        [TRACKER, *args],
        env=env,
        stdin=terminal_fd,
        stdout=terminal_fd,
        stderr=terminal_fd,
        start_new_session=True,
    )
    os.close(terminal_fd)
    seen = bytearray()
    shown_at = None
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([main_fd], [], [], 0.5)
            if not ready:
                continue
            try:
                seen += os.read(main_fd, 65536)
            except OSError:
                break
            text = ESCAPES.sub(b"", bytes(seen)).decode("utf-8", "replace")
            if DATA_SHOWN.search(text):
                shown_at = time.perf_counter() - started
                break
        os.write(main_fd, b"q")
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    finally:
        os.close(main_fd)
    if shown_at is None:
        raise RuntimeError(f"the overview did not appear: {bytes(seen[-400:])!r}")
    return shown_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="a ledger (path or URL); default: a seeded one of its own")
    parser.add_argument("--report", help="the officer's own town (a report slug)")
    parser.add_argument("--as-of", help="the day to view, e.g. 2026-11-26")
    parser.add_argument("-n", type=int, default=5, help="runs of each (median is given)")
    parser.add_argument("--smoke", action="store_true", help="seconds: own seeded ledger, N=1")
    options = parser.parse_args()
    n = 1 if options.smoke else options.n
    with tempfile.TemporaryDirectory(prefix="bfs-", dir="/tmp") as scratch:
        env = dict(os.environ, TERM="xterm-256color", XDG_RUNTIME_DIR=scratch)
        env.pop("TRACKER_SERVER", None)
        db = options.db
        if db is None:
            db = os.path.join(scratch, "tracker.db")
            subprocess.run(
                [TRACKER, "--db", db, "init"], env={**env, "TRACKER_SERVER": "off"}, check=True,
                capture_output=True,
            )  # fmt: skip
        args = ["--db", db]
        if options.report:
            args += ["--report", options.report]
        if options.as_of:
            args += ["--as-of", options.as_of]
        print(f"ledger: {db}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("| start | median ms | min ms | max ms | runs | ≤ 1000 ms |")
        print("|---|--:|--:|--:|--:|:-:|")
        # Warm: the background process is started (and left) by a first command.
        subprocess.run(
            [TRACKER, *args, "list", "--limit", "1"], env={**env, "TRACKER_SERVER": "on"},
            check=True, capture_output=True,
        )  # fmt: skip
        try:
            for name, switch in (("cold (in-process)", "off"), ("warm (background)", "on")):
                times = [
                    first_screen(args, {**env, "TRACKER_SERVER": switch}) * 1000 for _ in range(n)
                ]
                median = statistics.median(times)
                print(
                    f"| {name} | {median:.0f} | {min(times):.0f} | {max(times):.0f} | {n} "
                    f"| {'yes' if median <= 1000 else 'no'} |"
                )
        finally:
            _stop_servers(scratch)


def _stop_servers(folder: str) -> None:
    """The background processes whose socket is under `folder` (this run's own)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"tracker.warm.server" in cmdline and folder.encode() in cmdline:
            os.kill(int(entry.name), signal.SIGTERM)


if __name__ == "__main__":
    main()
