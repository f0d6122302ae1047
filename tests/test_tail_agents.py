"""``godel tail``'s agent flags (--show-tools, --max-agent-lines, -v) on real runs.

Answers come from the echo test backend (tests/plugins/godel-echo: it answers with the prompt),
tool calls from the real claude and copilot CLIs against godel's fake model server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from godel.testing.fake_model import Turn

GODEL = Path(sys.executable).parent / "godel"

ECHO = """
from godel import step, workflow
from godel.agents import echo


@step
async def ask(lines):
    return await echo()("\\n".join(f"line {i}" for i in range(1, int(lines) + 1)))


@workflow
async def main(lines):
    return await ask(lines)
"""

TOOL = """
from godel import step, workflow
from godel.agents import claude_code, copilot


@step
async def ask(backend):
    if backend == "claude":
        agent = claude_code(model="sonnet", cwd=".", tools=["Write"], skip_permissions=True)
    else:
        agent = copilot(model="sonnet", cwd=".", skip_permissions=True)
    return await agent("Create made.txt saying made by the agent.")


@workflow
async def main(backend):
    return await ask(backend)
"""


def godel(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_")}
    base["ECHO_HOME"] = str(cwd / "echo-home")
    return subprocess.run(
        [str(GODEL), *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def echo_run(tmp_path: Path, lines: int, *flags: str) -> str:
    (tmp_path / "wf.py").write_text(ECHO)
    before = set((tmp_path / "runs").glob("*.jsonl"))
    ran = godel(tmp_path, "run", "wf.py", *flags, "--", str(lines))
    assert ran.returncode == 0, ran.stderr
    (log,) = set((tmp_path / "runs").glob("*.jsonl")) - before
    return log.stem


def agent_block(stdout: str) -> list[str]:
    """The lines printed under the agent call's FINISHED line."""
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if "agent.call" in ln and "FINISHED" in ln)
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        block.append(line)
    return block


def test_answers_are_capped_at_max_agent_lines(tmp_path: Path) -> None:
    run_id = echo_run(tmp_path, 25)
    default = godel(tmp_path, "tail", run_id, "--no-follow")
    assert default.returncode == 0 and default.stderr == ""
    numbered = [f"    │ line {i}" for i in range(1, 26)]
    assert agent_block(default.stdout) == [*numbered[:20], "    … (5 more lines)"]
    three = godel(tmp_path, "tail", run_id, "--no-follow", "--max-agent-lines", "3")
    assert agent_block(three.stdout) == [*numbered[:3], "    … (22 more lines)"]
    for flags in (("--max-agent-lines", "0"), ("-v",), ("--verbose", "--max-agent-lines", "2")):
        everything = godel(tmp_path, "tail", run_id, "--no-follow", *flags)
        assert everything.returncode == 0, everything.stderr
        assert agent_block(everything.stdout) == numbered, flags
    # While following, the same lines (the run has ended: tail stops at once).
    followed = godel(tmp_path, "tail", run_id, "--max-agent-lines", "3")
    assert followed.returncode == 0 and agent_block(followed.stdout) == agent_block(three.stdout)
    # Short answers are shown whole, with no marker.
    short = echo_run(tmp_path, 2)
    assert agent_block(godel(tmp_path, "tail", short, "--no-follow").stdout) == numbered[:2]


def test_a_large_answer_is_read_whole_from_the_blob_sidecar(tmp_path: Path) -> None:
    run_id = echo_run(tmp_path, 600)  # about 5 KiB: the log line keeps only a preview
    log = (tmp_path / "runs" / f"{run_id}.jsonl").read_text()
    assert "chars in blobs/" in log
    out = godel(tmp_path, "tail", run_id, "--no-follow", "--max-agent-lines", "0").stdout
    block = agent_block(out)
    assert len(block) == 600 and block[-1] == "    │ line 600"


def test_json_is_the_same_whatever_the_flags(tmp_path: Path) -> None:
    run_id = echo_run(tmp_path, 25)
    plain = godel(tmp_path, "tail", run_id, "--no-follow", "--format", "json").stdout
    for flags in (("--show-tools",), ("--max-agent-lines", "1"), ("-v",)):
        again = godel(tmp_path, "tail", run_id, "--no-follow", "--format", "json", *flags)
        assert again.returncode == 0 and again.stdout == plain
    assert all(json.loads(line)["run_id"] == run_id for line in plain.splitlines())


def test_show_tools_without_a_transcript_says_so_once(tmp_path: Path) -> None:
    run_id = echo_run(tmp_path, 3, "--no-stream")
    out = godel(tmp_path, "tail", run_id, "--no-follow", "--show-tools")
    assert out.returncode == 0
    assert out.stderr == (
        f"[godel] warning: run {run_id} has no transcript (it ran with --no-stream): "
        "tool calls cannot be shown\n"
    )
    assert agent_block(out.stdout) == [f"    │ line {i}" for i in range(1, 4)]


def test_usage_errors(tmp_path: Path) -> None:
    run_id = echo_run(tmp_path, 1)
    bad = godel(tmp_path, "tail", run_id, "--max-agent-lines", "-1")
    assert bad.returncode == 2 and "Invalid value for '--max-agent-lines'" in bad.stderr


@pytest.fixture(params=["claude", "copilot"])
def backend(request: pytest.FixtureRequest, require_cli) -> str:
    require_cli(request.param)
    return request.param


@pytest.mark.agents
@pytest.mark.slow
def test_show_tools_lists_the_agents_tool_calls(fake_model, backend: str, tmp_path: Path) -> None:
    made = tmp_path / "made.txt"
    if backend == "claude":
        tool = Turn.tool("Write", {"file_path": str(made), "content": "made by the agent\n"})
    else:
        tool = Turn.tool("create", {"path": str(made), "file_text": "made by the agent\n"})
    answer = "\n".join(f"answer {i}" for i in range(1, 31))
    fake_model.set_script([tool, Turn.text(answer)])
    home = tmp_path / "home"
    env = fake_model.anthropic_env(home) if backend == "claude" else fake_model.copilot_env(home)
    (tmp_path / "wf.py").write_text(TOOL)
    ran = godel(tmp_path, "run", "wf.py", "--", backend, env=env)
    assert ran.returncode == 0, ran.stderr
    assert made.read_text() == "made by the agent\n"
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    numbered = [f"    │ answer {i}" for i in range(1, 31)]

    plain = agent_block(godel(tmp_path, "tail", log.stem, "--no-follow").stdout)
    assert plain == [*numbered[:20], "    … (10 more lines)"], "no tools without --show-tools"

    tools = agent_block(godel(tmp_path, "tail", log.stem, "--no-follow", "--show-tools").stdout)
    name = "Write" if backend == "claude" else "create"
    call, result, *rest = tools
    assert call.startswith(f"    ⚒ {name} {{") and str(made) in call and "made by the agent" in call
    assert result.startswith(f"    ↳ {name} result: ") and "made.txt" in result
    assert rest == [*numbered[:20], "    … (10 more lines)"]

    verbose = agent_block(godel(tmp_path, "tail", log.stem, "--no-follow", "-v").stdout)
    assert verbose == [call, result, *numbered]


@pytest.mark.agents
@pytest.mark.slow
@pytest.mark.postgres
def test_show_tools_on_a_run_kept_in_postgres(
    fake_model, require_cli, store_url: str, tmp_path: Path
) -> None:
    """The tool calls come from the store's transcript rows (no file anywhere), read forward."""
    require_cli("claude")
    made = tmp_path / "made.txt"
    tool = Turn.tool("Write", {"file_path": str(made), "content": "made by the agent\n"})
    fake_model.set_script([tool, Turn.text("done")])
    env = {**fake_model.anthropic_env(tmp_path / "home"), "GODEL_STORE": store_url}
    (tmp_path / "wf.py").write_text(TOOL)
    ran = godel(tmp_path, "run", "wf.py", "--", "claude", env=env)
    assert ran.returncode == 0, ran.stderr
    assert not (tmp_path / "runs").exists()
    run_id = ran.stderr.split("[godel] run ", 1)[1].split()[0]
    for follow in ((), ("--no-follow",)):
        out = godel(tmp_path, "tail", run_id, *follow, "--show-tools", "--store", store_url)
        assert out.returncode == 0 and out.stderr == "", out.stderr
        call, result, answer = agent_block(out.stdout)
        assert call.startswith("    ⚒ Write {") and "made by the agent" in call
        assert result.startswith("    ↳ Write result: ") and "made.txt" in result
        assert answer == "    │ done"
