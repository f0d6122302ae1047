"""``godel test`` and ``godel.testing.replay_run``: a workflow checked against a recorded run.

The current code runs with every agent call, command and input (and clock, random value and
file read) answered from the recording, matched by request: nothing runs live, nothing costs
money. It *matches* when it asks for nothing the recording lacks, leaves no recorded effect
unasked, asks each at the step it was recorded at, and ends as the recording did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from godel.log.events import Event, EventStatus, Op, canonical_json
from godel.plan.diff import asked, request_diff, value_diff

__all__ = ["ReplayMismatch", "ReplayResult", "locate_run", "replay_run"]


@dataclass
class ReplayResult:
    """The outcome: ``matches``, or the first ``divergence`` (kind, op, step, diff)."""

    run_id: str
    file: str
    answered: dict[str, int] = field(default_factory=dict)
    divergence: dict[str, Any] | None = None

    @property
    def matches(self) -> bool:
        return self.divergence is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "file": self.file,
            "matches": self.matches,
            "answered": self.answered,
            "divergence": self.divergence,
        }

    def lines(self) -> list[str]:
        """The result as text: ``matches ...`` or the divergence with its diff."""
        counts = ", ".join(
            f"{n} {kind if n != 1 else kind[:-1]}" for kind, n in self.answered.items()
        )
        counts = counts or "no effects"
        if self.divergence is None:
            return [f"matches   ({counts} answered from the recording)"]
        d = self.divergence
        where = f"{d['op']} at {'/'.join(d['step_path']) or '(root)'}" if d.get("op") else ""
        lines = [f"diverges  {where}: {d['message']}" if where else f"diverges  {d['message']}"]
        lines += [f"  {line}" for line in d.get("diff") or ()]
        lines.append(f"answered  {counts} from the recording before it")
        return lines


class ReplayMismatch(AssertionError):
    """``replay_run``: the workflow no longer does what the recording did (the message says
    where, with a diff)."""

    def __init__(self, result: ReplayResult) -> None:
        super().__init__("\n".join([f"run {result.run_id}:", *result.lines()]))
        self.result = result


def locate_run(path_or_id: str | Path, runs_dir: str | Path | None = None) -> tuple[str, Any]:
    """``(run id, runs dir or store)`` of a log file (``tests/runs/<id>.jsonl``), a run's folder
    beside its log, or a run id (a unique prefix or suffix too) in ``runs_dir``, else in the
    configured store (``godel.store.resolve_store``: ``$GODEL_STORE``, the settings, the runs
    dir)."""
    from godel.log.files import list_run_ids
    from godel.log.ids import resolve_id
    from godel.store.resolve import resolve_store

    path = Path(path_or_id)
    if path.suffix == ".jsonl" and path.is_file():
        return path.stem, path.parent
    if path.is_dir() and path.with_suffix(".jsonl").is_file():
        return path.name, path.parent
    directory = resolve_store(None, runs_dir).location
    if isinstance(directory, Path) and not directory.is_dir():
        raise FileNotFoundError(f"no runs directory at {directory}")
    return resolve_id(str(path_or_id), list_run_ids(directory), what="run id"), directory


def replay_run(
    path_or_id: str | Path,
    file: str | Path | None = None,
    *,
    workflow: Any = None,
    runs_dir: str | Path | None = None,
    check: bool = True,
) -> ReplayResult:
    """Run the workflow (``workflow``, else the one in ``file``, else the file the run
    recorded) against recorded run ``path_or_id`` with every effect answered from it.

    Raises ``ReplayMismatch`` (an ``AssertionError``, so a pytest test fails with the diff) at
    the first divergence; ``check=False`` returns it in the result instead. Call it from
    synchronous code (it runs its own event loop). Nothing runs live; nothing is written.
    """
    import anyio

    from godel.engine.context import RunState
    from godel.engine.keys import KeyTable
    from godel.engine.workflow import recorded_args
    from godel.plan.answers import Answers
    from godel.plan.dryrun import dry_run
    from godel.plan.resume import spec_for
    from godel.plan.sandbox import open_sandbox
    from godel.replay.policy import build_cache, root_event

    run_id, directory = locate_run(path_or_id, runs_dir)
    log = open_sandbox(run_id, directory)
    root = root_event(log)
    recorded_root = _copy_end(root)
    spec = spec_for(workflow, file, root)
    # The latest attempt at each identity: an older one it superseded (a command in flight, or
    # the failure that stopped the run, that a resume ran again) was not asked for twice.
    latest = {ev.event_id for ev in build_cache(log, KeyTable(), root).values()}
    answers = Answers(ev for ev in log if ev.event_id in latest)
    state = RunState(
        log=log, root_event=root, source_file=spec.source_file, answers=answers, cache={}
    )
    args, kwargs = recorded_args(root)
    run = anyio.run(dry_run, spec, state, tuple(args or ()), dict(kwargs or {}))
    result = ReplayResult(run_id, spec.source_file, _counts(answers))
    result.divergence = _divergence(run, answers, recorded_root)
    if check and result.divergence is not None:
        raise ReplayMismatch(result)
    return result


def _copy_end(root: Event) -> tuple[EventStatus, dict[str, Any]]:
    # The dry run ends the (in-memory) root event: keep how the recording ended it.
    return root.status, dict(root.response or {})


# The live effects answered, by kind (clock, random values and file reads are not counted).
_COUNTED = {
    Op.AGENT_CALL: "agent calls",
    Op.RUN: "commands",
    Op.INPUT: "inputs",
    Op.WRITE_TEXT: "file writes",
    Op.SLEEP: "sleeps",
    Op.DET_SLEEP: "sleeps",
}


def _counts(answers: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for ev, _ in answers.used:
        name = _COUNTED.get(ev.op)
        # (plural keys; ``ReplayResult.lines`` says "1 command")
        if name:
            out[name] = out.get(name, 0) + 1
    return out


def _divergence(run: Any, answers: Any, recorded: tuple[EventStatus, dict[str, Any]]) -> Any:
    stop = run.stop
    if stop is not None:
        left = answers.unused()
        here = [ev for ev in left if ev.op == stop.op and ev.step_path == stop.step_path]
        near = here[0] if here else None
        out = {
            "kind": "changed" if near is not None else "unrecorded",
            "op": stop.op,
            "step_path": list(stop.step_path),
            "request": stop.request,
            "event_id": near.event_id if near is not None else None,
            "diff": request_diff(near.request, stop.request)
            if near is not None
            else value_diff(None, asked(stop.request), a="recording", b="now"),
        }
        out["message"] = (
            "the request differs from the recorded one"
            if near is not None
            else "unrecorded: the recording has no such request (a new or changed effect)"
        )
        return out
    for ev, asked_at in answers.used:
        if ev.step_path != asked_at:
            return {
                "kind": "structure",
                "op": ev.op,
                "step_path": list(asked_at),
                "event_id": ev.event_id,
                "message": f"asked at another step than recorded ({'/'.join(ev.step_path)})",
                "diff": value_diff(list(ev.step_path), list(asked_at)),
            }
    left = answers.unused()
    if left:
        ev = left[0]
        return {
            "kind": "missing",
            "op": ev.op,
            "step_path": list(ev.step_path),
            "event_id": ev.event_id,
            "message": f"recorded but not asked for any more ({len(left)} recorded effect(s))",
            "diff": [],
        }
    status, response = recorded
    if run.error is not None:
        kind = type(run.error).__name__
        if status is EventStatus.FAILED and response.get("error_type") == kind:
            return None  # failed as the recording did
        return {
            "kind": "result",
            "message": f"the workflow failed: {kind}: {run.error}",
            "diff": value_diff(_ending(status, response), {"error_type": kind}),
        }
    from godel.engine.values import encode

    now = encode(run.result)
    # Compared as JSON, as the log keeps it: a tuple the workflow returns was recorded as a list.
    if status is EventStatus.FINISHED and canonical_json(response.get("result")) == canonical_json(
        now
    ):
        return None
    return {
        "kind": "result",
        "message": "the workflow ended differently than recorded",
        "diff": value_diff(_ending(status, response), {"result": now}),
    }


def _ending(status: EventStatus, response: dict[str, Any]) -> dict[str, Any]:
    if status is EventStatus.FINISHED:
        return {"result": response.get("result")}
    return {"error_type": response.get("error_type"), "status": status.value}
