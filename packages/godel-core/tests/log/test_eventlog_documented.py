"""The EventLog methods godel-py documents (REFERENCE §4.5): all_events, get_event, emit_started,
emit_finished, emit_failed, emit_suspended, get_full_payload -- through the public API."""

from __future__ import annotations

import json

import pytest

from godel import EventLog, EventStatus, run, step, workflow


@step
async def build(n):
    r = await run(["echo", f"built {n}"])
    return r.stdout.strip()


@workflow
async def wf():
    return await build(1)


def lines(runs_dir, run_id):
    return [json.loads(x) for x in (runs_dir / f"{run_id}.jsonl").read_text().splitlines()[1:]]


def test_reading_all_events_get_event_and_full_payloads(run_wf, runs_dir):
    _, run_id = run_wf(wf)
    log = EventLog.load(run_id, runs_dir)
    events = log.all_events()
    assert [e.op for e in events] == ["WORKFLOW_STARTED", "step.enter", "run"]
    events.clear()  # a copy
    assert len(log.all_events()) == 3
    cmd = log.all_events()[2]
    assert log.get_event(cmd.event_id) is cmd
    assert log.get_event("nope") is None
    payload = log.get_full_payload(cmd.event_id)
    assert payload == {
        "event_id": cmd.event_id,
        "op": "run",
        "step_path": ["build"],
        "stream_path": cmd.stream_path,
        "model": None,
        "request": cmd.request,
        "response": cmd.response,
    }
    assert payload["response"]["stdout"] == "built 1\n"
    with pytest.raises(KeyError):
        log.get_full_payload("nope")


def test_emitting_events_with_the_documented_signatures(run_wf, runs_dir):
    _, run_id = run_wf(wf)
    log = EventLog.open(run_id, runs_dir)
    root = log.all_events()[0]
    ask = log.emit_started(
        "agent.call",
        ("review",),
        {"model": "opus", "prompt": "look at this"},
        invocation_seq=0,
        step_local_seq=1,
        parent_event_id=root.event_id,
        stream_path=["L1"],
    )
    assert ask.status is EventStatus.STARTED and ask.parent_id == root.event_id
    log.emit_finished(ask.event_id, {"text": "looks fine", "session_id": "s"})
    broken = log.emit_started("run", ["review"], {"cmd": "false"}, parent_event_id=root.event_id)
    log.emit_failed(
        broken.event_id, "exit 1", error_type="CommandFailure", remediation_hint="fix it"
    )
    other = log.emit_started("run", [], {"cmd": "x"})
    log.emit_failed(other.event_id, ValueError("bad"), response={"error": "custom"})
    with pytest.raises(TypeError, match="not both"):
        log.emit_failed(other.event_id, "x", {"error": "y"}, error_type="Boom")
    join = log.emit_started("JOIN", [], {"fork_id": "f", "branches": 2})
    log.emit_finished(join.event_id, {"branches": 2})
    log.emit_suspended(join.event_id)
    log.close()

    on_disk = {e["event_id"]: e for e in lines(runs_dir, run_id)}
    assert on_disk[ask.event_id]["status"] == "FINISHED"
    assert on_disk[ask.event_id]["stream_path"] == ["L1"]
    assert on_disk[broken.event_id]["response"] == {
        "error": "exit 1",
        "error_type": "CommandFailure",
        "step_path": ["review"],
        "source_location": "",
        "remediation_hint": "fix it",
    }
    assert on_disk[other.event_id]["response"] == {"error": "custom"}
    assert on_disk[join.event_id]["status"] == "SUSPENDED"
    full = EventLog.load(run_id, runs_dir).get_full_payload(ask.event_id)
    assert (full["model"], full["request"], full["response"]) == (
        "opus",
        "look at this",
        "looks fine",
    )
