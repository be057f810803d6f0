"""The `tracker` console script: hands the command line to a warm server, or runs it here.

Standard library only, and little of it: this module is imported on every command. Any
doubt — no safe folder for the socket, a server that cannot start, a reply that makes no
sense — and the command runs in this process exactly as it would without a server, so the
server can only ever save time. TRACKER_SERVER=off always runs here.
"""

from __future__ import annotations

import _socket
import os
import signal
import sys

from tracker import __version__
from tracker.warm import protocol

# Annotations only: typing costs ~4 ms to import, on every command (mypy reads this as True).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

# The signals an officer's terminal sends to the foreground process (this one), passed on to
# the command: Ctrl+C and Ctrl+\ stop it, a closed terminal hangs it up, a resized window
# redraws the app. (Ctrl+Z is handled apart: see _forward_signals.)
_FORWARDED = ("SIGINT", "SIGQUIT", "SIGTERM", "SIGHUP", "SIGWINCH", "SIGUSR1", "SIGUSR2")
# How long a server gets to import everything and say it is ready.
_START_TIMEOUT = 20.0


def main() -> NoReturn:
    """Entry point of the `tracker` console script."""
    try:
        _main()
    except KeyboardInterrupt:
        # Ctrl+C before the command began (Python importing the command line, the server
        # starting): one line, as an interrupted command ends, not a traceback.
        sys.stderr.write(_CANCELLED[_language()] + "\n")
        sys.exit(1)


def _main() -> NoReturn:
    args = sys.argv[1:]
    if args == ["--version"]:
        # Nothing to read and nothing to import: the answer is in this package.
        print(f"tracker {__version__}")
        sys.exit(0)
    if protocol.enabled(os.environ):
        status = _run_warm(args)
        if status is not None:
            _exit_like(status)
    if protocol.required(os.environ):
        sys.stderr.write(_NO_SERVER[_language()] + "\n")
        sys.exit(1)
    _run_here()


def _run_here() -> NoReturn:
    from tracker.cli import main as run_in_process

    run_in_process()
    sys.exit(0)


def _run_warm(args: list[str]) -> int | None:
    """The command's wait status from a server, or None to run it here instead."""
    folder = protocol.runtime_dir()
    if folder is None or not _streams_open():
        return None
    request = {
        "protocol": protocol.PROTOCOL,
        "fingerprint": protocol.code_fingerprint(),
        "argv": args,
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "umask": _current_umask(),
        "streams": [
            protocol.stream_setup(stream) for stream in (sys.stdin, sys.stdout, sys.stderr)
        ],
    }
    # Whatever this process buffered must be out before the command writes to the same
    # descriptors.
    sys.stdout.flush()
    sys.stderr.flush()
    path = protocol.socket_path(folder, os.environ)
    return run_on_server(path, request, (0, 1, 2), forward_signals=True)


def run_on_server(
    path: str, request: dict[str, object], fds: tuple[int, int, int], *, forward_signals: bool
) -> int | None:
    """Run `request` on the server at `path` (started if need be) with `fds` as the
    command's stdin, stdout and stderr: its wait status, or None if it did not start (then
    nothing ran, and running it elsewhere is safe)."""
    for _attempt in range(3):
        conn = _connect(path) or _start_server(path)
        if conn is None:
            return None
        try:
            status = _send_and_wait(conn, request, fds, forward_signals)
        finally:
            conn.close()
        if status != protocol.STALE:
            return status
        # The server ran older code and has stepped aside: start one with this code.
    return None


def _streams_open() -> bool:
    """Descriptors 0–2 are all open (a command started with one closed runs here)."""
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)
    except OSError:
        return False
    return True


def _connect(path: str) -> _socket.socket | None:
    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None
    return conn


def _start_server(path: str) -> _socket.socket | None:
    """Start a server for `path` and connect to it once it is ready; None if it cannot.

    The server writes one byte to a pipe when it listens, so the client waits exactly as
    long as the start-up takes. If another client started one at the same moment, this
    one's server steps aside and the pipe closes: the other's socket is then tried.
    """
    import subprocess

    ready_read, ready_write = os.pipe()
    # The server's own errors (it has no terminal) go beside its socket, for whoever looks.
    log = os.open(f"{path}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        subprocess.Popen(
            [
                sys.executable,
                # Not the current folder first on the path: one holding a `tracker` (a
                # checkout of it, say) would start that code, which is not this client's,
                # and the server would step aside at every command.
                "-P",
                "-m",
                "tracker.warm.server",
                "--socket",
                path,
                "--ready-fd",
                str(ready_write),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            pass_fds=(ready_write,),
            start_new_session=True,  # not in the officer's terminal: Ctrl+C is not for it
            close_fds=True,
        )
    except OSError:
        os.close(ready_read)
        return None
    finally:
        os.close(ready_write)
        os.close(log)
    try:
        import select

        readable, _, _ = select.select([ready_read], [], [], _START_TIMEOUT)
        if readable:
            os.read(ready_read, 1)
    finally:
        os.close(ready_read)
    return _connect(path)


def _send_and_wait(
    conn: _socket.socket,
    request: dict[str, object],
    fds: tuple[int, int, int],
    forward_signals: bool,
) -> int | None:
    payload = protocol.encoded_request(request)
    try:
        protocol.send_with_descriptors(conn, protocol.HEADER.pack(len(payload)), list(fds))
        conn.sendall(payload)
        answer = protocol.receive_exactly(conn, 1)
    except OSError:
        return None  # nothing was started
    if answer == protocol.STALE_REPLY:
        return protocol.STALE
    if answer != protocol.ACCEPTED:
        return None  # refused before anything ran: safe to run here
    try:
        (pid,) = protocol.PID.unpack(protocol.receive_exactly(conn, protocol.PID.size))
    except (OSError, ValueError):
        pid = 0
    previous = _forward_signals(pid) if forward_signals and pid > 0 else {}
    try:
        reply = protocol.receive_exactly(conn, protocol.STATUS.size)
    except OSError:
        reply = b""
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
    if len(reply) != protocol.STATUS.size:
        # The command began and its server went away: running it again here could do
        # twice what it did once, so say so instead.
        os.write(fds[2], (_LOST_SERVER[_language()] + "\n").encode("utf-8", "replace"))
        return 1
    (status,) = protocol.STATUS.unpack(reply)
    return int(status)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _forward_signals(pid: int) -> dict[int, object]:
    """Pass each signal this process receives to the command's process `pid`. Ctrl+Z stops
    the command, then this process, so the shell's `fg` resumes both."""

    def forward(signum: int, _frame: object) -> None:
        _signal_quietly(pid, signum)

    def stop(signum: int, _frame: object) -> None:
        _signal_quietly(pid, signal.SIGTSTP)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stops here until the shell continues us
        signal.signal(signal.SIGTSTP, stop)
        _signal_quietly(pid, signal.SIGCONT)

    previous: dict[int, object] = {}
    for name in _FORWARDED:
        signum = getattr(signal, name, None)
        # A signal this process ignores (`nohup`'s hang-up, a background job's Ctrl+C) is
        # not passed on: in-process, the command would not have seen it either.
        if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, forward)
    previous[signal.SIGTSTP] = signal.signal(signal.SIGTSTP, stop)
    return previous


def _signal_quietly(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError:
        pass  # the command has just ended


def _exit_like(status: int) -> NoReturn:
    """Exit as the command did: with its code, or killed by the same signal."""
    if status >= 0:
        os._exit(status)
    signum = -status
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)


# The client imports no catalog (tracker.i18n is for the command), so its messages are here.
_LOST_SERVER = {
    "zh": "错误：后台进程意外退出，命令可能未完成。请查看结果后重试；"
    "设置 TRACKER_SERVER=off 可不用后台进程。",
    "en": "error: the background process stopped unexpectedly; the command may not have "
    "finished. Check its result and try again (TRACKER_SERVER=off runs without it).",
}


# tracker.i18n's "aborted", which an interrupted command prints.
_CANCELLED = {"zh": "已取消", "en": "Cancelled"}


_NO_SERVER = {
    "zh": "错误：无法使用后台进程（TRACKER_SERVER=on），命令未执行。",
    "en": "error: no background process could be used (TRACKER_SERVER=on); nothing was run.",
}


def _language() -> str:
    """The language the command was asked in (--lang, else TRACKER_LANG), for that message."""
    chosen = os.environ.get("TRACKER_LANG", "")
    args = sys.argv[1:]
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args):
            chosen = args[index + 1]
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
    return "en" if chosen.strip().lower().startswith("en") else "zh"
