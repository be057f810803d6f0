"""Running the real `tracker` console script, warm (through a server) or in-process, and
finding and stopping the servers a test started."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

TRACKER = str(Path(sys.executable).parent / "tracker")


@contextmanager
def runtime_dir() -> Iterator[Path]:
    """A private XDG_RUNTIME_DIR (short: a socket path must fit in ~100 bytes); every
    server started under it is stopped at the end."""
    folder = Path(tempfile.mkdtemp(prefix="tw-", dir="/tmp"))
    try:
        yield folder
    finally:
        for pid in server_pids(folder):
            stop(pid)
        shutil.rmtree(folder, ignore_errors=True)


def environment(folder: Path, **overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env["XDG_RUNTIME_DIR"] = str(folder)
    env.pop("TRACKER_SERVER", None)
    env.update(overrides)
    return env


def run(
    args: list[str], env: dict[str, str], *, warm: bool, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    """`tracker ARGS` as a fresh process: warm requires the server (TRACKER_SERVER=on),
    otherwise it runs in-process (TRACKER_SERVER=off)."""
    env = {**env, "TRACKER_SERVER": "on" if warm else "off"}
    return subprocess.run(
        [TRACKER, *args], env=env, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def start(
    args: list[str],
    env: dict[str, str],
    *,
    warm: bool,
    ignore: Sequence[signal.Signals] = (),
) -> subprocess.Popen[bytes]:
    """`tracker ARGS` started and left running (its output in pipes), with Ctrl+C's signal
    as in an officer's terminal: a process inherits an ignored SIGINT, and Python then
    leaves it ignored, so a test run that ignores it (as the parallel runner's workers may)
    would otherwise start a command that Ctrl+C cannot stop. The signals of `ignore` are
    ignored by the command, as `nohup` ignores the hang-up."""
    env = {**env, "TRACKER_SERVER": "on" if warm else "off"}

    def signals() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        for signum in ignore:
            signal.signal(signum, signal.SIG_IGN)

    return subprocess.Popen(
        [TRACKER, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=signals,
    )


def server_pids(folder: Path) -> list[int]:
    """The servers whose socket is under `folder` (from their command lines); not the
    processes forked from them (ledger processes, commands), which show the same line."""
    found = _processes_of(folder)
    return [pid for pid in found if _parent(pid) not in found]


def ledger_pids(server: int) -> list[int]:
    """The warm ledger processes of `server` (tracker.warm.ledger): the children of the
    server that are themselves forking commands or waiting for them."""
    return [pid for pid in children_of(server) if _ledger_line_logged(server, pid)]


def _ledger_line_logged(server: int, pid: int) -> bool:
    """A ledger process writes "ledger PID: …" to its server's log when it is ready."""
    for log in _logs_of(server):
        if f"ledger {pid}:" in log:
            return True
    return False


def spares_logged(server: int) -> list[int]:
    """The spares the ledger processes of `server` have forked and warmed up, in order: a
    spare writes "spare PID: warmed up …" to the server's log when it waits for a command."""
    return [
        int(line.split()[1].rstrip(":"))
        for log in _logs_of(server)
        for line in log.splitlines()
        if line.startswith("spare ")
    ]


def _logs_of(server: int) -> list[str]:
    try:
        cmdline = Path(f"/proc/{server}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []
    socket_file = cmdline[cmdline.index(b"--socket") + 1].decode()
    try:
        return [Path(f"{socket_file}.log").read_text()]
    except OSError:
        return []


def _processes_of(folder: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"tracker.warm.server" in cmdline and any(
            part.startswith(str(folder).encode()) for part in cmdline
        ):
            found.append(int(entry.name))
    return found


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return bool(condition())  # type: ignore[operator]


def stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    wait_until(lambda: not alive(pid), 5)


def opened_elsewhere(path: Path) -> bool:
    """Whether a process other than this one has `path` open (from /proc/*/fd)."""
    target = str(path)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            links = [os.readlink(fd) for fd in (entry / "fd").iterdir()]
        except OSError:
            continue
        if target in links:
            return True
    return False
