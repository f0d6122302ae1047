"""``godel resume --plan`` and ``godel.plan_resume``: what a resume would do, without doing it.

The workflow runs as a resume would, with every recorded effect answered from the log, and
stops at the first effect that would run live: a new call, a changed request, an effect that
was in flight. Nothing runs, nothing is written (not even a RESUME line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from godel.log.events import Event, EventStatus
from godel.plan.sandbox import LIVE_OPS, Stop
from godel.replay.policy import ReplayPolicy

__all__ = ["PlanPolicy", "plan_resume", "spec_for"]


def plan_resume(
    run_id: str,
    file: str | Path | None = None,
    *,
    workflow: Any = None,
    runs_dir: str | Path | None = None,
    on_mismatch: str = "abort",
    on_source_edit: str = "warn",
    assume_idempotent: bool = False,
    max_cost_usd: float | None = None,
) -> dict[str, Any]:
    """The plan of resuming run ``run_id`` with the workflow in ``file`` (default: the file the
    run recorded), as JSON: what replays (``replayed``: events, agent calls, USD saved), the
    first divergence (``divergence``: kind, op, step, the recorded request and the new one, a
    diff), the changed requests ``--on-mismatch continue`` replays (``kept``), the recorded
    effects from there on (``rerun``, with recorded costs) and the policies.

    ``budget``: the run's spending so far and the budget the resume would have (``max_cost_usd``
    as ``godel resume --max-cost`` gives it, else the recorded one).

    ``workflow``: a ``@workflow`` function to use instead of importing ``file``. Call it from
    synchronous code (it runs its own event loop). Nothing is run and nothing is written.
    """
    import anyio

    from godel.engine.keys import KeyTable
    from godel.engine.workflow import recorded_args
    from godel.log.files import resolve_runs_dir
    from godel.plan.dryrun import Watched, dry_run
    from godel.plan.sandbox import open_sandbox
    from godel.replay.failures import settled_failures
    from godel.replay.finished import finished_root
    from godel.replay.policy import MismatchPolicy, SourceEditPolicy, build_cache, root_event

    directory = resolve_runs_dir(runs_dir)
    log = open_sandbox(run_id, directory)
    root = root_event(log)
    policies = {
        "on_mismatch": MismatchPolicy(on_mismatch).value,
        "on_source_edit": SourceEditPolicy(on_source_edit).value,
        "assume_idempotent": assume_idempotent,
    }
    plan: dict[str, Any] = {"run_id": log.run_id, "workflow": root.request.get("function")}
    done = finished_root(log)
    if done is not None:
        return {**plan, "finished": True, "outcome": "finished", "policies": policies}
    spec = spec_for(workflow, file, root)
    plan["file"] = spec.source_file
    keys = KeyTable()
    cache = Watched(build_cache(log, keys, root))
    policy = PlanPolicy(
        MismatchPolicy(on_mismatch), SourceEditPolicy(on_source_edit), assume_idempotent
    )
    from godel.engine.context import RunState

    state = RunState(
        log=log,
        root_event=root,
        keys=keys,
        cache=cache,
        settled=settled_failures(log),
        policy=policy,
        source_file=spec.source_file,
    )
    args, kwargs = recorded_args(root)
    recorded = list(log)  # before the dry run adds its own events
    # The latest attempt at each identity: an older one it superseded (a command in flight
    # that a later resume ran again) is history, not something this resume would run again.
    latest = {ev.event_id for ev in cache.values()}
    # Invalidated ones stay: the plan names an effect a rewind invalidated as such.
    current = [
        ev
        for ev in recorded
        if ev.op not in LIVE_OPS or ev.event_id in latest or ev.status is EventStatus.INVALIDATED
    ]
    run = anyio.run(dry_run, spec, state, tuple(args or ()), dict(kwargs or {}))
    from godel.cost.budget import spent_in
    from godel.engine.workflow import _budget, recorded_budget
    from godel.plan.report import describe

    budget = _budget(max_cost_usd, spec, recorded_budget(_Recorded(log.header, recorded)))
    plan["budget"] = {"max_cost_usd": budget, "spent_usd": round(spent_in(recorded), 10)}
    return {
        **plan,
        "finished": False,
        **describe(run, current, cache.seen, policies, policy.edited, state.settled, policy.kept),
    }


def spec_for(workflow: Any, file: str | Path | None, root: Event) -> Any:
    """The workflow to dry-run: ``workflow``, else ``file``'s, else the recorded file's."""
    if workflow is not None:
        return getattr(workflow, "__godel_workflow__", workflow)
    from godel.plan.load import load_spec

    path = file or root.request.get("source_file")
    if not path:
        raise ValueError("the run does not record its workflow file: pass file=")
    return load_spec(path)


class _Recorded(list):  # type: ignore[type-arg]
    """The recorded events with the log's header (what ``recorded_budget`` reads)."""

    def __init__(self, header: dict[str, Any], events: list[Event]) -> None:
        super().__init__(events)
        self.header = header


class PlanPolicy(ReplayPolicy):
    """The resume's policies, deciding nothing: a changed request or an effect in flight stops
    the dry run (the plan says what the policy would do), an edited step is noted. Under
    ``--on-mismatch continue`` a changed request is noted in ``kept`` and replayed, as the
    resume would."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.edited: list[dict[str, Any]] = []
        self.kept: list[tuple[Event, dict[str, Any]]] = []

    def _mismatch(self, run: Any, op: str, cached: Event, request: dict[str, Any]) -> Event | None:
        from godel.replay.policy import MismatchPolicy

        if self.on_mismatch is MismatchPolicy.CONTINUE:
            # The resume keeps the recorded answer and goes on: what follows is known too.
            self.kept.append((cached, request))
            return cached
        raise Stop("changed", op, cached.step_path, request, cached)

    def check_source_edit(self, run: Any, cached: Event, spec: Any) -> None:
        recorded = cached.request.get("source_hash") or ""
        if recorded and spec.source_hash and recorded != spec.source_hash:
            if all(e["step"] != spec.name for e in self.edited):
                self.edited.append({"step": spec.name, "event_id": cached.event_id})
            from godel.replay.policy import SourceEditPolicy

            if self.on_source_edit is SourceEditPolicy.ABORT:  # the resume stops at this step
                request = {**cached.request, "source_hash": spec.source_hash}
                raise Stop("edited", cached.op, cached.step_path, request, cached)

    def on_started_only(self, pos: Any, op: str, request: dict[str, Any]) -> None:
        from godel.replay.policy import SIDE_EFFECT_OPS, step_is_idempotent

        if op in SIDE_EFFECT_OPS:
            # Declared safe to repeat, the resume runs it again; else it refuses.
            safe = (
                self.assume_idempotent
                or request.get("idempotent") is True
                or step_is_idempotent(pos)
            )
            kind = "repeats" if safe else "in flight"
            raise Stop(kind, op, pos.cached.step_path, request, pos.cached)
