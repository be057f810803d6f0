"""What the warm client and server agree on: where the socket is, which server may answer,
and how a command and its exit status cross the socket. Standard library only: the client
imports this before anything else, so every import here is paid by every command.

A request is one `sendmsg` carrying the client's descriptors 0, 1 and 2 and a length, then a
dict in `marshal`'s format (arguments, environment, working directory, how the streams are
set up): built into the interpreter, where `json` is three modules to import. Only this
user's processes can reach the socket (runtime_dir), and client and server run the same
interpreter (socket_path). The
server answers ACCEPTED and the command's process id: the client passes on to it each signal
it receives (Ctrl+C, a resized window, Ctrl+Z). When the command ends the server sends its
wait status, `STATUS` packed. A command whose client goes away is hung up.
"""

from __future__ import annotations

# The C module under `socket`: socket.py imports `selectors` and builds enums, ~3 ms of the
# client's start-up, for nothing the client uses.
import _socket
import marshal
import os
import stat
import struct
import sys

# Annotations only (typing costs the client ~4 ms to import); mypy reads this as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from hashlib import sha256
    from typing import Any
else:
    # SHA-256 without OpenSSL (hashlib loads libcrypto: ~3 ms); 3.12 renamed the module.
    try:
        if sys.version_info >= (3, 12):
            from _sha2 import sha256
        else:
            from _sha256 import sha256
    except ImportError:  # an interpreter built without it
        from hashlib import sha256

PROTOCOL = 2
# The length of the request that follows the descriptors.
HEADER = struct.Struct("!I")
# The command's end: its exit code (0–255), or minus the signal that ended it.
STATUS = struct.Struct("!i")
# The server's first reply: the command is starting (then its process id, PID), or the
# server is stale (below).
ACCEPTED = b"+"
PID = struct.Struct("!i")
STALE_REPLY = b"!"
# Sent instead of a status when the server's code is not the client's: it is shutting down
# and the client starts a fresh one.
STALE = -1000
# The server gives up on a client that says nothing for this long after connecting.
REQUEST_TIMEOUT = 10.0

# TRACKER_SERVER: unset or "auto", use a server when one can be had; one of OFF_VALUES, run
# every command in its own process; "on", use a server or fail (to check that one is used).
SWITCH = "TRACKER_SERVER"
OFF_VALUES = frozenset({"0", "off", "no", "false"})
REQUIRED_VALUES = frozenset({"1", "on", "yes", "true"})
# Minutes a server waits for its next command before it stops.
IDLE = "TRACKER_SERVER_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 15.0

# Environment that changes how the interpreter itself starts or what it imports: a server
# started with other values is another server.
_INTERPRETER_ENV_PREFIXES = ("PYTHON", "LC_")
_INTERPRETER_ENV = frozenset({"LANG", "LANGUAGE", "VIRTUAL_ENV"})


def required(environ: dict[str, str] | os._Environ[str]) -> bool:
    """Whether TRACKER_SERVER=on asks for a server and no fallback."""
    return environ.get(SWITCH, "").strip().lower() in REQUIRED_VALUES


def enabled(environ: dict[str, str] | os._Environ[str]) -> bool:
    """Whether commands may go through a server on this system and with this setting."""
    if environ.get(SWITCH, "").strip().lower() in OFF_VALUES:
        return False
    return os.name == "posix" and hasattr(_socket, "AF_UNIX") and hasattr(_socket, "SCM_RIGHTS")


def idle_seconds(environ: dict[str, str] | os._Environ[str]) -> float:
    """How long a server waits for a command before it stops (TRACKER_SERVER_IDLE_MINUTES)."""
    try:
        minutes = float(environ.get(IDLE, DEFAULT_IDLE_MINUTES))
    except ValueError:
        minutes = DEFAULT_IDLE_MINUTES
    return max(minutes, 0.05) * 60


# How many ledgers keep a warm process of their own (tracker.warm.ledger); 0: none.
LEDGERS = "TRACKER_SERVER_LEDGERS"
DEFAULT_LEDGERS = 2


def ledger_processes(environ: dict[str, str] | os._Environ[str]) -> int:
    """How many warm ledger processes a server keeps (TRACKER_SERVER_LEDGERS)."""
    try:
        return max(int(environ.get(LEDGERS, DEFAULT_LEDGERS)), 0)
    except ValueError:
        return DEFAULT_LEDGERS


def runtime_dir() -> str | None:
    """A folder only this user can enter, for the socket; None if there is no safe one.

    $XDG_RUNTIME_DIR is made for this (owned by the user, mode 0700, emptied at logout);
    without it, a folder of our own under the system's temporary folder. A folder that
    exists but belongs to someone else or is open to others is never used: whoever controls
    it could put a socket of theirs in our way.
    """
    base = os.environ.get("XDG_RUNTIME_DIR")
    folder = os.path.join(base, "tracker") if base else f"/tmp/tracker-{os.getuid()}"
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        info = os.lstat(folder)
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and info.st_mode & 0o077 == 0
    return folder if private and info.st_uid == os.getuid() else None


def _package_dir() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def socket_path(folder: str, environ: dict[str, str] | os._Environ[str]) -> str:
    """The socket of the server for this interpreter, this installation, this protocol and
    this start-up environment. Unix socket paths are limited to ~100 bytes, hence a short
    digest. (A client of another protocol finds another server: it never sends a request
    that a server cannot read.)"""
    key = sha256()
    for part in (sys.executable, _package_dir(), str(os.getuid()), str(PROTOCOL)):
        key.update(part.encode() + b"\0")
    for name in sorted(environ):
        if name.startswith(_INTERPRETER_ENV_PREFIXES) or name in _INTERPRETER_ENV:
            key.update(f"{name}={environ[name]}".encode("utf-8", "replace") + b"\0")
    return os.path.join(folder, f"s-{key.hexdigest()[:16]}.sock")


def code_fingerprint() -> str:
    """What identifies the code a server has imported: every file of the package (name,
    size, modification time) and the folders packages are installed into, whose times
    change when a package is installed, upgraded or removed. Cheap: stat calls only."""
    digest = sha256(f"{PROTOCOL}\0{sys.version}\0".encode())
    for root, folders, files in os.walk(_package_dir()):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            info = os.stat(os.path.join(root, name))
            digest.update(f"{root}/{name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    for folder in _install_folders():
        try:
            digest.update(f"{folder}\0{os.stat(folder).st_mtime_ns}\0".encode())
        except OSError:
            continue
    return digest.hexdigest()


def _install_folders() -> list[str]:
    """Where this interpreter installs packages (not sys.path, which differs between a
    script, `python -m` and a test runner without changing what is installed)."""
    import site

    folders = list(getattr(site, "getsitepackages", list)())
    user = getattr(site, "getusersitepackages", None)
    if user is not None and site.ENABLE_USER_SITE:
        folders.append(user())
    return folders


def stream_setup(stream: Any) -> dict[str, Any] | None:
    """How one of the client's text streams is set up, so the command's copy is the same."""
    if stream is None:
        return None
    return {
        "encoding": getattr(stream, "encoding", None) or "utf-8",
        "errors": getattr(stream, "errors", None) or "strict",
        "line_buffering": bool(getattr(stream, "line_buffering", False)),
        "write_through": bool(getattr(stream, "write_through", False)),
    }


def receive_exactly(conn: _socket.socket, size: int) -> bytes:
    """`size` bytes from `conn`, or fewer if it closes first."""
    chunks: list[bytes] = []
    while size > 0:
        chunk = conn.recv(size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def encoded_request(request: dict[str, Any]) -> bytes:
    """A request as it crosses the socket (a str of the environment that is not UTF-8, as
    Python decodes such bytes, crosses unchanged)."""
    return marshal.dumps(request)


def decoded_request(payload: bytes) -> dict[str, Any]:
    """The request `payload` holds; ValueError if it is not one."""
    try:
        request = marshal.loads(payload)
    except (EOFError, TypeError, ValueError) as error:
        raise ValueError("a request is a marshalled dict") from error
    if not isinstance(request, dict):
        raise ValueError("a request is a marshalled dict")
    return request


def send_with_descriptors(conn: _socket.socket, data: bytes, fds: list[int]) -> None:
    """`data` and the descriptors `fds` in one message (socket.send_fds, without importing
    `socket`)."""
    rights = struct.pack(f"{len(fds)}i", *fds)
    conn.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)])
