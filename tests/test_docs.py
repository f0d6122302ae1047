"""docs/plugins.md documents exactly the hooks in ``godel.hookspecs``, with their real signatures."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

import godel.plugins.manager
from godel import hookspecs

PLUGINS_MD = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
SPEC_MARKER = f"{hookspecs.PROJECT}_spec"  # the attribute pluggy's HookspecMarker sets


def hookspec_functions() -> dict[str, Callable[..., Any]]:
    return {
        name: fn
        for name, fn in vars(hookspecs).items()
        if name.startswith("godel_") and callable(fn) and hasattr(fn, SPEC_MARKER)
    }


class _Annotation:
    """Shows a string annotation (``from __future__ import annotations``) without quotes."""

    def __init__(self, text: object) -> None:
        self.text = text if isinstance(text, str) else inspect.formatannotation(text)

    def __repr__(self) -> str:
        return str(self.text)


def signature_text(name: str, fn: Callable[..., Any]) -> str:
    """``godel_register_agents(register: Register) -> None``, from the function itself."""
    sig = inspect.signature(fn)
    params = [
        p.replace(annotation=_Annotation(p.annotation)) if p.annotation is not p.empty else p
        for p in sig.parameters.values()
    ]
    ret = (
        _Annotation(sig.return_annotation) if sig.return_annotation is not sig.empty else sig.empty
    )
    return f"{name}{sig.replace(parameters=params, return_annotation=ret)}"


def sections(text: str) -> dict[str, str]:
    """``## heading`` → the text up to the next ``## `` heading."""
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


DOC = PLUGINS_MD.read_text()
SECTIONS = sections(DOC)
SPECS = hookspec_functions()


def test_there_are_hookspecs_to_document() -> None:
    assert {
        "godel_register_agents",
        "godel_register_parsers",
        "godel_register_lint_rules",
        "godel_register_commands",
    } <= set(SPECS)


def test_signatures_are_rendered_from_the_code() -> None:
    assert signature_text("godel_register_agents", SPECS["godel_register_agents"]) == (
        "godel_register_agents(register: Register) -> None"
    )


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_hookspec_has_a_heading_and_its_exact_signature(name: str) -> None:
    heading = f"`{name}`"
    assert heading in SECTIONS, f"docs/plugins.md needs a '## `{name}`' heading"
    blocks = re.findall(r"```python\n(.*?)```", SECTIONS[heading], flags=re.DOTALL)
    assert blocks, f"the '{name}' section needs a python code block with its signature"
    assert blocks[0].strip() == signature_text(name, SPECS[name]), (
        "the first code block is the signature"
    )
    assert len(blocks) > 1, f"the '{name}' section needs an example after the signature"
    assert f"def {name}(" in SECTIONS[heading], "the example implements the hook"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_hookspec_docstring_has_an_example(name: str) -> None:
    assert "Example::" in (SPECS[name].__doc__ or "")


def test_nothing_documented_as_a_hook_is_missing_from_hookspecs() -> None:
    headings = {h.strip("`") for h in SECTIONS if re.fullmatch(r"`godel_\w+`", h)}
    assert headings == set(SPECS)
    # Hook names written as calls or definitions anywhere on the page must be real hooks too.
    mentioned = set(re.findall(r"\b(godel_[a-z_]+)\(", DOC))
    assert mentioned <= set(SPECS), f"not in godel.hookspecs: {sorted(mentioned - set(SPECS))}"


HELLO_CLI = """#!/usr/bin/env python3
import json, sys
args = sys.argv[1:]
prompt = sys.stdin.read()
session = args[args.index("--session-id") + 1] if "--session-id" in args else args[args.index("--resume") + 1]
print(json.dumps({"type": "delta", "text": "hello, "}), flush=True)
text = "hello, " + prompt + (" (again)" if "--resume" in args else "")
print(json.dumps({"type": "result", "text": text, "session_id": session, "usage": {"output_tokens": 2}}))
"""


def test_the_agent_backend_example_runs(tmp_path: Path) -> None:
    section = SECTIONS["Writing an agent backend"]
    code = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "godel_hello/agent.py", "exec"), namespace)
    cli = tmp_path / "hello-agent"
    cli.write_text(HELLO_CLI.replace("#!/usr/bin/env python3", f"#!{sys.executable}"))
    cli.chmod(0o755)
    agent = namespace["hello"](executable=str(cli))
    assert agent.resolve_model() == "hello-small-2"
    assert anyio.run(agent, "world") == "hello, world"
    first_session = agent.session_id
    assert anyio.run(agent, "again") == "hello, again (again)" and agent.session_id == first_session


def test_every_environment_switch_is_documented() -> None:
    switches = set(re.findall(r"GODEL_[A-Z_]+", godel.plugins.manager.__doc__ or ""))
    assert switches >= {
        "GODEL_DISABLE_PLUGIN_AUTOLOAD",
        "GODEL_PLUGINS",
        "GODEL_DISABLE_PLUGINS",
        "GODEL_STRICT_PLUGINS",
    }
    table = SECTIONS["Environment switches"]
    for switch in switches:
        assert f"`{switch}" in table, switch


@pytest.mark.parametrize("page", sorted(PLUGINS_MD.parent.glob("*.md")), ids=lambda p: p.name)
def test_relative_links_in_the_docs_resolve(page: Path) -> None:
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text())
    local = [t for t in targets if "://" not in t and not t.startswith("mailto:")]
    missing = [t for t in local if not (page.parent / t).exists()]
    assert not missing, f"{page.name} links to missing files: {missing}"
