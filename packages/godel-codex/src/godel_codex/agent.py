"""The ``codex`` agent: the OpenAI Codex CLI (``codex exec --json``) on the godel agent base.

The prompt goes to the CLI on stdin (``-``). codex names its sessions (threads) itself, so a
godel session is a chain of codex threads, one per answer: the first call starts a thread,
each later call forks the thread of the answer before it (``codex exec fork``), and that
thread id is the call's recorded ``cursor``. So every answer keeps a snapshot of the
conversation up to it, and a rewind forks exactly the snapshot the run kept. ``codex exec
resume`` continues a session godel did not start (``session_id=``) or retries a call whose
session codex never saved. ``schema=`` uses ``--output-schema``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from godel.agents import Agent, AgentCall, AgentResult, Invocation
from godel_codex.parser import CodexStreamParser, usage_fields
from godel_codex.prices import PRICES

__all__ = ["SANDBOX_MODES", "Codex", "codex", "rollout_usage", "strict_schema"]

SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")


class Codex(Agent):
    """An agent backed by the ``codex`` command line (OpenAI Codex CLI)."""

    backend = "codex"
    parser = CodexStreamParser
    executable = "codex"
    prices = PRICES  # the CLI reports no cost: calls are estimated from these
    native_schema = True
    system_prompt_flag = True  # -c developer_instructions: codex keeps it once per thread
    can_fork = True

    def __init__(
        self,
        model: str | None = None,
        *,
        sandbox: str = "workspace-write",
        **options: Any,
    ) -> None:
        if options.get("tools") is not None:
            raise TypeError(
                "codex() takes no tools=: the Codex CLI has no tool allow-list; "
                "choose what it may touch with sandbox= (read-only, workspace-write, "
                "danger-full-access)"
            )
        if sandbox not in SANDBOX_MODES:
            raise ValueError(f"sandbox= must be one of {', '.join(SANDBOX_MODES)}, got {sandbox!r}")
        super().__init__(model, **options)
        self.sandbox = sandbox
        self._session: str | None = None  # godel's session id of the invocation running

    def command(self, call: AgentCall) -> list[str]:
        self._session = call.session_id
        argv = [self.executable, "exec", "--json", "--color", "never", "--skip-git-repo-check"]
        if call.skip_permissions:
            argv.append("--dangerously-bypass-approvals-and-sandbox")
        else:
            argv += ["--sandbox", self.sandbox]
        if call.model:
            argv += ["--model", call.model]
        if call.system_prompt:
            argv += ["-c", f"developer_instructions={toml_string(call.system_prompt)}"]
        if call.schema is not None:
            argv += ["--output-schema", str(schema_file(call.schema))]
        argv += self.extra_args
        if call.session_mode == "fork":
            argv += ["fork", call.resume_at or call.fork_of or ""]
        elif call.session_mode == "resume" and call.cursor:
            # The answer before this one is a snapshot: continue in a copy of it.
            argv += ["fork", call.cursor]
        elif call.session_mode == "resume":
            argv += ["resume", call.session_id]
        return [*argv, "-"]  # the prompt: stdin

    def stdin(self, call: AgentCall) -> str:
        return call.prompt

    def session_missing(self, inv: Any) -> bool:
        return "no rollout found for thread id" in inv.stderr

    def extract_result(self, inv: Invocation) -> AgentResult | None:
        result = super().extract_result(inv)
        if result is None:
            return None
        thread = result.session_id
        result.cursor = thread
        result.session_id = self._session or thread
        if thread:
            # turn.completed counts the whole thread, forked history included; the session
            # log has each request's own usage.
            usage = rollout_usage(self._codex_home(), thread, since=inv.started_at)
            if usage is not None:
                result.usage = usage
        return result

    def _codex_home(self) -> Path:
        env = {**os.environ, **self.env}
        if env.get("CODEX_HOME"):
            return Path(env["CODEX_HOME"])
        return Path(env.get("HOME") or Path.home()) / ".codex"


def rollout_usage(codex_home: Path, thread: str, *, since: float) -> dict[str, int] | None:
    """Token counts of the model requests logged in ``thread``'s session file at or after
    ``since`` (epoch seconds); None when the file cannot be found."""
    from datetime import datetime

    found = sorted((codex_home / "sessions").glob(f"*/*/*/rollout-*-{thread}.jsonl"))
    if not found:
        return None
    usage: dict[str, int] = {}
    try:
        lines = found[-1].read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        if '"token_count"' not in line:
            continue
        try:
            entry = json.loads(line)
            when = datetime.fromisoformat(entry["timestamp"].replace("Z", "+00:00")).timestamp()
            last = entry["payload"]["info"]["last_token_usage"]
        except (ValueError, KeyError, TypeError):
            continue
        if when + 1 < since:  # from an earlier invocation (1 s of clock slack)
            continue
        for field, value in usage_fields(last).items():
            usage[field] = usage.get(field, 0) + value
    return usage


def strict_schema(schema: Any) -> Any:
    """``schema`` as OpenAI's strict structured outputs require it (codex sends it strict):
    every object lists all its properties as required and allows no others."""
    if isinstance(schema, list):
        return [strict_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict_schema(v) for k, v in schema.items()}
    if isinstance(out.get("properties"), dict):
        out["required"] = list(out["properties"])
        out.setdefault("additionalProperties", False)
    return out


def schema_file(schema: dict[str, Any]) -> Path:
    """A file holding ``schema`` (made strict) for ``--output-schema``; named by its content,
    so it is written once and may be shared by concurrent calls."""
    text = json.dumps(strict_schema(schema), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"godel-codex-schema-{digest}.json"
    if not path.is_file() or path.read_text(encoding="utf-8", errors="replace") != text:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return path


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (codex parses ``-c key=value`` values as TOML)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def codex(model: str | None = None, **options: Any) -> Codex:
    """An OpenAI Codex CLI agent.

    ``codex(model=None, cwd=None, sandbox="workspace-write", skip_permissions=False,
    system_prompt=None, session_id=None, timeout=None, stall_timeout=600, env=None,
    executable="codex", extra_args=None)``. ``model`` is a model id (None: codex's default or
    its ``config.toml``); ``sandbox`` is ``read-only``, ``workspace-write`` or
    ``danger-full-access``; ``skip_permissions=True`` runs without sandbox or approvals
    (``--dangerously-bypass-approvals-and-sandbox``); ``session_id`` continues a codex thread.
    """
    return Codex(model, **options)
