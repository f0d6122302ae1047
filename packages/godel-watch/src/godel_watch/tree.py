"""The run's tree as a widget: one row per visible node, drawn line by line.

Only the rows on screen are drawn (``render_line``), and the list of visible rows is rebuilt
only when the shape changes, so a tree of tens of thousands of nodes opens and scrolls at
once (Textual's own ``Tree`` widget takes seconds to add that many).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from godel.log import seconds_between
from godel.runs.render import format_duration
from godel_watch.model import ICONS, INTERRUPTED_NODE, Node, RunState, cost_text

STATUS_STYLES = {
    "STARTED": Style(color="yellow", bold=True),
    "FINISHED": Style(color="green"),
    "FAILED": Style(color="red", bold=True),
    "INVALIDATED": Style(color="magenta", dim=True),
    "SUSPENDED": Style(color="cyan"),
    "PAUSED": Style(color="cyan"),
    INTERRUPTED_NODE: Style(color="red"),
}
_PLAIN = Style()  # never None: Textual's colour filters (e.g. on a monochrome terminal) need one
_DIM = Style(dim=True)
_BADGE = Style(color="black", bgcolor="cyan")
_CURSOR = Style(reverse=True)
_MATCH = Style(underline=True)


def node_duration(node: Node, now: str) -> str:
    """How long it took, or has been running (measured to ``now``)."""
    end = node.ts_end or (now if node.status == "STARTED" else None)
    return format_duration(seconds_between(node.ts_start, end)) if end else ""


def node_text(node: Node, state: RunState) -> str:
    """The words of a row (no status, no times): what the filter matches."""
    text = node.label
    if node.attempt > 1:
        text += f" #{node.attempt}"
    if node.detail:
        text += f" {node.detail}"
    return text


class RunTree(ScrollView, can_focus=True):
    """The tree of a ``RunState``: move with the arrows, open and close with →/← or space."""

    BINDINGS = [  # noqa: RUF012 (Textual's convention)
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "move(-20)", show=False),
        Binding("pagedown", "move(20)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("right,l", "expand", "Open", show=False),
        Binding("left,h", "collapse", "Close", show=False),
        Binding("space", "toggle", "Open/close"),
    ]

    DEFAULT_CSS = """
    RunTree { width: 1fr; height: 1fr; }
    """

    class Moved(Message):
        """The cursor moved to another node (``by_user``: a key or a click, not following)."""

        def __init__(self, node_id: str | None, by_user: bool) -> None:
            super().__init__()
            self.node_id = node_id
            self.by_user = by_user

    def __init__(self, state: RunState, *, now: Callable[[], str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.state = state
        self.now = now
        self.rows: list[str] = []  # visible node ids, top to bottom
        self.index: dict[str, int] = {}
        self.cursor: str | None = None
        self.expanded: set[str] = set()
        self.user_set: set[str] = set()  # opened or closed by hand: following leaves them be
        self.auto: set[str] = set()  # opened by following
        self.filter = ""
        self.user_moved = False
        self._shown: set[str] | None = None  # with a filter: the matches and their ancestors

    # the rows -----------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Recompute the visible rows (after the shape, the expansion or the filter changed)."""
        state = self.state
        rows: list[str] = []
        if state.root is not None and state.root in state.nodes:
            nodes, shown, expanded = state.nodes, self._shown, self.expanded
            stack = [state.root]
            while stack:
                nid = stack.pop()
                if shown is not None and nid not in shown:
                    continue
                rows.append(nid)
                if nid in expanded or shown is not None:
                    stack.extend(reversed(nodes[nid].children))
        self.rows = rows
        self.index = {nid: i for i, nid in enumerate(rows)}
        # Rows are cut to the width (render_line): nothing to scroll sideways, so no horizontal
        # scrollbar, whatever the width left by the vertical one.
        self.virtual_size = Size(0, len(rows))
        self.refresh()

    def set_filter(self, text: str) -> None:
        self.filter = text.strip().lower()
        if not self.filter:
            self._shown = None
        else:
            state = self.state
            shown: set[str] = set()
            for nid, node in state.nodes.items():
                if nid in shown or self.filter not in node_text(node, state).lower():
                    continue
                shown.add(nid)
                shown.update(state.ancestors(nid))
            self._shown = shown
        self.rebuild()

    # following ----------------------------------------------------------------------------------
    def follow(self, node_id: str | None) -> None:
        """Show ``node_id``: open its ancestors (closing those opened for the previous one)."""
        if node_id is None or node_id not in self.state.nodes:
            return
        path = set(self.state.ancestors(node_id))
        changed = False
        for nid in list(self.auto):
            if nid not in path and nid != self.state.root:
                self.auto.discard(nid)
                if nid not in self.user_set:
                    self.expanded.discard(nid)
                    changed = True
        for nid in path:
            if nid not in self.expanded and nid not in self.user_set:
                self.expanded.add(nid)
                self.auto.add(nid)
                changed = True
        if changed:
            self.rebuild()
        self.select(node_id, by_user=False)

    def select(self, node_id: str | None, *, by_user: bool) -> None:
        if node_id is None:
            return
        moved = node_id != self.cursor
        self.cursor = node_id
        if by_user:
            self.user_moved = True  # read at once by the app: a tick must not follow over it
        row = self.index.get(node_id)
        if row is not None:
            self.scroll_to_row(row)
        self.refresh()
        if moved or by_user:
            self.post_message(self.Moved(node_id, by_user))

    def scroll_to_row(self, row: int) -> None:
        top = int(self.scroll_offset.y)
        height = max(self.size.height, 1)
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    # keys ---------------------------------------------------------------------------------------
    def _row(self) -> int:
        return self.index.get(self.cursor or "", 0)

    def action_move(self, delta: int) -> None:
        if self.rows:
            row = min(max(self._row() + delta, 0), len(self.rows) - 1)
            self.select(self.rows[row], by_user=True)

    def action_jump(self, row: int) -> None:
        if self.rows:
            self.select(self.rows[row], by_user=True)

    def action_expand(self) -> None:
        node = self.state.nodes.get(self.cursor or "")
        if node is None:
            return
        if node.children and node.id not in self.expanded:
            self._set_open(node.id, True)
        elif node.children:
            self.action_move(1)

    def action_collapse(self) -> None:
        node = self.state.nodes.get(self.cursor or "")
        if node is None:
            return
        if node.id in self.expanded and node.children:
            self._set_open(node.id, False)
        elif node.parent is not None and node.parent in self.index:
            self.select(node.parent, by_user=True)

    def action_toggle(self) -> None:
        node = self.state.nodes.get(self.cursor or "")
        if node is not None and node.children:
            self._set_open(node.id, node.id not in self.expanded)

    def _set_open(self, node_id: str, is_open: bool) -> None:
        self.user_set.add(node_id)
        if is_open:
            self.expanded.add(node_id)
        else:
            self.expanded.discard(node_id)
        self.rebuild()
        self.select(node_id, by_user=True)

    def on_click(self, event: Click) -> None:
        row = int(self.scroll_offset.y) + event.y
        if 0 <= row < len(self.rows):
            nid = self.rows[row]
            if nid == self.cursor:
                self.action_toggle()
            else:
                self.select(nid, by_user=True)

    # drawing ------------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width  # the vertical scrollbar takes the rest
        if row >= len(self.rows):
            return Strip.blank(width, _PLAIN)
        node = self.state.nodes[self.rows[row]]
        left, right = self._segments(node)
        right_len = sum(len(s.text) for s in right)
        room = max(width - right_len, 1)
        strip = Strip(left).crop(0, room)
        if strip.cell_length < room:
            strip = strip.extend_cell_length(room, _PLAIN)
        strip = Strip([*strip, *right]).crop(0, width)
        if node.id == self.cursor:
            strip = strip.apply_style(_CURSOR if self.has_focus else Style(bgcolor="grey23"))
        return strip.extend_cell_length(width, _PLAIN)

    def _segments(self, node: Node) -> tuple[list[Segment], list[Segment]]:
        """The row's left part (tree, icon, label) and right part (duration, cost)."""
        state = self.state
        status_style = STATUS_STYLES.get(node.status, _DIM)
        arrow = "  "
        if node.children:
            arrow = "▾ " if (node.id in self.expanded or self._shown is not None) else "▸ "
        out = [
            Segment("  " * node.depth + arrow, _PLAIN),
            Segment(ICONS.get(node.status, "·"), status_style),
        ]
        out.append(Segment(" ", _PLAIN))
        if node.branch and (parent := state.nodes.get(node.parent or "")) and parent.op == "FORK":
            out.append(Segment(f"b{node.branch}", _BADGE))
            out.append(Segment(" ", _PLAIN))
        text_style = _DIM if node.status == "INVALIDATED" else _PLAIN
        out.append(Segment(node.label, text_style))
        if node.attempt > 1:
            out.append(Segment(f" #{node.attempt}", Style(color="yellow")))
        if node.error:
            out.append(Segment(f" {node.error}", Style(color="red")))
        elif node.detail:
            out.append(Segment(f" {node.detail}", _DIM))
        elif node.status == INTERRUPTED_NODE:
            out.append(Segment(" interrupted", Style(color="red", dim=True)))
        extra = []
        duration = node_duration(node, self.now())
        if duration and node.op not in ("print", "RESUME", "REWIND", "INVALIDATE"):
            extra.append(duration)
        cost = state.costs.get(node.id)
        if cost:
            extra.append(cost_text(cost, node.id in state.estimated))
        right = [Segment(" " + " ".join(extra) + " ", _DIM)] if extra else []
        return out, right
