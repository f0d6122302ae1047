"""``parallel``: run awaitables concurrently, results in argument order.

When a branch fails, the default loses nothing: the other branches start no new effect or step
(their fork is *stopped*, ``godel.engine.interrupt``), the effects already running finish and
are recorded, and once every branch has ended the first failure is raised. Killing what runs
(``cancel_running=True``) would leave effects whose outcome nobody knows: each is recorded as
interrupted, and a resume refuses to run it again unless it is idempotent.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Awaitable, Iterable
from typing import Any

import anyio
import anyio.lowlevel

from godel.engine.context import Frame, current_frame, current_run, frame_var, lookup
from godel.engine.interrupt import Stopped, StopToken, interruption
from godel.engine.step import StepCall
from godel.exceptions import ConfigError, PauseSignal, RewindSignal
from godel.log.events import EventStatus, Op


def _close_all(aws: Iterable[Any]) -> None:
    for aw in aws:
        close = getattr(aw, "close", None)
        if callable(close):
            close()


def _iterable(value: Any) -> bool:
    """An iterable of awaitables given as one argument (a generator expression, a map)."""
    return hasattr(value, "__iter__") and not isinstance(value, str | bytes | dict)


def _describe(aw: Any) -> str:
    if isinstance(aw, StepCall):
        return f"step {aw.spec.name!r}"
    code = getattr(aw, "cr_code", None)
    return f"{code.co_name}()" if code is not None else type(aw).__name__


def _name_branch(exc: BaseException, index: int, what: str) -> None:
    note = f"in parallel branch {index} ({what})"
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:  # Python 3.10
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]


async def parallel(
    *awaitables: Awaitable[Any] | Iterable[Awaitable[Any]],
    max_concurrency: int | None = None,
    cancel_running: bool = False,
) -> tuple[Any, ...]:
    """Await every argument concurrently; return their results as a tuple in argument order.

    ``parallel(a, b)`` and ``parallel([a, b])`` are the same. ``max_concurrency`` bounds how
    many branches run at once. When a branch fails, the others start nothing new (no effect,
    step or branch; a ``godel.sleep`` ends early), the effects already running finish and are
    recorded, then the first failure is raised with a note naming its branch.
    ``cancel_running=True`` cancels the other branches at once instead (their commands and
    agent calls killed, each recorded as interrupted: a resume will not run them again unless
    they are idempotent).
    """
    aws: list[Any]
    if len(awaitables) == 1 and (
        isinstance(awaitables[0], list | tuple)
        or (not hasattr(awaitables[0], "__await__") and _iterable(awaitables[0]))
    ):
        aws = list(awaitables[0])  # type: ignore[arg-type]
    else:
        aws = list(awaitables)
    if max_concurrency is not None and (
        isinstance(max_concurrency, bool)
        or not isinstance(max_concurrency, int)
        or max_concurrency < 1
    ):
        _close_all(aws)
        raise ConfigError(
            f"parallel max_concurrency must be a positive integer or None, got {max_concurrency!r}"
        )
    for i, aw in enumerate(aws):
        if not hasattr(aw, "__await__"):
            _close_all(aws)
            raise TypeError(
                f"parallel argument {i} is not awaitable: {aw!r} (did you forget to call it?)"
            )
    run = current_run()
    frame = current_frame()
    if run is None or frame is None:
        return await _gather(aws, [None] * len(aws), max_concurrency, None, True)

    local = frame.next_local()
    key = (
        frame.op_key(Op.FORK, local) if run.cache else 0
    )  # keys only serve lookups (godel.engine.keys)
    request: dict[str, Any] = {"branches": len(aws)}
    if max_concurrency is not None:
        request["max_concurrency"] = max_concurrency
    cached = lookup(run, key) if run.cache else None
    # A failure the run went past (code caught it and went on) replays as failing: the fork's
    # branches then raise their recorded failures again instead of running (godel.replay.failures).
    replays_failure = False
    if cached is not None and cached.status is EventStatus.FAILED:
        from godel.replay.failures import is_interruption

        replays_failure = (
            cached.request == request
            and (frame.settled or cached.event_id in run.settled)
            and not is_interruption(cached)
        )
    if (
        cached is not None
        and not replays_failure
        and (
            cached.status is not EventStatus.FINISHED
            or (
                cached.request != request
                and not (run.policy and run.policy.accept(run, cached, request))
            )
        )
    ):
        cached = None
    fork = Frame(
        run,
        "fork",
        parent=frame,
        step_path=frame.step_path,
        invocation_seq=frame.invocation_seq,
        key=key,
        local_seq=local,
        request=request,
        cached=cached,
    )
    token = fork.stop = StopToken(frame.stop)
    # A finished fork handled every failure inside it (see godel.replay.failures).
    fork.settled = frame.settled or cached is not None
    if cached is None:
        fork.scope_id()
    # Identities are fixed here, in argument order, before anything runs.
    frames: list[Frame | None] = []
    for i, aw in enumerate(aws):
        if isinstance(aw, StepCall):
            aw.bind(fork)
            frames.append(None)
        else:
            branch = Frame(
                run,
                "branch",
                parent=fork,
                step_path=(*frame.step_path, f"[{i}]"),
                invocation_seq=frame.invocation_seq,
                key=fork.key,
                scope=fork,
            )
            branch.settled = fork.settled
            frames.append(branch)
    join_local = frame.next_local()
    failures: list[tuple[int, BaseException]] = []
    try:
        results = await _gather(aws, frames, max_concurrency, token, cancel_running, failures)
    except BaseException as exc:
        # A pause with no failure beside it leaves the fork open: the resume goes on inside it.
        alongside = isinstance(exc, PauseSignal) and failures
        if fork.event is not None and (
            alongside or not isinstance(exc, PauseSignal | RewindSignal)
        ):
            why = None if alongside else interruption(exc, frame)
            if why is None:
                first = failures[0][1] if failures else exc
                error = _failed_branches(len(failures) or 1, paused=bool(alongside))
                run.log.fail(fork.event, error, error_type=type(first).__name__)
                _join(run, frame, fork, join_local, failed=first, error=error)
            else:
                run.log.fail(fork.event, why, error_type="Interrupted", interrupted=True)
                _join(run, frame, fork, join_local, failed=exc, error=why, interrupted=True)
        raise
    finally:
        token.detach()
    if fork.event is not None:
        run.log.finish(fork.event, {"branches": len(aws)})
        _join(run, frame, fork, join_local)
    return results


def _failed_branches(count: int, *, paused: bool) -> str:
    """A failed fork's error, as godel-py wrote it (REFERENCE §2.4)."""
    return f"{count} branch(es) failed" + (" alongside pause" if paused else "")


def _join(
    run: Any,
    frame: Frame,
    fork: Frame,
    local: int,
    failed: BaseException | None = None,
    error: str = "",
    interrupted: bool = False,
) -> None:
    assert fork.event is not None
    request = {
        "fork_id": fork.event.event_id,
        "branches": fork.request["branches"] if fork.request else 0,
    }
    if failed is None:
        response: dict[str, Any] = {"branches": request["branches"]}
        status = EventStatus.FINISHED
    elif interrupted:
        response = {"error": error, "error_type": "Interrupted", "interrupted": True}
        status = EventStatus.FAILED
    else:
        response = {"error": error, "error_type": type(failed).__name__}
        status = EventStatus.FAILED
    run.log.record(
        Op.JOIN,
        request=request,
        response=response,
        status=status,
        step_path=frame.step_path,
        parent_id=frame.scope_id(),
        invocation_seq=frame.invocation_seq,
        step_local_seq=local,
    )


async def _gather(
    aws: list[Any],
    frames: list[Frame | None],
    max_concurrency: int | None,
    token: StopToken | None,
    cancel_running: bool,
    failures: list[tuple[int, BaseException]] | None = None,
) -> tuple[Any, ...]:
    """Run the branches; ``token`` (None outside a workflow, where a failure cancels the
    others) is the fork's stop flag.

    Each branch is a plain asyncio task inside a cancel scope of its own rather than an anyio
    task-group task: ``start_soon`` costs 15-20 µs a branch, a task plus a scope 10 (K = 1,000;
    a ``parallel`` branch of one trivial step, 32-40 -> 22-27 µs). The scopes are what make
    cancellation anyio's: a branch is cancelled through its scope, so the shields inside it
    (a command's group being killed and reaped) hold, and the cancellation is level-triggered
    until the branch leaves the scope. When the waiting task is cancelled (a step timeout, a
    deadline, Ctrl+C), it cancels every branch and waits for all of them, shielded as an anyio
    task group is, then passes the cancellation on.
    """
    n = len(aws)
    if n == 0:
        await anyio.lowlevel.checkpoint()
        return ()
    try:
        await anyio.lowlevel.checkpoint_if_cancelled()  # a cancelled scope starts no branch
    except BaseException:
        _close_all(aws)
        raise
    results: list[Any] = [None] * n
    if failures is None:
        failures = []
    pauses: list[PauseSignal] = []
    stops: list[Stopped] = []
    limiter = anyio.CapacityLimiter(max_concurrency) if max_concurrency else None
    cancelled = asyncio.CancelledError
    scopes = [anyio.CancelScope() for _ in range(n)]

    cancelling = False

    def cancel_branches() -> None:
        nonlocal cancelling
        if cancelling:  # once: every scope, the branches not yet started included
            return
        cancelling = True
        for scope in scopes:
            scope.cancel()

    async def branch(i: int) -> None:
        scope = scopes[i]
        if scope.cancel_called:  # cancelled before its task first ran
            _close_all([aws[i]])
            return
        ctx = frame_var.set(frames[i]) if frames[i] is not None else None
        try:
            with scope:
                try:
                    if limiter is not None:
                        async with limiter:
                            if token is not None and token.reason is not None:
                                _close_all([aws[i]])  # its turn came after a sibling failed
                                raise Stopped(token.reason)
                            results[i] = await aws[i]
                    else:
                        results[i] = await aws[i]
                except PauseSignal as sig:
                    # A pause lets sibling branches reach their own step boundaries.
                    pauses.append(sig)
                except Stopped as stop:
                    stops.append(stop)
                except cancelled:
                    raise
                except BaseException as exc:
                    failures.append((i, exc))
                    if token is None:
                        cancel_branches()  # outside a workflow a failure cancels the others
                    elif getattr(exc, "lets_siblings_finish", False):
                        # A dry run (godel.plan) reached a live effect here: the other branches
                        # replay on as the resume's would, so the plan sees what they replay.
                        pass
                    else:
                        # Ctrl+C (or an exit) in a branch stops everything at once, as it does
                        # elsewhere.
                        hard = cancel_running or not isinstance(exc, Exception | RewindSignal)
                        token.stop(_reason(i, exc), cancelling=hard)
                        if hard:
                            cancel_branches()
        finally:
            if ctx is not None:
                frame_var.reset(ctx)

    loop = asyncio.get_running_loop()
    left = n
    waiter: asyncio.Future[None] = loop.create_future()

    def ended(_task: asyncio.Task[None]) -> None:
        nonlocal left
        left -= 1
        if not left and not waiter.done():
            waiter.set_result(None)

    tasks = [loop.create_task(branch(i)) for i in range(n)]  # held: the loop keeps weak refs
    for task in tasks:
        task.add_done_callback(ended)
    interrupted: BaseException | None = None
    with anyio.CancelScope() as waiting:
        while left:
            try:
                await waiter
            except cancelled as exc:
                # Every branch ends first, as in an anyio task group; the scope stops the
                # cancellation from being delivered again each turn of the loop meanwhile.
                waiting.shield = True
                cancel_branches()
                interrupted = interrupted or exc
                waiter = loop.create_future()
    for i, task in enumerate(tasks):  # a branch raises nothing but a foreign cancellation
        if not task.cancelled() and task.exception() is not None:
            failures.append((i, task.exception()))  # type: ignore[arg-type]
    if interrupted is not None:
        raise interrupted
    if failures:
        first = _first_failure(aws, failures)
        if pauses and isinstance(first, Exception):  # not a rewind, not an interruption
            raise pauses[0]  # the pause asked for wins over failures (REFERENCE §2.4)
        if token is None and len(failures) > 1 and isinstance(first, Exception):
            raise first from _all_failures(failures)
        raise first
    if pauses:
        raise pauses[0]
    if stops:
        raise stops[0]  # an enclosing fork was stopped: this one started nothing new either
    return tuple(results)


def _all_failures(failures: list[tuple[int, BaseException]]) -> BaseException | None:
    """Every branch's failure as one group (the cause of the first; Python 3.11+)."""
    group = getattr(builtins, "BaseExceptionGroup", None)
    if group is None:
        return None
    return group("parallel branches failed", [exc for _, exc in failures])  # type: ignore[no-any-return]


def _reason(index: int, exc: BaseException) -> str:
    if isinstance(exc, RewindSignal):
        return f"cancelled: parallel branch {index} rewound the run"
    why = interruption(exc)
    if why is not None:
        return why
    return f"cancelled: parallel branch {index} failed"


def _first_failure(aws: list[Any], failures: list[tuple[int, BaseException]]) -> BaseException:
    """The exception ``parallel`` raises: a rewind first, then an interruption, then the
    first failure (with a note naming its branch)."""
    for _, exc in failures:
        if isinstance(exc, RewindSignal):
            return exc
    for _, exc in failures:
        if not isinstance(exc, Exception):
            return exc
    index, first = failures[0]
    _name_branch(first, index, _describe(aws[index]))
    return first
