"""``retry``: try again on expected failures, waiting through the recorded sleep."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from godel.exceptions import BudgetExceeded, StepTimeout, WorkflowFail


class retry:
    """Retry ``WorkflowFail`` and ``StepTimeout`` up to ``times`` attempts in total.

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
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(
                f"retry times must be an integer >= 1 (attempts in total), got {times!r}"
            )
        if backoff_seconds < 0 or backoff_multiplier < 0:
            raise ValueError("retry backoff_seconds and backoff_multiplier must be >= 0")
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
                last = exc
        assert last is not None
        raise last

    def __call__(self, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            return await self.call(fn, *args, **kwargs)

        return wrapper
