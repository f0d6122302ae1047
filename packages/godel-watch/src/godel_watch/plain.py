"""Plain mode: the run as a log of lines, for CI, pipes and files (``godel watch -p``).

One line per event: step headers (``▸``), commands (``$``) and their output (``│``), agent
prompts (``›``) and answers (``‹``, at most ``max_agent_lines`` lines each, then ``… +N
lines``), tool calls with ``show_tools`` (``⚒``, ``↳``), prints (``»``), inputs (``?``), failures
(``✗``) and the end of the run. Inside ``parallel`` every line carries its branch's badge
(``[b1]``), so interleaved branches can be told apart. Colour only when asked (a terminal).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import IO, Any

from godel.log import Event, seconds_between
from godel.runs.render import format_duration
from godel_watch.model import (
    FINISHED,
    INTERRUPTED,
    INTERRUPTED_NODE,
    PAUSED,
    Node,
    RunState,
    cost_text,
)
from godel_watch.reducer import apply_event, apply_item, one_line, settle, value_text
from godel_watch.source import RunFiles, merged

_ANSI = {
    "head": "\x1b[36m",
    "cmd": "\x1b[33m",
    "prompt": "\x1b[35m",
    "answer": "\x1b[32m",
    "fail": "\x1b[31m",
    "dim": "\x1b[2m",
    "bold": "\x1b[1m",
    "tool": "\x1b[33m",
    "ok": "\x1b[32m",
}
_RESET = "\x1b[0m"
# Records written once, already ended: shown when they appear.
_RECORDS = {"RESUME", "REWIND", "INVALIDATE", "UNRECOVERABLE"}
_BADGE = ("\x1b[30;46m", "\x1b[30;43m", "\x1b[30;45m", "\x1b[30;42m", "\x1b[30;44m")
_PREVIEW = re.compile(r"\.\.\. \[godel: \d+ chars in blobs/(?P<digest>[0-9a-f]{64})\]\Z")


class View:
    """How much to show: tool calls, and at most ``max_agent_lines`` lines of each agent
    answer (0: all of them). ``verbose`` is both, uncapped."""

    def __init__(self, show_tools: bool = False, max_agent_lines: int = 20) -> None:
        self.show_tools = show_tools
        self.max_agent_lines = max_agent_lines

    @classmethod
    def verbose(cls) -> View:
        return cls(True, 0)


class PlainRenderer:
    """Feeds a ``RunState`` and writes the lines each event deserves to ``out``."""

    def __init__(
        self,
        state: RunState,
        out: IO[str],
        view: View,
        *,
        color: bool = False,
        runs_dir: Path | None = None,
        resume: str = "",
    ) -> None:
        self.state = state
        self.out = out
        self.view = view
        self.color = color
        self.runs_dir = runs_dir
        # The command that resumes the run, as the end line prints it (with the --runs-dir typed).
        self.resume = resume or f"godel resume {state.run_id}"
        self._partial: dict[str, str] = {}  # stream id -> answer text after its last newline
        self._shown: dict[str, int] = {}  # stream id -> answer lines written
        self._hidden: dict[str, int] = {}  # stream id -> answer lines over the cap
        self._answered: set[str] = set()  # streams whose answer header was written
        self._opened = False
        self._closed = False

    # feeding ----------------------------------------------------------------------------------
    def feed(self, obj: Event | dict[str, Any]) -> None:
        if isinstance(obj, dict):
            apply_item(self.state, obj)
            self._item(obj)
        else:
            new = obj.event_id not in self.state.nodes
            apply_event(self.state, obj)
            self._event(obj, new)

    def finish(self) -> None:
        """The files were read to the end of the run: write what is still buffered, and say so
        when the run stopped without recording an end."""
        for sid in list(self._partial):
            self._flush(sid)
        root = self.state.nodes.get(self.state.root or "")
        if self.state.status == INTERRUPTED and (
            root is None or root.status in ("STARTED", INTERRUPTED_NODE)
        ):
            self._write(
                None,
                "── interrupted: no process holds the run and it recorded no end "
                f"(resume with: {self.resume}) ──",
                "fail",
            )
        self.out.flush()

    # writing ----------------------------------------------------------------------------------
    def _style(self, text: str, role: str) -> str:
        return f"{_ANSI[role]}{text}{_RESET}" if self.color and role in _ANSI else text

    def _write(self, node: Node | None, text: str, role: str = "", *, extra: int = 0) -> None:
        depth = len(node.step_path) if node is not None else 0
        if node is not None and node.op == "step.enter":
            depth -= 1
        pad = "  " * (max(depth, 0) + extra)
        badge = ""
        if node is not None and node.branch:
            badge = f"[b{node.branch}]"
            if self.color:
                badge = f"{_BADGE[(node.branch - 1) % len(_BADGE)]}{badge}{_RESET}"
            badge += " "
        text = one_line(text, 0)  # labels and errors come from the log: shown, never obeyed
        self.out.write(f"{badge}{pad}{self._style(text, role) if role else text}".rstrip() + "\n")

    def _lines(self, node: Node | None, first: str, rest: list[str], role: str, cap: int) -> None:
        """A header line, then ``rest`` indented below it, at most ``cap`` lines (0: all)."""
        self._write(node, first, role)
        shown = rest if cap <= 0 else rest[:cap]
        for line in shown:
            self._write(node, one_line(line, 0), extra=1)
        if len(rest) > len(shown):
            self._write(node, f"… +{len(rest) - len(shown)} lines", "dim", extra=1)

    # audit-log lines --------------------------------------------------------------------------
    def _event(self, ev: Event, new: bool) -> None:
        node = self.state.nodes.get(ev.event_id)
        if node is None:
            return
        status = ev.status.value
        op = ev.op
        req = ev.request if isinstance(ev.request, dict) else {}
        resp = ev.response if isinstance(ev.response, dict) else {}
        if op == "WORKFLOW_STARTED" and ev.parent_id is None:
            self._root(node, status)
            return
        # A step that neither recorded anything nor waited is one FINISHED line: it starts too.
        if status == "STARTED" or (new and (op in _RECORDS or op == "step.enter")):
            self._started(node, op, req)
        elif status == "FAILED":
            if op == "agent.call":
                self._flush(node.stream)
            self._write(node, f"✗ {node.label}: {node.error}", "fail")
            if node.hint:
                self._write(node, f"hint: {one_line(node.hint, 0)}", "dim", extra=1)
        elif status == "FINISHED":
            self._finished(node, op, resp)

    def _started(self, node: Node, op: str, req: dict[str, Any]) -> None:
        if op == "step.enter":
            attempt = f" (attempt {node.attempt})" if node.attempt > 1 else ""
            self._write(node, f"▸ {' / '.join(node.step_path)}{attempt}", "head")
        elif op == "run":
            self._write(node, node.label, "cmd")
        elif op == "agent.call":
            prompt = req.get("prompt")
            # A prompt over 4 KiB is a preview in the log: whole from its blob.
            prompt = self._restore(prompt) if isinstance(prompt, str) else str(prompt or "")
            who = node.label.split(" ", 1)[0]
            self._lines(node, f"› {who}", prompt.splitlines(), "prompt", self.view.max_agent_lines)
        elif op == "print":
            text = str(req.get("text", "")).rstrip("\n").splitlines() or [""]
            self._write(node, f"» {one_line(text[0], 0)}", "bold")
            for line in text[1:]:
                self._write(node, f"  {one_line(line, 0)}", "bold")
        elif op == "input":
            self._write(node, node.label, "prompt")
        elif op == "FORK":
            self._write(node, f"⑂ {node.label}", "head")
        elif op == "RESUME":
            self._write(None, f"── {node.label} ──", "head")
        elif op in ("sleep", "det.sleep", "PAUSED", "REWIND", "INVALIDATE", "UNRECOVERABLE"):
            self._write(node, f"· {node.label}", "dim")

    def _finished(self, node: Node, op: str, resp: dict[str, Any]) -> None:
        if op == "agent.call":
            sid = node.stream or ""
            self._flush(sid)
            if sid not in self._answered:  # no transcript (--no-stream): the recorded answer
                text = self._restore(resp.get("text"))
                if not text.strip() and resp.get("value") is not None:
                    text = json.dumps(resp["value"], indent=2, ensure_ascii=False)
                for line in text.rstrip().splitlines():
                    self._answer_line(node, sid, line)
            hidden = self._hidden.pop(sid, 0)
            if hidden:
                self._write(node, f"… +{hidden} lines", "dim", extra=1)
            self._write(node, f"✓ {self._agent_summary(node, resp)}", "ok")
        elif op == "run":
            code = resp.get("returncode")
            if code not in (0, None):
                self._write(node, f"→ exit {code}", "fail", extra=1)
        elif op == "input":
            self._write(node, f"  {node.detail}", "prompt")
        elif op in ("read_text", "write_text"):
            self._write(node, f"· {node.label} ({node.detail})", "dim")
        elif op == "REWIND" and node.detail:
            self._write(node, f"· rewind: {node.detail}", "dim")

    def _agent_summary(self, node: Node, resp: dict[str, Any]) -> str:
        parts = [node.label.split(" ", 1)[0]]
        usage = resp.get("usage") if isinstance(resp.get("usage"), dict) else {}
        if usage.get("input_tokens") is not None or usage.get("output_tokens") is not None:
            parts.append(f"{usage.get('input_tokens', 0)}→{usage.get('output_tokens', 0)} tok")
        if node.cost:
            parts.append(cost_text(node.cost, node.estimated))
        duration = seconds_between(node.ts_start, node.ts_end)
        if duration is not None:
            parts.append(format_duration(duration))
        return " · ".join(parts)

    def _root(self, node: Node, status: str) -> None:
        state = self.state
        if not self._opened:
            self._opened = True
            self._write(None, f"── run {state.run_id} · {node.label} ──", "head")
        if status == "STARTED":
            return
        for sid in list(self._partial):
            self._flush(sid)
        took = format_duration(seconds_between(state.started, node.ts_end))
        extras = ""
        if state.token_total:
            extras += f" · {state.token_total} tok"
        if state.cost:
            extras += f" · {cost_text(state.cost, state.cost_estimated)}"
        if state.status == FINISHED:
            self._write(None, f"── finished in {took}{extras} ──", "ok")
        elif state.status == PAUSED:
            self._write(None, f"── paused after {took}; resume with: {self.resume} ──", "head")
        else:
            self._write(None, f"── {state.status} after {took}: {node.error}{extras} ──", "fail")

    # transcript events ------------------------------------------------------------------------
    def _item(self, item: dict[str, Any]) -> None:
        path = item.get("stream_path")
        if not isinstance(path, list) or not path:
            return
        sid = str(path[0])
        node = self.state.nodes.get(self.state.stream_owner.get(sid, ""))
        op = item.get("op")
        if op == "agent.response":
            self._answer_text(node, sid, str(item.get("text") or ""))
        elif op in ("stdout", "stderr"):
            line = str(item.get("line", item.get("chunk", "")))
            if node is not None and node.op == "agent.call":
                return  # an agent CLI's own output: its answer is shown instead
            self._write(
                node, f"│ {one_line(line, 0)}", "dim" if op == "stdout" else "fail", extra=1
            )
        elif op in ("agent.tool_call", "agent.tool_result"):
            self._flush(sid)  # text before and after a tool call are separate lines
            if not self.view.show_tools:
                return
            if op == "agent.tool_call":
                text = one_line(f"⚒ {item.get('tool', '?')} {value_text(item.get('input'))}", 200)
                self._write(node, text, "tool", extra=1)
            else:
                out = item.get("output")
                lines = [
                    ln
                    for ln in value_text(out if out is not None else "").splitlines()
                    if ln.strip()
                ]
                more = f" (+{len(lines) - 1} more lines)" if len(lines) > 1 else ""
                first = one_line(lines[0], 160) if lines else ""
                kind = "error" if item.get("is_error") else "result"
                self._write(node, f"↳ {kind}: {first}{more}", "dim", extra=1)
        elif op == "agent.raw":
            self._write(node, one_line(f"! {item.get('text', '')}", 200), "fail", extra=1)

    def _answer_text(self, node: Node | None, sid: str, text: str) -> None:
        text = self._partial.pop(sid, "") + text
        *whole, rest = text.split("\n")
        for line in whole:
            self._answer_line(node, sid, line)
        if rest:
            self._partial[sid] = rest

    def _flush(self, sid: str | None) -> None:
        if sid and sid in self._partial:
            node = self.state.nodes.get(self.state.stream_owner.get(sid, ""))
            self._answer_line(node, sid, self._partial.pop(sid))

    def _answer_line(self, node: Node | None, sid: str, line: str) -> None:
        if sid not in self._answered:
            self._answered.add(sid)
            self._write(node, "‹ answer", "answer")
        cap = self.view.max_agent_lines
        if cap > 0 and self._shown.get(sid, 0) >= cap:
            self._hidden[sid] = self._hidden.get(sid, 0) + 1
            return
        self._shown[sid] = self._shown.get(sid, 0) + 1
        self._write(node, one_line(line, 0), extra=1)

    def _restore(self, text: Any) -> str:
        """A prompt or answer the log keeps as a preview (over 4 KiB), whole from the blob
        sidecar (the preview when the blob cannot be read)."""
        if not isinstance(text, str):
            return ""
        match = _PREVIEW.search(text)
        if match is None or self.runs_dir is None:
            return text
        from pathlib import Path

        from godel.log import BlobStore

        try:
            if not isinstance(self.runs_dir, Path):  # a store (--store, $GODEL_STORE)
                return str(self.runs_dir.get_blob(self.state.run_id, match["digest"]))
            return BlobStore(self.runs_dir / self.state.run_id).get(match["digest"])
        except (OSError, ValueError, KeyError):
            return text


def run_plain(
    files: RunFiles, renderer: PlainRenderer, *, poll: float = 0.1, follow: bool = True
) -> None:
    """Write the run's history, then follow it to its end (finished, failed, paused, or no
    longer held by any process)."""
    state = renderer.state
    while True:
        items, events = files.read()
        for obj in merged(items, events):
            renderer.feed(obj)
        renderer.out.flush()
        if items or events:
            continue
        if not follow or files.ended():
            break
        time.sleep(poll)
    settle(state, locked=files.locked())
    files.finish()
    renderer.finish()
