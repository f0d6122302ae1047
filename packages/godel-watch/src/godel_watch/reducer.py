"""Folding a run's events into a ``RunState``: audit-log lines (``apply_event``) and transcript
events (``apply_item``).

No I/O and no clock: the same events give the same state, whichever order the two files were
read in (a transcript line may arrive before the log line of its command or agent call). The
state is changed in place, because a run of 10,000 steps must open in well under a second;
``dirty`` and ``shape_changed`` tell the widgets what to redraw.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from godel.log import Event
from godel.runs.render import clip, failure_text, repr_call_parts
from godel_watch.model import (
    FAILED,
    FINISHED,
    INTERRUPTED,
    INTERRUPTED_NODE,
    PAUSED,
    RUNNING,
    Node,
    RunState,
    Stream,
)

LABEL_WIDTH = 60
ARGS_WIDTH = 28  # a step's arguments in its label
PROMPT_LINES = 40  # prompt lines kept in an agent's stream (the rest is counted)
TOOL_WIDTH = 160

# An error type that means the run was stopped from outside, not that it failed.
_STOPPED = {"KeyboardInterrupt", "Cancelled", "CancelledError", "Interrupted"}
_HIDDEN_OPS = {"JOIN"}  # a JOIN repeats its FORK's outcome
_TERMINAL = {"FINISHED", "FAILED", "PAUSED"}
_INF = float("inf")
_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def one_line(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` on one line of at most ``width`` characters, as ``godel show`` clips a detail
    (control characters shown, not obeyed; a tab is a space)."""
    return clip(text, width)


def value_text(value: Any) -> str:
    """A recorded value as text: strings as they are, ``$repr`` values by their repr, else JSON."""
    kind = type(value)
    if kind is str:
        return value
    if kind is int or kind is float:  # most values (det values, counts): no encoder set-up
        return repr(value) if value == value and value not in (_INF, -_INF) else json.dumps(value)
    if kind is bool or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, dict) and len(value) == 1 and "$repr" in value:
        return str(value["$repr"])
    try:
        return _encode(value)
    except (TypeError, ValueError):
        return repr(value)


def command_text(cmd: Any) -> str:
    if isinstance(cmd, list) and all(isinstance(c, str) for c in cmd):
        return shlex.join(cmd)
    return value_text(cmd)


def _call(req: dict[str, Any]) -> str:
    args, kwargs = req.get("args"), req.get("kwargs")
    if isinstance(args, str) or isinstance(kwargs, str):  # godel-py 3.x logged repr strings
        return f"({', '.join(repr_call_parts(args, kwargs))})"
    if isinstance(args, list):
        parts = [json.dumps(a) if isinstance(a, str) else value_text(a) for a in args]
    else:
        parts = [value_text(args)] if args else []
    if isinstance(kwargs, dict):
        parts += [
            f"{k}={json.dumps(v) if isinstance(v, str) else value_text(v)}"
            for k, v in kwargs.items()
        ]
    elif kwargs:
        parts.append(value_text(kwargs))
    return f"({', '.join(parts)})"


def label(ev: Event) -> str:
    """The node's text in the tree."""
    req = ev.request if isinstance(ev.request, dict) else {}
    op = ev.op
    if op == "WORKFLOW_STARTED":
        return one_line(f"{req.get('function', 'workflow')}{_call(req)}")
    if op == "step.enter":
        name = one_line(str(req.get("name") or (ev.step_path[-1] if ev.step_path else "step")), 0)
        args = _call(req)
        return name + ("" if args == "()" else one_line(args, ARGS_WIDTH))
    if op == "run":
        return one_line(f"$ {command_text(req.get('cmd'))}")
    if op == "agent.call":
        who = "/".join(str(x) for x in (req.get("backend"), req.get("model")) if x) or "agent"
        prompt = str(req.get("prompt") or "")
        return one_line(f"{who} {json.dumps(one_line(prompt, 40), ensure_ascii=False)}")
    if op == "print":
        return one_line(f"» {str(req.get('text', '')).rstrip()}")
    if op == "input":
        return one_line(f"? {req.get('prompt', '')}".rstrip())
    if op in ("sleep", "det.sleep"):
        return f"{op} {req.get('seconds', '?')}s"
    if op in ("read_text", "write_text"):
        return one_line(f"{op} {req.get('path', '')}")
    if op == "FORK":
        return f"parallel ×{req.get('branches', '?')}"
    if op == "RESUME":
        return f"resume: attempt {req.get('attempt', '?')}"
    if op == "PAUSED":
        return one_line(f"pause requested: {req.get('reason') or '-'}")
    if op in ("REWIND", "INVALIDATE", "UNRECOVERABLE"):
        reason = req.get("reason")
        return one_line(f"{op.lower()}" + (f": {reason}" if reason else ""))
    return op


def _detail(ev: Event) -> str:
    """A few words on what the event returned (shown after the label once it ended)."""
    resp = ev.response if isinstance(ev.response, dict) else {}
    op = ev.op
    if ev.status.value == "FAILED":
        return ""
    if op == "run" and "returncode" in resp:
        return f"exit {resp['returncode']}"
    if op == "input" and "value" in resp:
        return f"→ {json.dumps(resp['value'], ensure_ascii=False)}"
    if op.startswith("det.") and "value" in resp:
        return f"→ {value_text(resp['value'])}"
    if op in ("step.enter", "WORKFLOW_STARTED") and resp.get("result") is not None:
        return f"→ {value_text(resp['result'])}"
    if op == "read_text" and resp.get("bytes_read") is not None:
        return f"{resp['bytes_read']} B"
    if op == "write_text" and resp.get("bytes_written") is not None:
        return f"{resp['bytes_written']} B"
    if op == "RESUME" and "cached_events" in resp:
        return f"{resp['cached_events']} cached"
    if op in ("REWIND",) and "invalidated_count" in resp:
        return f"{resp['invalidated_count']} invalidated"
    return ""


def _usage(resp: dict[str, Any]) -> tuple[float, int, bool]:
    """An agent call's cost, tokens (in + out) and whether the cost is an estimate (from a
    price table, ``cost_estimated``), read as godel-core's cost totals read them."""
    from godel.cost import call_totals

    totals = call_totals(resp)
    if totals is None:
        return 0.0, 0, False
    return totals.spent_usd, totals.input_tokens + totals.output_tokens, totals.estimated > 0


def apply_event(state: RunState, ev: Event) -> None:
    """Take one audit-log line (one state of one event) into the state."""
    op = ev.op
    if op in _HIDDEN_OPS:
        return
    status = ev.status.value
    node = state.nodes.get(ev.event_id)
    if node is None:
        node = _new_node(state, ev)
    else:
        state.dirty.add(node.id)
        if status == "INVALIDATED" and node.status != "INVALIDATED":
            state.invalidated += 1
    node.status = status
    node.ts_end = ev.ts_end
    state.last_ts = max(state.last_ts, ev.ts_end or ev.ts_start or "")
    resp = ev.response if isinstance(ev.response, dict) else {}
    # The latest line wins: a root that failed and then finished after a resume is finished,
    # without its old error (and a paused one that then failed, without its old detail).
    if status == "FAILED":
        node.error = one_line(failure_text(resp), 0)
        node.hint = one_line(str(resp.get("remediation_hint") or ""), 0)
        node.detail = ""
    elif status in ("FINISHED", "PAUSED"):
        node.detail = one_line(_detail(ev))
        node.error = node.hint = ""
    elif status == "STARTED":
        node.error = node.hint = ""
    if (
        op == "agent.call"
        and status in ("FINISHED", "FAILED")
        and not node.cost
        and not node.tokens
    ):
        _add_usage(state, node, *_usage(resp))
    if op == "input":
        if status == "STARTED":
            state.pending_input = node.id
        elif state.pending_input == node.id:
            state.pending_input = None
    if op == "WORKFLOW_STARTED" and ev.parent_id is None:
        _root(state, ev, node)
    elif op == "RESUME":
        state.attempt = max(state.attempt, int((ev.request or {}).get("attempt") or 2))
        state.status = RUNNING
        state.ended = None
        root = state.nodes.get(state.root or "")
        if root is not None and root.status in (*_TERMINAL, INTERRUPTED_NODE):
            # The run runs again: its root's end (paused, failed) was the last attempt's, and
            # `settle` would otherwise read it as the run's status while the resume runs.
            root.status, root.detail, root.error, root.hint = "STARTED", "", "", ""
            root.ts_end = None  # its time runs on with the attempt
            state.dirty.add(root.id)
        _interrupt_open(state)
    if status == "STARTED":
        state.active = node.id
    elif state.active == node.id and node.parent is not None:
        state.active = node.parent


def _interrupt_open(state: RunState) -> None:
    """A resume began a new attempt: what the previous one left running (it was killed,
    crashed, or paused inside a step) never ends. A resume replays only what finished and
    runs the rest again as new events, so those nodes are interrupted, not running (the root
    alone carries on)."""
    for node in state.nodes.values():
        if node.status == "STARTED" and node.id != state.root:
            node.status = INTERRUPTED_NODE
            state.dirty.add(node.id)
            if state.pending_input == node.id:
                state.pending_input = None
            if state.active == node.id:
                state.active = state.root


def _new_node(state: RunState, ev: Event) -> Node:
    node = Node(
        id=ev.event_id,
        op=ev.op,
        label=label(ev),
        parent=ev.parent_id,
        step_path=tuple(ev.step_path),
        ts_start=ev.ts_start,
        stream=ev.stream_path[0] if ev.stream_path else None,
    )
    parent = state.nodes.get(ev.parent_id) if ev.parent_id else None
    if parent is None and ev.parent_id is None and ev.op != "WORKFLOW_STARTED" and state.root:
        node.parent = state.root  # records outside the tree (RESUME, REWIND) hang off the root
        parent = state.nodes.get(state.root)
    if parent is not None:
        node.depth = parent.depth + 1
        if parent.op == "FORK":
            node.branch = sum(1 for c in parent.children if state.nodes[c].op != "JOIN") + 1
        else:
            node.branch = parent.branch
            if ev.op == "step.enter":
                key = (parent.id, node.step_path)
                prev = state.nodes.get(state.last_steps.get(key, ""))
                if prev is not None and prev.status in ("FAILED", "INVALIDATED", INTERRUPTED_NODE):
                    node.attempt = prev.attempt + 1
                state.last_steps[key] = node.id
        parent.children.append(node.id)
        state.dirty.add(parent.id)
    if node.stream:
        state.stream_owner[node.stream] = node.id
    state.nodes[node.id] = node
    state.dirty.add(node.id)
    state.shape_changed = True
    return node


def _root(state: RunState, ev: Event, node: Node) -> None:
    if state.root is None:
        state.root = node.id
        state.workflow = one_line(str((ev.request or {}).get("function") or state.workflow), 0)
        state.started = ev.ts_start
    if ev.status.value in _TERMINAL:
        state.ended = ev.ts_end
        state.status = end_status(node)
    else:
        state.status = RUNNING
        state.ended = None


def end_status(root: Node) -> str:
    """The run's status word once its root reached a terminal state."""
    if root.status == "FINISHED":
        return FINISHED
    if root.status == "PAUSED":
        return PAUSED
    if root.error.split(":", 1)[0] in _STOPPED:
        return INTERRUPTED
    return FAILED


def settle(state: RunState, *, locked: bool) -> None:
    """The run status once the files are read: a run whose root has not ended is running while
    a process holds it, and was interrupted (killed, crashed) when nobody does. Then what its
    attempt left open will never end in it: those nodes are interrupted, not running (a
    process that takes the run up again is a resume, whose RESUME line does the same)."""
    root = state.nodes.get(state.root or "")
    if root is not None and root.status in _TERMINAL:
        state.status = end_status(root)
    elif state.status not in (FINISHED, FAILED, PAUSED) or locked:
        state.status = RUNNING if locked else INTERRUPTED
        state.ended = None
        if not locked:
            _interrupt_open(state)
            # Nothing runs any more, the root included: its time stops at its last line.
            if root is not None and root.status == "STARTED":
                root.status = INTERRUPTED_NODE
                state.dirty.add(root.id)
            state.ended = state.last_ts or None


def _add_usage(
    state: RunState, node: Node, cost: float, tokens: int, estimated: bool = False
) -> None:
    if not cost and not tokens:
        return
    node.cost, node.tokens, node.estimated = cost, tokens, estimated
    state.cost += cost
    state.token_total += tokens
    state.cost_estimated = state.cost_estimated or estimated
    for nid in (node.id, *state.ancestors(node.id)):
        state.costs[nid] = state.costs.get(nid, 0.0) + cost
        state.tokens[nid] = state.tokens.get(nid, 0) + tokens
        if estimated:
            state.estimated.add(nid)
        state.dirty.add(nid)


def apply_item(state: RunState, item: dict[str, Any]) -> None:
    """Take one transcript event (the ``event`` object of a line) into the state."""
    op = item.get("op")
    if op == "WORKFLOW_FINISHED":
        state.transcript_end = str(item.get("status") or "")
        return
    path = item.get("stream_path")
    if not isinstance(path, list) or not path or not isinstance(path[0], str):
        return  # prints: the audit log has them
    sid = path[0]
    stream = state.streams.get(sid)
    if stream is None:
        stream = state.streams[sid] = Stream()
    if op == "agent.response":
        stream.streamed = True
        stream.add_text("text", str(item.get("text") or ""))
    elif op == "agent.thought":
        stream.add_text("thought", str(item.get("text") or ""))
    elif op in ("stdout", "stderr"):
        text = item.get("line", item.get("chunk", ""))
        stream.flush()
        stream.add(op, str(text))
    elif op == "agent.prompt":
        stream.flush()
        stream.model = str(item.get("model") or "")
        lines = str(item.get("prompt") or "").splitlines() or [""]
        for line in lines[:PROMPT_LINES]:
            stream.add("prompt", line)
        if len(lines) > PROMPT_LINES:
            stream.add("prompt", f"… +{len(lines) - PROMPT_LINES} lines")
    elif op == "agent.tool_call":
        stream.flush()
        text = value_text(item.get("input"))
        stream.add("tool", one_line(f"⚒ {item.get('tool', '?')} {text}", TOOL_WIDTH))
    elif op == "agent.tool_result":
        stream.flush()
        out = item.get("output")
        lines = [ln for ln in value_text(out if out is not None else "").splitlines() if ln.strip()]
        first = one_line(lines[0], TOOL_WIDTH) if lines else ""
        more = f" (+{len(lines) - 1} more lines)" if len(lines) > 1 else ""
        kind = "error" if item.get("is_error") else "result"
        stream.add("result", f"↳ {kind}: {first}{more}")
    elif op == "agent.raw":
        stream.flush()
        stream.add("raw", one_line(f"! {item.get('text', '')}", TOOL_WIDTH))
    elif op == "run.start" and len(path) > 1:
        stream.flush()
        stream.add("note", one_line(f"$ {command_text(item.get('cmd'))}", TOOL_WIDTH))
    elif op in ("agent.result", "run.end"):
        stream.flush()
    else:
        return
    owner = state.stream_owner.get(sid)
    if owner is not None:
        state.dirty.add(owner)
        if state.nodes[owner].status == "STARTED":
            state.active = owner
