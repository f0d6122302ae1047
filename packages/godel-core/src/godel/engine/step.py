"""``@step``: a named, recorded unit of a workflow."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import types
from collections.abc import Callable, Coroutine, Generator
from time import time_ns
from typing import TYPE_CHECKING, Any, TypeVar, overload

from godel.engine.context import Frame, current_frame, current_run, frame_var, lookup
from godel.engine.interrupt import Stopped
from godel.engine.record import fail, mark_replayed
from godel.engine.values import encode, encode_args
from godel.exceptions import StepTimeout
from godel.log.events import EventStatus, Op, compute_request_hash

if TYPE_CHECKING:
    from godel.log.events import Event

T = TypeVar("T")


def mark_coroutine_function(fn: Callable[..., Any]) -> None:
    """Keep ``asyncio.iscoroutinefunction(step_fn)`` true although the caller itself is sync.

    As godel-py did, on every Python version: ``inspect.iscoroutinefunction`` stays false (the
    caller returns a ``StepCall``, not a coroutine; docs/migrating.md).
    """
    marker = getattr(asyncio.coroutines, "_is_coroutine", None)
    if marker is not None:  # asyncio.iscoroutinefunction honours this attribute
        fn._is_coroutine = marker  # type: ignore[attr-defined]
    else:  # a Python without asyncio's marker: inspect's is all there is
        inspect.markcoroutinefunction(fn)


def _awaiting(step_fn: Callable[..., StepCall]) -> Callable[..., Coroutine[Any, Any, Any]]:
    """An ``async def`` that awaits a call of ``step_fn`` (a step wrapped in a step)."""

    @functools.wraps(step_fn)
    async def body(*args: Any, **kwargs: Any) -> Any:
        return await step_fn(*args, **kwargs)

    return body


def is_async_function(fn: Any) -> bool:
    """What ``@workflow`` and ``@step`` accept: an ``async def``, or a ``@step`` function
    (awaiting its call runs the step), as godel-py did."""
    return inspect.iscoroutinefunction(fn) or hasattr(fn, "__godel_step__")


def normalized_source_hash(fn: Callable[..., Any]) -> str:
    """SHA-256 of the function's source, ignoring trailing whitespace and blank-line runs."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return ""
    lines: list[str] = []
    for line in source.splitlines():
        line = line.rstrip()
        if not line and lines and not lines[-1]:
            continue
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


class StepSpec:
    """What ``@step`` knows about a step function."""

    __slots__ = ("_source_hash", "capture_stdout", "fn", "idempotent", "name", "timeout")

    def __init__(
        self,
        fn: Callable[..., Coroutine[Any, Any, Any]],
        name: str,
        timeout: float | None,
        idempotent: bool,
        capture_stdout: bool,
    ) -> None:
        self.fn = fn
        self.name = name
        self.timeout = timeout
        self.idempotent = idempotent
        self.capture_stdout = capture_stdout
        self._source_hash: str | None = None

    @property
    def source_hash(self) -> str:
        # Computed once per process: a resume is a new process, so edits are still seen.
        if self._source_hash is None:
            self._source_hash = normalized_source_hash(self.fn)
        return self._source_hash


class StepCall:
    """An awaitable step invocation. Its identity is fixed when it is bound to a frame:
    by ``parallel`` (in argument order) or, otherwise, when it is first awaited."""

    __slots__ = ("_awaited", "args", "frame", "invocation_seq", "kwargs", "spec")

    def __init__(self, spec: StepSpec, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.spec = spec
        self.args = args
        self.kwargs = kwargs
        self.frame: Frame | None = None
        self.invocation_seq = -1
        self._awaited = False

    def bind(self, frame: Frame) -> None:
        """Take the next invocation number for this step in ``frame``."""
        if self.frame is None:
            self.frame = frame
            self.invocation_seq = frame.next_invocation(self.spec.name)

    def __await__(self) -> Generator[Any, None, Any]:
        if self._awaited:
            raise RuntimeError(
                f"step {self.spec.name!r}: this call was already awaited; call the step again"
            )
        self._awaited = True
        return self._run().__await__()

    def close(self) -> None:
        """Discard an un-awaited call (mirrors ``coroutine.close``)."""
        self._awaited = True

    def __repr__(self) -> str:
        return f"<step call {self.spec.name}>"

    async def _run(self) -> Any:
        spec = self.spec
        run = current_run()
        if run is None:
            raise RuntimeError(
                f"@step {spec.name!r} called outside a @workflow; call it from a @workflow function"
            )
        if self.frame is None:
            frame = current_frame()
            assert frame is not None
            self.bind(frame)
        parent = self.frame
        assert parent is not None
        path = (*parent.step_path, spec.name)
        inv = self.invocation_seq
        # Keys only serve lookups: a pass with nothing to replay never needs one (godel.engine.keys).
        key = run.keys.key(parent.key, path, inv, 0, Op.STEP_ENTER) if run.cache else 0
        args, kwargs, _ = encode_args(self.args, self.kwargs)
        request = {
            "name": spec.name,
            "args": args,
            "kwargs": kwargs,
            "source_hash": spec.source_hash,
        }
        cached = lookup(run, key) if key else None
        # A recorded failure the run handled (an earlier attempt of a retry) replays as failing.
        replays_failure = (
            cached is not None
            and cached.status is EventStatus.FAILED
            and _settled(run, parent, cached)
        )
        if cached is not None and (
            (cached.status is not EventStatus.FINISHED and not replays_failure)
            or (
                cached.request != request  # equal dicts: skip hashing (the common replay case)
                and cached.request_hash
                and cached.request_hash != compute_request_hash(request)
                and not _same_godel_py_call(cached, request, self.args, self.kwargs)
                and not (run.policy and run.policy.accept_step(run, cached, request))
            )
        ):
            cached = None
            replays_failure = False
        if cached is not None and run.policy is not None:
            run.policy.check_source_edit(run, cached, spec)
        if replays_failure:
            from godel.replay.failures import rebuild

            # Raised again from the log, not run again: a body run anew may now succeed (a
            # hot-patch, a changed file) and the code around it would take another path; nor
            # would a timeout happen the same way. Only a failure godel cannot rebuild (a
            # class of the user's own) falls back to the body and its replayed primitives.
            recorded = rebuild(cached)  # type: ignore[arg-type]
            if recorded is not None:
                _answered_below(run, cached)
                mark_replayed(recorded, cached.event_id, cached.event_id)  # type: ignore[union-attr]
                raise recorded
        if cached is None and parent.stop is not None and parent.stop.reason is not None:
            raise Stopped(parent.stop.reason)  # a sibling parallel branch failed
        if cached is None and run.pause_check is not None:
            run.pause_check()
        frame = Frame(
            run,
            "step",
            parent=parent,
            step_path=path,
            invocation_seq=inv,
            key=key,
            request=request,
            cached=cached,
        )
        frame.idempotent = spec.idempotent
        frame.settled = cached is not None  # its recorded outcome is replayed
        if cached is None:
            # Its STARTED line waits until something inside it is recorded or it first waits
            # (``until_it_waits``): a step that does neither ends as one FINISHED line.
            frame.started = time_ns()
        token = frame_var.set(frame)
        try:
            if spec.timeout is None and not spec.capture_stdout:
                if cached is None:
                    result = await until_it_waits(spec.fn(*self.args, **self.kwargs), frame)
                else:
                    result = await spec.fn(*self.args, **self.kwargs)
            elif not spec.capture_stdout:
                result = await self._with_timeout(path)
            else:
                from godel.engine.capture import capturing

                if cached is None:
                    frame.scope_id()  # what it prints is streamed below its started event
                with capturing(run, frame, path):
                    result = await (
                        self._with_timeout(path)
                        if spec.timeout is not None
                        else spec.fn(*self.args, **self.kwargs)
                    )
            if isinstance(result, _UNAWAITED):  # the message only when it is needed: per step
                awaited(result, f"step {spec.name!r}")
        except BaseException as exc:
            if not _is_control(exc) and not (
                replays_failure
                and frame.event is None
                and type(exc).__name__ == (cached.response or {}).get("error_type")  # type: ignore[union-attr]
            ):
                # A failure is recorded, even in a replayed step, unless it is the recorded one.
                frame.scope_id()
                assert frame.event is not None
                fail(run.log, frame.event, exc)
            raise
        finally:
            frame_var.reset(token)
        if frame.event is not None:
            run.log.finish(frame.event, {"result": encode(result)})
        elif cached is None:
            run.log.record(
                Op.STEP_ENTER,
                request=request,
                response={"result": encode(result)},
                step_path=path,
                parent_id=parent.scope_id(),
                invocation_seq=inv,
                step_local_seq=0,
                started_ns=frame.started,
            )
        return result

    async def _with_timeout(self, path: tuple[str, ...]) -> Any:
        spec = self.spec
        assert spec.timeout is not None
        frame = current_frame()
        if frame is not None and frame.cached is None:
            frame.scope_id()  # a step with a timeout is written when it starts
        import anyio  # only a step with a timeout needs it (a run of plain steps never loads it)

        with anyio.move_on_after(spec.timeout) as scope:
            if frame is not None:  # what the timeout cuts short says so (godel.engine.interrupt)
                frame.timeout = (scope, spec.timeout)
            result = await spec.fn(*self.args, **self.kwargs)
        if scope.cancelled_caught:
            raise StepTimeout(
                f"step {spec.name!r} timed out after {spec.timeout}s",
                step_name=spec.name,
                timeout_seconds=spec.timeout,
                step_path=path,
                remediation_hint="raise the step's timeout= or make it faster; wrap it in retry() to try again",
            )
        return result


def _same_godel_py_call(
    cached: Event, request: dict[str, Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> bool:
    """Whether ``cached``, a step godel-py 3.x recorded, is this call: godel-py wrote the
    arguments as ``repr`` strings, so a resume of its log compares them that way."""
    if type(cached.request.get("args")) is not str:
        return False
    legacy = {**request, "args": repr(tuple(args)), "kwargs": repr(dict(kwargs))}
    return cached.request_hash == compute_request_hash(legacy)


@types.coroutine
def until_it_waits(coro: Coroutine[Any, Any, T], frame: Frame) -> Generator[Any, Any, T]:
    """Await ``coro``; the first time it waits, write its step's STARTED line (``frame``).

    A step that ends without waiting or recording anything inside it (the line would be
    replaced at once) is written as one line when it ends. One that waits is in flight for
    ``show``, ``tail`` and ``watch`` from then on, as every step used to be from its start.
    The rest is ``yield from coro`` spelled out (PEP 380), for a coroutine object.
    """
    try:
        yielded = coro.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    try:
        frame.scope_id()
    except BaseException:
        coro.close()
        raise
    while True:
        try:
            sent = yield yielded
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:
            try:
                yielded = coro.throw(exc)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
        else:
            try:
                yielded = coro.send(sent)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]


_UNAWAITED = (StepCall, types.CoroutineType)


def awaited(result: Any, what: str) -> Any:
    """``result``, unless it is a step call or coroutine returned without being awaited: a
    mistake to say (``TypeError``), not a value to record as ``<step call ...>``."""
    if isinstance(result, _UNAWAITED):
        if isinstance(result, types.CoroutineType):
            result.close()  # never awaited: no "was never awaited" warning on top
        raise TypeError(f"{what} returned {result!r} without awaiting it: write 'return await ...'")
    return result


def _answered_below(run: Any, event: Any) -> None:
    """What a step replayed as failing recorded inside it is answered from the log too, as if
    its body had run again: the plan (which notes every lookup) and the saved costs count it."""
    seen = getattr(run.cache, "seen", None)  # godel.plan.dryrun.Watched
    todo = [event.event_id]
    while todo:
        for ev in run.cached_children(todo.pop()):
            todo.append(ev.event_id)
            if seen is not None:
                seen[ev.event_id] = ev
            if (
                ev.op == Op.AGENT_CALL
                and ev.status is EventStatus.FINISHED
                and run.costs is not None
            ):
                run.costs.replay(ev)


def _settled(run: Any, parent: Frame, cached: Any) -> bool:
    """Whether a FAILED step is known to have been handled (see ``godel.replay.failures``)."""
    from godel.replay.failures import is_interruption

    return (parent.settled or cached.event_id in run.settled) and not is_interruption(cached)


def _is_control(exc: BaseException) -> bool:
    from godel.exceptions import PauseSignal, RewindSignal

    return isinstance(exc, PauseSignal | RewindSignal)


@overload
def step(fn: Callable[..., Coroutine[Any, Any, T]], /) -> Callable[..., StepCall]: ...
@overload
def step(
    *,
    name: str | None = None,
    timeout: float | None = None,
    idempotent: bool = False,
    capture_stdout: bool = False,
) -> Callable[[Callable[..., Coroutine[Any, Any, T]]], Callable[..., StepCall]]: ...


def step(
    fn: Any = None,
    /,
    *,
    name: str | None = None,
    timeout: float | None = None,
    idempotent: bool = False,
    capture_stdout: bool = False,
) -> Any:
    """Make an async function a recorded step: ``@step`` or ``@step(name=, timeout=, idempotent=, capture_stdout=)``.

    ``timeout`` (seconds) raises ``StepTimeout`` (at the body's next ``await``: code that
    blocks without awaiting, ``time.sleep`` or a long computation, runs on);
    ``idempotent=True`` allows a resume to re-run the step's in-flight side effects after a
    crash; ``capture_stdout=True`` copies what the body writes to stdout (fd 1) into the run's
    transcript, line by line, while still showing it (see ``godel.engine.capture``).
    """
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0
    ):
        raise TypeError(f"@step timeout must be a positive number of seconds, got {timeout!r}")
    if name == "":
        name = None  # the function's name, as in godel-py
    # "/" separates the names of a step path in show, errors and the watch view
    if name is not None and (not isinstance(name, str) or not name.strip() or "/" in name):
        raise TypeError(f"@step name must be a non-empty string without '/', got {name!r}")

    def decorate(f: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., StepCall]:
        if not is_async_function(f):
            raise TypeError(
                f"@step requires an async function (async def), got {getattr(f, '__name__', f)!r}"
            )
        if hasattr(f, "__godel_step__"):
            f = _awaiting(f)  # the body must be a coroutine function; a step's call is not
        spec = StepSpec(f, name or f.__name__, timeout, idempotent, capture_stdout)

        @functools.wraps(f)
        def call(*args: Any, **kwargs: Any) -> StepCall:
            return StepCall(spec, args, kwargs)

        mark_coroutine_function(call)
        call.__godel_step__ = spec  # type: ignore[attr-defined]
        # godel-py's marker: scripts and tools written for it test ``fn._is_step``.
        call._is_step = True  # type: ignore[attr-defined]
        return call

    if fn is not None:
        return decorate(fn)
    return decorate
