"""A progress bar for slow commands that stays out of the way of fast ones.

A printout of a town takes a fraction of a second and should print nothing but its result;
a district's Word ledger takes seconds, and an officer staring at a silent terminal does not
know whether it hangs. So the bar appears only once the work has run for `delay` seconds,
only on a terminal, and on stderr, so that `tracker report > file.txt` stays clean.
"""

from __future__ import annotations

import threading
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

# How long work may run before the bar appears (the issue: "more than a second").
DELAY_SECONDS = 1.0


class DelayedProgress:
    """Steps of one piece of work, shown as a bar once it has taken `delay` seconds."""

    def __init__(self, steps: int, console: Console, delay: float = DELAY_SECONDS) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,  # the bar goes when done; the result line stays
        )
        self._task = self._progress.add_task("", total=steps)
        self._enabled = console.is_terminal
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True
        # The timer thread may fire just as the work ends: the lock and the flag make sure a
        # bar is never started after it was stopped.
        self._lock = threading.Lock()
        self._done = False
        self._shown = False

    def _show(self) -> None:
        with self._lock:
            if not self._done:
                self._progress.start()
                self._shown = True

    def step(self, description: str) -> None:
        """Begin the next step, named `description` (the previous one is complete)."""
        task = self._progress.tasks[0]
        if task.description:
            self._progress.advance(self._task)
        self._progress.update(self._task, description=description)

    def __enter__(self) -> DelayedProgress:
        if self._enabled:
            self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        with self._lock:
            self._done = True
            if self._shown:  # stopping a bar never shown would still print a blank line
                self._progress.stop()
