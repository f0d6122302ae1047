"""A dry run told as a plan: what replays, the first divergence, what would run again.

``describe`` makes the JSON (``godel.plan_resume``, ``resume --plan --json``, ``godel test
--json``); ``render`` the text both commands print.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from godel.cost.totals import call_totals, format_usd
from godel.log.events import Event, EventStatus, Op
from godel.log.ids import short_id
from godel.plan.diff import request_diff
from godel.plan.dryrun import DryRun, live_effects
from godel.plan.sandbox import LIVE_OPS, Stop

__all__ = ["describe", "divergence", "render"]

_POLICY = {
    "abort": "the resume stops there (ResumeError); --on-mismatch invalidate runs the new "
    "request, --on-mismatch continue keeps the recorded result",
    "invalidate": "the recorded event and what ran under it are invalidated and run again",
    "continue": "the recorded result is kept (a warning says so)",
}


def _step(step_path: Iterable[str]) -> str:
    return "/".join(step_path) or "(root)"


def divergence(
    run: DryRun, recorded: list[Event], replayed: Mapping[str, Event]
) -> dict[str, Any] | None:
    """Where the dry run left the recording (None if it never had to go live)."""
    stop = run.stop
    if stop is None:
        error = run.error
        if type(error).__name__ == "UnsafeResumeError":  # an agent call in flight
            event_id = getattr(error, "event_id", "")
            event = next((ev for ev in recorded if ev.event_id == event_id), None)
            if event is not None:
                stop = Stop("in flight", event.op, event.step_path, event.request, event)
        if stop is None:
            return None
    candidate = stop.recorded
    kind = stop.kind
    if candidate is None:  # the closest recorded effect the new one may stand for
        left = [ev for ev in live_effects(recorded) if ev.event_id not in replayed]
        same_op = [ev for ev in left if ev.op == stop.op]
        here = [ev for ev in same_op if ev.step_path == stop.step_path]
        candidate = (here or [None])[0]
        if candidate is not None and candidate.status is EventStatus.FAILED:
            kind = "again"
        elif candidate is not None and candidate.status is EventStatus.STARTED:
            kind = "repeats"  # it got past the in-flight check: declared safe to repeat
        elif candidate is None:  # in the recording all the same, if a rewind invalidated it
            rewound = [ev for ev in _rewound(recorded) if ev.op == stop.op]
            here = [ev for ev in rewound if ev.step_path == stop.step_path]
            same = [ev for ev in here if ev.request == stop.request]
            candidate = (same or here or [None])[0]
            if candidate is not None:
                kind = "rewound"
    out: dict[str, Any] = {
        "kind": kind,
        "op": stop.op,
        "step_path": list(stop.step_path),
        "request": stop.request,
        "event_id": candidate.event_id if candidate is not None else None,
        "recorded_request": candidate.request if candidate is not None else None,
        "diff": request_diff(candidate.request, stop.request) if candidate is not None else [],
    }
    return out


def _rewound(recorded: list[Event]) -> list[Event]:
    """The recorded events a rewind invalidated, in log order."""
    ids: set[str] = set()
    for ev in recorded:
        if ev.op == Op.REWIND and isinstance(ev.response, dict):
            ids.update(ev.response.get("invalidated_ids") or ())
    return [ev for ev in recorded if ev.event_id in ids and ev.status is EventStatus.INVALIDATED]


def describe(
    run: DryRun,
    recorded: list[Event],
    seen: Mapping[str, Event],
    policies: dict[str, Any],
    edited: list[dict[str, Any]] | None = None,
    settled: set[str] | frozenset[str] = frozenset(),
    kept: Iterable[tuple[Event, dict[str, Any]]] = (),
) -> dict[str, Any]:
    """The plan's JSON (see ``godel.plan_resume``); ``kept``: the recorded events whose
    request changed and that ``--on-mismatch continue`` replays, with the new requests."""
    from godel.replay.failures import is_interruption

    answered: dict[str, Event] = {}
    for ev in seen.values():  # in lookup order: a step before what ran in it
        # A failure not settled runs again: it was looked up, not replayed. One inside a step
        # that replays (an earlier attempt of a retry) replays as failing, as the engine does.
        if (
            ev.status is EventStatus.FINISHED
            or ev.event_id in settled
            or (
                ev.status is EventStatus.FAILED
                and ev.parent_id in answered
                and not is_interruption(ev)
            )
        ):
            answered[ev.event_id] = ev
    first = divergence(run, recorded, answered)
    skip = first["event_id"] if first else None
    replayed = [ev for ev in answered.values() if ev.event_id != skip and ev.op != Op.STEP_ENTER]
    effects = [ev for ev in replayed if ev.op in LIVE_OPS]
    calls = [ev for ev in effects if ev.op == Op.AGENT_CALL]
    figures_of = [call_totals(ev.response) or _zero() for ev in calls]
    saved = sum(f.spent_usd for f in figures_of)
    saved_estimated = sum(1 for f in figures_of if f.estimated)
    done = {ev.event_id for ev in effects}
    rerun = []
    for ev in live_effects(recorded):
        if ev.event_id in done:
            continue
        figures = call_totals(ev.response) if ev.op == Op.AGENT_CALL else None
        rerun.append(
            {
                "event_id": ev.event_id,
                "short_id": short_id(ev.event_id),
                "op": ev.op,
                "step_path": list(ev.step_path),
                "status": ev.status.value,
                "cost_usd": round(figures.spent_usd, 10) if figures and figures.priced else None,
                "estimated": bool(figures and figures.estimated),
            }
        )
    outcome = "diverges" if first else ("fails" if run.error is not None else "finishes")
    out: dict[str, Any] = {
        "outcome": outcome,
        "replayed": {
            "events": len(replayed),
            "effects": len(effects),
            "agent_calls": len(calls),
            "saved_usd": round(saved, 10),
            "saved_estimated": saved_estimated,  # of agent_calls: priced from a table (~)
        },
        "divergence": first,
        "kept": [
            {
                "event_id": ev.event_id,
                "op": ev.op,
                "step_path": list(ev.step_path),
                "request": request,
                "recorded_request": ev.request,
                "diff": request_diff(ev.request, request),
            }
            for ev, request in kept
        ],
        "rerun": rerun,
        "rerun_cost_usd": round(sum(r["cost_usd"] or 0.0 for r in rerun), 10),
        "policies": {**policies, "source_edits": list(edited or [])},
    }
    if run.error is not None and first is None:
        out["error"] = f"{type(run.error).__name__}: {run.error}"
    return out


def _zero() -> Any:
    from godel.cost.totals import CostTotals

    return CostTotals()


def render(plan: Mapping[str, Any], *, verb: str = "would") -> list[str]:
    """The plan as lines of text (``resume --plan``; a failing ``godel test``)."""
    lines: list[str] = []
    if plan.get("finished"):
        return [f"the run {plan['run_id']} already finished: a resume runs nothing"]
    rep = plan["replayed"]
    lines.append(
        f"replays   {rep['effects']} recorded effect(s) from the log, {rep['agent_calls']} of "
        f"them agent calls: "
        f"{format_usd(rep['saved_usd'], estimated=rep.get('saved_estimated', 0) > 0)} saved"
    )
    for item in plan.get("kept") or ():
        lines.append(
            f"keeps     {item['op']} at {_step(item['step_path'])} [{short_id(item['event_id'])}]: "
            "the request changed; --on-mismatch continue replays the recorded result"
        )
        lines += [f"  {line}" for line in item["diff"]]
    first = plan.get("divergence")
    if first is None:
        if plan["outcome"] == "fails":
            lines.append(f"then      the workflow fails without a live effect: {plan.get('error')}")
        else:
            lines.append("then      the workflow finishes: nothing would run live")
    else:
        where = f"{first['op']} at {_step(first['step_path'])}"
        ref = f" [{short_id(first['event_id'])}]" if first.get("event_id") else ""
        what = {
            "changed": "the request changed since it was recorded",
            "new": "not in the recording: it would run live",
            "rewound": "invalidated by a rewind: it would run again",
            "again": "it failed when recorded: it would run again",
            "in flight": "it was in flight when the run stopped: its outcome is unknown",
            "repeats": "it was in flight when the run stopped: declared safe to repeat, it "
            "would run again",
            "edited": "its source changed since it ran: the resume stops here",
        }.get(first["kind"], first["kind"])
        lines.append(f"diverges  at {where}{ref}: {what}")
        lines += [f"  {line}" for line in first.get("diff") or ()]
    rerun = plan.get("rerun") or []
    if rerun:
        cost = format_usd(
            plan["rerun_cost_usd"], estimated=any(item["estimated"] for item in rerun)
        )
        if first is None:  # the dry run ended without going live: nothing asked for them
            lines.append(
                f"unasked   {len(rerun)} recorded effect(s) the workflow no longer reaches "
                f"({cost} recorded):"
            )
        else:
            # Not "what re-runs": past its first live effect the dry run cannot know what the
            # code asks for, and what it asks for as recorded still replays.
            lines.append(
                f"after     {len(rerun)} recorded effect(s) from there on ({cost} recorded) {verb} "
                "run again or be invalidated, unless the resume asks for them as recorded:"
            )
        for item in rerun:
            usd = item["cost_usd"]
            money = format_usd(usd, estimated=item["estimated"]) if usd is not None else ""
            lines.append(
                f"  {item['short_id']}  {item['op']:<10}  {_step(item['step_path']):<24}  "
                f"{item['status']:<8}  {money}".rstrip()
            )
    budget = plan.get("budget") or {}
    if budget.get("max_cost_usd") is not None:
        limit, spent = budget["max_cost_usd"], budget["spent_usd"]
        text = f"budget    {format_usd(spent)} spent of {format_usd(limit)}"
        if spent >= limit:
            text += (
                ": the resume would stop before its first live agent call (BudgetExceeded); "
                "--max-cost raises the budget"
            )
        lines.append(text)
    policies = plan.get("policies") or {}
    if first is not None and first["kind"] == "changed" and "on_mismatch" in policies:
        lines.append(
            f"policy    --on-mismatch {policies['on_mismatch']}: {_POLICY[policies['on_mismatch']]}"
        )
    if first is not None and first["kind"] == "in flight" and "assume_idempotent" in policies:
        lines.append(
            "policy    the resume refuses to run it again (UnsafeResumeError) unless it is "
            "idempotent or --assume-idempotent is given"
        )
    for edit in policies.get("source_edits") or ():
        mode = policies.get("on_source_edit", "warn")
        then = {
            "warn": "a warning; recorded results replay where requests still match",
            "abort": "the resume stops (SourceEditedError)",
            "ignore": "nothing",
        }[mode]
        lines.append(
            f"policy    step {edit['step']!r} was edited since it ran: --on-source-edit {mode}: {then}"
        )
    return lines
