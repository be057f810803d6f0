"""`tracker serve` under load: N officers in N browser sessions at once (headless Chromium,
Playwright), each signing in with their own account and logging lectures for a while; then
every logged lecture is looked for in the ledger (nothing lost), and the first screen's
time and each session's memory are reported (issue 16: 10 sessions for a minute).

    python benchmarks/bench_serve.py                      # 10 sessions, 60 s, a seeded ledger
    python benchmarks/bench_serve.py --sessions 20 --seconds 120
    python benchmarks/bench_serve.py --smoke              # 2 sessions, 10 s

Each session is a process of its own (the app, started by the server for the browser tab);
its memory is read from /proc while all of them run: RSS, and PSS (shared pages divided
among the processes that share them, so PSS adds up to what the machine really gives).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

CHROMIUM = os.environ.get("TRACKER_TEST_BROWSER", "/usr/bin/chromium")
ADMIN = "基准测试"
PASSWORD = "负载测试密码2026"
NOTE = "负载测试讲座"
DIALOG = "记录事件 · "  # the log dialog's title (the history's lines say 记录事件 too)
# The sessions' items, taken in turn: this year's lecture and study quotas, of 镇党委.
ITEMS = ["5.5a/2026", "5.5b/2026"]


@dataclass
class Session:
    name: str
    item: str  # the quota this officer logs lectures on
    first_screen: float | None = None
    logged: int = 0
    retried: int = 0  # notes typed into the wrong field, cancelled
    errors: list[str] = field(default_factory=list)


class TerminalView:
    """The page's terminal, rebuilt from the websocket's frames (pyte)."""

    def __init__(self) -> None:
        import pyte

        self.screen = pyte.Screen(120, 40)
        self.stream = pyte.ByteStream(self.screen)

    def attach(self, websocket: object) -> None:
        query = parse_qs(urlsplit(websocket.url).query)  # type: ignore[attr-defined]
        self.screen.resize(int(query["height"][0]), int(query["width"][0]))
        websocket.on("framereceived", self._received)  # type: ignore[attr-defined]

    def _received(self, frame: bytes | str) -> None:
        if isinstance(frame, bytes):
            self.stream.feed(frame)

    def text(self) -> str:
        return "\n".join(self.screen.display)


async def until(page: object, view: TerminalView, wanted: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while wanted not in view.text():
        if time.monotonic() > deadline:
            shown = "\n".join(line.rstrip() for line in view.text().splitlines() if line.strip())
            raise TimeoutError(f"{wanted!r} never shown; the page shows:\n{shown}")
        await page.wait_for_timeout(50)  # type: ignore[attr-defined]


async def gone(page: object, view: TerminalView, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text in view.text():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{text!r} still shown")
        await page.wait_for_timeout(50)  # type: ignore[attr-defined]


async def log_lecture(page: object, view: TerminalView, note: str) -> bool:
    """`l`, the note typed in its field, saved: True once the dialog has closed (the app
    closes it only when the event is written). The terminal's page sends a key at once but
    typed text a moment later, so keys pressed without a person's pauses may overtake
    text typed before them: each step waits for the screen, and a note that landed in the
    wrong field is cancelled (False) rather than saved."""
    keyboard = page.keyboard  # type: ignore[attr-defined]
    await keyboard.press("l")
    await until(page, view, DIALOG)
    await page.wait_for_timeout(300)  # type: ignore[attr-defined]
    await keyboard.press("Tab")
    await page.wait_for_timeout(300)  # type: ignore[attr-defined]
    await keyboard.type(note)
    try:
        await until(page, view, f"说明      ▊  {note}", timeout=10)
    except TimeoutError:
        await keyboard.press("Escape")
        await gone(page, view, DIALOG)
        return False
    await keyboard.press("Control+s")
    await gone(page, view, DIALOG)
    return True


async def find(page: object, view: TerminalView, code: str) -> None:
    """Search the list for `code` until its row shows (a search typed while the screen was
    still changing is cleared and typed again, at most three times)."""
    keyboard = page.keyboard  # type: ignore[attr-defined]
    for attempt in range(3):
        await keyboard.press("/")
        await page.wait_for_timeout(300)  # type: ignore[attr-defined]
        await keyboard.press("Control+a")
        await keyboard.press("Control+k")
        await keyboard.type(code)
        try:
            await until(page, view, f" {code} ", timeout=10)
            return
        except TimeoutError:
            if attempt == 2:
                raise


async def officer(
    browser: object, base: str, session: Session, stop_at: float, delay: float
) -> None:
    """Sign in (after `delay` seconds: officers do not all arrive at the same second), open
    their item, and log a lecture every few seconds until `stop_at`."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    page = await context.new_page()
    view = TerminalView()
    page.on("websocket", view.attach)
    try:
        await page.goto(base + "/signin")
        await page.fill("#name", session.name)
        await page.fill("#password", PASSWORD)
        started = time.monotonic()
        await page.click("#submit")
        await until(page, view, "各部分进度")
        session.first_screen = time.monotonic() - started
        await page.click("#terminal")
        await page.keyboard.press("i")
        await until(page, view, " 1.1a ")
        await find(page, view, session.item)
        await page.wait_for_timeout(500)
        await page.keyboard.press("Enter")
        await page.wait_for_timeout(300)
        await page.keyboard.press("Enter")
        await until(page, view, "事件记录（")
        while time.monotonic() < stop_at:
            note = f"{NOTE} {session.name} #{session.logged + 1}"
            if await log_lecture(page, view, note):
                session.logged += 1
            else:
                session.retried += 1
            await page.wait_for_timeout(2000)  # an officer reads before the next
    except Exception as exc:  # reported, not raised: the other sessions go on
        session.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await context.close()


def memory_of(root: int, folder: Path) -> list[tuple[int, int, int]]:
    """(pid, RSS KiB, PSS KiB) of the serve process `root`, everything it started, and the
    warm background process whose socket is under `folder` with its forks (where the apps
    run when it is used)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            cmdline = (entry / "cmdline").read_bytes()
            ours = pid == root or _descends(pid, root) or str(folder).encode() in cmdline
            if not ours:
                continue
            lines = (entry / "smaps_rollup").read_text().splitlines()[1:]
        except OSError:
            continue
        kib = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in lines)}
        found.append((pid, kib["Rss"], kib["Pss"]))
    return found


def _descends(pid: int, root: int) -> bool:
    while pid > 1:
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
        if pid == root:
            return True
    return False


def tracker(db: Path, *args: str, stdin: str | None = None) -> None:
    env = dict(os.environ, TRACKER_SERVER="off", TRACKER_USER=ADMIN)
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", str(db), *args],
        input=stdin, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"tracker {' '.join(args)}: {done.stderr.strip()}")


def prepare(db: Path, sessions: int) -> list[str]:
    """A seeded ledger with `sessions` officers of 镇党委, each with the password."""
    if not db.exists():
        tracker(db, "init")
    names = [f"负载{n:02d}" for n in range(1, sessions + 1)]
    for name in names:
        tracker(db, "users", "add", name, "--role", "officer", "--unit", "镇党委")
        tracker(db, "users", "passwd", name, stdin=PASSWORD + "\n")
    return names


def count_logged(db: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT recorded_by, count(*) FROM event WHERE note LIKE ? GROUP BY recorded_by",
            (f"{NOTE}%",),
        ).fetchall()
    return {name: count for name, count in rows}


async def load(
    base: str, names: list[str], seconds: float, serve_pid: int, folder: Path
) -> tuple[list[Session], list[tuple[int, int, int]]]:
    from playwright.async_api import async_playwright

    sessions = [Session(name, ITEMS[i % len(ITEMS)]) for i, name in enumerate(names)]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        stop_at = time.monotonic() + seconds
        tasks = [
            asyncio.create_task(officer(browser, base, s, stop_at + i, delay=i))
            for i, s in enumerate(sessions)
        ]
        peak: list[tuple[int, int, int]] = []
        while not all(task.done() for task in tasks):
            await asyncio.sleep(2)
            sample = memory_of(serve_pid, folder)
            if sum(p for _, _, p in sample) > sum(p for _, _, p in peak):
                peak = sample
        await asyncio.gather(*tasks)
        await browser.close()
    return sessions, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--db", type=Path, help="a SQLite ledger to copy (default: a new one)")
    parser.add_argument("--smoke", action="store_true", help="2 sessions, 10 s")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="each app in a process of its own (TRACKER_SERVER=off), not forked warm",
    )
    args = parser.parse_args()
    if args.smoke:
        args.sessions, args.seconds = 2, 10
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    folder = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    try:
        db = folder / "tracker.db"
        if args.db:
            shutil.copy(args.db, db)
        names = prepare(db, args.sessions)
        port = _free_port()
        run = folder / "run"  # the warm background process of this run alone
        run.mkdir(mode=0o700)
        env = dict(os.environ, TRACKER_USER=ADMIN, XDG_RUNTIME_DIR=str(run))
        env["TRACKER_SERVER"] = "off" if args.cold else "auto"
        serve = subprocess.Popen(
            [sys.executable, "-m", "tracker", "--db", str(db), "serve", "--sign-in",
             "--port", str(port), "--max-sessions", str(args.sessions)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_listening(port)
            started = time.monotonic()
            sessions, peak = asyncio.run(
                load(f"http://127.0.0.1:{port}", names, args.seconds, serve.pid, run)
            )
            elapsed = time.monotonic() - started
        finally:
            serve.terminate()
            serve.wait(timeout=60)
            _stop_warm(run)
        print("apps: " + ("each in its own process" if args.cold else "forked warm"))
        report(sessions, peak, count_logged(db), elapsed, os.getloadavg())
        if any(s.errors for s in sessions) or any(
            count_logged(db).get(s.name, 0) != s.logged for s in sessions
        ):
            raise SystemExit(1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(
    sessions: list[Session],
    peak: list[tuple[int, int, int]],
    in_ledger: dict[str, int],
    elapsed: float,
    load_average: tuple[float, float, float],
) -> None:
    firsts = [s.first_screen for s in sessions if s.first_screen is not None]
    logged = sum(s.logged for s in sessions)
    found = sum(in_ledger.get(s.name, 0) for s in sessions)
    rss = [r / 1024 for _, r, _ in peak]
    pss = [p / 1024 for _, _, p in peak]
    count = max(len(sessions), 1)
    print(f"{len(sessions)} sessions for {elapsed:.0f} s, load average {load_average[0]:.1f}")
    print("| measure | value |")
    print("|---|--:|")
    if firsts:
        print(f"| first screen after sign-in, median | {statistics.median(firsts):.2f} s |")
        print(f"| first screen after sign-in, slowest | {max(firsts):.2f} s |")
    print(f"| lectures logged (acknowledged on screen) | {logged} |")
    print(f"| of them found in the ledger | {found} |")
    retried = sum(s.retried for s in sessions)
    print(f"| notes the browser typed into the wrong field, cancelled | {retried} |")
    if rss:
        print(f"| processes at the peak (server, apps, helpers) | {len(rss)} |")
        print(f"| PSS of them all at the peak | {sum(pss):.0f} MiB |")
        print(f"| PSS per session (all / sessions) | {sum(pss) / count:.0f} MiB |")
        print(f"| RSS of the largest process | {max(rss):.0f} MiB |")
    for session in sessions:
        for error in session.errors:
            print(f"{session.name}: {error}")
    for session in sessions:
        if in_ledger.get(session.name, 0) != session.logged:
            kept = in_ledger.get(session.name, 0)
            print(f"{session.name}: {session.logged} acknowledged, {kept} in the ledger")
    clean = found == logged and logged and not any(s.errors for s in sessions)
    print("OK: nothing lost" if clean else "FAILED: see above")


def _stop_warm(run: Path) -> None:
    """Stop the warm background process this run started (its socket is under `run`)."""
    import signal

    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(run).encode() in (entry / "cmdline").read_bytes():
                    os.kill(int(entry.name), signal.SIGTERM)
            except OSError:
                continue


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("tracker serve did not start")


if __name__ == "__main__":
    main()
