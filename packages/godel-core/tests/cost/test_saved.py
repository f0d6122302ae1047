"""What resumes saved is marked ``~`` when the replayed calls' costs were estimated."""

from __future__ import annotations

from godel.cost import CostTracker, Ledger, call_costs, sum_by
from godel.log.events import Event, EventStatus, Op


def _events(estimated: bool) -> list[Event]:
    root = Event("root", "run", 0, Op.WORKFLOW_STARTED, EventStatus.FINISHED, response={})
    response = {"usage": {"input_tokens": 1000, "output_tokens": 100}, "cost_usd": 0.0045}
    if estimated:
        response["cost_estimated"] = True
    call = Event(
        "call",
        "run",
        1,
        Op.AGENT_CALL,
        EventStatus.FINISHED,
        parent_id="root",
        step_path=("ask",),
        request={"backend": "copilot", "model": "sonnet"},
        response=response,
    )
    replayed = {"calls": 1, "saved_usd": 0.0045, "event_ids": ["call"]}
    resume = Event(
        "resume", "run", 2, Op.RESUME, EventStatus.FINISHED, response={"replayed": replayed}
    )
    return [root, call, resume]


def test_saved_is_marked_estimated_when_the_replayed_calls_were() -> None:
    events = _events(estimated=True)
    ledger = Ledger.build(events)
    assert ledger.run.saved_text() == "~$0.0045"
    assert ledger.attempts[1].saved_text() == "~$0.0045"
    assert ledger.below["call"].saved_text() == "~$0.0045"
    tracker = CostTracker()
    for ev in events[1:]:
        tracker.feed(ev)
    assert tracker.totals().saved_text() == "~$0.0045"
    (group,) = sum_by(call_costs("run", "main", events), "model").values()
    assert group.saved_text() == "~$0.0045" and group.spent_text() == "~$0.0045"


def test_saved_by_priced_calls_is_exact() -> None:
    events = _events(estimated=False)
    assert Ledger.build(events).run.saved_text() == "$0.0045"
    (group,) = sum_by(call_costs("run", "main", events), "model").values()
    assert group.saved_text() == "$0.0045"
