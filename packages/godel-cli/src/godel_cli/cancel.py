"""How a signal cancels the run of ``godel run`` and ``godel resume``: through an anyio cancel
scope around the whole run once anyio's asyncio backend is loaded, natively before.

The run used to start inside ``anyio.run`` and a ``CancelScope``: a signal cancelled the scope,
which cancels the run at every await until it ends, except inside a shielded scope (a command
being killed and reaped, a ``parallel`` waiting for its branches). But loading anyio's backend
is 16 ms of a 103 ms ``godel run`` of an empty workflow (callgrind: 95M instructions of 566M),
and a run of plain steps never uses it. So the run starts under ``asyncio.run`` with no scope:

- while the backend is not loaded, no anyio scope exists, so nothing is shielded: a signal
  cancels the run's task natively, again at each turn of the loop until it ends, as the scope
  would (code that catches the cancellation and awaits again is cancelled again);
- the moment the backend is loaded in the run's task (the first ``parallel``, command, agent
  call, step timeout or ``godel.sleep``: each creates a scope there first), a ``CancelScope``
  is entered around the rest of the run, so that shields hold as before. A signal that came
  earlier cancels it at once.

The backend can be loaded outside the run's task: in a task the workflow made itself
(``asyncio.gather``, ``create_task``), or in a callback of the loop. No scope can be entered
around the run from there, so a signal cancels it natively, one turn of the loop at a time, and
waits while the run's task is inside a shielded scope (read from anyio's own record of each
task's scopes).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

BACKEND = "anyio._backends._asyncio"


class RootCancel:
    """The run's cancellation, for ``install_signal_handlers``: ``cancel()`` on a signal,
    ``exit(exc)`` when the run's body is done (True: the cancellation ended it, swallow)."""

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.cancelled = False
        self.scope: Any = None  # the anyio CancelScope, once entered
        self._watch: _BackendWatch | None = None
        self._done = False
        if BACKEND in sys.modules:
            self._enter()
        else:
            self._watch = _BackendWatch(self)
            sys.meta_path.insert(0, self._watch)  # type: ignore[arg-type]

    def cancel(self) -> None:
        """Cancel the run (a signal came)."""
        self.cancelled = True
        self._deliver()

    def exit(self, exc: BaseException | None) -> bool:
        """The run's body ended (raising ``exc``); True when ``exc`` is the cancellation."""
        self._done = True
        self._unwatch()
        ours = self.cancelled and isinstance(exc, asyncio.CancelledError)
        if self.scope is not None:
            if exc is None:
                return bool(self.scope.__exit__(None, None, None))
            # A cancellation delivered natively before the scope was entered is ours too,
            # though anyio does not know it for its own.
            return bool(self.scope.__exit__(type(exc), exc, exc.__traceback__)) or ours
        return ours

    def _deliver(self) -> None:
        if self.scope is not None:
            self.scope.cancel()
            return
        if self._done or self.task.done():
            return
        if not _shielded(self.task):
            self.task.cancel()
        # Level-triggered, as a cancelled scope is: once per turn of the loop until the run ends.
        self.task.get_loop().call_soon(self._deliver)

    def _loaded(self) -> None:
        """anyio's backend was just loaded (in whatever task imported it)."""
        self._unwatch()
        try:
            running = asyncio.current_task()
        except RuntimeError:  # imported outside the loop
            running = None
        if running is self.task and not self._done:
            try:
                self._enter()
            except Exception:  # never fail the import the run asked for: stay native
                self.scope = None
                return
            if self.cancelled:
                self.scope.cancel()

    def _enter(self) -> None:
        from anyio import CancelScope

        scope = CancelScope()
        scope.__enter__()
        self.scope = scope

    def _unwatch(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            try:
                sys.meta_path.remove(watch)  # type: ignore[arg-type]
            except ValueError:
                pass


def _shielded(task: asyncio.Task[Any]) -> bool:
    """Whether ``task`` is inside a shielded anyio scope (False before the backend is loaded,
    and if anyio no longer keeps its record of a task's scopes the way 4.x does)."""
    backend = sys.modules.get(BACKEND)
    if backend is None:
        return False
    try:
        state = backend._task_states.get(task)
        scope = state.cancel_scope if state is not None else None
        while scope is not None:
            if scope.shield:
                return True
            scope = scope._parent_scope
    except (AttributeError, TypeError):
        return False
    return False


class _BackendWatch:
    """A ``sys.meta_path`` finder that only notices anyio's backend being imported: it lets the
    usual finders find it and calls back once the module has run (not ``importlib.abc``'s
    base class: importing it costs a start-up)."""

    def __init__(self, root: RootCancel) -> None:
        self.root = root

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != BACKEND:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path, target)
        if spec is None or spec.loader is None:
            return None
        loader, root = spec.loader, self.root
        run_module = loader.exec_module

        def exec_module(module: Any) -> None:
            run_module(module)
            root._loaded()

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec
