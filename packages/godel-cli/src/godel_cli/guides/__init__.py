"""The guides ``godel guide`` prints: Markdown files shipped in the wheel beside this module,
read with ``importlib.resources`` (so they work from a zip or an editable install alike).

They are written for two readers, people and the coding agents that drive godel; the
``engineer`` and ``runner`` guides mostly for the second. ``tests/test_guides.py`` runs their
code blocks and checks every command, flag, variable and name they cite against the code and
docs/.
"""

from __future__ import annotations

BLURB = """\
godel: deterministic, event-sourced workflows for AI coding agents.

Write the orchestration as plain async Python (@workflow, @step, parallel, retry); agents
such as Claude Code and the Copilot CLI are the leaves. Every agent call, command, print,
clock read, random draw and file read or write is recorded in the run's audit log, so a run
can be resumed after a crash without paying for its agent calls again, rewound to any event,
paused, and audited with `godel show`."""

# name -> what it covers, in reading order.
GUIDES = {
    "getting-started": "Install, a first workflow, a first run.",
    "concepts": "Runs, steps, primitives, the audit log and how replay finds its answers.",
    "engineer": "Writing a workflow well, step by step (for people and coding agents).",
    "best-practices": "Habits that keep runs cheap to resume, safe to repeat and easy to read.",
    "runner": "Running, watching, pausing, resuming and repairing runs (for agents).",
    "monitoring": "Following live runs from a terminal, a script or another agent.",
    "cli": "Every command, what it prints, and its exit codes.",
    "api-reference": "The Python API: decorators, primitives, agents, errors, reading logs.",
}


def read(name: str) -> str:
    """The text of guide ``name`` (``FileNotFoundError`` if the wheel lacks it)."""
    from importlib.resources import files

    return files(__name__).joinpath(f"{name}.md").read_text(encoding="utf-8")
