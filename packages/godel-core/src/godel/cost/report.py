"""Costs across runs (``godel cost``): every agent call of a run with what to group it by.

A call recorded in one attempt is *spent* there; an attempt that answered it from the log
lists it in its RESUME event and counts it as *saved*, under the same workflow, model and step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from godel.cost.totals import CostTotals, call_totals, replayed_record
from godel.log.events import Event, Op

__all__ = ["BY", "CallCost", "call_costs", "sum_by"]

BY = ("workflow", "model", "step")


@dataclass(frozen=True)
class CallCost:
    """One agent call's figures (or one replay of it: saved only) in run ``run_id``."""

    run_id: str
    workflow: str
    model: str
    step: str
    totals: CostTotals

    def key(self, by: str) -> str:
        return str(getattr(self, by))


def call_costs(run_id: str, workflow: str, events: Iterable[Event]) -> list[CallCost]:
    """The calls of one run (each event in its latest state, e.g. an ``EventLog``)."""
    out: list[CallCost] = []
    found: dict[str, CallCost] = {}
    replayed: list[str] = []
    for ev in events:
        if ev.op == Op.RESUME:
            replayed += replayed_record(ev.response)[2]
            continue
        if ev.op != Op.AGENT_CALL:
            continue
        figures = call_totals(ev.response)
        if figures is None:
            continue
        call = CallCost(run_id, workflow, _model(ev.request), _step(ev.step_path), figures)
        found[ev.event_id] = call
        out.append(call)
    for event_id in replayed:
        call = found.get(event_id)
        if call is not None:
            saved = CostTotals().add_saved(call.totals.spent_usd, estimated=call.totals.estimated)
            out.append(CallCost(run_id, workflow, call.model, call.step, saved))
    return out


def sum_by(calls: Iterable[CallCost], by: str) -> dict[str, CostTotals]:
    """Totals per workflow, model or step, in order of first appearance."""
    out: dict[str, CostTotals] = {}
    for call in calls:
        key = call.key(by)
        totals = out.get(key)
        if totals is None:
            totals = out[key] = CostTotals()
        totals.add(call.totals)
    return out


def _model(request: dict[str, Any]) -> str:
    backend, model = request.get("backend"), request.get("model")
    if backend and model:
        return f"{backend}/{model}"
    return str(backend or model or "agent")


def _step(step_path: Iterable[str]) -> str:
    return "/".join(step_path) or "(root)"
