"""What the view knows about a run: a tree of nodes (one per audit-log event) and the live
streams of the transcript, windowed so that memory stays bounded however long a run talks.

``reducer`` fills it from events; the widgets and the plain renderer only read it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from godel.runs.render import shown

# How many lines of one stream (a command's output, an agent's answer) are kept; older lines
# are counted, not kept: `enter` (the full payload) reads the whole value from the log.
STREAM_WINDOW = 400

# Run status words shown in the header.
RUNNING, PAUSED, FAILED, FINISHED, INTERRUPTED = (
    "running",
    "paused",
    "failed",
    "finished",
    "interrupted",
)

# A node's status is its event's, or INTERRUPTED (the view's own word): the event was still
# running when its attempt stopped (killed, crashed, or paused inside a step), and a resume
# began a new attempt, so it will never end (a resume replays only what finished: the step,
# if the workflow gets there again, runs as a new event).
INTERRUPTED_NODE = "INTERRUPTED"

ICONS = {
    "STARTED": "◌",
    "FINISHED": "✓",
    "FAILED": "✗",
    "INVALIDATED": "⊘",
    "SUSPENDED": "⏸",
    "PAUSED": "⏸",
    INTERRUPTED_NODE: "↯",
}


def cost_text(usd: float, estimated: bool = False) -> str:
    """Money as godel's other readers write it (``godel show``, ``runs list``, ``cost``):
    ``$0.0042``, ``~$0.0042`` when part of it was estimated from a price table."""
    from godel.cost import format_usd

    return format_usd(usd, estimated=estimated)


@dataclass(slots=True, eq=False)
class Node:
    """One event of the run, as a line of the tree."""

    id: str
    op: str
    label: str
    status: str = "STARTED"
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    step_path: tuple[str, ...] = ()
    ts_start: str = ""
    ts_end: str | None = None
    stream: str | None = None  # the first id of the event's stream_path: its transcript lines
    cost: float = 0.0  # own cost (agent calls); subtree totals live in ``RunState.costs``
    tokens: int = 0
    estimated: bool = False  # its cost was estimated from a price table (``cost_estimated``)
    detail: str = ""  # what it did, in a few words (one line)
    error: str = ""  # ``Type: message`` of a failure
    hint: str = ""  # the failure's remediation hint
    attempt: int = 1  # 2, 3... for a step retried (or re-run by a resume) after a failure
    branch: int = 0  # 1, 2... for the branches of a ``parallel``; 0 elsewhere
    depth: int = 0


@dataclass(slots=True)
class Line:
    """One line of a stream: ``kind`` says how to show it (prompt, text, thought, tool,
    result, stdout, stderr, raw, note)."""

    kind: str
    text: str


@dataclass(slots=True, eq=False)
class Stream:
    """The transcript lines of one command or agent call, the last ``STREAM_WINDOW`` kept."""

    lines: deque[Line] = field(default_factory=lambda: deque(maxlen=STREAM_WINDOW))
    dropped: int = 0  # lines that left the window
    total: int = 0  # lines ever added (a widget compares it to what it showed)
    partial: str = ""  # streamed answer text after its last newline
    partial_kind: str = ""
    answer_lines: int = 0  # lines of answer text (agent.response), for the plain cap
    model: str = ""
    streamed: bool = False  # an answer arrived through the transcript

    def add(self, kind: str, text: str) -> None:
        if len(self.lines) == self.lines.maxlen:
            self.dropped += 1
        # Command output and agent text are shown, never obeyed (an ESC would reach the terminal).
        self.lines.append(Line(kind, shown(text)))
        self.total += 1

    def add_text(self, kind: str, text: str) -> None:
        """Streamed text: whole lines are added, the rest waits for its newline."""
        if self.partial and self.partial_kind != kind:
            self.flush()
        self.partial_kind = kind
        text = self.partial + text
        *whole, self.partial = text.split("\n")
        for line in whole:
            self.add(kind, line)

    def flush(self) -> None:
        if self.partial:
            self.add(self.partial_kind, self.partial)
            self.partial = ""

    def view(self) -> list[Line]:
        """The kept lines, the partial one included."""
        lines = list(self.lines)
        if self.partial:
            lines.append(Line(self.partial_kind, shown(self.partial)))
        return lines


@dataclass(slots=True, eq=False)
class RunState:
    """Everything the view shows about one run."""

    run_id: str
    workflow: str = ""
    root: str | None = None
    status: str = RUNNING
    started: str = ""
    ended: str | None = None
    last_ts: str = ""  # when its latest line was written: where a run that was killed stopped
    attempt: int = 1
    nodes: dict[str, Node] = field(default_factory=dict)
    streams: dict[str, Stream] = field(default_factory=dict)
    stream_owner: dict[str, str] = field(default_factory=dict)  # stream id -> node id
    costs: dict[str, float] = field(default_factory=dict)  # node id -> subtree cost
    tokens: dict[str, int] = field(default_factory=dict)  # node id -> subtree tokens
    estimated: set[str] = field(default_factory=set)  # node ids whose subtree cost has an estimate
    cost: float = 0.0
    cost_estimated: bool = False  # part of ``cost`` was estimated from a price table
    token_total: int = 0
    active: str | None = None  # the node that changed last (followed by default)
    pending_input: str | None = None  # an ``input`` event waiting for its answer
    prints: deque[str] = field(default_factory=lambda: deque(maxlen=STREAM_WINDOW))
    invalidated: int = 0
    transcript_end: str | None = None  # WORKFLOW_FINISHED status of the latest attempt
    # (parent id, step path) -> the latest step node there: a retry is the next attempt
    last_steps: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)
    # What changed since the widgets last looked: node ids, and whether the shape changed.
    dirty: set[str] = field(default_factory=set)
    shape_changed: bool = False

    def stream_of(self, node: Node) -> Stream | None:
        return self.streams.get(node.stream) if node.stream else None

    def ancestors(self, node_id: str) -> list[str]:
        """The ids above ``node_id``, nearest first (each once: a hand-edited log's parents
        may go round in a cycle)."""
        out = []
        seen = {node_id}
        node = self.nodes.get(node_id)
        while node is not None and node.parent is not None and node.parent not in seen:
            out.append(node.parent)
            seen.add(node.parent)
            node = self.nodes.get(node.parent)
        return out
