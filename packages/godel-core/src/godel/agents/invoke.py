"""Running one agent CLI invocation: its process group, its stream, its watchdogs.

stdout lines go through the backend's stream parser; every record is written to the run's
transcript as it arrives (live view) and kept for the base, which builds the result from
them. stderr lines are kept (for error messages) and written as ``stderr`` records.

Two watchdogs end the CLI's whole process group: ``timeout`` (the whole invocation) and
``stall_timeout`` (no output line at all for that long: a model or tool that hangs).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from godel.parsers.base import Record, StreamParser
from godel.process.group import run_group

__all__ = ["Invocation", "run_cli"]

Write = Callable[..., Any]


@dataclass
class Invocation:
    """What one CLI run produced."""

    argv: list[str]
    returncode: int | None
    records: list[Record] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    duration: float = 0.0
    timed_out: bool = False
    stalled: bool = False
    started_at: float = 0.0  # wall-clock time.time() when the CLI was started


async def run_cli(
    argv: Sequence[str],
    *,
    parser: StreamParser,
    env: dict[str, str] | None,
    cwd: str | None,
    stdin: str | None,
    timeout: float | None,
    stall_timeout: float | None,
    write: Write | None,
) -> Invocation:
    """Run an agent CLI to completion (or until a watchdog ends it) and collect its stream.

    ``write(op, **fields)`` receives every record as it arrives (the transcript), or is None.
    Raises ``OSError`` when the program cannot be started.
    """
    records: list[Record] = []
    out_lines: list[str] = []
    err_lines: list[str] = []
    last_output = [time.monotonic()]

    def emit(recs: list[Record]) -> None:
        for rec in recs:
            records.append(rec)
            if write is not None:
                write(**rec)

    def on_out(raw: bytes) -> None:
        last_output[0] = time.monotonic()
        line = raw.decode("utf-8", "replace")
        out_lines.append(line)
        emit(parser.feed(line))

    def on_err(raw: bytes) -> None:
        last_output[0] = time.monotonic()
        line = raw.decode("utf-8", "replace")
        err_lines.append(line)
        if write is not None:
            write(op="stderr", line=line)

    started = time.monotonic()
    started_at = time.time()
    stalled = False
    outcome = None
    loop = asyncio.get_running_loop()
    with anyio.CancelScope() as scope:
        handle: asyncio.TimerHandle | None = None

        def check_stall() -> None:
            # A timer on the loop rather than a watcher task: no task group, so errors from
            # starting the CLI propagate as they are.
            nonlocal handle, stalled
            assert stall_timeout is not None
            idle = time.monotonic() - last_output[0]
            if idle >= stall_timeout:
                stalled = True
                scope.cancel()  # run_group ends the whole process group on cancellation
            else:
                handle = loop.call_later(stall_timeout - idle, check_stall)

        if stall_timeout:
            handle = loop.call_later(stall_timeout, check_stall)
        try:
            outcome = await run_group(
                list(argv),
                shell=False,
                cwd=cwd,
                env=env,
                stdin=stdin.encode("utf-8") if stdin is not None else None,
                inherit_stdin=False,
                timeout=timeout,
                out_sink=on_out,
                err_sink=on_err,
                die_with_parent=True,
                spool_stdout=True,  # Node CLIs drop queued pipe output at exit
            )
        finally:
            if handle is not None:
                handle.cancel()
    emit(parser.close())
    inv = Invocation(
        list(argv),
        outcome.returncode if outcome is not None else None,
        records,
        "\n".join(out_lines),
        "\n".join(err_lines),
        round(time.monotonic() - started, 6),
    )
    inv.stalled = stalled
    inv.started_at = started_at
    inv.timed_out = outcome is not None and outcome.returncode is None
    return inv
