"""Running a lab for the app: `tutor lab PATH --json` in a child process, its events read line by line.

A subprocess rather than a thread: training then never competes with the UI for the GIL, and the app
process never imports torch. Cancelling sends SIGINT (the CLI's Ctrl-C path writes the partial result
marked `cancelled` and exits 130), then terminates and finally kills a child that does not stop.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from tutor.lab.events import Event, from_dict

INTERRUPT_GRACE_S = 8.0  # the child writes result.json after Ctrl-C; give it time before terminating
TERMINATE_GRACE_S = 3.0


def lab_command(lab_path: Path | str, profile: str = "quick", seeds: int | None = None) -> list[str]:
    """The child's command line (the app records the run itself, with the learner's prediction); `seeds`
    trains that many seeds instead of the profile's."""
    more = [] if seeds is None else ["--seeds", str(int(seeds))]
    return [sys.executable, "-m", "tutor", "lab", str(lab_path), "--json", f"--{profile}", "--no-record", *more]


class LabProcess:
    """One lab run in a child process. `async for event in proc.events()`; `await proc.cancel()`."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.proc: asyncio.subprocess.Process | None = None
        self.returncode: int | None = None
        self.cancelling = False
        self.stderr_tail: list[str] = []
        self._stderr_task: asyncio.Task | None = None

    async def start(self) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = await asyncio.create_subprocess_exec(
            *self.command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            start_new_session=True,  # the terminal's own signals (the app's keys) never reach the child
            limit=64 * 1024 * 1024,  # lab_finished carries the whole result on one line
            **_interruptible(),
        )
        self._stderr_task = asyncio.create_task(self._read_stderr())

    async def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        async for raw in self.proc.stderr:
            line = raw.decode(errors="replace").rstrip()
            if line:
                self.stderr_tail = (self.stderr_tail + [line])[-20:]

    async def events(self) -> AsyncIterator[Event]:
        """The child's events in order; ends when the child closes its output (then `returncode` is set)."""
        if self.proc is None:
            await self.start()
        assert self.proc is not None and self.proc.stdout is not None
        async for raw in self.proc.stdout:
            line = raw.decode(errors="replace").strip()
            if not line.startswith("{"):
                continue
            try:
                yield from_dict(json.loads(line))
            except (ValueError, KeyError, TypeError):
                continue  # not an event line (a library's stray print)
        self.returncode = await self.proc.wait()
        if self._stderr_task is not None:
            await self._stderr_task

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def cancel(self) -> None:
        """Ask the child to stop (SIGINT), then terminate, then kill: it never outlives the app."""
        if not self.running:
            return
        assert self.proc is not None
        self.cancelling = True
        for how, grace in ((signal.SIGINT, INTERRUPT_GRACE_S), (signal.SIGTERM, TERMINATE_GRACE_S), (None, None)):
            try:
                if how is None:
                    self.proc.kill()
                elif sys.platform == "win32" and how == signal.SIGINT:  # pragma: no cover
                    self.proc.send_signal(signal.CTRL_BREAK_EVENT)
                else:
                    self.proc.send_signal(how)
            except ProcessLookupError:
                return
            if grace is None:
                return
            try:
                await asyncio.wait_for(asyncio.shield(self.proc.wait()), grace)
                return
            except asyncio.TimeoutError:
                continue


def _interruptible() -> dict:
    """Let the child take SIGINT as Ctrl-C even when tutor itself was started with SIGINT ignored (`nohup`,
    a background job of a non-interactive shell): an ignored SIGINT is inherited, and Python then installs
    no KeyboardInterrupt handler, so Escape could not cancel the lab."""
    if sys.platform == "win32":  # pragma: no cover
        return {}
    return {"preexec_fn": lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)}
