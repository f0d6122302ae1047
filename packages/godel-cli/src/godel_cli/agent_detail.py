"""What ``godel tail`` prints under an agent call's last line: the tools the agent used
(``--show-tools``) and its answer, capped at ``--max-agent-lines`` lines.

The answer comes from the audit log (the call's recorded ``text``, or its structured ``value``),
restored from the blob sidecar when it was too large for the log line. Tool calls are not in
the audit log: they come from the run's transcript (``<runs_dir>/<run_id>/transcript.jsonl``),
whose ``agent.tool_call`` / ``agent.tool_result`` events carry the call's ``stream_path``. The
transcript is read forward only, as the log is, so following a long run stays linear. A run
kept in a store (``--store``) has its transcript in the store: its rows are read forward the same
way (``godel.store.read_transcript``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from godel.runs.render import shown

if TYPE_CHECKING:
    from godel.log import Event
    from godel.runs.render import Style

INDENT = "    "
TOOL_WIDTH = 120  # a tool's input or result is one line, cut here
_TOOL_OPS = ("agent.tool_call", "agent.tool_result")
# The preview a log line keeps in place of a large string (godel.log.blobs).
_PREVIEW = re.compile(r"\.\.\. \[godel: \d+ chars in blobs/(?P<digest>[0-9a-f]{64})\]\Z")


@dataclass(frozen=True)
class AgentView:
    """How much of each agent call to show: its tool calls, and at most ``max_lines`` lines of
    its answer (0: all of them)."""

    show_tools: bool = False
    max_lines: int = 20


class AgentDetail:
    """Lines to print after an ``agent.call`` event's FINISHED or FAILED line."""

    def __init__(self, view: AgentView, runs_dir: Path, style: Style, warn: Callable[[str], None]):
        self.view = view
        self.runs_dir = runs_dir
        self.style = style
        self.warn = warn
        self._tools: dict[str, ToolEvents] = {}  # per run id (a tail follows one run)

    def lines(self, ev: Event) -> list[str]:
        if ev.op != "agent.call" or ev.status.value not in ("FINISHED", "FAILED"):
            return []
        out: list[str] = []
        if self.view.show_tools:
            out += self._tool_lines(ev)
        if ev.status.value == "FINISHED":
            out += self._answer_lines(ev)
        return out

    def _tool_lines(self, ev: Event) -> list[str]:
        tools = self._tools.get(ev.run_id)
        if tools is None and not isinstance(self.runs_dir, Path):  # a store (--store)
            tools = self._tools[ev.run_id] = StoredToolEvents(self.runs_dir, ev.run_id)
        if tools is None:
            path = self.runs_dir / ev.run_id / "transcript.jsonl"
            tools = self._tools[ev.run_id] = ToolEvents(path)
        if not tools.exists():
            if not tools.warned:
                tools.warned = True
                self.warn(
                    f"run {ev.run_id} has no transcript (it ran with --no-stream): "
                    "tool calls cannot be shown"
                )
            return []
        names: dict[str, str] = {}
        out: list[str] = []
        for item in tools.take(ev.stream_path):
            name = _one_line(str(item.get("tool") or "?"), TOOL_WIDTH)
            if item.get("op") == "agent.tool_call":
                if item.get("id"):
                    names[str(item["id"])] = name
                text = _one_line(_compact(item.get("input")), TOOL_WIDTH)
                out.append(f"{INDENT}{self.style('⚒ ' + name, 'bold')} {text}".rstrip())
            else:
                label = names.get(name, name)
                kind = "error" if item.get("is_error") else "result"
                result = [line for line in _text(item.get("output")).splitlines() if line.strip()]
                first = _one_line(result[0], TOOL_WIDTH) if result else ""
                tail = f" (+{len(result) - 1} more lines)" if len(result) > 1 else ""
                out.append(self.style(f"{INDENT}↳ {label} {kind}: {first}{tail}".rstrip(), "dim"))
        return out

    def _answer_lines(self, ev: Event) -> list[str]:
        response = ev.response if isinstance(ev.response, dict) else {}
        text = response.get("text")
        text = self._restore(ev, text) if isinstance(text, str) else ""
        if not text.strip() and response.get("value") is not None:
            text = json.dumps(response["value"], indent=2, ensure_ascii=False)
        # Recorded text is shown, never obeyed (see godel.runs.render.shown).
        lines = [shown(line, tab=INDENT) for line in text.rstrip().splitlines()]
        cap = self.view.max_lines
        hidden = len(lines) - cap if cap > 0 and len(lines) > cap else 0
        out = [f"{INDENT}│ {line}".rstrip() for line in lines[: len(lines) - hidden]]
        if hidden:
            out.append(self.style(f"{INDENT}… ({hidden} more lines)", "dim"))
        return out

    def _restore(self, ev: Event, text: str) -> str:
        """The whole answer when the log line holds only its preview (answers over 4 KiB)."""
        match = _PREVIEW.search(text)
        if match is None:
            return text
        try:
            if not isinstance(self.runs_dir, Path):  # a store (--store, $GODEL_STORE)
                return str(self.runs_dir.get_blob(ev.run_id, match["digest"]))
            from godel.log import BlobStore

            return BlobStore(self.runs_dir / ev.run_id).get(match["digest"])
        except (OSError, ValueError, KeyError):
            return text


class ToolEvents:
    """The tool events of one transcript, read forward as it grows, grouped by stream path.

    A transcript that grew past its size limit was rotated (``godel.log.transcript``): what
    was written to it after the last read is then in its first archive, ``.1``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warned = False
        self._offset = 0
        self._ino: int | None = None
        self._partial = b""
        self._pending: dict[tuple[str, ...], list[dict[str, Any]]] = {}

    def exists(self) -> bool:
        return self.path.is_file() or self.path.with_name(f"{self.path.name}.1").is_file()

    def take(self, stream_path: list[str]) -> list[dict[str, Any]]:
        """The tool events written so far for one agent call (each returned once)."""
        self._read()
        return self._pending.pop(tuple(stream_path), [])

    def _read(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                ino = os.fstat(fh.fileno()).st_ino
                if self._ino is not None and ino != self._ino:
                    self._finish_rotated()
                self._ino = ino
                if fh.seek(0, 2) < self._offset:  # rewritten from scratch: read it again
                    self._offset, self._partial = 0, b""
                fh.seek(self._offset)
                data = fh.read()
        except OSError:
            return
        self._take(data)

    def _finish_rotated(self) -> None:
        """The file read so far became ``.1``: read the rest of it, then start the new one."""
        archive = self.path.with_name(f"{self.path.name}.1")
        try:
            with open(archive, "rb") as fh:
                if os.fstat(fh.fileno()).st_ino == self._ino:
                    fh.seek(self._offset)
                    self._take(fh.read())
        except OSError:
            pass
        self._offset, self._partial = 0, b""

    def _take(self, data: bytes) -> None:
        self._offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        for line in lines:
            if b'"agent.tool_' not in line:  # most lines are streamed text: skip them unparsed
                continue
            try:
                event = json.loads(line).get("event")
            except (ValueError, AttributeError):
                continue
            if isinstance(event, dict) and event.get("op") in _TOOL_OPS:
                key = tuple(event.get("stream_path") or ())
                self._pending.setdefault(key, []).append(event)


class StoredToolEvents(ToolEvents):
    """``ToolEvents`` of a run kept in a store: its transcript rows, read forward."""

    def __init__(self, store: Any, run_id: str) -> None:
        super().__init__(Path(f"{run_id}/transcript.jsonl"))
        self.store = store
        self.run_id = run_id
        self._rows = 0
        self._any = False

    def exists(self) -> bool:
        self._read()
        return self._any

    def _read(self) -> None:
        from godel.store import read_transcript

        while True:
            lines, self._rows = read_transcript(self.store, self.run_id, self._rows)
            if not lines:
                return
            self._any = True
            self._take(b"".join(lines))


def _compact(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        return repr(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # content blocks
        return "\n".join(_text(v.get("text", "") if isinstance(v, dict) else v) for v in value)
    return _compact(value)


def _one_line(text: str, width: int) -> str:
    text = " ⏎ ".join(part.strip() for part in text.splitlines() if part.strip())
    text = shown(text, tab=INDENT)
    return text if len(text) <= width else text[: width - 1] + "…"
