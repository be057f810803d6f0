"""The warm server: imports the command line once, then forks a child per command.

Started by the client (`python -m tracker.warm.server --socket PATH --ready-fd N`) in a
session of its own. It holds no database connection and no state between commands: each
child reads its settings, opens its database and runs as a fresh process would, only
without the start-up. A fork gives every command a clean copy of the warmed-up process, so
nothing one command sets (the language, the as-of day, a cached engine) reaches the next.

After a command on a ledger, the server forks a process for that ledger (LedgerServer,
tracker.warm.ledger), which rehearses read-only commands on it and keeps the engine with the
SQL they compiled; the server hands it each later command on that ledger (the client's
connection and streams, over a socket pair), and it forks the command from itself. It
holds no connection either when it forks, and ends when the server lets it go or ends.
It keeps one such fork ready in advance (a spare, warmed up by a read-only command), so a
command need not wait for the fork nor pay for the pages it copies on its first writes.

It stops after TRACKER_SERVER_IDLE_MINUTES without a command, when a client brings newer
code (see protocol.code_fingerprint), and when its socket file is removed.
"""

from __future__ import annotations

import argparse
import fcntl
import gc
import importlib
import io
import os
import select
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, Protocol

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
        # An officer works on one ledger, a tester on a few: each warm ledger process is a
        # copy-on-write fork of the server, with ~45 MiB of its own (a town's ledger).
        self.max_ledgers = protocol.ledger_processes(os.environ)
        self.last_active = time.monotonic()
        self.wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        os.set_blocking(self.wake_read, False)
        signal.set_wakeup_fd(wake_write)
        # A handler (not SIG_DFL) so that a child's end wakes the select below.
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: self._stop())
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        # The warm process of each ledger recently used (tracker.warm.ledger), by URL, and
        # the ledger each running command opens, to start one when the command has ended.
        self.ledgers: dict[str, LedgerProcess] = {}
        self.opening: dict[int, tuple[str, dict[str, Any]]] = {}

    def close_inherited(self) -> None:
        """In a forked process: let go of what is the server's alone."""
        self.listener.close()
        # The lock too: a command left running (the app, for hours) must not keep the next
        # server from starting once this one has gone.
        if not self.retiring:
            os.close(self.lock)
        os.close(self.wake_read)
        for other in self.children.values():
            other.close()
        for ledger in self.ledgers.values():
            ledger.channel.close()

    def serve(self) -> NoReturn:
        listening = self.listener.fileno()
        while True:
            self._reap()
            if not self.children and (self.retiring or not self._still_wanted()):
                self._stop()
            timeout = 5.0 if self.children else max(self.idle / 4, 1.0)
            watched = [self.wake_read] if self.retiring else [listening, self.wake_read]
            starting = {p.channel.fileno(): p for p in self.ledgers.values() if not p.ready}
            try:
                readable, _, _ = select.select([*watched, *starting], [], [], timeout)
            except InterruptedError:
                continue
            if self.wake_read in readable:
                _drain(self.wake_read)
            for fd in readable:
                if fd in starting:
                    self._hear_from(starting[fd])
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
            request, payload, fds = _receive_request(conn)
        except (OSError, ValueError):
            conn.close()
            return
        pid = -1
        url: str | None = None
        try:
            if not _same_user(conn) or request.get("protocol") != protocol.PROTOCOL:
                return
            if request.get("fingerprint") != self.fingerprint:
                # Newer (or older) code than ours: step aside so the client starts its own.
                self._retire()
                conn.sendall(protocol.STALE_REPLY)
                return
            url = self._ledger_of(request)
            ledger = self.ledgers.get(url) if url is not None else None
            if (
                ledger is not None
                and ledger.ready
                and len(payload) <= MAX_HANDED_OVER
                and self._hand_over(ledger, conn, payload, fds)
            ):
                return  # the ledger's process answers the client from here on
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
            if url is not None and url not in self.ledgers and self.max_ledgers > 0:
                self.opening[pid] = (url, request)

    def _ledger_of(self, request: dict[str, Any]) -> str | None:
        from tracker.warm.ledger import ledger_url

        try:
            argv, env, cwd = request["argv"], request["env"], request["cwd"]
            return ledger_url(self.command, list(argv), dict(env), str(cwd))
        except Exception:  # whatever the request holds, the command still runs, unwarmed
            return None

    def _hand_over(
        self, ledger: LedgerProcess, conn: socket.socket, payload: bytes, fds: list[int]
    ) -> bool:
        """Pass the client's connection, its streams and its request to the ledger's
        process; False if that process is gone (the server then runs the command)."""
        try:
            socket.send_fds(ledger.channel, [payload], [conn.fileno(), *fds])
        except OSError:
            self._forget(ledger)
            return False
        ledger.last_used = time.monotonic()
        conn.close()
        return True

    def _start_ledger(self, url: str, request: dict[str, Any]) -> None:
        """Fork the warm process of the ledger at `url`, which rehearses on it, then says it
        is ready (tracker.warm.ledger). The least recently used one beyond the most kept goes."""
        while len(self.ledgers) >= self.max_ledgers:
            self._forget(min(self.ledgers.values(), key=lambda ledger: ledger.last_used))
        forked = _fork_with_channel(lambda theirs: _become_ledger(self, theirs, url, request))
        if forked is not None:
            pid, ours = forked
            self.ledgers[url] = LedgerProcess(url=url, pid=pid, channel=ours)

    def _hear_from(self, ledger: LedgerProcess) -> None:
        """A starting ledger process says it is ready, or it has ended (its socket's end)."""
        if _said(ledger.channel) == LEDGER_READY:
            ledger.ready = True
        else:
            self._forget(ledger)

    def _forget(self, ledger: LedgerProcess) -> None:
        """Close the ledger process's socket: it finishes its commands, then ends."""
        if self.ledgers.get(ledger.url) is ledger:
            del self.ledgers[ledger.url]
        ledger.channel.close()

    def _retire(self) -> None:
        """Take no more commands: the socket goes (a new server may take its name at once)."""
        self.retiring = True
        if self.path.exists() and self.path.stat().st_ino == self.identity:
            self.path.unlink(missing_ok=True)
        self.listener.close()
        os.close(self.lock)  # the next server takes the lock while this one finishes
        for ledger in list(self.ledgers.values()):
            self._forget(ledger)
        self.opening.clear()

    def _reap(self) -> None:
        for pid in _reap(self.children):
            self.last_active = time.monotonic()
            url, request = self.opening.pop(pid, (None, None))
            if url is not None and request is not None and not self.retiring:
                if url not in self.ledgers:
                    self._start_ledger(url, request)
            for ledger in list(self.ledgers.values()):
                if ledger.pid == pid:
                    self._forget(ledger)

    def _stop(self) -> NoReturn:
        try:
            if self.path.stat().st_ino == self.identity:
                self.path.unlink()
        except OSError:
            pass
        os._exit(0)


def _fork_with_channel(
    become: Callable[[socket.socket], NoReturn],
) -> tuple[int, socket.socket] | None:
    """Fork a process that runs `become` with its end of a new socket pair: its process id
    and this process's end, or None if it could not be forked."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        pid = os.fork()
    except OSError:
        ours.close()
        theirs.close()
        return None
    if pid == 0:
        ours.close()
        become(theirs)
    theirs.close()
    return pid, ours


def _said(channel: socket.socket) -> bytes:
    """What a forked process said on its channel; nothing if it has ended."""
    try:
        return channel.recv(16)
    except OSError:
        return b""


# What a ledger's process sends when it has rehearsed and takes commands.
LEDGER_READY = b"R"
# The largest request a ledger's process is handed (the request's JSON, environment
# included), well within a socket's buffer: a larger one runs in a child of the server.
MAX_HANDED_OVER = 64 * 1024


@dataclass
class LedgerProcess:
    """The server's side of a ledger's warm process."""

    url: str
    pid: int
    channel: socket.socket  # SOCK_SEQPACKET: one message per command handed over
    ready: bool = False
    last_used: float = field(default_factory=time.monotonic)


class LedgerServer:
    """A ledger's warm process: forked from the server, it rehearses on the ledger, then
    forks each command the server hands over and answers that command's client itself.

    It keeps a spare: a process forked ahead of the next command, which has already run one
    read-only command (`warm_up`) and waits. A fresh fork pays for every page of the
    process it writes to, its copy made at the first write (~4,000 pages, half the time of
    `show` on a town's ledger); the spare has paid before the officer asks. The command
    handed to it runs as one forked at that moment would, and a new spare is forked."""

    def __init__(
        self, channel: socket.socket, command: Any, warm_up: list[str] | None, log: int
    ) -> None:
        self.channel = channel
        self.command = command
        self.warm_up = warm_up
        self.log = log
        self.children: dict[int, socket.socket] = {}
        self.spare: Spare | None = None
        self.closing = False  # the server is gone or let this process go
        self.wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        os.set_blocking(self.wake_read, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def close_inherited(self) -> None:
        self.channel.close()
        os.close(self.wake_read)
        os.close(self.log)
        for other in self.children.values():
            other.close()
        if self.spare is not None:
            self.spare.channel.close()

    def serve(self) -> NoReturn:
        self.channel.sendall(LEDGER_READY)
        self._fork_spare()
        while True:
            ended = _reap(self.children)
            if self.spare is not None and self.spare.pid in ended:
                self._drop_spare(failed=True)
            if self.closing and not self.children:
                os._exit(0)  # a spare sees its socket close, and ends
            channel = self.channel.fileno()
            watched = [self.wake_read] if self.closing else [self.wake_read, channel]
            warming = self.spare if self.spare is not None and not self.spare.ready else None
            if warming is not None:
                watched.append(warming.channel.fileno())
            try:
                readable, _, _ = select.select(watched, [], [], 5.0)
            except InterruptedError:
                continue
            if self.wake_read in readable:
                _drain(self.wake_read)
            if warming is not None and warming.channel.fileno() in readable:
                self._hear_from_spare(warming)
            if channel in readable and not self.closing:
                self._take()

    def _take(self) -> None:
        try:
            payload, fds, _flags, _address = socket.recv_fds(self.channel, MAX_HANDED_OVER, 4)
        except OSError:
            payload, fds = b"", []
        if not payload or len(fds) != 4:
            for fd in fds:
                os.close(fd)
            self.closing = True
            if self.spare is not None:
                self._drop_spare(failed=False)
            return
        conn = socket.socket(fileno=fds[0])
        streams = fds[1:]
        pid = -1
        try:
            request = _parsed(payload)
            pid = self._hand_to_spare(payload, fds)
            if pid < 0:
                pid = os.fork()
                if pid == 0:
                    _become_command(self, conn, request, streams)
            conn.sendall(protocol.ACCEPTED + protocol.PID.pack(pid))
        except (OSError, ValueError):
            pass
        finally:
            if pid != 0:
                for fd in streams:
                    os.close(fd)
                if pid < 0:
                    conn.close()
        if pid > 0:
            self.children[pid] = conn
        if self.spare is None:
            self._fork_spare()

    def _fork_spare(self) -> None:
        """Fork a spare that warms up, then says it is ready (SPARE_READY)."""
        warm_up = self.warm_up
        if warm_up is None or self.closing:
            return
        forked = _fork_with_channel(lambda theirs: _become_spare(self, theirs, warm_up))
        if forked is not None:
            pid, ours = forked
            self.spare = Spare(pid=pid, channel=ours)

    def _hear_from_spare(self, spare: Spare) -> None:
        if _said(spare.channel) == SPARE_READY:
            spare.ready = True
        else:
            self._drop_spare(failed=True)

    def _hand_to_spare(self, payload: bytes, fds: list[int]) -> int:
        """Hand the command to the ready spare: its process id, or -1 if there is none (the
        command is then forked as it comes)."""
        spare = self.spare
        if spare is None or not spare.ready:
            return -1
        self.spare = None
        try:
            socket.send_fds(spare.channel, [payload], fds)
        except OSError:
            return -1
        finally:
            spare.channel.close()
        return spare.pid

    def _drop_spare(self, *, failed: bool) -> None:
        """Let the spare go (its socket closes, and it ends). One that failed to warm up
        means no more spares: the next would fail the same way, at every command."""
        if self.spare is not None:
            self.spare.channel.close()
            self.spare = None
        if failed:
            self.warm_up = None


# What a spare sends when it has warmed up and waits for a command.
SPARE_READY = b"S"
# A spare says it is ready in the server's log, one line per command, until the log is
# this long (a script's thousands of commands must not fill the officer's disk).
SPARES_LOGGED_UP_TO = 1024 * 1024


@dataclass
class Spare:
    """A ledger process's side of its spare."""

    pid: int
    channel: socket.socket  # SOCK_SEQPACKET: the one command handed over, with its streams
    ready: bool = False


class _Forked:
    """The owner of a command run by a spare: what the spare inherited is closed already."""

    def __init__(self, command: Any) -> None:
        self.command = command

    def close_inherited(self) -> None:
        pass


def _become_spare(owner: LedgerServer, channel: socket.socket, warm_up: list[str]) -> NoReturn:
    """In the forked spare: run `warm_up` with no terminal and every connection refusing
    writes, say so, wait for a command and become it; end when the ledger's process lets
    go of this one (its socket closes)."""
    try:
        _default_signals()
        started = time.monotonic()
        log = os.dup(owner.log)
        owner.close_inherited()
        from tracker import db

        with db.refusing_writes():
            _run(owner.command, warm_up)
        engine = db.kept_engine()
        if engine is not None:
            engine.dispose()  # the command opens its own connections, which may write
        elapsed = time.monotonic() - started
        if os.fstat(log).st_size < SPARES_LOGGED_UP_TO:
            os.write(log, f"spare {os.getpid()}: warmed up in {elapsed:.2f} s\n".encode())
        os.close(log)
        channel.sendall(SPARE_READY)
        try:
            payload, fds, _flags, _address = socket.recv_fds(channel, MAX_HANDED_OVER, 4)
        except OSError:
            payload, fds = b"", []
        channel.close()
        if not payload or len(fds) != 4:
            os._exit(0)
        conn = socket.socket(fileno=fds[0])
        _become_command(_Forked(owner.command), conn, _parsed(payload), fds[1:])
    finally:
        os._exit(1)


def _become_ledger(
    server: Server, channel: socket.socket, url: str, request: dict[str, Any]
) -> NoReturn:
    """In the forked process: rehearse on the ledger at `url` in the client's folder and
    environment (its PostgreSQL password, say), with no terminal; then serve."""
    try:
        _default_signals()
        server.close_inherited()
        null = os.open(os.devnull, os.O_RDWR)
        log = os.dup(2)
        for target in (0, 1, 2):
            os.dup2(null, target)
        os.close(null)
        _take_place(request)
        null_streams = {"encoding": "utf-8", "errors": "replace"}
        _replace_streams([{**null_streams, "line_buffering": False, "write_through": False}] * 3)
        from tracker.warm.ledger import global_prefix, rehearse

        started = time.monotonic()
        prefix = global_prefix(server.command, list(request["argv"]))
        rehearsal = rehearse(server.command, prefix, url, _run)
        elapsed = time.monotonic() - started
        os.write(
            log,
            f"ledger {os.getpid()}: {rehearsal.count} rehearsed in {elapsed:.2f} s\n".encode(),
        )
        gc.collect()
        gc.freeze()
        LedgerServer(channel, server.command, rehearsal.warm_up, log).serve()
    finally:
        os._exit(1)


def _reap(children: dict[int, socket.socket]) -> list[int]:
    """Collect every ended child process, sending each command's client its status; the
    process ids collected."""
    ended: list[int] = []
    while True:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            children.clear()
            return ended
        if pid == 0:
            return ended
        ended.append(pid)
        conn = children.pop(pid, None)
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


def _receive_request(conn: socket.socket) -> tuple[dict[str, Any], bytes, list[int]]:
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
    return _parsed(payload), payload, fds


def _parsed(payload: bytes) -> dict[str, Any]:
    return protocol.decoded_request(payload)


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


class Owner(Protocol):
    """The process a command is forked from: the server, or a ledger's warm process."""

    command: Any

    def close_inherited(self) -> None: ...


def _become_command(
    owner: Owner, conn: socket.socket, request: dict[str, Any], fds: list[int]
) -> NoReturn:
    """In the forked child: take the client's streams, folder and environment, and run."""
    status = 1
    try:
        _default_signals()
        owner.close_inherited()
        for target, fd in zip((0, 1, 2), fds, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        _take_place(request)
        _reread_textual_settings()
        _replace_streams(request["streams"])
        sys.argv = ["tracker", *request["argv"]]
        threading.Thread(target=_hang_up_without_client, args=(conn,), daemon=True).start()
        status = _run(owner.command, request["argv"])
    finally:
        if status < 0:  # ended by a signal, as an interpreter interrupted by Ctrl+C is
            signal.signal(-status, signal.SIG_DFL)
            os.kill(os.getpid(), -status)
        os._exit(status & 0xFF)


def _default_signals() -> None:
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _reread_textual_settings() -> None:
    """Textual reads its settings from the environment once, when imported: in the server,
    with the server's. Read them again from the command's (TEXTUAL_DRIVER, which `tracker
    serve` sets to draw the app in a browser; TEXTUAL_COLOR_SYSTEM, ESCDELAY…)."""
    constants = sys.modules.get("textual.constants")
    if constants is not None:
        importlib.reload(constants)


def _take_place(request: dict[str, Any]) -> None:
    """The client's folder, file mode mask and environment."""
    os.chdir(request["cwd"])
    os.umask(int(request["umask"]))
    os.environ.clear()
    os.environ.update(request["env"])


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
