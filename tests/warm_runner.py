"""The CLI tests, run warm: with TRACKER_TEST_CLI=warm, `CliRunner.invoke(tracker.cli.app,
…)` sends the command line to a warm server (tracker.warm) instead of calling the app in the
test's process, so the same assertions check that a command behaves the same either way.

The command's stdout and stderr are temporary files handed to the server, as a terminal's
descriptors are by the `tracker` client, and its stdin this process's own or a pipe with the
test's input; `output` is stdout then stderr (the two
are separate files, so their interleaving is not kept). A test that changes the code it
calls (monkeypatching a module) cannot reach into the server; it is marked
`in_process_only` and skipped in this mode.
"""

from __future__ import annotations

import os
import shlex
import tempfile
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import typer
from typer.testing import CliRunner, Result

from tracker.warm import client, protocol

MODE_VARIABLE = "TRACKER_TEST_CLI"


def warm_mode() -> bool:
    return os.environ.get(MODE_VARIABLE, "") == "warm"


def make_invoke(original: Any, cli_app: typer.Typer, socket_path: str) -> Any:
    """A `CliRunner.invoke` that runs `cli_app`'s command lines on the server at
    `socket_path`, and any other app as before."""

    def invoke(
        runner: CliRunner,
        app: typer.Typer,
        args: str | Sequence[str] | None = None,
        input: bytes | str | None = None,  # noqa: A002 (CliRunner's own name)
        env: Mapping[str, str | None] | None = None,
        catch_exceptions: bool = True,
        color: bool = False,
        **extra: Any,
    ) -> Result:
        if app is not cli_app:
            return original(runner, app, args, input, env, catch_exceptions, color, **extra)
        argv = shlex.split(args) if isinstance(args, str) else list(args or [])
        return _run_warm(runner, argv, input, {**runner.env, **(env or {})}, socket_path)

    return invoke


def _run_warm(
    runner: CliRunner,
    argv: list[str],
    stdin: bytes | str | None,
    env_changes: Mapping[str, str | None],
    socket_path: str,
) -> Result:
    environ = dict(os.environ)
    for name, value in env_changes.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    text = {"encoding": runner.charset, "errors": "strict", "line_buffering": False}
    request = {
        "protocol": protocol.PROTOCOL,
        "fingerprint": protocol.code_fingerprint(),
        "argv": argv,
        "env": environ,
        "cwd": os.getcwd(),
        "umask": 0o022,
        "streams": [
            {**text, "write_through": False},
            {**text, "write_through": False},
            {**text, "errors": "backslashreplace", "write_through": False},
        ],
    }
    if stdin is None:
        # No input: the command's /dev/stdin is this process's, as it is in-process.
        stdin_read = os.dup(0)
        feeder = threading.Thread(target=lambda: None)
    else:
        # Input: a pipe fed by a thread, so that a large input cannot fill it while the
        # command is not reading.
        data = stdin.encode(runner.charset) if isinstance(stdin, str) else stdin
        stdin_read, stdin_write = os.pipe()
        feeder = threading.Thread(target=_feed, args=(stdin_write, data), daemon=True)
    feeder.start()
    with tempfile.TemporaryFile() as stdout_file, tempfile.TemporaryFile() as stderr_file:
        fds = (stdin_read, stdout_file.fileno(), stderr_file.fileno())
        try:
            status = client.run_on_server(socket_path, request, fds, forward_signals=False)
        finally:
            os.close(stdin_read)
            feeder.join()
        if status is None:
            raise RuntimeError(f"no warm server could run {argv!r}")
        stdout_file.seek(0)
        stderr_file.seek(0)
        out, err = stdout_file.read(), stderr_file.read()
    code = status if status >= 0 else 128 - status
    return Result(
        runner=runner,
        stdout_bytes=out,
        stderr_bytes=err,
        output_bytes=out + err,
        return_value=None,
        exit_code=code,
        exception=SystemExit(code) if code else None,
    )


def _feed(fd: int, data: bytes) -> None:
    try:
        with open(fd, "wb") as pipe:
            pipe.write(data)
    except BrokenPipeError:
        pass  # the command ended without reading it all, as it may
