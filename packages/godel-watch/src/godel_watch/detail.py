"""What the detail pane says about one node: its state, then what it printed or said.

Commands show their output lines; agent calls their prompt, streamed answer, thinking and
(with tools shown) tool calls and results; steps and the run list what ran inside them;
failures their error and hint. Only the stream's window is shown (``model.STREAM_WINDOW``
lines): ``enter`` opens the event whole.
"""

from __future__ import annotations

from rich.text import Text

from godel.log import short_id
from godel.runs.render import shown
from godel_watch.model import ICONS, INTERRUPTED, INTERRUPTED_NODE, Node, RunState, cost_text
from godel_watch.tree import STATUS_STYLES, node_duration

CHILDREN_SHOWN = 200  # a step's latest children listed in its detail

_KIND_STYLES = {
    "prompt": "magenta",
    "text": "",
    "thought": "dim italic",
    "tool": "yellow",
    "result": "dim",
    "stdout": "",
    "stderr": "red",
    "raw": "red",
    "note": "dim",
}
_TOOL_KINDS = {"tool", "result"}


LINE_CHARS = (
    2000  # a longer line (a minified file, a huge answer) is cut: wrapping it froze the view
)


def _capped(text: str) -> str:
    if len(text) <= LINE_CHARS:
        return text
    return f"{text[:LINE_CHARS]}… (+{len(text) - LINE_CHARS} characters; enter: the whole event)"


def detail_lines(node: Node, state: RunState, *, show_tools: bool, now: str) -> list[Text]:
    """The pane's lines for ``node``."""
    out: list[Text] = []
    head = Text()
    head.append(f"{ICONS.get(node.status, '·')} ", STATUS_STYLES.get(node.status, "dim"))
    head.append(shown(node.op), "bold")  # a hand-edited log may hold any text here
    head.append(f"  {node.label}")
    out.append(head)
    facts = [node.status]
    duration = node_duration(node, now)
    if duration:
        facts.append(duration)
    tokens, cost = state.tokens.get(node.id), state.costs.get(node.id)
    if tokens:
        facts.append(f"{tokens} tok")
    if cost:
        facts.append(cost_text(cost, node.id in state.estimated))
    if node.attempt > 1:
        facts.append(f"attempt {node.attempt}")
    if node.branch:
        facts.append(f"branch {node.branch}")
    facts.append(f"id {short_id(node.id)}")
    out.append(Text(" · ".join(facts), "dim"))
    if node.detail:
        out.append(Text(node.detail))
    if node.error:
        out.append(Text(f"✗ {_capped(node.error)}", "bold red"))
        if node.hint:
            out.append(Text(f"hint: {node.hint}", "yellow"))
    elif node.status == INTERRUPTED_NODE:
        # The run's own state says whether a resume has taken it up since.
        then = (
            "nothing has resumed the run yet (godel resume runs it again)"
            if state.status == INTERRUPTED
            else "a resume began the next one"
        )
        out.append(
            Text(
                "interrupted: its attempt stopped (killed, crashed, or paused inside it) "
                f"before it ended, and {then}",
                "red",
            )
        )
    out.append(Text(""))
    if node.id == state.pending_input:
        out.append(Text("waiting for an answer", "bold magenta"))
    stream = state.stream_of(node)
    if stream is not None:
        if stream.dropped:
            out.append(Text(f"… {stream.dropped} earlier lines (enter: the whole event)", "dim"))
        hidden = 0
        for line in stream.view():
            if line.kind in _TOOL_KINDS and not show_tools:
                hidden += 1
                continue
            prefix = {"prompt": "› ", "stdout": "│ ", "stderr": "│ "}.get(line.kind, "")
            out.append(Text(prefix + _capped(line.text), _KIND_STYLES.get(line.kind, "")))
        if hidden:
            out.append(Text(f"({hidden} tool lines hidden: t shows them)", "dim"))
    elif node.children:
        children = node.children[-CHILDREN_SHOWN:]
        if len(node.children) > len(children):
            out.append(Text(f"… {len(node.children) - len(children)} earlier", "dim"))
        for cid in children:
            child = state.nodes[cid]
            line = Text()
            line.append(f"{ICONS.get(child.status, '·')} ", STATUS_STYLES.get(child.status, "dim"))
            line.append(child.label, "bold" if child.op == "print" else "")
            if child.detail:
                line.append(f" {child.detail}", "dim")
            if child.error:
                line.append(f" {child.error}", "red")
            elif child.status == INTERRUPTED_NODE:
                line.append(" interrupted", "red")
            out.append(line)
    elif node.op == "print":
        out.append(Text(node.label.removeprefix("» "), "bold"))
    return out


def header_text(state: RunState, *, now: str, following: bool, note: str = "") -> Text:
    """The line at the top: status, workflow, run id, attempt, elapsed time, tokens, cost."""
    from godel.log import seconds_between
    from godel.runs.render import format_duration

    styles = {
        "running": "bold yellow",
        "paused": "bold cyan",
        "failed": "bold red",
        "finished": "bold green",
        "interrupted": "bold red",
    }
    text = Text()
    text.append(f" {state.status.upper()} ", f"reverse {styles.get(state.status, 'bold')}")
    text.append(f"  {state.workflow or '?'}", "bold")
    text.append(f"  {state.run_id}", "dim")
    text.append(f"  attempt {state.attempt}")
    elapsed = seconds_between(state.started, state.ended or now) if state.started else None
    if elapsed is not None:
        text.append(f"  {format_duration(elapsed)}")
    if state.token_total:
        text.append(f"  {state.token_total} tok")
    if state.cost:
        text.append(f"  {cost_text(state.cost, state.cost_estimated)}")
    if state.invalidated:
        text.append(f"  {state.invalidated} invalidated", "magenta")
    text.append("  following" if following else "  (f: follow)", "dim")
    if note:
        text.append(f"  {note}", "bold magenta")
    return text
