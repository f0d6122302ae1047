"""The live view: a header, the run's tree, the selected node's detail, an input line, keys.

A timer reads what the run's files gained (``source.RunFiles``), folds it into the state
(``reducer``) and redraws only what changed. Quitting never touches the run; under
``godel run --watch`` a *session* lets the view answer the run's ``godel.input`` and stop it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Protocol

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, RichLog, Static

from godel.log import utc_now
from godel_watch.detail import detail_lines, header_text
from godel_watch.errors import WatchError
from godel_watch.model import RunState
from godel_watch.plain import View
from godel_watch.reducer import apply_event, apply_item, settle
from godel_watch.source import RunFiles, merged
from godel_watch.tree import RunTree

DETAIL_EVERY = 0.2  # seconds between redraws of a detail that keeps changing
FIRST_READ = 0  # log events taken by the first read (0: all of them: history opens at once)
LIVE_READ = 50_000  # and by each later one, so a burst never freezes the view


class Session(Protocol):
    """What ``godel run --watch`` lends the view: the run's input, and a way to stop it."""

    def answer(self, text: str) -> None: ...

    def stop(self) -> None: ...


class FullScreen(ModalScreen[None]):
    """One event whole, as ``godel show RUN --full EVENT`` prints it."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape,q,enter", "dismiss", "Back"),
    ]
    DEFAULT_CSS = """
    FullScreen { align: center middle; }
    FullScreen > RichLog { width: 95%; height: 90%; border: round $accent; background: $surface; }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        # Not auto_scroll: lines written before the pane has its size are drawn later, and
        # each would scroll it to the end; the event opens at its top.
        log = RichLog(wrap=True, markup=False, highlight=False, auto_scroll=False)
        log.border_title = "event (escape: back)"
        yield log

    def on_mount(self) -> None:
        log = self.query_one(RichLog)
        for line in self.text.splitlines():
            log.write(Text(line))
        log.scroll_home(animate=False)
        log.focus()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)


class WatchApp(App[None]):
    """``godel watch``'s view of one run."""

    TITLE = "godel watch"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #header { height: 1; background: $boost; }
    #body { height: 1fr; }
    RunTree { width: 45%; border-right: tall $panel; }
    #detail { width: 1fr; padding: 0 1; }
    #answer, #filter { display: none; }
    #answer.shown, #filter.shown { display: block; }
    """
    BINDINGS = [  # noqa: RUF012
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("f", "follow", "Follow"),
        Binding("t", "tools", "Tools"),
        Binding("slash", "filter", "Filter"),
        Binding("enter", "full", "Full event"),
        Binding("p", "pause", "Pause run"),
        Binding("x", "stop", "Stop run"),
        Binding("i", "answer", "Answer", show=False),
        Binding("escape", "escape", show=False),
    ]

    def __init__(
        self,
        run_id: str,
        runs_dir: Path,
        *,
        view: View | None = None,
        poll: float = 0.1,
        session: Session | None = None,
        clock: Any = None,
    ) -> None:
        super().__init__()
        self.run_id = run_id
        self.runs_dir = runs_dir
        self.view = view or View()
        self.poll = poll
        self.session = session
        self.state = RunState(run_id)
        self.files = RunFiles(run_id, runs_dir, on_warning=self._warning)
        self.following = True
        self.note = ""
        self._now = clock or utc_now
        self._detail_for: str | None = None
        self._detail_at = 0.0
        self._reads = 0
        self._answering: str | None = None  # the input event the answer line is for
        self.error: WatchError | None = None  # why the view closed: the log cannot be read

    # layout -------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="header")
        with Horizontal(id="body"):
            yield RunTree(self.state, now=self._clock, id="tree")
            yield RichLog(id="detail", wrap=True, markup=False, highlight=False, max_lines=2000)
        yield Input(id="answer")
        yield Input(id="filter", placeholder="filter: text in the tree (escape: clear)")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RunTree).focus()
        self.read()
        self.set_interval(self.poll, self.read)

    def _clock(self) -> str:
        """What a node still open is measured to: now, or the run's end once it ended (a
        killed run's last line: what it left open does not run on)."""
        return self.state.ended or self._now()

    @property
    def tree(self) -> RunTree:
        return self.query_one(RunTree)

    # reading ------------------------------------------------------------------------------------
    def read(self) -> None:
        """Fold what the files gained into the state, then redraw what changed."""
        if self.error is not None or not self.query(RunTree):  # a last tick while it closes
            return
        state = self.state
        try:
            items, events = self.files.read(LIVE_READ if self._reads else FIRST_READ)
        except WatchError as exc:  # a newer log format, an I/O error: said once the view closed
            self.error = exc
            self.exit(return_code=1)
            return
        for obj in merged(items, events):
            if isinstance(obj, dict):
                apply_item(state, obj)
            else:
                apply_event(state, obj)
        if events or self._reads % 10 == 0:
            settle(state, locked=self.files.locked())
        self._reads += 1
        try:
            self.sync()
        except NoMatches:  # a read timer firing while the view is composing or shutting down
            return

    def sync(self) -> None:
        state, tree = self.state, self.tree
        if state.shape_changed:
            state.shape_changed = False
            if state.root is not None and state.root not in tree.expanded:
                tree.expanded.add(state.root)
            if tree.filter:
                tree.set_filter(tree.filter)
            else:
                tree.rebuild()
        if tree.user_moved:
            tree.user_moved = False
            self.following = False
        if self.following and state.active is not None:
            tree.follow(state.active)
        elif tree.cursor is None and state.root is not None:
            tree.select(state.root, by_user=False)
        tree.refresh()
        if tree.cursor in state.dirty or tree.cursor != self._detail_for:
            self.show_detail()
        state.dirty.clear()
        self._input_line()
        self.query_one("#header", Static).update(
            header_text(state, now=self._clock(), following=self.following, note=self.note)
        )

    def show_detail(self, *, force: bool = False) -> None:
        tree = self.tree
        node = self.state.nodes.get(tree.cursor or "")
        if node is None:
            return
        changed = node.id != self._detail_for
        if not (force or changed) and time.monotonic() - self._detail_at < DETAIL_EVERY:
            self.state.dirty.add(node.id)  # not yet: next time
            return
        pane = self.query_one("#detail", RichLog)
        at_end = pane.scroll_offset.y >= pane.max_scroll_y - 1
        keep = pane.scroll_offset.y
        pane.clear()
        for line in detail_lines(
            node, self.state, show_tools=self.view.show_tools, now=self._clock()
        ):
            pane.write(line)
        if changed or at_end:
            pane.scroll_end(animate=False) if not changed else pane.scroll_home(animate=False)
        else:
            pane.scroll_to(y=keep, animate=False)
        self._detail_for = node.id
        self._detail_at = time.monotonic()

    def _input_line(self) -> None:
        """The answer line, while the run waits in ``godel.input`` (and the view can answer)."""
        pending = self.state.pending_input
        line = self.query_one("#answer", Input)
        if pending is not None and self.session is not None:
            if self._answering != pending:
                self._answering = pending
                node = self.state.nodes[pending]
                line.placeholder = (
                    f"{node.label.removeprefix('? ')}  (enter: answer the run; escape: the tree, "
                    "i: back here)"
                )
                line.value = ""
                line.add_class("shown")
                line.focus()
            self.note = ""
        else:
            if self._answering is not None:
                self._answering = None
                line.remove_class("shown")
                self.tree.focus()
            self.note = "waiting for an answer in the run's terminal" if pending else ""

    # events -------------------------------------------------------------------------------------
    def on_run_tree_moved(self, message: RunTree.Moved) -> None:
        if message.by_user:
            self.tree.user_moved = False
            self.following = False
        self.show_detail(force=True)

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "answer" and self.session is not None:
            self.session.answer(message.value)
            message.input.remove_class("shown")
            self.tree.focus()
            self.notify("answer sent to the run")
        elif message.input.id == "filter":
            self.tree.focus()

    def on_input_changed(self, message: Input.Changed) -> None:
        if message.input.id == "filter":
            self.tree.set_filter(message.value)

    def _warning(self, text: str) -> None:
        # A warning quotes the log (a line it skipped): its text is not markup ("[/x]" raised).
        self.call_later(self.notify, text, severity="warning", markup=False)

    # actions ------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop" and self.session is None:
            return False  # only a run this view started can be stopped from it
        return True

    def action_follow(self) -> None:
        self.tree.user_moved = False
        self.following = not self.following
        if self.following:
            self.tree.follow(self.state.active)
        self.sync()

    def action_tools(self) -> None:
        self.view.show_tools = not self.view.show_tools
        self.show_detail(force=True)
        self.notify("tool calls shown" if self.view.show_tools else "tool calls hidden")

    def action_filter(self) -> None:
        line = self.query_one("#filter", Input)
        line.add_class("shown")
        line.focus()

    def action_escape(self) -> None:
        answer = self.query_one("#answer", Input)
        if self.focused is answer:  # to the tree and its keys; the run still waits (i: back)
            self.tree.focus()
            return
        line = self.query_one("#filter", Input)
        if line.has_class("shown"):
            line.value = ""
            line.remove_class("shown")
            self.tree.set_filter("")
            self.tree.focus()

    def action_answer(self) -> None:
        if self._answering is not None:
            self.query_one("#answer", Input).focus()

    def action_full(self) -> None:
        node_id = self.tree.cursor
        if node_id is None:
            return
        self.push_screen(FullScreen(self._full_text(node_id)))

    def _full_text(self, event_id: str) -> str:
        from godel.log import EventLog
        from godel.runs.render import render_full

        try:
            log = EventLog.load(self.run_id, self.runs_dir)
            event = log.get(event_id)
            parent = (
                log.get(event.parent_id) if event.parent_id and event.parent_id in log else None
            )
        except Exception as exc:  # a log being rewritten, a torn line: say so in the pane
            return f"cannot read event {event_id}: {type(exc).__name__}: {exc}"
        return render_full(event, parent)

    def action_pause(self) -> None:
        from godel import write_pause_request

        if self.state.status != "running":
            self.notify(f"the run is {self.state.status}: nothing to pause", severity="warning")
            return
        try:
            write_pause_request(self.run_id, "paused from godel watch", self.runs_dir)
        except OSError as exc:  # a runs dir this user may not write: say so, stay on the run
            self.notify(f"cannot write the pause request: {exc.strerror or exc}", severity="error")
            return
        self.notify("pause requested: the run stops before its next step")

    def action_stop(self) -> None:
        if self.session is not None:
            self.session.stop()
            self.notify("stopping the run (as Ctrl+C would)")

    async def action_quit(self) -> None:
        self.exit()

    def on_unmount(self) -> None:
        self.files.close()
