"""The warm server (tracker.warm): a command run through it behaves as the same command run
in its own process — output, exit code, colours, the terminal's width, signals — and the
server is private to its user, steps aside for new code and stops when idle."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import socket
import sqlite3
import stat
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.warm_helpers import (
    TRACKER,
    alive,
    children_of,
    environment,
    opened_elsewhere,
    run,
    runtime_dir,
    server_pids,
    start,
    wait_until,
)
from tracker.warm import protocol


@pytest.fixture
def runtime() -> Iterator[Path]:
    with runtime_dir() as folder:
        yield folder


COMMANDS = [
    ["list"],
    ["list", "--overdue", "--limit", "5"],
    ["show", "5.5a"],
    ["show", "3.2-D"],
    ["overdue"],
    ["summary"],
    ["--lang", "en", "list", "--search", "讲座"],
    ["list", "--format", "json"],
    ["list", "--format", "csv", "--overdue"],
    ["show", "9.9"],  # no such item: one line, exit 1
    ["shw"],  # no such command: usage, exit 2
    ["list", "--limit", "x"],
    ["--help"],
    ["list", "--help"],
    ["--lang", "en", "overdue", "--help"],
    ["--version"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_command_run_warm_prints_and_exits_as_in_process(
    db_url: str, runtime: Path, args: list[str]
) -> None:
    env = environment(runtime, TRACKER_DB=db_url)
    cold = run(args, env, warm=False)
    warm = run(args, env, warm=True)
    assert (warm.returncode, warm.stdout.decode(), warm.stderr.decode()) == (
        cold.returncode,
        cold.stdout.decode(),
        cold.stderr.decode(),
    )
    assert cold.stdout or cold.stderr


@pytest.mark.parametrize(("words", "expected"), [("tracker li", "list"), ("tracker --l", "--lang")])
def test_shell_completion_answers_the_same_warm_as_in_process(
    runtime: Path, words: str, expected: str
) -> None:
    env = environment(
        runtime,
        COMP_WORDS=words,
        COMP_CWORD=str(len(words.split()) - 1),
        _TRACKER_COMPLETE="complete_bash",
    )
    cold = run([], env, warm=False)
    warm = run([], env, warm=True)
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
    assert expected in cold.stdout.decode().split()
    script = run([], {**env, "_TRACKER_COMPLETE": "source_bash"}, warm=True)
    assert "complete -o default -F _tracker_completion tracker" in script.stdout.decode()


def test_the_server_is_used_and_kept_for_the_next_command(db_url: str, runtime: Path) -> None:
    env = environment(runtime, TRACKER_DB=db_url)
    assert run(["list"], env, warm=True).returncode == 0
    servers = server_pids(runtime)
    assert len(servers) == 1
    assert run(["show", "5.5a"], env, warm=True).returncode == 0
    assert server_pids(runtime) == servers


def test_a_server_started_in_a_folder_holding_another_tracker_runs_the_installed_one(
    db_url: str, runtime: Path, tmp_path: Path
) -> None:
    """An officer (or a developer, in a checkout) types `tracker` where a folder named
    `tracker` lies: the server is the client's own code, not that folder's."""
    decoy = tmp_path / "tracker" / "warm"
    decoy.mkdir(parents=True)
    (decoy.parent / "__init__.py").write_text("")
    (decoy / "__init__.py").write_text("")
    (decoy / "server.py").write_text("raise SystemExit('not the installed tracker')\n")
    env = {**environment(runtime, TRACKER_DB=db_url), "TRACKER_SERVER": "on"}
    done = subprocess.run(
        [TRACKER, "list", "--limit", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert len(server_pids(runtime)) == 1


def test_a_write_through_the_server_is_recorded_once_under_the_officer(
    db_url: str, runtime: Path
) -> None:
    env = environment(runtime, TRACKER_DB=db_url, TRACKER_USER="王科员")
    done = run(["note", "5.5a", "暖启动备注"], env, warm=True)
    assert done.returncode == 0, done.stderr.decode()
    engine = create_engine(db_url)
    with engine.connect() as connection:
        by = connection.execute(
            text("SELECT changed_by FROM history WHERE note LIKE :note"), {"note": "%暖启动备注%"}
        ).all()
    engine.dispose()
    assert [row[0] for row in by] == ["王科员"]


def test_a_terminal_gets_the_same_colours_and_width_warm_as_in_process(
    db_url: str, runtime: Path
) -> None:
    env = environment(runtime, TRACKER_DB=db_url, TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    env.pop("COLUMNS", None)
    seen = {}
    for columns in (60, 132):
        cold = _in_terminal(["list", "--limit", "8"], env, warm=False, columns=columns)
        warm = _in_terminal(["list", "--limit", "8"], env, warm=True, columns=columns)
        assert warm == cold
        assert b"\x1b[" in warm  # coloured: the terminal was seen as one
        seen[columns] = warm
    assert seen[60] != seen[132]  # laid out for the terminal's own width


def test_ctrl_c_stops_a_waiting_command_as_in_process_and_changes_nothing(
    tmp_path: Path, sqlite_template: Path, runtime: Path
) -> None:
    """A note waiting for the file's write lock (another program holds it), interrupted:
    the signal reaches the command through the client, which ends as an interrupted
    in-process command does, and the ledger is unchanged."""
    # Both at once: an interrupted command ends only when SQLite's wait for the lock does
    # (its busy timeout, 10 s), and the two need not wait one after the other.
    waiting = {
        warm: _note_waiting_for_the_lock(
            tmp_path / f"{warm}.db", sqlite_template, runtime, "被中断的备注", warm=warm
        )
        for warm in (False, True)
    }
    for command, _holder in waiting.values():
        command.send_signal(signal.SIGINT)
    outcomes = []
    for warm, (command, holder) in waiting.items():
        try:
            out, err = command.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            command.kill()
            _, err = command.communicate()
            ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
            pytest.fail(
                f"{warm=}: still running 30 s after Ctrl+C (SIGINT ignored by the test "
                f"process: {ignored}); it said: {err.decode()}"
            )
        holder.execute("ROLLBACK")
        holder.close()
        notes = _count(
            tmp_path / f"{warm}.db", "SELECT count(*) FROM history WHERE note LIKE '%被中断%'"
        )
        outcomes.append((command.returncode, err.decode(), notes))
    assert outcomes[1] == outcomes[0]
    assert outcomes[0][0] != 0
    assert "Traceback" not in outcomes[0][1]
    assert outcomes[0][2] == 0


def test_ctrl_c_while_the_command_line_is_imported_is_one_line(
    tmp_path: Path, sqlite_template: Path, runtime: Path
) -> None:
    """Ctrl+C in the first moments of a command run in-process, while Python imports the
    command line: "已取消" and exit 1, as an interrupted command ends, not a traceback."""
    path = tmp_path / "tracker.db"
    path.write_bytes(sqlite_template.read_bytes())
    env = environment(runtime, TRACKER_DB=f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # should the imports be done, the note waits
    command = start(["note", "5.5a", "导入时中断"], env, warm=False)
    time.sleep(0.1)
    command.send_signal(signal.SIGINT)
    _out, err = command.communicate(timeout=60)
    holder.execute("ROLLBACK")
    holder.close()
    assert (command.returncode, err.decode().strip()) == (1, "已取消")
    assert _count(path, "SELECT count(*) FROM history WHERE note LIKE '%导入时%'") == 0


def test_a_hang_up_the_client_ignores_does_not_reach_the_command(
    tmp_path: Path, sqlite_template: Path, runtime: Path
) -> None:
    """`nohup tracker note …` and its terminal closes: the hang-up is ignored, in-process
    and warm alike, and the note waiting for the file's lock is written once released."""
    for warm in (False, True):
        path = tmp_path / f"{warm}.db"
        command, holder = _note_waiting_for_the_lock(
            path, sqlite_template, runtime, "挂断后的备注", warm=warm, ignore=[signal.SIGHUP]
        )
        command.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        holder.execute("ROLLBACK")
        holder.close()
        _out, err = command.communicate(timeout=60)
        assert command.returncode == 0, (warm, command.returncode, err.decode())
        assert _count(path, "SELECT count(*) FROM history WHERE note LIKE '%挂断后%'") == 1


def test_a_command_whose_client_is_killed_is_hung_up(
    tmp_path: Path, sqlite_template: Path, runtime: Path
) -> None:
    path = tmp_path / "tracker.db"
    path.write_bytes(sqlite_template.read_bytes())
    # No ledger process (test_warm_ledger): the command is the server's only child.
    env = environment(runtime, TRACKER_DB=f"sqlite:///{path}", TRACKER_SERVER_LEDGERS="0")
    run(["list", "--limit", "1"], env, warm=True)
    (server,) = server_pids(runtime)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    client = start(["note", "5.5a", "无人等待的备注"], env, warm=True)
    assert wait_until(lambda: children_of(server), 10)
    (command,) = children_of(server)
    client.kill()
    client.wait()
    assert wait_until(lambda: not alive(command), 10)
    holder.execute("ROLLBACK")
    holder.close()
    assert _count(path, "SELECT count(*) FROM history WHERE note LIKE '%无人等待%'") == 0


def test_a_server_with_other_code_steps_aside_and_the_next_command_starts_a_new_one(
    db_url: str, runtime: Path
) -> None:
    env = environment(runtime, TRACKER_DB=db_url)
    run(["list", "--limit", "1"], env, warm=True)
    (old,) = server_pids(runtime)
    (socket_file,) = (runtime / "tracker").glob("*.sock")
    assert _stale_request(runtime) == protocol.STALE_REPLY
    assert wait_until(lambda: not alive(old))
    assert not socket_file.exists()
    again = run(["show", "5.5a"], env, warm=True)
    assert again.returncode == 0
    assert server_pids(runtime) not in ([], [old])


def test_a_server_stepping_aside_finishes_the_commands_it_is_running(
    tmp_path: Path, sqlite_template: Path, runtime: Path
) -> None:
    """New code arrives while a note waits for the file's lock: the old server takes no more
    commands, a new one serves the next, and the waiting note still ends and reports."""
    path = tmp_path / "tracker.db"
    path.write_bytes(sqlite_template.read_bytes())
    # No ledger process (test_warm_ledger): the note is the server's only child.
    env = environment(runtime, TRACKER_DB=f"sqlite:///{path}", TRACKER_SERVER_LEDGERS="0")
    run(["list", "--limit", "1"], env, warm=True)
    (old,) = server_pids(runtime)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    waiting = start(["note", "5.5a", "换代时的备注"], env, warm=True)
    assert wait_until(lambda: children_of(old), 30)
    assert _stale_request(runtime) == protocol.STALE_REPLY
    shown = run(["--lang", "en", "summary"], env, warm=True, timeout=120)
    assert shown.returncode == 0, shown.stderr.decode()
    assert alive(old)  # still running the note
    # (A command is a fork of its server, so it shows the server's command line too.)
    newer = set(server_pids(runtime)) - {old, *children_of(old)}
    assert len(newer) == 1
    holder.execute("ROLLBACK")
    holder.close()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err.decode()
    assert _count(path, "SELECT count(*) FROM history WHERE note LIKE '%换代时%'") == 1
    assert wait_until(lambda: not alive(old), 20)


def test_an_idle_server_stops_and_removes_its_socket(db_url: str, runtime: Path) -> None:
    env = environment(runtime, TRACKER_DB=db_url, TRACKER_SERVER_IDLE_MINUTES="0.05")
    run(["list", "--limit", "1"], env, warm=True)
    (server,) = server_pids(runtime)
    assert wait_until(lambda: not alive(server), 20)
    assert list((runtime / "tracker").glob("*.sock")) == []


def test_the_socket_can_be_opened_only_by_its_user(db_url: str, runtime: Path) -> None:
    env = environment(runtime, TRACKER_DB=db_url)
    run(["list", "--limit", "1"], env, warm=True)
    folder = runtime / "tracker"
    (socket_file,) = folder.glob("*.sock")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_ISSOCK(socket_file.stat().st_mode)
    assert stat.S_IMODE(socket_file.stat().st_mode) == 0o600


def test_a_folder_open_to_others_is_not_used_and_the_command_runs_in_process(
    db_url: str, runtime: Path
) -> None:
    (runtime / "tracker").mkdir(mode=0o755)
    os.chmod(runtime / "tracker", 0o755)
    env = environment(runtime, TRACKER_DB=db_url)
    env.pop("TRACKER_SERVER", None)
    done = subprocess.run([TRACKER, "show", "5.5a"], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0
    assert "5.5a" in done.stdout.decode()
    assert server_pids(runtime) == []
    assert list((runtime / "tracker").iterdir()) == []
    required = run(["show", "5.5a"], env, warm=True)
    assert required.returncode == 1
    assert "TRACKER_SERVER=on" in required.stderr.decode()
    assert required.stdout == b""


def test_version_and_the_client_import_nothing_but_the_standard_library() -> None:
    version = _imports(
        "import sys; sys.argv = ['tracker', '--version']; import tracker.warm.client as c; c.main()"
    )
    client = _imports("import tracker.warm.client, tracker.warm.protocol")
    started = _imports("pass")  # what the interpreter imports by itself
    for imported in (version, client):
        outside = {
            name
            for name in imported - started
            if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "tracker"
        }
        assert outside == set()
    assert "tracker.warm.client" in version
    assert {"sqlalchemy", "typer", "rich", "tracker.cli"}.isdisjoint(version | client)
    # Nor the standard library's slower modules: every command pays for what the client
    # imports (typing ~4 ms, socket's selectors and enums ~3, hashlib's OpenSSL ~3, json).
    assert {"typing", "socket", "selectors", "hashlib", "json"}.isdisjoint(version | client)


# --- helpers ---------------------------------------------------------------------------


def _note_waiting_for_the_lock(
    path: Path,
    template: Path,
    runtime: Path,
    note: str,
    *,
    warm: bool,
    ignore: Sequence[signal.Signals] = (),
) -> tuple[subprocess.Popen[bytes], sqlite3.Connection]:
    """A note on a copy of `template` at `path`, started while another program holds the
    file's write lock (returned: roll it back to let the note go on), once it waits."""
    path.write_bytes(template.read_bytes())
    # No ledger process: its rehearsal would open the file too, and be taken for the
    # command waiting for the lock.
    env = environment(runtime, TRACKER_DB=f"sqlite:///{path}", TRACKER_SERVER_LEDGERS="0")
    if warm:
        run(["list", "--limit", "1"], env, warm=True)  # the server is up beforehand
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    command = start(["note", "5.5a", note], env, warm=warm, ignore=ignore)
    assert wait_until(lambda: opened_elsewhere(path), 60)
    time.sleep(0.5)  # the command has opened the ledger and waits for its lock
    return command, holder


def _imports(code: str) -> set[str]:
    """The modules `python -c CODE` imports, from -X importtime."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.decode().splitlines()[1:]  # the first line is the heading
        if line.startswith("import time:")
    }


def _stale_request(runtime: Path) -> bytes:
    """What the server answers a client whose code differs from its own."""
    (socket_file,) = (runtime / "tracker").glob("*.sock")
    request = {"protocol": protocol.PROTOCOL, "fingerprint": "older code", "argv": ["list"]}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(str(socket_file))
        payload = protocol.encoded_request(request)
        socket.send_fds(conn, [protocol.HEADER.pack(len(payload))], [0, 1, 2])
        conn.sendall(payload)
        return protocol.receive_exactly(conn, 1)


def _count(path: Path, query: str) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute(query).fetchone()[0])


def _in_terminal(args: list[str], env: dict[str, str], *, warm: bool, columns: int) -> bytes:
    """What `tracker ARGS` writes to a terminal `columns` wide (a pseudo-terminal)."""
    main_fd, terminal_fd = pty.openpty()
    fcntl.ioctl(terminal_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {**env, "TRACKER_SERVER": "on" if warm else "off"}
    process = subprocess.Popen(
        [TRACKER, *args], env=env, stdin=terminal_fd, stdout=terminal_fd, stderr=terminal_fd
    )
    os.close(terminal_fd)
    output = bytearray()
    while True:
        ready, _, _ = select.select([main_fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(main_fd)
    return bytes(output)
