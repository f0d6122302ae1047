"""``@workflow``: the entry point of a run; owns the audit log for the run's lifetime."""

from __future__ import annotations

import functools
import inspect
import json
import traceback
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from godel.cost.budget import RunCosts, spent_in
from godel.engine.context import RunState, frame_var, root_frame, run_var
from godel.engine.record import fail
from godel.engine.step import is_async_function
from godel.engine.values import encode, encode_args
from godel.exceptions import PauseSignal, RewindSignal
from godel.log.events import Op

T = TypeVar("T")


@dataclass
class WorkflowSpec:
    """What ``@workflow`` knows about a workflow function."""

    fn: Callable[..., Coroutine[Any, Any, Any]]
    name: str
    capture_stdout: bool = False
    redact: list[Any] = field(default_factory=list)
    source_file: str = ""
    max_cost_usd: float | None = None

    @property
    def signature(self) -> inspect.Signature:
        return inspect.signature(self.fn)


@dataclass
class RunOptions:
    """How to start a run (the CLI fills these; programmatic calls use the defaults)."""

    runs_dir: str | Path | None = None  # or a godel.store.Store
    run_id: str | None = None
    on_start: Callable[[str, Path], None] | None = None
    transcript: bool | None = None  # None: the configuration's ``stream_agents``
    auto_checkpoint: str = ""
    max_cost_usd: float | None = (
        None  # the budget (``--max-cost``); None: the workflow's, else the configuration's
    )


def _new_state(
    spec: WorkflowSpec, args: tuple[Any, ...], kwargs: dict[str, Any], options: RunOptions
) -> RunState:
    from godel.log.eventlog import EventLog
    from godel.log.redact import build_redactor

    runs_dir = where(options.runs_dir)
    if not spec.source_file:  # started from Python: the CLI sets it from FILE
        spec.source_file = defining_file(spec.fn)
    redactor = build_redactor(spec.redact)  # before the first line: the log writes through it
    budget = _budget(options.max_cost_usd, spec)
    header: dict[str, Any] = {"workflow": spec.name, "source_file": spec.source_file}
    if budget is not None:
        header["max_cost_usd"] = budget  # resume keeps it (godel.cost.budget)
    log = EventLog.create(runs_dir, options.run_id, header=header, redactor=redactor)
    log.keep_new_events(False)  # memory flat in the run's length (EventLog.keep_new_events)
    enc_args, enc_kwargs, resumable = encode_args(args, kwargs)
    request: dict[str, Any] = {
        "function": spec.name,
        "args": enc_args,
        "kwargs": enc_kwargs,
        "source_file": spec.source_file,
    }
    if not resumable:
        # Some values were stored by repr: the CLI cannot rebuild them to resume.
        request["args_repr_only"] = True
    # Not fsynced on its own: the first side effect's start fsyncs it with everything before
    # (the header, the log's directory entry), and so does the end of the run.
    root = log.start(Op.WORKFLOW_STARTED, request=request)
    transcript = None
    if _streams(options.transcript):
        transcript = _transcript(log, redactor)
    return RunState(
        log=log,
        root_event=root,
        transcript=transcript,
        source_file=spec.source_file,
        auto_checkpoint=options.auto_checkpoint,
        redactor=redactor,
        costs=None if budget is None else RunCosts(budget),
        command_env=_configured().env,
    )


def defining_file(fn: Any) -> str:
    """The absolute path of the file that defines ``fn``, as ``godel run`` records FILE
    (``""`` for code with no file: ``python -c``, a REPL)."""
    code = getattr(inspect.unwrap(fn), "__code__", None)
    filename = code.co_filename if code is not None else ""
    if not filename or filename.startswith("<"):
        return ""
    return str(Path(filename).resolve())


def _budget(given: float | None, spec: WorkflowSpec, recorded: float | None = None) -> float | None:
    """The budget in USD: as given (``--max-cost``), else the one the run was recorded with,
    else the workflow's ``max_cost_usd``, else the configuration's (None: no budget)."""
    for value in (given, recorded, spec.max_cost_usd):
        if value is not None:
            return check_budget(value)
    return _configured().max_cost_usd  # type: ignore[no-any-return]


def check_budget(value: Any) -> float:
    """A budget in USD: a number above 0 (``ValueError`` otherwise)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value < float("inf")
    ):
        raise ValueError(f"max_cost_usd must be an amount of USD above 0, got {value!r}")
    return float(value)


async def execute(
    spec: WorkflowSpec,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    options: RunOptions | None = None,
) -> Any:
    """Run a workflow as a new run and return its result."""
    options = options or RunOptions()
    state = _new_state(spec, args, kwargs, options)
    if options.on_start is not None:
        options.on_start(state.run_id, state.log.path)
    return await run_body(spec, state, args, kwargs)


MAX_REWINDS = 100


async def run_body(
    spec: WorkflowSpec, state: RunState, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Execute the workflow function in ``state`` and record how it ended.

    A ``godel.rewind`` inside the workflow is applied here, and the function runs again from
    the top with the rebuilt replay cache (at most ``MAX_REWINDS`` times per call).
    """
    from godel.engine.pause import checker, clear_pause_request, sentinel_path
    from godel.log.events import EventStatus

    log = state.log
    root = state.root_event
    # A caller's own check (a dry run never pauses) also means the run's requests are not ours.
    own_pause = state.pause_check is None
    if own_pause:
        if hasattr(log.runs_dir, "run_store"):  # a godel.store.Store keeps the pause requests
            state.pause_check = log.runs_dir.pause_checker(log.run_id)
        else:
            state.pause_check = checker(sentinel_path(log.run_id, log.runs_dir))
    run_token = run_var.set(state)
    status = "FAILED"
    try:
        try:
            if spec.capture_stdout or _configured().capture_stdout:
                from godel.engine.capture import capturing

                with capturing(state, None):
                    result = await _run_rewinding(spec, state, args, kwargs)
            else:
                result = await _run_rewinding(spec, state, args, kwargs)
        finally:
            _record_savings(state)  # before the root's terminal line, which ends the attempt
        log.finish(root, {"result": encode(result)})
        status = "FINISHED"
        return result
    except PauseSignal as sig:
        log.record(
            Op.PAUSED,
            request={"reason": sig.reason, "requested_ts": sig.request_ts},
            response={"reason": sig.reason},
            parent_id=root.event_id,
            invocation_seq=-1,
            step_local_seq=-1,
        )
        log.finish(root, {"result": "paused", "reason": sig.reason}, status=EventStatus.PAUSED)
        clear_pause_request(log.run_id, log.runs_dir)
        status = "PAUSED"
        raise
    except BaseException as exc:
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        fail(log, root, exc, traceback=trace)
        raise
    finally:
        run_var.reset(run_token)
        if state.transcript is not None:
            state.transcript.write("WORKFLOW_FINISHED", status=status)
            state.transcript.close()
        if own_pause and status != "PAUSED":
            _drop_late_pause(log)
        log.close()


def _drop_late_pause(log: Any) -> None:
    """Remove a pause request that came after the run's last step boundary: it dies with the
    run, as a resume would drop it. Called while the run lock is held, so a request meant for
    a later resume cannot be the one removed."""
    from godel.engine.pause import clear_pause_request, sentinel_path

    try:
        if hasattr(log.runs_dir, "run_store") or sentinel_path(log.run_id, log.runs_dir).exists():
            clear_pause_request(log.run_id, log.runs_dir)
    except Exception:
        pass  # a runs dir that can no longer be written: the run's outcome stands


def _record_savings(state: RunState) -> None:
    """Write what this resumed attempt answered from the log (its saved cost) on its RESUME event."""
    costs = state.costs
    event = costs.resume if costs is not None else None
    if event is None:
        return
    record = costs.record()  # type: ignore[union-attr]
    if record is None:
        return
    from godel.log.events import EventStatus

    try:
        state.log.set_status(
            event, EventStatus.FINISHED, response={**(event.response or {}), "replayed": record}
        )
    except Exception:  # a log that can no longer be written fails the root's line too
        pass


async def _run_rewinding(
    spec: WorkflowSpec, state: RunState, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """The workflow function, run again from the top after each in-process rewind."""
    rewinds = 0
    while True:
        frame_token = frame_var.set(root_frame(state))
        try:
            return _awaited(await spec.fn(*args, **kwargs), spec.name)
        except RewindSignal as sig:
            rewinds += 1
            if rewinds > MAX_REWINDS:
                raise RuntimeError(
                    f"the workflow rewound more than {MAX_REWINDS} times; stopping"
                ) from None
            _apply_in_process_rewind(state, sig)
        finally:
            frame_var.reset(frame_token)


def _awaited(result: Any, name: str) -> Any:
    """The workflow's result (``TypeError`` for a step call or coroutine it did not await)."""
    from godel.engine.step import awaited

    return awaited(result, f"workflow {name!r}")


def _apply_in_process_rewind(state: RunState, sig: RewindSignal) -> None:
    from godel.engine.keys import KeyTable
    from godel.replay.failures import settled_failures
    from godel.replay.policy import ReplayPolicy, build_cache
    from godel.replay.rewind import apply_rewind

    apply_rewind(
        state.log,
        sig.target_ids,
        reason=sig.reason,
        mode=getattr(sig, "mode", "to"),
        assume_idempotent=getattr(sig, "assume_idempotent", False),
    )
    state.keys = KeyTable()
    state.cache = build_cache(state.log, state.keys, state.root_event)
    state.settled = settled_failures(state.log)
    if state.policy is None:
        state.policy = ReplayPolicy()


async def resume(
    fn: Any,
    run_id: str,
    *,
    runs_dir: str | Path | None = None,
    on_mismatch: str = "abort",
    on_source_edit: str = "warn",
    assume_idempotent: bool = False,
    args: tuple[Any, ...] | None = None,
    kwargs: dict[str, Any] | None = None,
    on_start: Callable[[str, Path], None] | None = None,
    transcript: bool | None = None,
    flags: dict[str, Any] | None = None,
    force: bool = False,
    max_cost_usd: float | None = None,
) -> Any:
    """Resume run ``run_id`` of workflow ``fn``: replay what the log holds, run the rest live.

    ``fn`` must be the workflow the run was started with (``ResumeError`` otherwise); ``force``
    resumes it with another one all the same, and the RESUME record says so.

    The original arguments are recovered from the log unless ``args``/``kwargs`` are given
    (required when the run was started with values that are not JSON). A run that already
    finished is not run again: its recorded result is returned (as JSON, or as the
    ``{"$repr": ...}`` record of a value that was not JSON) and nothing is written.

    ``max_cost_usd``: a new budget for the run (a higher one continues a run that stopped with
    ``BudgetExceeded``); by default the run keeps the budget it was recorded with.
    """
    from godel.__about__ import __version__
    from godel.engine.keys import KeyTable
    from godel.log.eventlog import EventLog
    from godel.log.redact import build_redactor
    from godel.replay.failures import settled_failures
    from godel.replay.policy import (
        MismatchPolicy,
        ReplayPolicy,
        SourceEditPolicy,
        build_cache,
        root_event,
    )

    spec: WorkflowSpec = getattr(fn, "__godel_workflow__", fn)
    if not spec.source_file:
        spec.source_file = defining_file(spec.fn)
    policy = ReplayPolicy(
        MismatchPolicy(on_mismatch), SourceEditPolicy(on_source_edit), assume_idempotent
    )
    redactor = build_redactor(spec.redact)
    log = EventLog.open(run_id, where(runs_dir), redactor=redactor)
    log.keep_new_events(False)
    from godel.replay.policy import warn

    for message in log.warnings:  # a torn line cut off, a hand edit: said, as show says it
        warn(message)
    from godel.engine.pause import clear_pause_request

    # A pause request must not stop the resume at its first live step (REFERENCE §9.2).
    clear_pause_request(log.run_id, log.runs_dir)
    from godel.replay.finished import finished_root

    done = finished_root(log)
    if done is not None:
        # Nothing to resume: run nothing, write nothing, hand back the recorded result.
        log.close()
        return (done.response or {}).get("result")
    try:
        root = root_event(log)
        other = other_workflow(root, spec)
        if other is not None and not force:
            from godel.exceptions import ResumeError

            raise ResumeError(
                other, remediation_hint="pass the file that defines it, or force it (--force)"
            )
        if other is not None:
            flags = {**(flags or {}), "forced_workflow": spec.name}
        if args is None and kwargs is None:
            args, kwargs = recorded_args(root)
        _check_fits(spec, args, kwargs)
        keys = KeyTable()
        cache = build_cache(log, keys, root)
        settled = settled_failures(log)
        attempt = 2 + sum(1 for ev in log if ev.op == Op.RESUME)
        budget = _budget(max_cost_usd, spec, recorded_budget(log))
        costs = RunCosts(budget, spent_in(log))
        if budget is not None:
            flags = {**(flags or {}), "max_cost_usd": budget}
        costs.resume = log.record(
            Op.RESUME,
            request={
                "attempt": attempt,
                "godel_version": __version__,
                "source_file": spec.source_file,
                "flags": {
                    "on_mismatch": policy.on_mismatch.value,
                    "on_source_edit": policy.on_source_edit.value,
                    "assume_idempotent": assume_idempotent,
                    **(flags or {}),
                },
            },
            response={"cached_events": len(cache)},
            parent_id=root.event_id,
            invocation_seq=-1,
            step_local_seq=-1,
            sync=True,
        )
    except BaseException:
        log.close()
        raise
    transcript_writer = None
    if _streams(transcript):
        transcript_writer = _transcript(log, redactor)
    state = RunState(
        log=log,
        root_event=root,
        keys=keys,
        cache=cache,
        settled=settled,
        transcript=transcript_writer,
        policy=policy,
        source_file=spec.source_file,
        redactor=redactor,
        costs=costs,
        command_env=_configured().env,
    )
    if on_start is not None:
        on_start(log.run_id, log.path)
    return await run_body(spec, state, tuple(args or ()), dict(kwargs or {}))


def _check_fits(spec: WorkflowSpec, args: Any, kwargs: Any) -> None:
    """``ResumeError`` before anything is written when the arguments do not fit the workflow
    (its signature was edited, or ``force`` gave another one): the attempt would only fail."""
    from godel.exceptions import ResumeError

    try:
        spec.signature.bind(*(args or ()), **(kwargs or {}))
    except TypeError as exc:
        raise ResumeError(
            f"the run's recorded arguments do not fit {spec.name}{spec.signature}: {exc}"
        ) from None


def recorded_budget(log: Any) -> float | None:
    """The budget a run last recorded: its latest RESUME's, else its header's (None: none)."""
    found = log.header.get("max_cost_usd") if isinstance(log.header, dict) else None
    for ev in log:
        if ev.op == Op.RESUME:
            value = (ev.request.get("flags") or {}).get("max_cost_usd")
            if value is not None:
                found = value
    return found if isinstance(found, int | float) and not isinstance(found, bool) else None


def where(runs_dir: Any) -> Any:
    """Where a run lives: a store given as such, else the one resolver's choice (an explicit
    runs dir, else ``$GODEL_STORE``/the settings' ``store``, else the configured runs dir)."""
    if hasattr(runs_dir, "run_store"):
        return runs_dir
    from godel.store.resolve import resolve_store

    return resolve_store(None, runs_dir).location


def _transcript(log: Any, redactor: Any) -> Any:
    if hasattr(log.runs_dir, "run_store"):  # a godel.store.Store keeps the transcript
        return log.runs_dir.transcript(log.run_id, redactor)
    from godel.log.transcript import Transcript

    return Transcript(log.run_dir / "transcript.jsonl", log.run_id, redactor=redactor)


def _configured() -> Any:
    from godel.config.load import load_config

    return load_config().config


def _streams(transcript: bool | None) -> bool:
    """Whether a run writes its transcript: as asked, else the configuration's ``stream_agents``."""
    return _configured().stream_agents if transcript is None else transcript  # type: ignore[no-any-return]


def other_workflow(root: Any, spec: WorkflowSpec) -> str | None:
    """Why ``spec`` is not the workflow that started the run of ``root``, or None if it is."""
    recorded = root.request.get("function")
    if not recorded or recorded == spec.name:
        return None
    return (
        f"run {root.run_id} was started by workflow {recorded!r}, "
        f"but {spec.source_file or 'this file'} defines {spec.name!r}"
    )


def recorded_args(root: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The workflow arguments stored in WORKFLOW_STARTED (ResumeError if they were not JSON)."""
    from godel.exceptions import ResumeError
    from godel.log.redact import REDACTED_PREFIX

    request = root.request
    if request.get("args_repr_only"):
        raise ResumeError(
            "this run used non-serialisable args; programmatic resume only",
            remediation_hint="call godel.resume(workflow, run_id, args=..., kwargs=...) with the original values",
        )
    args, kwargs = tuple(request.get("args") or ()), dict(request.get("kwargs") or {})
    if REDACTED_PREFIX in json.dumps([args, kwargs]):
        # Resuming with "[REDACTED:...]" in place of a secret would silently change the run.
        raise ResumeError(
            "this run's arguments held a secret, which the audit log stores redacted; they cannot be recovered",
            remediation_hint="pass secrets through environment variables rather than workflow arguments, or call "
            "godel.resume(workflow, run_id, args=..., kwargs=...) with the original values",
        )
    return args, kwargs


def workflow(
    fn: Any = None,
    /,
    *,
    capture_stdout: bool = False,
    redact: list[Any] | None = None,
    max_cost_usd: float | None = None,
) -> Any:
    """Make an async function a workflow: ``@workflow`` or ``@workflow(capture_stdout=..., redact=..., max_cost_usd=...)``.

    Calling it (``await my_workflow(...)``) starts a new run, records every effect to
    ``runs/<run_id>.jsonl`` and returns the function's result. The run id of the last call is
    ``my_workflow.last_run_id``.

    ``redact``: more secrets to keep out of the run's files, on top of the built-in patterns
    (``godel.log.redact``): regexes (strings or compiled; only the group named ``secret`` is
    replaced when there is one) and callables ``str -> str`` applied to every string.
    ``capture_stdout=True``: what the body writes to stdout also goes to the transcript
    (``godel.engine.capture``).
    ``max_cost_usd``: the run's budget in USD; once the run has spent it, the next agent call
    is not made and the run stops with ``BudgetExceeded`` (docs/cost.md). ``godel run
    --max-cost`` overrides it; the configuration's ``max_cost_usd`` applies when neither is set.
    """
    from godel.log.redact import check_patterns

    redactors = check_patterns(redact)
    budget = None if max_cost_usd is None else check_budget(max_cost_usd)

    def decorate(f: Callable[..., Coroutine[Any, Any, T]]) -> Callable[..., Coroutine[Any, Any, T]]:
        if not is_async_function(f):
            raise TypeError(
                f"@workflow requires an async function (async def), got {getattr(f, '__name__', f)!r}"
            )
        spec = WorkflowSpec(f, f.__name__, capture_stdout, redactors, max_cost_usd=budget)

        @functools.wraps(f)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            spec.signature.bind(*args, **kwargs)  # a TypeError before any run is created
            options = RunOptions(
                on_start=lambda run_id, _path: setattr(wrapper, "last_run_id", run_id)
            )
            return await execute(spec, args, kwargs, options)

        wrapper.__godel_workflow__ = spec  # type: ignore[attr-defined]
        # godel-py's marker: `godel repair --agent MOD:FN` and users' tools test ``fn._is_workflow``.
        wrapper._is_workflow = True  # type: ignore[attr-defined]
        wrapper.last_run_id = None  # type: ignore[attr-defined]
        return wrapper

    if fn is not None:
        return decorate(fn)
    return decorate
