"""``retry``: try again on expected failures, waiting through the recorded sleep."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from godel.exceptions import BudgetExceeded, StepTimeout, WorkflowFail


def _check_non_negative(what: str, value: object) -> None:
    # Here rather than as a TypeError or a negative sleep in the middle of the run.
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 <= value < float("inf")
    ):
        raise ValueError(f"retry {what} must be a number >= 0, got {value!r}")


class retry:
    """Retry ``WorkflowFail`` and ``StepTimeout`` up to ``times`` attempts in total.

    ``retry_on`` names other exception classes to retry; a pause, a rewind, a cancellation or
    an exit (anything that is not an ``Exception``) always passes through.

    Decorator (put it above ``@step`` so each attempt is its own step invocation)::

        @retry(3, backoff_seconds=1)
        @step
        async def flaky(): ...

    Wrapper::

        result = await retry(3).call(flaky, arg)

    Waits between attempts go through ``godel.det.sleep``, so a replay does not wait again.
    """

    def __init__(
        self,
        times: int,
        *,
        backoff_seconds: float = 0.0,
        backoff_multiplier: float = 2.0,
        max_backoff_seconds: float | None = None,
        retry_on: tuple[type[BaseException], ...] = (WorkflowFail, StepTimeout),
    ) -> None:
        if callable(times):
            raise TypeError("retry needs the number of attempts: write @retry(3), not @retry")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(
                f"retry times must be an integer >= 1 (attempts in total), got {times!r}"
            )
        if isinstance(retry_on, type):
            retry_on = (retry_on,)
        if not isinstance(retry_on, tuple) or not all(
            isinstance(t, type) and issubclass(t, BaseException) for t in retry_on
        ):
            raise TypeError(
                f"retry retry_on must be an exception class or a tuple of them, got {retry_on!r}"
            )
        _check_non_negative("backoff_seconds", backoff_seconds)
        _check_non_negative("backoff_multiplier", backoff_multiplier)
        if max_backoff_seconds is not None:
            _check_non_negative("max_backoff_seconds", max_backoff_seconds)
        self.times = times
        self.backoff_seconds = float(backoff_seconds)
        self.backoff_multiplier = float(backoff_multiplier)
        self.max_backoff_seconds = max_backoff_seconds
        self.retry_on = retry_on

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt`` (1 = the first retry)."""
        delay = self.backoff_seconds * (self.backoff_multiplier ** (attempt - 1))
        if self.max_backoff_seconds is not None:
            delay = min(delay, self.max_backoff_seconds)
        return delay

    async def call(self, fn: Callable[..., Awaitable[Any]], /, *args: Any, **kwargs: Any) -> Any:
        """Call ``fn(*args, **kwargs)`` and await it, retrying as configured."""
        from godel.det import sleep as det_sleep
        from godel.engine.context import current_run

        if not callable(fn):
            raise TypeError(
                f"retry.call takes the function and its arguments, not the call: "
                f"retry(n).call(fn, *args), got {fn!r}"
            )

        last: BaseException | None = None
        for attempt in range(self.times):
            if attempt and self.backoff_seconds > 0:
                wait = self.delay(attempt)
                if current_run() is not None:
                    await det_sleep(wait)
                else:
                    import anyio

                    await anyio.sleep(wait)
            try:
                return await fn(*args, **kwargs)
            except BudgetExceeded:
                raise  # the budget stays spent: another attempt would only fail the same way
            except self.retry_on as exc:
                if not isinstance(exc, Exception):
                    # A pause, rewind, stopped fork, cancellation or exit is control flow,
                    # never a failed attempt, even under retry_on=(BaseException,).
                    raise
                last = exc
        assert last is not None
        raise last

    def __call__(self, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            return await self.call(fn, *args, **kwargs)

        return wrapper
