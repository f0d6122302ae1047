"""The repair tools: typed, confined, backed up and recorded.

``RepairTools`` is what a repair agent acts through (the default agent, a custom
``async def fn(ctx, tools, **opts)``, or an MCP client of ``godel mcp``). Each tool takes a
pydantic argument model and returns a pydantic result. Inside a repair run every call is an
event of that run's audit log (``repair.<tool>``), so a resumed repair replays its tool calls
instead of doing them again; through MCP, each change is a ``REPAIR`` event of the repaired run.

Files: ``read_file`` and ``edit_file`` only reach the workflow's project (``godel.repair.confine``);
an edit replaces exactly one occurrence, is written atomically, and the file's original is copied
to ``runs/<run_id>/repair/<n>/files/`` before its first change (``manifest.json`` beside it
lists what was edited). The run: ``rewind`` and ``answer_input`` write to the repaired run's log
(it must not be live), ``give_up`` records ``UNRECOVERABLE`` there. ``resume`` and ``give_up``
end the repair: ``tools.outcome`` says which.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from godel.repair.confine import Confinement, RefusedPath
from godel.repair.context import RepairContext
from godel.repair.models import (
    TOOLS,
    AnswerInputArgs,
    AnswerInputResult,
    EditFileArgs,
    EditFileResult,
    GiveUpArgs,
    Outcome,
    OutcomeResult,
    ReadFileArgs,
    ReadFileResult,
    ResumeArgs,
    RewindArgs,
    RewindResult,
    RunLintArgs,
    RunLintResult,
    ToolError,
    validation_errors,
)

__all__ = ["RepairTools", "allocate_session_dir", "read_manifest"]

MAX_READ_BYTES = 500_000


def allocate_session_dir(run_id: str, runs_dir: str | os.PathLike[str]) -> Path:
    """A new ``runs/<run_id>/repair/<n>/`` (n = 1, 2, ...), created now."""
    from godel.strict.privilege import privileged

    base = Path(runs_dir) / run_id / "repair"
    with privileged():
        base.mkdir(parents=True, exist_ok=True)
        taken = [int(p.name) for p in base.iterdir() if p.name.isdigit()]
        n = max(taken, default=0) + 1
        while True:
            try:
                (base / str(n)).mkdir()
                return base / str(n)
            except FileExistsError:  # another repair took it a moment ago
                n += 1


class RepairTools:
    """The tools of one repair of run ``ctx.run_id``.

    ``log``: the repaired run's log, held open (and locked) by the repair; without it each tool
    that writes there opens it for the call. ``session_dir``: ``runs/<id>/repair/<n>/`` (made
    at the first edit when not given). ``record_changes``: also record each change as a
    ``REPAIR`` event of the repaired run (``godel mcp``, where no repair run records it).
    ``progress``: called with a line for each call and its result.
    """

    def __init__(
        self,
        ctx: RepairContext,
        *,
        log: Any = None,
        session_dir: str | os.PathLike[str] | None = None,
        record_changes: bool = False,
        actor: str = "godel repair",
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.confinement = Confinement(ctx.project_root, ctx.runs_dir)
        self.session_dir = Path(session_dir) if session_dir is not None else None
        self.record_changes = record_changes
        self.actor = actor
        self.progress = progress
        self.outcome: Outcome | None = None
        self._log = log

    # the tools ---------------------------------------------------------------------------------
    async def read_file(self, path: str) -> ReadFileResult:
        return await self._call("read_file", ReadFileArgs(path=path))  # type: ignore[return-value]

    async def edit_file(
        self, path: str, old: str, new: str, expected_sha256: str | None = None
    ) -> EditFileResult:
        args = EditFileArgs(path=path, old=old, new=new, expected_sha256=expected_sha256)
        return await self._call("edit_file", args)  # type: ignore[return-value]

    async def run_lint(self, path: str) -> RunLintResult:
        return await self._call("run_lint", RunLintArgs(path=path))  # type: ignore[return-value]

    async def rewind(
        self, to: list[str] | str, reason: str = "", cut: bool = False
    ) -> RewindResult:
        args = RewindArgs(to=to, reason=reason, cut=cut)  # type: ignore[arg-type]
        return await self._call("rewind", args)  # type: ignore[return-value]

    async def answer_input(self, value: str) -> AnswerInputResult:
        return await self._call("answer_input", AnswerInputArgs(value=value))  # type: ignore[return-value]

    async def resume(self, reason: str = "") -> OutcomeResult:
        return await self._call("resume", ResumeArgs(reason=reason))  # type: ignore[return-value]

    async def give_up(self, reason: str) -> OutcomeResult:
        return await self._call("give_up", GiveUpArgs(reason=reason))  # type: ignore[return-value]

    # input() is godel-py's name for answer_input
    input = answer_input

    async def call(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Validate ``args`` for tool ``name`` and run it; the result as a dict.

        ``ToolError`` for an unknown tool, arguments that do not validate, or a refused call.
        """
        spec = TOOLS.get(name)
        if spec is None:
            raise ToolError(f"unknown tool {name!r}; the tools are: {', '.join(TOOLS)}")
        try:
            model = spec.args.model_validate(args)
        except ValidationError as exc:
            raise ToolError(
                f"invalid arguments for {name}: " + "; ".join(validation_errors(exc))
            ) from None
        result = await self._call(name, model)
        return result.model_dump()

    # recording ---------------------------------------------------------------------------------
    async def _call(self, name: str, args: BaseModel) -> BaseModel:
        from godel.engine import effect

        spec = TOOLS[name]
        if self.outcome is not None:
            raise ToolError(
                f"the repair already ended ({self.outcome.outcome}); no more tool calls"
            )
        request = args.model_dump()
        self._say(f"{name} {_describe(name, request)}".rstrip())
        run = getattr(self, f"_{name}")

        async def execute(_event: Any) -> dict[str, Any]:
            if not (self.record_changes and spec.changes_run):
                return _run(run, args).model_dump()
            # Hold the run (its lock) across the change and its record: a live run is refused
            # before anything is touched.
            with self._target() as log:
                held, self._log = self._log, log
                try:
                    response = _run(run, args).model_dump()
                    self._record_change(name, request, response)
                finally:
                    self._log = held
            return response

        try:
            response = await effect(
                f"repair.{name}", request, execute, side_effect=spec.changes_run
            )
        except ToolError as exc:
            self._say(f"  -> {exc}")
            raise
        result = spec.result.model_validate(response)
        if name in ("resume", "give_up"):
            self.outcome = Outcome(name, str(response.get("reason", "")))
        self._say(f"  -> {_summary(name, response)}")
        return result

    def _say(self, line: str) -> None:
        if self.progress is not None:
            self.progress(line)

    @contextmanager
    def _target(self) -> Iterator[Any]:
        """The repaired run's log, open for writing."""
        if self._log is not None:
            yield self._log
            return
        from godel.log import EventLog, RunLockedError

        try:
            log = EventLog.open(self.ctx.run_id, self.ctx.location())
        except RunLockedError as exc:
            raise ToolError(f"run {self.ctx.run_id} is in use: {exc}") from None
        try:
            yield log
        finally:
            log.close()

    def _record_change(self, name: str, request: dict[str, Any], response: dict[str, Any]) -> None:
        from godel.log import Op

        with self._target() as log:
            log.record(
                Op.REPAIR,
                request={"via": "mcp", "tool": name, "args": request, "actor": self.actor},
                response=response,
                parent_id=_root_id(log),
                invocation_seq=-1,
                step_local_seq=-1,
            )

    # implementations (run live, once; their results are what gets recorded) -------------------
    def _read_file(self, args: ReadFileArgs) -> ReadFileResult:
        path = self.confinement.check(args.path, must_exist=True)
        size = path.stat().st_size  # before reading: a huge file must not fill the memory
        if size > MAX_READ_BYTES:
            raise ToolError(f"{args.path} is {size} bytes; read_file stops at {MAX_READ_BYTES}")
        data = path.read_bytes()
        return ReadFileResult(
            path=self.confinement.shown(path),
            content=_text(data, args.path),
            sha256=_sha(data),
            size=len(data),
        )

    def _edit_file(self, args: EditFileArgs) -> EditFileResult:
        from godel.io import write_atomic

        path = self.confinement.check(args.path, must_exist=True)
        shown = self.confinement.shown(path)
        data = path.read_bytes()
        before = _sha(data)
        if args.expected_sha256 and args.expected_sha256 != before:
            raise ToolError(
                f"{shown} changed since it was read (sha256 {before}, expected "
                f"{args.expected_sha256}); read it again"
            )
        text = _text(data, shown)
        if not args.old:
            raise ToolError("old is empty: give the exact text to replace")
        count = text.count(args.old)
        if count != 1:
            where = "not found in" if count == 0 else f"found {count} times in"
            raise ToolError(
                f"old text {where} {shown}; it must match exactly once (copy it from read_file, "
                "with enough context to be unique)"
            )
        updated = text.replace(args.old, args.new, 1).encode()
        backup = self._backup(path, shown, data)
        write_atomic(path, updated)
        after = _sha(updated)
        self._note_edit(shown, backup, after)
        return EditFileResult(path=shown, sha256_before=before, sha256=after, backup=str(backup))

    def _run_lint(self, args: RunLintArgs) -> RunLintResult:
        from godel.lint import lint_paths

        path = self.confinement.check(args.path, must_exist=True)
        report = lint_paths([path])
        return RunLintResult(
            path=self.confinement.shown(path),
            errors=len(report.errors),
            warnings=len(report.warnings),
            diagnostics=report.text_lines(),
        )

    def _rewind(self, args: RewindArgs) -> RewindResult:
        from godel import RewindUnsafe
        from godel.log import IdLookupError
        from godel.replay import apply_rewind

        if not args.to:
            raise ToolError("rewind needs at least one event id in `to`")
        with self._target() as log:
            try:
                ids = [log.resolve(query).event_id for query in args.to]
                result = apply_rewind(
                    log,
                    ids,
                    reason=args.reason or f"{self.actor}",
                    mode="cut" if args.cut else "to",
                )
            except IdLookupError as exc:
                raise ToolError(f"rewind: {exc}") from None
            except RewindUnsafe as exc:
                raise ToolError(f"rewind refused: {exc}") from None
            except ValueError as exc:
                raise ToolError(f"rewind: {exc}") from None
        return RewindResult(
            mode=result.mode,
            invalidated_count=result.invalidated_count,
            invalidated_ids=result.invalidated_ids,
            already_rewound_ids=result.already_rewound_ids,
        )

    def _answer_input(self, args: AnswerInputArgs) -> AnswerInputResult:
        from godel.log import EventStatus, Op

        with self._target() as log:
            event = next((e for e in reversed(log.events) if e.op == Op.INPUT), None)
            if event is None or event.status in (EventStatus.FINISHED, EventStatus.INVALIDATED):
                raise ToolError(f"run {self.ctx.run_id} is not stopped at an input()")
            log.finish(event, {"value": args.value, "answered_by": self.actor}, sync=True)
        return AnswerInputResult(
            event_id=event.event_id, prompt=str(event.request.get("prompt", "")), value=args.value
        )

    def _resume(self, args: ResumeArgs) -> OutcomeResult:
        return OutcomeResult(outcome="resume", reason=args.reason)

    def _give_up(self, args: GiveUpArgs) -> OutcomeResult:
        from godel.log import Op

        with self._target() as log:
            log.record(
                Op.UNRECOVERABLE,
                request={"reason": args.reason, "by": self.actor},
                response={"reason": args.reason},
                parent_id=_root_id(log),
                invocation_seq=-1,
                step_local_seq=-1,
                sync=True,
            )
        return OutcomeResult(outcome="give_up", reason=args.reason)

    # backups -----------------------------------------------------------------------------------
    def _session(self) -> Path:
        if self.session_dir is None:
            self.session_dir = allocate_session_dir(self.ctx.run_id, self.ctx.runs_dir)
        return self.session_dir

    def manifest(self) -> dict[str, Any]:
        """What this repair edited: ``{"edits": {path: {"backup", "sha256_before", "sha256"}}}``."""
        if self.session_dir is None:
            return {"edits": {}}
        return read_manifest(self.session_dir)

    def _backup(self, path: Path, shown: str, data: bytes) -> Path:
        from godel.io import write_atomic

        session = self._session()
        manifest = read_manifest(session)
        entry = manifest["edits"].get(shown)
        if entry is not None:
            return session / entry["backup"]
        backup = session / "files" / shown
        write_atomic(backup, data)  # before the first change, and durable
        manifest["edits"][shown] = {
            "path": str(path),
            "backup": backup.relative_to(session).as_posix(),
            "sha256_before": _sha(data),
            "sha256": _sha(data),
        }
        _write_manifest(session, manifest)
        return backup

    def _note_edit(self, shown: str, backup: Path, sha: str) -> None:
        session = self._session()
        manifest = read_manifest(session)
        manifest["edits"][shown]["sha256"] = sha
        _write_manifest(session, manifest)


def _run(run: Callable[[Any], BaseModel], args: BaseModel) -> BaseModel:
    try:
        return run(args)
    except RefusedPath as exc:
        raise ToolError(f"refused: {exc}") from None


def read_manifest(session: Path) -> dict[str, Any]:
    """A repair session's ``manifest.json`` (empty if there is none yet)."""
    try:
        data = json.loads((session / "manifest.json").read_text())
    except (OSError, ValueError):
        return {"edits": {}}
    data.setdefault("edits", {})
    return data  # type: ignore[no-any-return]


def _write_manifest(session: Path, manifest: dict[str, Any]) -> None:
    from godel.io import write_atomic

    write_atomic(session / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode())


def _root_id(log: Any) -> str | None:
    from godel.log import Op

    return next((e.event_id for e in log if e.op == Op.WORKFLOW_STARTED), None)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _text(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolError(f"{shown} is not UTF-8 text") from None


def _describe(name: str, args: dict[str, Any]) -> str:
    """The arguments of a call, in a few words, for the live output."""
    if "path" in args:
        return str(args["path"])
    if name == "rewind":
        return "--to " + ",".join(args.get("to") or [])
    if name == "answer_input":
        return repr(args.get("value", ""))
    return ""


def _summary(name: str, result: dict[str, Any]) -> str:
    if name == "read_file":
        return f"{result['size']} bytes (sha256 {result['sha256'][:12]})"
    if name == "edit_file":
        return f"edited {result['path']} (original kept in {result['backup']})"
    if name == "run_lint":
        return f"{result['errors']} error(s), {result['warnings']} warning(s)"
    if name == "rewind":
        return f"invalidated {result['invalidated_count']} event(s)"
    if name == "answer_input":
        return f"answered {result['prompt']!r} with {result['value']!r}"
    return str(result.get("reason") or result.get("outcome") or "")
