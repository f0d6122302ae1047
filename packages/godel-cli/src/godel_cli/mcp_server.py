"""``godel mcp``: godel's run and repair tools for any MCP client, over stdio (docs/mcp.md).

Built on the official ``mcp`` SDK's ``MCPServer``; imported only by ``godel mcp`` (never by
``godel --help`` or ``import godel``). Each tool names its run by id (a unique prefix or suffix
will do). The file tools are the repair tools (``godel.repair.RepairTools``): confined to the
run's project, backed up under ``runs/<id>/repair/<n>/``, and each change is a ``REPAIR`` event
of the run, so ``godel show`` tells what an MCP client did.
"""

from __future__ import annotations

import functools
import inspect
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["build_server"]

INSTRUCTIONS = """\
godel runs workflows with an audit log: every step, command and agent call is recorded, and a
stopped run (FAILED or PAUSED) can be resumed: what completed is answered from the log, the rest
runs again with the code as it is then. Inspect runs with list_runs, show_run, read_event and
tail_events; steer them with pause_run, rewind, answer_input and resume_run; mend a stopped one
with repair_context, read_file, edit_file and run_lint (confined to the run's project; each
edited file is backed up first), then resume_run, or give_up with the reason."""

TAIL_LIMIT = 200
TAILS_KEPT = 16  # runs whose log tail_events reads on from where it stopped


class GodelTools:
    """The tools, on one runs directory (or the configured store: ``--store``,
    ``$GODEL_STORE``); one ``RepairTools`` per run (one backup folder)."""

    def __init__(self, runs_dir: Path | None) -> None:
        self.runs_dir = runs_dir
        self._repairs: dict[str, Any] = {}
        self._tails: dict[str, _Tail] = {}

    def close(self) -> None:
        """Let go of the logs ``tail_events`` keeps open."""
        while self._tails:
            self._tails.popitem()[1].feed.close()

    # runs --------------------------------------------------------------------------------
    def resolve(self, run_id: str) -> tuple[str, Any]:
        from godel_cli.errors import CliError
        from godel_cli.runids import resolve_run

        try:
            return resolve_run(run_id, self.runs_dir)
        except CliError as exc:
            raise ValueError(" ".join(exc.lines)) from None

    def list_runs(self, status: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        from godel.log import list_run_ids
        from godel.runs import RunStatus, summarize_many
        from godel_cli.errors import CliError
        from godel_cli.runids import runs_location

        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        # An unreadable log is listed as UNREADABLE (godel runs list's UNKNOWN); a status no run
        # can have is refused, not answered with an empty list.
        statuses = [s.value for s in RunStatus if s is not RunStatus.UNKNOWN] + ["UNREADABLE"]
        status = {"UNKNOWN": "UNREADABLE"}.get(status.upper(), status.upper()) if status else None
        if status and status not in statuses:
            raise ValueError(f"status must be one of {', '.join(statuses)}, got {status!r}")
        try:
            directory = runs_location(self.runs_dir)
        except CliError as exc:
            raise ValueError(" ".join(exc.lines)) from None
        out: list[dict[str, Any]] = []
        for read in summarize_many(list_run_ids(directory), directory):
            summary = read.to_dict()
            if read.status is RunStatus.UNKNOWN:  # an unreadable log is listed, not fatal
                error = "; ".join(read.warnings)
                summary = {"run_id": read.run_id, "status": "UNREADABLE", "error": error}
            if status and str(summary.get("status", "")).upper() != status:
                continue
            out.append(summary)
            if len(out) >= limit:
                break
        return out

    def show_run(self, run_id: str) -> dict[str, Any]:
        from godel.log import EventLog
        from godel.repair import compact_event
        from godel.runs import summarize_log

        full, directory = self.resolve(run_id)
        log = EventLog.load(full, directory)
        return {
            "summary": summarize_log(log).to_dict(),
            "events": [compact_event(e) for e in log.events],
        }

    def read_event(self, run_id: str, event_id: str) -> dict[str, Any]:
        from godel.log import EventLog, IdLookupError

        full, directory = self.resolve(run_id)
        log = EventLog.load(full, directory)
        try:
            return log.resolve(event_id).to_dict()  # type: ignore[no-any-return]
        except IdLookupError as exc:
            raise ValueError(str(exc)) from None

    def tail_events(self, run_id: str, after: int = 0) -> dict[str, Any]:
        """The log's event lines after the first ``after`` (each update of an event is a line)."""
        from godel.repair import compact_event

        if after < 0:  # a cursor counts the event lines handed out so far
            raise ValueError(f"after must be 0 or more (the `next` of the last call), got {after}")
        full, directory = self.resolve(run_id)
        tail = self._tails.pop(full, None)
        if tail is not None and (tail.feed.runs_dir != directory or tail.next != after):
            tail.feed.close()  # another place, or the client started over: read from the start
            tail = None
        if tail is None:
            tail = _Tail(full, directory, after)
        self._tails[full] = tail  # the most recent last
        while len(self._tails) > TAILS_KEPT:
            self._tails.pop(next(iter(self._tails))).feed.close()
        events = tail.take(TAIL_LIMIT)
        return {
            "events": [compact_event(ev) for ev in events],
            "next": tail.next,
            "status": tail.feed.summary().status.value,
        }

    def pause_run(self, run_id: str, reason: str = "") -> dict[str, Any]:
        from godel.engine import write_pause_request

        full, directory = self.resolve(run_id)
        path = write_pause_request(full, reason or "MCP pause", directory)
        if not isinstance(directory, Path):  # the store keeps the request
            from godel_cli.runids import where

            return {"run_id": full, "stored_in": where(directory)}
        return {"run_id": full, "sentinel": str(path)}

    def resume_run(self, run_id: str) -> dict[str, Any]:
        """Start ``godel resume`` in the background; its output goes to a file of the run."""
        from godel.log import resolve_runs_dir

        full, directory = self.resolve(run_id)
        # A stored run's output file is on this machine, in its runs dir; the resume finds the
        # store as this server did ($GODEL_STORE, which --store set, or the settings).
        local = directory if isinstance(directory, Path) else resolve_runs_dir(None)
        out_dir = local / full
        out_dir.mkdir(parents=True, exist_ok=True)
        output = out_dir / "mcp-resume.out"
        godel = Path(sys.executable).parent / "godel"
        command = [str(godel), "resume", full]
        if isinstance(directory, Path):
            command += ["--runs-dir", str(directory)]
        with output.open("ab") as sink:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return {"run_id": full, "pid": proc.pid, "output": str(output)}

    def repair_context(self, run_id: str) -> dict[str, Any]:
        from godel.repair import build_context

        full, directory = self.resolve(run_id)
        return build_context(full, directory, check_state=False).to_dict()  # type: ignore[no-any-return]

    # the repair tools -----------------------------------------------------------------------
    def repair_tools(self, run_id: str) -> Any:
        from godel.repair import RepairTools, build_context

        full, directory = self.resolve(run_id)
        tools = self._repairs.get(full)
        if tools is None or tools.outcome is not None:
            ctx = build_context(full, directory, check_state=False)
            tools = RepairTools(ctx, record_changes=True, actor="godel mcp")
            self._repairs[full] = tools
        return tools

    async def call(self, run_id: str, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        from godel.repair import ToolError

        try:
            return await self.repair_tools(run_id).call(tool, args)  # type: ignore[no-any-return]
        except ToolError as exc:
            raise ValueError(str(exc)) from None


class _Tail:
    """A run's log as ``tail_events`` reads it: read on from where the last call stopped (a run
    of 10,000 steps is about 6 MB), the event states not handed out yet, and the cursor."""

    def __init__(self, run_id: str, runs_dir: Any, after: int) -> None:
        from godel.runs import RunFeed

        self.feed = RunFeed(run_id, runs_dir)
        self.next = after
        self.pending: list[Any] = []
        self._skip = after  # states the client has seen already
        self._restarted = 0

    def take(self, limit: int) -> list[Any]:
        """Up to ``limit`` event states after the cursor, which moves past them."""
        new = self.feed.read_on()
        if self.feed.restarted != self._restarted:  # the log was replaced: start over
            self._restarted = self.feed.restarted
            self.pending.clear()
            self._skip = self.next
        if self._skip:
            dropped = min(self._skip, len(new))
            new = new[dropped:]
            self._skip -= dropped
        self.pending.extend(new)
        out = self.pending[:limit]
        del self.pending[:limit]
        self.next += len(out)
        return out


def _expected_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with a refused call (no such run, a path outside the project, ...) turned into the
    SDK's ``ToolError``, which reaches the client with its message; anything else is a crash."""
    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(fn)
    async def call(*args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result
        except (ValueError, LookupError, OSError) as exc:
            raise ToolError(str(exc)) from None

    return call


def build_server(runs_dir: Path | None) -> Any:
    """The ``MCPServer`` with godel's tools, on ``runs_dir`` (default: the configuration's)."""
    from mcp.server.mcpserver import MCPServer

    from godel import __version__

    g = GodelTools(runs_dir)
    server = MCPServer("godel", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")

    def tool(fn: Callable[..., Any]) -> Callable[..., Any]:
        return server.tool()(_expected_errors(fn))  # type: ignore[no-any-return]

    @tool
    def list_runs(status: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The runs of the runs directory, newest first: id, workflow, status, times, failure.
        status: only runs in this state (RUNNING, FINISHED, FAILED, PAUSED, CRASHED, UNREADABLE)."""
        return g.list_runs(status, limit)

    @tool
    def show_run(run_id: str) -> dict[str, Any]:
        """A run's summary and its events (each with a short excerpt of its request and
        response; read_event gives one in full)."""
        return g.show_run(run_id)

    @tool
    def read_event(run_id: str, event_id: str) -> dict[str, Any]:
        """One event of a run, in full (event_id: the full id, or a unique prefix or suffix)."""
        return g.read_event(run_id, event_id)

    @tool
    def tail_events(run_id: str, after: int = 0) -> dict[str, Any]:
        """The events written to a run's log since the last call: pass the `next` it returned
        as `after` (0 at first). Also says the run's status."""
        return g.tail_events(run_id, after)

    @tool
    def pause_run(run_id: str, reason: str = "") -> dict[str, Any]:
        """Ask a live run to pause at its next step (or at the input() it waits at)."""
        return g.pause_run(run_id, reason)

    @tool
    def resume_run(run_id: str) -> dict[str, Any]:
        """Resume a stopped run in the background (`godel resume`); follow it with
        tail_events."""
        return g.resume_run(run_id)

    @tool
    def repair_context(run_id: str) -> dict[str, Any]:
        """What a repair needs to know about a run: its state, failure, arguments, sources
        (with sha256), last events, the failing agent call's transcript, a pending input()."""
        return g.repair_context(run_id)

    @tool
    async def read_file(run_id: str, path: str) -> dict[str, Any]:
        """Read a file of the run's project (path relative to its root)."""
        return await g.call(run_id, "read_file", {"path": path})

    @tool
    async def edit_file(
        run_id: str, path: str, old: str, new: str, expected_sha256: str | None = None
    ) -> dict[str, Any]:
        """Replace the one occurrence of `old` with `new` in a file of the run's project (backed
        up first; refused outside the project and under the runs directory)."""
        args = {"path": path, "old": old, "new": new, "expected_sha256": expected_sha256}
        return await g.call(run_id, "edit_file", args)

    @tool
    async def run_lint(run_id: str, path: str) -> dict[str, Any]:
        """Run godel's linter on a file of the run's project."""
        return await g.call(run_id, "run_lint", {"path": path})

    @tool
    async def rewind(
        run_id: str, to: list[str], reason: str = "", cut: bool = False
    ) -> dict[str, Any]:
        """Invalidate events so that resume runs them again: each event of `to` and what came
        after it (cut: only them and what ran inside them). Completed commands and agent calls
        are never re-run this way."""
        return await g.call(run_id, "rewind", {"to": to, "reason": reason, "cut": cut})

    @tool
    async def answer_input(run_id: str, value: str) -> dict[str, Any]:
        """Answer the input() prompt a stopped run waits at; resume_run then goes on with it."""
        return await g.call(run_id, "answer_input", {"value": value})

    @tool
    async def give_up(run_id: str, reason: str) -> dict[str, Any]:
        """Record that a run cannot be repaired (an UNRECOVERABLE event with the reason)."""
        return await g.call(run_id, "give_up", {"reason": reason})

    return server
