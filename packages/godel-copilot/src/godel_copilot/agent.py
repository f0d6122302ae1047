"""The ``copilot`` agent: GitHub Copilot's CLI (``copilot -p``) on the godel agent base.

The answer streams as JSONL (``--output-format json``). Sessions use ``--session-id`` (a
new session with godel's id, or an existing one to continue); the CLI cannot fork a session,
so after a rewind the re-run call starts a new one (the base warns). ``schema=`` is asked
for in the prompt, validated with pydantic, and repaired once in the same session.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from godel.agents import Agent, AgentCall, AgentResult, Invocation
from godel_copilot.parser import CopilotStreamParser
from godel_copilot.prices import PRICES

__all__ = ["DEFAULT_MODEL", "MODEL_ALIASES", "Copilot", "copilot"]

# Every value is a name `copilot --model` accepts (copilot 1.0.102: the model list of
# `copilot completion bash`); names it retired would be refused on a signed-in account.
MODEL_ALIASES = {
    "sonnet": "claude-sonnet-4.6",
    "opus": "claude-opus-4.8",
    "haiku": "claude-haiku-4.5",
    "gpt": "gpt-5.4",
    # godel-py 3.x's names, so its workflows keep working; copilot retired these models.
    "gpt-5": "gpt-5.4",
    "sonnet-4": "claude-sonnet-4.6",
    "claude-sonnet-4": "claude-sonnet-4.6",
    "claude-sonnet-4.5": "claude-sonnet-4.6",
}
DEFAULT_MODEL = "default"
"""godel-py 3.x's name for the CLI's own default model: no ``--model`` is passed."""


class Copilot(Agent):
    """An agent backed by the ``copilot`` command line (GitHub Copilot CLI)."""

    backend = "copilot"
    parser = CopilotStreamParser
    executable = "copilot"
    prices = PRICES  # the CLI reports no cost: calls are estimated from these
    model_aliases = MODEL_ALIASES

    def resolve_model(self) -> str | None:
        return None if self.model == DEFAULT_MODEL else super().resolve_model()

    def command(self, call: AgentCall) -> list[str]:
        # --prompt=TEXT keeps a prompt that starts with "-" from being read as an option.
        argv = [
            self.executable,
            f"--prompt={call.prompt}",
            "--output-format",
            "json",
            "--no-color",
            "--no-auto-update",
        ]
        # --resume fails on an unknown session, where --session-id would quietly start one.
        argv.append(
            f"--resume={call.session_id}"
            if call.session_mode == "resume"
            else f"--session-id={call.session_id}"
        )
        if call.model:
            argv += ["--model", call.model]
        if call.skip_permissions:
            argv.append("--allow-all-tools")
        if call.tools is not None:
            argv += [f"--available-tools={','.join(call.tools)}"]
            argv += [f"--allow-tool={tool}" for tool in call.tools]
        return argv + self.extra_args

    def session_missing(self, inv: Any) -> bool:
        return (
            "No session or task matched" in inv.stderr
            or "No session, task, or name matched" in inv.stderr
        )

    def extract_result(self, inv: Invocation) -> AgentResult | None:
        result = super().extract_result(inv)
        if result is not None and not result.usage and result.session_id:
            # copilot prints no token counts; its session log has them.
            result.usage = session_usage(
                self._copilot_home() / "session-state" / result.session_id / "events.jsonl",
                since=inv.started_at,
            )
        return result

    def _copilot_home(self) -> Path:
        env = {**os.environ, **self.env}
        if env.get("COPILOT_HOME"):
            return Path(env["COPILOT_HOME"])
        return Path(env.get("HOME") or Path.home()) / ".copilot"


def session_usage(events: Path, *, since: float) -> dict[str, int]:
    """Token counts of the ``session.usage_record`` events logged at or after ``since`` (epoch s)."""
    usage: dict[str, int] = {}
    try:
        lines = events.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return usage
    for line in lines:
        if '"session.usage_record"' not in line:
            continue
        try:
            event = json.loads(line)
            when = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()
            record = event["data"]["usage"]
        except (ValueError, KeyError, TypeError):
            continue
        if when + 1 < since:  # from an earlier invocation in this session (1 s of clock slack)
            continue
        cache_read = int(record.get("cacheReadTokens") or 0)
        # copilot's inputTokens include the cached ones; report them apart, as claude does
        for field, value in (
            ("input_tokens", int(record.get("inputTokens") or 0) - cache_read),
            ("output_tokens", int(record.get("outputTokens") or 0)),
            ("cache_read_input_tokens", cache_read),
            ("cache_creation_input_tokens", int(record.get("cacheWriteTokens") or 0)),
        ):
            usage[field] = usage.get(field, 0) + value
    return usage


def copilot(model: str | None = None, **options: Any) -> Copilot:
    """A GitHub Copilot CLI agent.

    ``copilot(model=None, cwd=None, tools=None, skip_permissions=False, system_prompt=None,
    session_id=None, timeout=None, stall_timeout=600, env=None, executable="copilot",
    extra_args=None)``. ``model`` takes an alias (sonnet, opus, haiku, gpt; godel-py's gpt-5,
    sonnet-4, claude-sonnet-4, claude-sonnet-4.5) or a model id; None or ``"default"`` uses the
    CLI's default (or ``COPILOT_MODEL``).
    """
    return Copilot(model, **options)
