"""The reducer: events in, tree out (no files, no clock)."""

from __future__ import annotations

from itertools import count

from godel.log import Event, EventStatus
from godel_watch.model import STREAM_WINDOW, RunState
from godel_watch.reducer import apply_event, apply_item, settle

_seq = count()


def ev(eid, op, status="STARTED", parent=None, path=(), req=None, resp=None, stream=None, t=0):
    return Event(
        event_id=eid,
        run_id="R",
        seq=next(_seq),
        op=op,
        status=EventStatus(status),
        parent_id=parent,
        step_path=tuple(path),
        request=req or {},
        response=resp,
        ts_start=f"2026-01-01T00:00:{t:02d}.000000+00:00",
        ts_end=None if status == "STARTED" else f"2026-01-01T00:00:{t + 1:02d}.000000+00:00",
        stream_path=list(stream or []),
    )


def feed(*events) -> RunState:
    state = RunState("R")
    for e in events:
        apply_event(state, e)
    return state


def labels(state: RunState, node_id: str) -> list[str]:
    return [state.nodes[c].label for c in state.nodes[node_id].children]


ROOT = ev("W", "WORKFLOW_STARTED", req={"function": "main", "args": [], "kwargs": {}})


def test_steps_nest_by_parent_and_grow_live() -> None:
    state = feed(
        ROOT,
        ev("S1", "step.enter", parent="W", path=["build"], req={"name": "build"}),
        ev("R1", "run", parent="S1", path=["build"], req={"cmd": ["make", "all"]}, stream=["L1"]),
    )
    assert state.root == "W" and state.workflow == "main" and state.status == "running"
    assert labels(state, "W") == ["build"]
    assert labels(state, "S1") == ["$ make all"]
    assert state.nodes["R1"].depth == 2 and state.active == "R1"
    apply_event(
        state, ev("R1", "run", "FINISHED", "S1", ["build"], {"cmd": ["make"]}, {"returncode": 0})
    )
    assert state.nodes["R1"].status == "FINISHED" and state.nodes["R1"].detail == "exit 0"
    assert state.active == "S1"  # following moves back up to what still runs


def test_parallel_branches_are_numbered_under_their_fork_and_join_is_hidden() -> None:
    state = feed(
        ROOT,
        ev("F", "FORK", parent="W", req={"branches": 2}),
        ev("A", "step.enter", parent="F", path=["review"], req={"name": "review"}),
        ev("B", "step.enter", parent="F", path=["review"], req={"name": "review"}),
        ev(
            "A1",
            "agent.call",
            parent="A",
            path=["review"],
            req={"backend": "claude", "model": "sonnet", "prompt": "hi"},
        ),
        ev("J", "JOIN", "FINISHED", parent="W"),
    )
    assert labels(state, "W") == ["parallel ×2"]
    assert [state.nodes[c].branch for c in state.nodes["F"].children] == [1, 2]
    assert state.nodes["A1"].branch == 1  # inherited below the branch
    assert state.nodes["A"].attempt == state.nodes["B"].attempt == 1  # branches are not retries
    assert "J" not in state.nodes


def test_a_step_that_runs_again_after_failing_is_its_next_attempt() -> None:
    failed = {"error": "nope", "error_type": "WorkflowFail", "remediation_hint": "try again"}
    state = feed(
        ROOT,
        ev("S1", "step.enter", "FAILED", "W", ["flaky"], {"name": "flaky"}, failed),
        ev("S2", "step.enter", "FAILED", "W", ["flaky"], {"name": "flaky"}, failed),
        ev("S3", "step.enter", "FINISHED", "W", ["flaky"], {"name": "flaky"}, {"result": 3}),
    )
    assert [state.nodes[s].attempt for s in ("S1", "S2", "S3")] == [1, 2, 3]
    assert state.nodes["S1"].error == "WorkflowFail: nope"
    assert state.nodes["S1"].hint == "try again"
    assert state.nodes["S3"].detail == "→ 3"


def test_costs_and_tokens_add_up_the_tree() -> None:
    resp = {"text": "ok", "usage": {"input_tokens": 100, "output_tokens": 20}, "cost_usd": 0.5}
    call = ev("C", "agent.call", "FINISHED", "S", ["s"], {"backend": "claude", "model": "m"}, resp)
    state = feed(ROOT, ev("S", "step.enter", parent="W", path=["s"], req={"name": "s"}), call)
    apply_event(state, call)  # a later line of the same event is not counted twice
    assert state.cost == 0.5 and state.token_total == 120
    assert state.costs == {"C": 0.5, "S": 0.5, "W": 0.5}
    assert state.tokens["W"] == 120


def test_the_run_status_follows_the_root_and_the_lock() -> None:
    state = feed(ROOT)
    settle(state, locked=True)
    assert state.status == "running"
    settle(state, locked=False)
    assert state.status == "interrupted"  # nobody holds it and it recorded no end
    apply_event(state, ev("W", "WORKFLOW_STARTED", "PAUSED", resp={"result": "paused"}))
    assert state.status == "paused"
    apply_event(
        state, ev("RS", "RESUME", "FINISHED", req={"attempt": 2}, resp={"cached_events": 3})
    )
    assert state.status == "running" and state.attempt == 2
    assert labels(state, "W") == ["resume: attempt 2"]  # records hang off the root
    apply_event(
        state,
        ev(
            "W",
            "WORKFLOW_STARTED",
            "FAILED",
            resp={"error": "x", "error_type": "KeyboardInterrupt"},
        ),
    )
    assert state.status == "interrupted"
    apply_event(state, ev("W", "WORKFLOW_STARTED", "FINISHED", resp={"result": 1}))
    assert state.status == "finished"


def test_invalidated_events_are_counted_and_kept() -> None:
    state = feed(ROOT, ev("D", "det.random", "FINISHED", "W", resp={"value": 0.5}))
    apply_event(state, ev("D", "det.random", "INVALIDATED", "W", resp={"value": 0.5}))
    assert state.nodes["D"].status == "INVALIDATED" and state.invalidated == 1


def test_a_pending_input_is_known_until_answered() -> None:
    state = feed(ROOT, ev("I", "input", parent="W", req={"prompt": "name? "}))
    assert state.pending_input == "I" and state.nodes["I"].label == "? name?"
    apply_event(
        state, ev("I", "input", "FINISHED", "W", req={"prompt": "name? "}, resp={"value": "bob"})
    )
    assert state.pending_input is None and state.nodes["I"].detail == '→ "bob"'


def test_transcript_lines_attach_to_their_call_whatever_arrives_first() -> None:
    state = RunState("R")
    apply_item(state, {"op": "agent.response", "stream_path": ["L"], "text": "Hel"})
    apply_item(state, {"op": "agent.response", "stream_path": ["L"], "text": "lo\nwor"})
    apply_event(state, ROOT)
    apply_event(state, ev("C", "agent.call", parent="W", req={"backend": "claude"}, stream=["L"]))
    apply_item(
        state,
        {
            "op": "agent.tool_call",
            "stream_path": ["L"],
            "tool": "Read",
            "input": {"file_path": "a.py"},
        },
    )
    apply_item(
        state, {"op": "agent.tool_result", "stream_path": ["L"], "tool": "t1", "output": "x\ny\nz"}
    )
    apply_item(state, {"op": "agent.thought", "stream_path": ["L"], "text": "hmm"})
    stream = state.stream_of(state.nodes["C"])
    assert [(line.kind, line.text) for line in stream.view()] == [
        ("text", "Hello"),
        ("text", "wor"),
        ("tool", '⚒ Read {"file_path": "a.py"}'),
        ("result", "↳ result: x (+2 more lines)"),
        ("thought", "hmm"),
    ]
    assert state.active == "C" and "C" in state.dirty


def test_a_long_answer_is_windowed() -> None:
    state = RunState("R")
    apply_event(state, ROOT)
    apply_event(state, ev("C", "agent.call", parent="W", stream=["L"]))
    for i in range(STREAM_WINDOW * 3):
        apply_item(state, {"op": "agent.response", "stream_path": ["L"], "text": f"line {i}\n"})
    stream = state.streams["L"]
    assert len(stream.lines) == STREAM_WINDOW
    assert stream.dropped == STREAM_WINDOW * 2 and stream.total == STREAM_WINDOW * 3
    assert stream.lines[-1].text == f"line {STREAM_WINDOW * 3 - 1}"


def test_the_transcript_end_of_each_attempt_is_kept() -> None:
    state = RunState("R")
    apply_item(state, {"op": "WORKFLOW_FINISHED", "stream_path": [], "status": "FAILED"})
    apply_item(state, {"op": "print", "stream_path": [], "text": "hi"})  # prints come from the log
    assert state.transcript_end == "FAILED" and not state.streams


def test_what_a_crashed_attempt_left_running_is_interrupted_by_the_resume() -> None:
    state = feed(
        ROOT,
        ev("S1", "step.enter", "FINISHED", "W", ["fast"], {"name": "fast"}, {"result": 1}),
        ev("S2", "step.enter", parent="W", path=["slow"], req={"name": "slow"}),
        ev("R1", "run", parent="S2", path=["slow"], req={"cmd": ["sleep", "30"]}),
        ev("I", "input", parent="S2", path=["slow"], req={"prompt": "name? "}),
    )
    assert state.pending_input == "I" and state.active == "I"
    # The process died; a resume began attempt 2 and runs `slow` again, as a new event.
    apply_event(state, ev("RS", "RESUME", "FINISHED", req={"attempt": 2}, t=5))
    assert [state.nodes[n].status for n in ("S2", "R1", "I")] == ["INTERRUPTED"] * 3
    assert state.nodes["S1"].status == "FINISHED" and state.nodes["W"].status == "STARTED"
    assert state.pending_input is None and state.active == "W"
    apply_event(state, ev("S3", "step.enter", parent="W", path=["slow"], req={"name": "slow"}))
    assert state.nodes["S3"].attempt == 2 and state.active == "S3"
    apply_event(state, ev("W", "WORKFLOW_STARTED", "FINISHED", resp={"result": "done"}))
    settle(state, locked=False)
    assert state.status == "finished" and state.attempt == 2


def test_the_latest_state_of_an_event_wins() -> None:
    failed = {"error": "gate closed", "error_type": "WorkflowFail", "remediation_hint": "open it"}
    state = feed(ROOT, ev("W", "WORKFLOW_STARTED", "FAILED", resp=failed))
    assert state.status == "failed" and state.nodes["W"].error == "WorkflowFail: gate closed"
    apply_event(state, ev("RS", "RESUME", "FINISHED", req={"attempt": 2}))
    apply_event(state, ev("W", "WORKFLOW_STARTED", "FINISHED", resp={"result": "ok"}))
    root = state.nodes["W"]
    assert state.status == "finished"
    assert (root.error, root.hint, root.detail) == ("", "", "→ ok")


def test_an_error_that_names_its_type_is_not_prefixed_twice() -> None:
    resp = {"error": "UnsafeResumeError: run was in flight", "error_type": "UnsafeResumeError"}
    state = feed(ROOT, ev("S", "step.enter", "FAILED", "W", ["slow"], {"name": "slow"}, resp))
    assert state.nodes["S"].error == "UnsafeResumeError: run was in flight"


def test_an_estimated_cost_marks_its_call_its_ancestors_and_the_run() -> None:
    usage = {"input_tokens": 100, "output_tokens": 20}
    reported = {"text": "a", "usage": usage, "cost_usd": 0.5}
    estimated = {**reported, "cost_estimated": True}
    state = feed(
        ROOT,
        ev("S", "step.enter", parent="W", path=["s"], req={"name": "s"}),
        ev("C1", "agent.call", "FINISHED", "S", ["s"], {"backend": "claude"}, reported),
        ev("T", "step.enter", parent="W", path=["t"], req={"name": "t"}),
        ev("C2", "agent.call", "FINISHED", "T", ["t"], {"backend": "copilot"}, estimated),
    )
    assert not state.nodes["C1"].estimated and state.nodes["C2"].estimated
    assert state.estimated == {"C2", "T", "W"} and state.cost_estimated
    assert state.cost == 1.0 and state.token_total == 240


def test_what_a_crashed_run_left_open_is_interrupted_not_running() -> None:
    step = ev("S", "step.enter", parent="W", path=["slow"], req={"name": "slow"})
    asked = ev("I", "input", parent="S", path=["slow"], req={"prompt": "name? "})
    state = feed(ROOT, step, asked)
    settle(state, locked=True)  # a live process holds it: the step runs, the input waits
    assert [state.nodes[n].status for n in ("S", "I")] == ["STARTED", "STARTED"]
    assert state.pending_input == "I"
    settle(state, locked=False)  # nobody does: it was killed while it waited
    assert state.status == "interrupted"
    assert [state.nodes[n].status for n in ("S", "I")] == ["INTERRUPTED", "INTERRUPTED"]
    assert state.pending_input is None and state.active == "W"
    # Its detail says nothing resumed it yet; once a resume begins, that one did.
    from godel_watch.detail import detail_lines

    def said() -> str:
        return " ".join(
            t.plain for t in detail_lines(state.nodes["S"], state, show_tools=False, now="")
        )

    assert "nothing has resumed the run yet (godel resume runs it again)" in said()
    apply_event(state, ev("RS", "RESUME", "FINISHED", req={"attempt": 2}, t=5))
    assert "a resume began the next one" in said() and "nothing has resumed" not in said()


def test_run_data_reaches_the_view_shown_not_obeyed() -> None:
    # An ESC (title, clear screen), a C1 CSI, a bidi override, a lone surrogate: a terminal
    # would obey the first three and the last cannot be encoded.
    evil = "a\x1b]0;T\x07b\x1b[2J\x9b31m\u202ec\ud800"
    state = RunState("R")
    apply_event(state, ev("W", "WORKFLOW_STARTED", req={"function": "main" + evil}))
    apply_event(state, ev("S", "step.enter", parent="W", path=["s" + evil], req={}))
    failed = ev(
        "S", "step.enter", "FAILED", "W", ["s" + evil], {}, {"error": evil, "error_type": "E"}
    )
    apply_event(state, failed)
    apply_event(state, ev("C", "agent.call", parent="W", req={"backend": "x"}, stream=["L"]))
    apply_item(
        state, {"op": "agent.response", "stream_path": ["L"], "text": evil + "\nmore" + evil}
    )
    apply_item(state, {"op": "agent.thought", "stream_path": ["L"], "text": evil})
    texts = [state.workflow, state.nodes["S"].label, state.nodes["S"].error]
    texts += [line.text for line in state.stream_of(state.nodes["C"]).view()]
    for text in texts:
        assert text.isprintable() and "\ufffd" in text, repr(text)


def test_a_label_is_clipped_as_show_clips_a_detail() -> None:
    # The view and `godel show` print the same text for the same value: a tab is a space (the
    # view's own copy of the clipping made it U+FFFD), a no-break space stays.
    state = RunState("R")
    apply_event(state, ev("W", "WORKFLOW_STARTED", req={"function": "main"}))
    apply_event(state, ev("S", "step.enter", parent="W", path=["a\tb\u00a0c"], req={}))
    assert state.nodes["S"].label.startswith("a b\u00a0c")


def test_a_huge_line_is_cut_in_the_detail_pane() -> None:
    # Wrapping a 2 MB one-line answer froze the view for seconds; the pane shows its start.
    from godel_watch.detail import LINE_CHARS, detail_lines

    state = RunState("R")
    apply_event(state, ROOT)
    apply_event(state, ev("C", "agent.call", parent="W", req={"backend": "x"}, stream=["L"]))
    apply_item(state, {"op": "agent.response", "stream_path": ["L"], "text": "y" * 2_000_000})
    apply_event(state, ev("C", "agent.call", "FAILED", "W", resp={"error": "e" * 100_000}))
    lines = [t.plain for t in detail_lines(state.nodes["C"], state, show_tools=False, now="")]
    assert max(map(len, lines)) < LINE_CHARS + 100
    assert any(line.endswith("(+1998000 characters; enter: the whole event)") for line in lines)


def test_a_paused_run_that_is_resumed_runs_again() -> None:
    # Watched while paused, then `godel resume` took it: the header and the root say it runs
    # (not PAUSED) until the new attempt ends; if the resume dies, it was interrupted.
    state = feed(ROOT, ev("W", "WORKFLOW_STARTED", "PAUSED", resp={"reason": "p"}))
    settle(state, locked=False)
    assert state.status == "paused"
    apply_event(state, ev("RS", "RESUME", "FINISHED", req={"attempt": 2}, t=5))
    apply_event(state, ev("S", "step.enter", parent="W", path=["slow"], req={"name": "slow"}))
    settle(state, locked=True)
    assert state.status == "running" and state.nodes["W"].status == "STARTED"
    assert state.nodes["W"].ts_end is None and state.ended is None  # its time runs on
    settle(state, locked=False)
    assert state.status == "interrupted"


def test_a_log_whose_parents_go_round_in_a_cycle_does_not_hang() -> None:
    # A hand-edited log: A's parent is B and B's is A. Adding an agent's cost to its ancestors
    # walked round the cycle for ever (godel watch hung, in plain mode as in the view).
    cost = {"text": "a", "usage": {"input_tokens": 1, "output_tokens": 2}, "cost_usd": 0.5}
    state = feed(
        ROOT,
        ev("A", "step.enter", parent="B", path=["a"], req={"name": "a"}),
        ev("B", "step.enter", parent="A", path=["b"], req={"name": "b"}),
        ev("C", "agent.call", "FINISHED", "A", ["a"], {"backend": "claude"}, cost),
    )
    assert state.cost == 0.5 and set(state.ancestors("C")) == {"A", "B"}
