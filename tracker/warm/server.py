"""The warm server: imports the command line once, then forks a child per command.

Started by the client (`python -m tracker.warm.server --socket PATH --ready-fd N`) in a
session of its own. It holds no database connection and no state between commands: each
child reads its settings, opens its database and runs as a fresh process would, only
without the start-up. A fork gives every command a clean copy of the warmed-up process, so
nothing one command sets (the language, the as-of day, a cached engine) reaches the next.

It stops after TRACKER_SERVER_IDLE_MINUTES without a command, when a client brings newer
code (see protocol.code_fingerprint), and when its socket file is removed.
"""

from __future__ import annotations

import argparse
import fcntl
import gc
import io
import json
import os
import select
import signal
import socket
import struct
import sys
import threading
import time
from pathlib import Path
from typing import Any, NoReturn

from tracker.warm import protocol


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tracker.warm.server")
    parser.add_argument("--socket", required=True, type=Path)
    parser.add_argument("--ready-fd", type=int, default=None)
    options = parser.parse_args(argv)
    lock = _take_lock(options.socket)
    if lock is None:
        return  # another server for this socket is starting or running
    command = _warm_up()
    fingerprint = protocol.code_fingerprint()
    listener = _listen(options.socket)
    if options.ready_fd is not None:
        os.write(options.ready_fd, b"1")
        os.close(options.ready_fd)
    # What the children share with the server is never written again: keep the collector
    # from touching it, so the pages stay shared after each fork.
    gc.freeze()
    Server(listener, options.socket, command, fingerprint, lock).serve()


def _take_lock(path: Path) -> int | None:
    """An exclusive lock beside the socket, held for the server's life."""
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _warm_up() -> Any:
    """Import what the commands use and build the click command once."""
    import typer.main

    # Modules that commands import when they run: importing them here moves their cost out
    # of every command that needs them.
    import tracker.cli.render  # noqa: F401
    import tracker.printouts.make  # noqa: F401
    import tracker.services.dashboard  # noqa: F401
    import tracker.services.export_text  # noqa: F401
    import tracker.services.listing  # noqa: F401
    import tracker.services.overdue  # noqa: F401
    import tracker.tui.app  # noqa: F401  (bare `tracker` in a terminal opens the app)
    from tracker.cli import app

    _first_use()
    return typer.main.get_command(app)


def _first_use() -> None:
    """Pay here what a command's first query and first table would pay in every child:
    SQLAlchemy's mapper set-up and Rich's first layout."""
    import rich.console
    import rich.table
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    table = rich.table.Table("编号", "事项", title="台账")
    table.add_row("5.5a", "每年至少2次法治专题讲座")
    rich.console.Console(file=io.StringIO(), width=100, color_system="truecolor").print(table)


def _listen(path: Path) -> socket.socket:
    # Under the lock, a socket file left at this path belongs to a server that is gone.
    path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)  # the socket is created 0600: only its user can connect
    try:
        listener.bind(str(path))
    finally:
        os.umask(old_mask)
    listener.listen(16)
    return listener


class Server:
    def __init__(
        self, listener: socket.socket, path: Path, command: Any, fingerprint: str, lock: int
    ) -> None:
        self.listener = listener
        self.lock = lock
        self.path = path
        self.command = command
        self.fingerprint = fingerprint
        self.identity = path.stat().st_ino
        self.children: dict[int, socket.socket] = {}
        # Set when a client brought other code: no new commands, and the server ends once
        # the commands it is running have ended (their clients still get their status).
        self.retiring = False
        self.idle = protocol.idle_seconds(os.environ)
        self.last_active = time.monotonic()
        self.wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        os.set_blocking(self.wake_read, False)
        signal.set_wakeup_fd(wake_write)
        # A handler (not SIG_DFL) so that a child's end wakes the select below.
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: self._stop())
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def serve(self) -> NoReturn:
        listening = self.listener.fileno()
        while True:
            self._reap()
            if not self.children and (self.retiring or not self._still_wanted()):
                self._stop()
            timeout = 5.0 if self.children else max(self.idle / 4, 1.0)
            watched = [self.wake_read] if self.retiring else [listening, self.wake_read]
            try:
                readable, _, _ = select.select(watched, [], [], timeout)
            except InterruptedError:
                continue
            if self.wake_read in readable:
                _drain(self.wake_read)
            if listening in readable and not self.retiring:
                self._accept()

    def _still_wanted(self) -> bool:
        """Not idle too long, and the socket file is still ours (not removed or replaced)."""
        if time.monotonic() - self.last_active > self.idle:
            return False
        try:
            return self.path.stat().st_ino == self.identity
        except OSError:
            return False

    def _accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        self.last_active = time.monotonic()
        try:
            request, fds = _receive_request(conn)
        except (OSError, ValueError):
            conn.close()
            return
        pid = -1
        try:
            if not _same_user(conn) or request.get("protocol") != protocol.PROTOCOL:
                return
            if request.get("fingerprint") != self.fingerprint:
                # Newer (or older) code than ours: step aside so the client starts its own.
                self._retire()
                conn.sendall(protocol.STALE_REPLY)
                return
            pid = os.fork()
            if pid == 0:
                _become_command(self, conn, request, fds)
            conn.sendall(protocol.ACCEPTED + protocol.PID.pack(pid))
        except OSError:
            pass
        finally:
            if pid != 0:  # the server's copies; the child has made them its 0, 1 and 2
                for fd in fds:
                    os.close(fd)
                if pid < 0:
                    conn.close()
        if pid > 0:
            self.children[pid] = conn

    def _retire(self) -> None:
        """Take no more commands: the socket goes (a new server may take its name at once)."""
        self.retiring = True
        if self.path.exists() and self.path.stat().st_ino == self.identity:
            self.path.unlink(missing_ok=True)
        self.listener.close()
        os.close(self.lock)  # the next server takes the lock while this one finishes

    def _reap(self) -> None:
        while self.children:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is None:
                continue
            if os.WIFSIGNALED(wait_status):
                status = -os.WTERMSIG(wait_status)
            else:
                status = os.waitstatus_to_exitcode(wait_status)
            try:
                conn.sendall(protocol.STATUS.pack(status))
            except OSError:
                pass
            conn.close()
            self.last_active = time.monotonic()

    def _stop(self) -> NoReturn:
        try:
            if self.path.stat().st_ino == self.identity:
                self.path.unlink()
        except OSError:
            pass
        os._exit(0)


def _receive_request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    conn.settimeout(protocol.REQUEST_TIMEOUT)
    data, fds, _flags, _address = socket.recv_fds(conn, protocol.HEADER.size, 3)
    if len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise ValueError("a request carries three descriptors")
    data += protocol.receive_exactly(conn, protocol.HEADER.size - len(data))
    (length,) = protocol.HEADER.unpack(data)
    payload = protocol.receive_exactly(conn, length)
    conn.settimeout(None)
    request = json.loads(payload.decode("utf-8", "surrogateescape"))
    if not isinstance(request, dict):
        raise ValueError("a request is a JSON object")
    return request, fds


def _same_user(conn: socket.socket) -> bool:
    """The peer runs as this server's user (the socket's mode already says so; belt and
    braces where the system tells, as Linux does)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    credentials = conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return bool(uid == os.getuid())


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _become_command(
    server: Server, conn: socket.socket, request: dict[str, Any], fds: list[int]
) -> NoReturn:
    """In the forked child: take the client's streams, folder and environment, and run."""
    status = 1
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        server.listener.close()
        # The lock too: a command left running (the app, for hours) must not keep the next
        # server from starting once this one has gone.
        os.close(server.lock)
        os.close(server.wake_read)
        for other in server.children.values():
            other.close()
        for target, fd in zip((0, 1, 2), fds, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.umask(int(request["umask"]))
        os.environ.clear()
        os.environ.update(request["env"])
        _replace_streams(request["streams"])
        sys.argv = ["tracker", *request["argv"]]
        threading.Thread(target=_hang_up_without_client, args=(conn,), daemon=True).start()
        status = _run(server.command, request["argv"])
    finally:
        if status < 0:  # ended by a signal, as an interpreter interrupted by Ctrl+C is
            signal.signal(-status, signal.SIG_DFL)
            os.kill(os.getpid(), -status)
        os._exit(status & 0xFF)


def _replace_streams(setups: list[dict[str, Any] | None]) -> None:
    """New sys.stdin/stdout/stderr on descriptors 0–2, set up as the client's were (its
    encoding, its buffering): the server's own were /dev/null."""
    streams: list[io.TextIOWrapper | None] = []
    for fd, setup in zip((0, 1, 2), setups, strict=True):
        if setup is None:
            streams.append(None)
            continue
        mode = "rb" if fd == 0 else "wb"
        raw = open(fd, mode, buffering=-1, closefd=False)  # noqa: SIM115 (lives as long as the process)
        streams.append(
            io.TextIOWrapper(
                raw,
                encoding=setup["encoding"],
                errors=setup["errors"],
                line_buffering=setup["line_buffering"],
                write_through=setup["write_through"],
            )
        )
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams  # type: ignore[misc]


def _hang_up_without_client(conn: socket.socket) -> None:
    """The client never writes after its request: the socket ends only when it is gone
    (killed, say), and then the command is hung up as one whose terminal closed."""
    try:
        while conn.recv(64):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGHUP)


def _run(command: Any, args: list[str]) -> int:
    """Run the command line as `tracker.cli.main` would, and return its exit code."""
    import typer.main

    sys.excepthook = typer.main.except_hook
    try:
        command.main(args=args, prog_name="tracker")
    except SystemExit as done:
        return _exit_code(done.code)
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
        return -signal.SIGINT
    except BaseException:
        sys.excepthook(*sys.exc_info())
        return 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
    return 0


def _exit_code(code: object) -> int:
    """SystemExit's code as the interpreter turns it into a status."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
