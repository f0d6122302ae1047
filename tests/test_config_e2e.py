"""Every configuration key, end to end: the real `godel` in a temporary project, with `HOME` and
`GODEL_HOME` in temporary folders (docs/configuration.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
GODEL = Path(sys.executable).parent / "godel"


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_") and k != "PYTHONPATH"}
    return {**env, **extra}


class Project:
    """A project folder with `.godel/settings.json`, and a private home and godel home."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.godel_home = root / "godel-home"
        self.dir = self.home / "proj"
        (self.dir / ".godel").mkdir(parents=True)
        self.godel_home.mkdir()

    def settings(self, **values: object) -> None:
        (self.dir / ".godel" / "settings.json").write_text(json.dumps(values))

    def user_settings(self, **values: object) -> None:
        (self.godel_home / "settings.json").write_text(json.dumps(values))

    def file(self, name: str, text: str) -> Path:
        path = self.dir / name
        path.write_text(text)
        return path

    def godel(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        base = {"HOME": str(self.home), "GODEL_HOME": str(self.godel_home)}
        return subprocess.run(
            [str(GODEL), *args],
            cwd=self.dir,
            env=clean_env({**base, **(env or {})}),
            capture_output=True,
            text=True,
            timeout=90,
        )

    def logs(self, runs: Path) -> list[Path]:
        return sorted(runs.glob("*.jsonl"))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


def lines_of(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


HELLO = """
from godel import run, step, workflow


@step
async def hello():
    return (await run(["sh", "-c", "echo hello $GREETING"])).stdout.strip()


@workflow
async def main():
    return await hello()
"""


def test_runs_dir_is_used_by_every_command(project: Project) -> None:
    project.settings(runs_dir="myruns")
    project.file("wf.py", HELLO)
    done = project.godel("run", "wf.py")
    assert done.returncode == 0, done.stderr
    (log,) = project.logs(project.dir / "myruns")
    assert not (project.dir / "runs").exists()
    shown = project.godel("show", log.stem[-8:])
    assert shown.returncode == 0 and "FINISHED" in shown.stdout
    listed = project.godel("runs", "list")
    assert log.stem in listed.stdout
    assert project.godel("tail", log.stem[-8:], "--no-follow").returncode == 0


def test_a_project_without_runs_dir_keeps_runs_in_the_godel_home(project: Project) -> None:
    project.settings()
    project.file("wf.py", HELLO)
    assert project.godel("run", "wf.py").returncode == 0
    (log,) = project.logs(project.godel_home / "projects" / "proj" / "runs")
    assert project.godel("show", log.stem).returncode == 0


def test_precedence_user_project_environment_flag(project: Project) -> None:
    project.file("wf.py", HELLO)
    project.user_settings(runs_dir="from-user")
    assert project.godel("run", "wf.py").returncode == 0
    assert project.logs(project.dir / "from-user")
    project.settings(runs_dir="from-project")
    assert project.godel("run", "wf.py").returncode == 0
    assert project.logs(project.dir / "from-project")
    env = {"GODEL_RUNS_DIR": "from-env"}
    assert project.godel("run", "wf.py", env=env).returncode == 0
    assert project.logs(project.dir / "from-env")
    flag = project.dir / "from-flag"
    assert project.godel("run", "wf.py", "--runs-dir", str(flag), env=env).returncode == 0
    assert project.logs(flag)


NONDETERMINISTIC = """
import subprocess
from godel import step, workflow


@step
async def build():
    subprocess.run(["true"], check=True)
    return 1


@workflow
async def main():
    return await build()
"""


def test_strict_false_lets_code_run_and_the_flag_wins(project: Project) -> None:
    project.file("wf.py", NONDETERMINISTIC)
    refused = project.godel("run", "wf.py")
    assert refused.returncode == 1 and "subprocess" in refused.stderr
    project.settings(strict=False)
    assert project.godel("run", "wf.py").returncode == 0
    again = project.godel("run", "wf.py", "--strict")
    assert again.returncode == 1 and "subprocess" in again.stderr
    env = project.godel("run", "wf.py", env={"GODEL_STRICT": "1"})
    assert env.returncode == 1


NOT_AWAITED = """
from godel import run, step, workflow


@step
async def build():
    run(["true"])


@workflow
async def main():
    await build()
"""


def test_lint_false_skips_the_pre_flight_and_the_flag_wins(project: Project) -> None:
    project.file("wf.py", NOT_AWAITED)
    assert project.godel("run", "wf.py").returncode == 1
    project.settings(lint=False)
    ran = project.godel("run", "wf.py")
    assert "Lint errors found" not in ran.stderr
    again = project.godel("run", "wf.py", "--lint")
    assert again.returncode == 1 and "Lint errors found" in again.stderr


def test_a_lint_object_chooses_rules_and_keeps_the_pre_flight_on(project: Project) -> None:
    """docs/lint.md: ``{"lint": {"enable": [...], "disable": [...]}}`` in settings.json."""
    project.file("wf.py", NOT_AWAITED)
    project.settings(lint={"disable": ["PL001"]})
    for args in (["lint", "wf.py"], ["config", "path"], ["guide"]):
        done = project.godel(*args)
        assert done.returncode == 0, done.stderr
        assert "configuration error" not in done.stderr
    assert "PL001" not in project.godel("lint", "wf.py").stdout
    project.settings(lint={"disable": ["PL002"]})  # the pre-flight is still on
    refused = project.godel("run", "wf.py")
    assert refused.returncode == 1 and "Lint errors found" in refused.stderr


def test_stream_agents_false_writes_no_transcript(project: Project) -> None:
    project.settings(runs_dir="runs", stream_agents=False)
    project.file("wf.py", HELLO)
    assert project.godel("run", "wf.py").returncode == 0
    (log,) = project.logs(project.dir / "runs")
    assert not (project.dir / "runs" / log.stem / "transcript.jsonl").exists()
    assert project.godel("run", "wf.py", "--stream").returncode == 0
    second = next(p for p in project.logs(project.dir / "runs") if p != log)
    assert (project.dir / "runs" / second.stem / "transcript.jsonl").exists()


CAPTURED = """
from godel import step, workflow


@step
async def talk():
    print("said with the builtin print", flush=True)


@workflow
async def main():
    await talk()
"""


def test_capture_stdout_tees_stdout_into_the_transcript(project: Project) -> None:
    project.settings(runs_dir="runs", capture_stdout=True, lint=False)
    project.file("wf.py", CAPTURED)
    done = project.godel("run", "wf.py")
    assert done.returncode == 0, done.stderr
    (log,) = project.logs(project.dir / "runs")
    transcript = (project.dir / "runs" / log.stem / "transcript.jsonl").read_text()
    assert "said with the builtin print" in transcript


CHATTY = """
from godel import run, step, workflow


@step
async def chat():
    await run(["sh", "-c", "for i in $(seq 200); do echo line $i of the chatter; done"])


@workflow
async def main():
    await chat()
"""


def test_transcript_max_bytes_rotates_the_transcript(project: Project) -> None:
    project.settings(runs_dir="runs", transcript_max_bytes=2000)
    project.file("wf.py", CHATTY)
    assert project.godel("run", "wf.py").returncode == 0
    (log,) = project.logs(project.dir / "runs")
    run_dir = project.dir / "runs" / log.stem
    assert (run_dir / "transcript.jsonl.1").exists() and (run_dir / "transcript.jsonl").exists()


def test_redact_patterns_and_variable_names(project: Project) -> None:
    project.settings(runs_dir="runs", redact={"patterns": ["ACME-[0-9]{6}"], "env": ["GREETING"]})
    project.file("wf.py", HELLO.replace("hello $GREETING", "hello $GREETING ACME-123456"))
    done = project.godel("run", "wf.py", env={"GREETING": "secret-greeting-value"})
    assert done.returncode == 0, done.stderr
    texts = "".join(p.read_text() for p in (project.dir / "runs").rglob("*") if p.is_file())
    assert "secret-greeting-value" not in texts and "ACME-123456" not in texts
    assert "[REDACTED:env:GREETING]" in texts and "[REDACTED]" in texts


def test_godel_redact_is_shown_by_config_show_and_path(project: Project) -> None:
    """GODEL_REDACT's names join the files' in `redact`; its off switch is a line of its own."""
    project.settings(redact={"env": ["FROM_FILE"]})
    shown = project.godel("config", "show", "--json", env={"GODEL_REDACT": "MY_TOKEN, OTHER"})
    data = json.loads(shown.stdout)
    assert data["values"]["redact"] == {
        "value": {"patterns": [], "env": ["FROM_FILE", "MY_TOKEN", "OTHER"]},
        "set_by": "$GODEL_REDACT",
    }
    assert data["builtin_redaction"] is True
    assert "✓ $GODEL_REDACT" in project.godel("config", "path", env={"GODEL_REDACT": "X"}).stdout
    for command in ("show", "path"):
        off = project.godel("config", command, env={"GODEL_REDACT": "0"})
        assert off.returncode == 0 and "built-in secret patterns: off ($GODEL_REDACT)" in off.stdout
        on = project.godel("config", command)
        assert "built-in secret patterns" not in on.stdout and "GODEL_REDACT" not in on.stdout
    off = project.godel("config", "show", "--json", env={"GODEL_REDACT": "off"})
    assert json.loads(off.stdout)["builtin_redaction"] is False


def test_env_reaches_every_command(project: Project) -> None:
    project.settings(runs_dir="runs", env={"GREETING": "from the settings"})
    project.file("wf.py", HELLO)
    assert project.godel("run", "wf.py").returncode == 0
    (log,) = project.logs(project.dir / "runs")
    root = next(
        e for e in lines_of(log)[1:] if e["op"] == "WORKFLOW_STARTED" and e["status"] == "FINISHED"
    )
    assert root["response"]["result"] == "hello from the settings"


def test_durability_is_used_and_recorded(project: Project) -> None:
    project.settings(runs_dir="runs", durability="always")
    project.file("wf.py", HELLO)
    assert project.godel("run", "wf.py").returncode == 0
    (log,) = project.logs(project.dir / "runs")
    assert lines_of(log)[0]["godel_log"]["durability"] == "always"
    assert project.godel("run", "wf.py", env={"GODEL_DURABILITY": "none"}).returncode == 0
    newest = max(project.logs(project.dir / "runs"), key=lambda p: p.stem)
    assert lines_of(newest)[0]["godel_log"]["durability"] == "none"


ECHO = """
from godel import step, workflow
from godel.agents import echo


@step
async def ask():
    return await echo()("hi")


@workflow
async def main():
    return await ask()
"""


def test_agent_defaults_model_executable_extra_args_and_env(
    project: Project, tmp_path: Path
) -> None:
    wrapper = tmp_path / "echo-wrapper"
    wrapper.write_text(
        '#!/bin/sh\nexec python3 "$@"\n'.replace("python3", str(Path(GODEL).with_name("python")))
    )
    wrapper.chmod(0o755)
    echo_home = tmp_path / "echo-home"
    project.settings(
        runs_dir="runs",
        env={"ECHO_ENV": "set by the settings"},
        agents={
            "echo": {
                "model": "echo-9",
                "executable": str(wrapper),
                "extra_args": ["--tag", "pinned"],
            }
        },
    )
    project.file("wf.py", ECHO)
    done = project.godel("run", "wf.py", env={"ECHO_HOME": str(echo_home)})
    assert done.returncode == 0, done.stderr
    (log,) = project.logs(project.dir / "runs")
    call = next(e for e in lines_of(log)[1:] if e["op"] == "agent.call")
    assert call["request"]["model"] == "echo-9"
    (invocation,) = [
        json.loads(x) for x in (echo_home / "invocations.jsonl").read_text().splitlines()
    ]
    assert invocation["argv"][-2:] == ["--tag", "pinned"] and "echo-9" in invocation["argv"]
    assert invocation["echo_env"] == "set by the settings"


def test_a_plugin_section_is_validated_by_its_model(project: Project) -> None:
    project.settings(agents={"claude_code": {"modle": "opus"}})
    project.file(
        "wf.py",
        "from godel import workflow\nfrom godel.agents import claude_code\n\n\n@workflow\n"
        "async def main():\n    claude_code()\n",
    )
    settings = project.dir / ".godel" / "settings.json"
    message = f"{settings}: key 'agents.claude_code.modle': Extra inputs are not permitted"
    # Every command refuses it before it starts: no run is begun (docs/configuration.md).
    for args in (["run", "wf.py", "--no-lint"], ["config", "path"], ["runs", "list"]):
        done = project.godel(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr == f"[godel] configuration error: {message}\n", args
    assert not (project.godel_home / "projects").exists()
    # A field the plugin knows is fine.
    project.settings(agents={"claude_code": {"replace_system_prompt": True}})
    assert project.godel("config", "path").returncode == 0


def test_a_bad_value_is_one_line_and_an_unknown_key_a_warning(project: Project) -> None:
    project.file("wf.py", HELLO)
    project.settings(strict="yes")
    bad = project.godel("show", "XXXXXXXX")
    settings = project.dir / ".godel" / "settings.json"
    assert bad.returncode == 2
    assert bad.stderr == (
        f"[godel] configuration error: {settings}: key 'strict': expected true or false, got \"yes\"\n"
    )
    project.settings(runs_dri="x")
    warned = project.godel("run", "wf.py")
    assert warned.returncode == 0
    assert warned.stderr.startswith(
        f"[godel] warning: {settings}: unknown key 'runs_dri' ignored; did you mean 'runs_dir'?\n"
    )
