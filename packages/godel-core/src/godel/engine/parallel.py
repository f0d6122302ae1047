"""``parallel``: run awaitables concurrently, results in argument order, siblings cancelled on failure."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any

import anyio

from godel.engine.context import Frame, current_frame, current_run, frame_var, lookup
from godel.engine.step import StepCall
from godel.exceptions import ConfigError, PauseSignal, RewindSignal
from godel.log.events import EventStatus, Op


def _close_all(aws: Iterable[Any]) -> None:
    for aw in aws:
        close = getattr(aw, "close", None)
        if callable(close):
            close()


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
    *awaitables: Awaitable[Any] | Iterable[Awaitable[Any]], max_concurrency: int | None = None
) -> tuple[Any, ...]:
    """Await every argument concurrently; return their results as a tuple in argument order.

    ``parallel(a, b)`` and ``parallel([a, b])`` are the same. When a branch fails, the others
    are cancelled (their subprocesses killed) and the first failure is raised, with a note
    naming the branch. ``max_concurrency`` bounds how many branches run at once.
    """
    aws: list[Any]
    if len(awaitables) == 1 and isinstance(awaitables[0], list | tuple):
        aws = list(awaitables[0])
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
        return await _gather(aws, [None] * len(aws), max_concurrency)

    local = frame.next_local()
    key = (
        frame.op_key(Op.FORK, local) if run.cache else 0
    )  # keys only serve lookups (godel.engine.keys)
    request: dict[str, Any] = {"branches": len(aws)}
    if max_concurrency is not None:
        request["max_concurrency"] = max_concurrency
    cached = lookup(run, key) if run.cache else None
    if cached is not None and (
        cached.status is not EventStatus.FINISHED
        or (
            cached.request != request
            and not (run.policy and run.policy.accept(run, cached, request))
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
    try:
        results = await _gather(aws, frames, max_concurrency)
    except BaseException as exc:
        if fork.event is not None and not isinstance(exc, PauseSignal | RewindSignal):
            run.log.fail(fork.event, exc, error_type=type(exc).__name__)
            _join(run, frame, fork, join_local, failed=exc)
        raise
    if fork.event is not None:
        run.log.finish(fork.event, {"branches": len(aws)})
        _join(run, frame, fork, join_local)
    return results


def _join(
    run: Any, frame: Frame, fork: Frame, local: int, failed: BaseException | None = None
) -> None:
    assert fork.event is not None
    request = {
        "fork_id": fork.event.event_id,
        "branches": fork.request["branches"] if fork.request else 0,
    }
    if failed is None:
        response: dict[str, Any] = {"branches": request["branches"]}
        status = EventStatus.FINISHED
    else:
        response = {
            "error": str(failed) or type(failed).__name__,
            "error_type": type(failed).__name__,
        }
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
    aws: list[Any], frames: list[Frame | None], max_concurrency: int | None
) -> tuple[Any, ...]:
    results: list[Any] = [None] * len(aws)
    failures: list[tuple[int, BaseException]] = []
    pauses: list[PauseSignal] = []
    limiter = anyio.CapacityLimiter(max_concurrency) if max_concurrency else None

    async def branch(i: int) -> None:
        token = frame_var.set(frames[i]) if frames[i] is not None else None
        try:
            if limiter is not None:
                async with limiter:
                    results[i] = await aws[i]
            else:
                results[i] = await aws[i]
        except PauseSignal as sig:
            # A pause lets sibling branches reach their own step boundaries.
            pauses.append(sig)
        except BaseException as exc:
            if not isinstance(exc, anyio.get_cancelled_exc_class()):
                failures.append((i, exc))
            raise
        finally:
            if token is not None:
                frame_var.reset(token)

    try:
        async with anyio.create_task_group() as tg:
            for i in range(len(aws)):
                tg.start_soon(branch, i)
    except BaseException as group:
        if not failures:
            raise
        index, first = failures[0]
        rewinds = [e for _, e in failures if isinstance(e, RewindSignal)]
        if rewinds:
            raise rewinds[0] from None
        _name_branch(first, index, _describe(aws[index]))
        raise first from (group if len(failures) > 1 else None)
    if pauses:
        raise pauses[0]
    return tuple(results)
