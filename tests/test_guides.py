"""The guides ``godel guide`` prints: the command, and that every guide stays true.

The guides (packages/godel-cli/src/godel_cli/guides/*.md) are written for people and for
agents, separately from docs/; this file keeps them from drifting from the code and the docs:

- every ```python block parses; one that defines a ``@workflow`` lints clean with the real
  ``godel lint``; one marked ```python runnable`` runs offline with the real ``godel run``;
- every ``godel ...`` command line (in ```sh/```console blocks and in inline code; docs/cli.md's
  too) names real commands, and each flag it uses is listed by that command's ``--help``;
- every ``GODEL_*`` variable, lint code and ``godel.x`` name a guide cites exists, in the code
  and (variables, codes) in docs/;
- the cli guide names every command and option of godel-cli and states docs/cli.md's exit
  codes; the api-reference guide names everything ``godel`` exports, with the real parameters.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import godel
from godel_cli.guides import BLURB, GUIDES

REPO = Path(__file__).resolve().parents[1]
GUIDE_DIR = REPO / "packages" / "godel-cli" / "src" / "godel_cli" / "guides"
DOCS = REPO / "docs"
GODEL = Path(sys.executable).parent / "godel"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_") and k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def godel_cmd(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(GODEL), *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=clean_env(env),
        timeout=120,
    )


def guide_text(name: str) -> str:
    return (GUIDE_DIR / f"{name}.md").read_text(encoding="utf-8")


def blocks(text: str) -> list[tuple[str, str]]:
    """(info string, body) of every fenced block."""
    return [(info.strip(), body) for info, body in FENCE.findall(text)]


def prose(text: str) -> str:
    """The text outside fenced blocks."""
    return FENCE.sub("", text)


ALL_TEXT = {name: guide_text(name) for name in GUIDES}


# the command ---------------------------------------------------------------------------------


def test_the_guides_directory_holds_exactly_the_listed_guides() -> None:
    assert sorted(p.stem for p in GUIDE_DIR.glob("*.md")) == sorted(GUIDES)
    assert list(GUIDES) == [
        "getting-started",
        "concepts",
        "engineer",
        "best-practices",
        "runner",
        "monitoring",
        "cli",
        "api-reference",
    ]


def test_godel_guide_lists_the_guides() -> None:
    proc = godel_cmd("guide")
    assert proc.returncode == 0, proc.stderr
    width = max(map(len, GUIDES))
    rows = [f"  {name.ljust(width)}  {hook}" for name, hook in GUIDES.items()]
    assert proc.stdout == "\n".join(
        [BLURB, "", "Available guides (use `godel guide <name>` to read one):", *rows, ""]
    )
    assert proc.stdout.splitlines()[-8].startswith("  getting-started  Install, a first workflow")
    assert proc.stderr == ""


@pytest.mark.parametrize("name", list(GUIDES))
def test_godel_guide_prints_the_guide(name: str) -> None:
    proc = godel_cmd("guide", name)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == ALL_TEXT[name]
    assert proc.stdout.startswith("# ")


def test_an_unknown_guide_lists_the_guides_and_exits_1() -> None:
    proc = godel_cmd("guide", "nope")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == f"[godel] unknown guide: 'nope'\n  available: {', '.join(GUIDES)}\n"


# code blocks ---------------------------------------------------------------------------------


def python_blocks() -> list[tuple[str, int, str, str]]:
    """(guide, index, info string, code) of every python block."""
    return [
        (name, i, info, body)
        for name, text in ALL_TEXT.items()
        for i, (info, body) in enumerate(blocks(text))
        if info.split()[:1] == ["python"]
    ]


def defines_workflow(code: str) -> bool:
    tree = ast.parse(code)
    return any(
        isinstance(node, ast.AsyncFunctionDef)
        and any(
            (isinstance(d, ast.Name) and d.id == "workflow")
            or (isinstance(d, ast.Call) and getattr(d.func, "id", "") == "workflow")
            for d in node.decorator_list
        )
        for node in ast.walk(tree)
    )


def test_every_python_block_parses() -> None:
    found = python_blocks()
    assert len(found) >= 7
    for name, i, _info, code in found:
        try:
            ast.parse(code)
        except SyntaxError as exc:
            pytest.fail(f"{name}.md block {i}: {exc}")


def test_every_workflow_in_the_guides_lints_clean(tmp_path: Path) -> None:
    files = []
    for name, i, _info, code in python_blocks():
        if defines_workflow(code):
            path = tmp_path / f"{name.replace('-', '_')}_{i}.py"
            path.write_text(code)
            files.append(path)
    assert len(files) >= 5, "the guides show workflows"
    proc = godel_cmd("lint", *map(str, files), cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


RUNNABLE = [(n, i, code) for n, i, info, code in python_blocks() if "runnable" in info.split()]


@pytest.mark.parametrize(
    ("name", "index", "code"), RUNNABLE, ids=[f"{n}-{i}" for n, i, _ in RUNNABLE]
)
def test_runnable_workflows_run_offline(tmp_path: Path, name: str, index: int, code: str) -> None:
    home = tmp_path / "home"
    work = home / "work"
    work.mkdir(parents=True)
    (work / "wf.py").write_text(code)
    env = {
        "HOME": str(home),
        "GODEL_HOME": str(home / ".godel"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
    }
    proc = godel_cmd("run", "wf.py", cwd=work, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "[godel] completed in" in proc.stderr


def test_there_are_runnable_examples() -> None:
    assert {n for n, _, _ in RUNNABLE} >= {"getting-started", "engineer"}


def test_the_resume_story_of_getting_started_is_what_happens(tmp_path: Path) -> None:
    """getting-started: a resumed run sees what the run read; a rewind reads again."""
    gated = next(
        c for n, _, info, c in python_blocks() if n == "getting-started" and "def gated" in c
    )
    (tmp_path / "gated.py").write_text(gated)
    (tmp_path / "gate.txt").write_text("closed\n")
    first = godel_cmd("run", "gated.py", cwd=tmp_path)
    assert first.returncode == 1 and "WorkflowFail: the gate is closed" in first.stderr
    (run_id,) = [p.stem for p in (tmp_path / "runs").glob("*.jsonl")]
    (tmp_path / "gate.txt").write_text("open\n")
    again = godel_cmd("resume", run_id[:8], cwd=tmp_path)
    assert again.returncode == 1 and "the gate is closed" in again.stderr
    shown = json.loads(godel_cmd("show", run_id, "--json", cwd=tmp_path).stdout)
    read = next(e for e in shown["events"] if e["op"] == "read_text")
    assert godel_cmd("rewind", run_id, "--to", read["short_id"], cwd=tmp_path).returncode == 0
    done = godel_cmd("resume", run_id, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "the gate is open\n"


def test_the_monitoring_filter_reads_godel_tail(tmp_path: Path) -> None:
    """monitoring: the filter script, fed by `godel tail --format json` of a real run."""
    (script,) = [c for n, _, _, c in python_blocks() if n == "monitoring" and "sys.stdin" in c]
    hello = next(
        c for n, _, info, c in python_blocks() if n == "getting-started" and "runnable" in info
    )
    (tmp_path / "filter.py").write_text(script)
    (tmp_path / "hello.py").write_text(hello)
    assert godel_cmd("run", "hello.py", cwd=tmp_path).returncode == 0
    (run_id,) = [p.stem for p in (tmp_path / "runs").glob("*.jsonl")]
    tail = godel_cmd("tail", run_id, "--format", "json", cwd=tmp_path)
    out = subprocess.run(
        [sys.executable, "-u", "filter.py"],
        input=tail.stdout,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout.splitlines()
    assert out[0] == "LOG hello, world"
    assert out[1].startswith("LOG entries here: ")
    assert out[-1] == "END FINISHED"
    # The keys its jq lines read.
    run = json.loads(godel_cmd("show", run_id, "--json", cwd=tmp_path).stdout)["run"]
    assert {"status", "attempts", "duration", "failure"} <= set(run)
    (listed,) = json.loads(godel_cmd("runs", "list", "--json", cwd=tmp_path).stdout)
    assert {"run_id", "status", "workflow"} <= set(listed)


# command lines -------------------------------------------------------------------------------

FLAG = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")
WORD = re.compile(r"[a-z][a-z-]*")


def command_lines(text: str) -> list[str]:
    """Every ``godel ...`` invocation: shell block lines (console: after ``$``), inline code."""
    lines = []
    for info, body in blocks(text):
        lang = info.split()[:1]
        if lang not in (["sh"], ["console"], ["bash"]):
            continue
        for raw in body.splitlines():
            line = raw.strip()
            if lang == ["console"]:
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            lines.append(line)
    lines += re.findall(r"`(godel(?: [^`]*)?)`", prose(text).replace("\n", " "))
    invocations = []
    for line in lines:
        line = re.sub(r"\s#\s.*$", "", line)  # a comment
        for segment in re.split(r"\s(?:\||&&|;|&)\s|\s&$", line):
            segment = segment.strip()
            if segment == "godel" or segment.startswith("godel "):
                invocations.append(segment.split(" -- ")[0])  # after --: the workflow's
    return invocations


@functools.cache
def help_text(path: tuple[str, ...]) -> str:
    proc = godel_cmd(*path, "--help")
    assert proc.returncode == 0, f"godel {' '.join(path)} --help: {proc.stderr}"
    return proc.stdout


def subcommands(path: tuple[str, ...]) -> set[str]:
    text = help_text(path)
    if "Commands:" not in text:
        return set()
    section = text.split("Commands:", 1)[1]
    return set(re.findall(r"^  ([a-z][a-z-]*)\s", section, re.MULTILINE))


# docs/cli.md's too: the page the cli guide summarises.
ALL_INVOCATIONS = sorted(
    {
        inv
        for text in [*ALL_TEXT.values(), (DOCS / "cli.md").read_text(encoding="utf-8")]
        for inv in command_lines(text)
    }
)


def test_the_guides_show_commands() -> None:
    assert len(ALL_INVOCATIONS) > 60


@pytest.mark.parametrize("line", ALL_INVOCATIONS)
def test_each_command_line_names_real_commands_and_flags(line: str) -> None:
    words = line.split()[1:]
    path: tuple[str, ...] = ()
    rest = list(words)
    while rest and WORD.fullmatch(rest[0]) and subcommands(path):
        assert rest[0] in subcommands(path), (
            f"{line!r}: no command 'godel {' '.join((*path, rest[0]))}'"
        )
        path = (*path, rest.pop(0))
    text = help_text(path)
    for flag in FLAG.findall(" ".join(rest)):
        assert re.search(rf"(?<![\w-]){re.escape(flag)}\b", text), (
            f"{line!r}: `godel {' '.join(path)} --help` does not list {flag}"
        )
    if path == ("guide",) and rest and WORD.fullmatch(rest[0]):
        assert rest[0] in GUIDES, line


# facts cited ---------------------------------------------------------------------------------


def docs_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))


@functools.cache
def source_text() -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((REPO / "packages").glob("*/src/**/*.py"))
    )


def test_every_variable_a_guide_names_exists_in_the_code_and_the_docs() -> None:
    named = {v for text in ALL_TEXT.values() for v in re.findall(r"(?<![A-Z_])GODEL_[A-Z_]+", text)}
    assert {"GODEL_HOME", "GODEL_RUNS_DIR", "GODEL_AUTO_CHECKPOINT"} <= named
    docs = docs_text()
    for var in sorted(named):
        assert var in source_text(), f"{var}: read nowhere in packages/*/src"
        assert var in docs, f"{var}: not documented in docs/"


def test_every_lint_code_a_guide_names_exists() -> None:
    named = {c for text in ALL_TEXT.values() for c in re.findall(r"\bPL\d{3}\b", text)}
    proc = godel_cmd("lint", "--list-rules", "--format", "json")
    codes = {r["code"] for r in json.loads(proc.stdout)["rules"]}
    lint_md = (DOCS / "lint.md").read_text()
    assert named and named <= codes, named - codes
    assert all(f"| {c} |" in lint_md for c in named)


def resolve_dotted(name: str) -> object:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


def test_every_godel_name_a_guide_cites_exists() -> None:
    named = {
        n.rstrip(".")
        for text in ALL_TEXT.values()
        for n in re.findall(r"(?<![\w/.-])godel(?:\.[A-Za-z_]\w*)+", text)
    }
    assert "godel.det.now" in named and "godel.runs.summarize" in named
    for name in sorted(named):
        try:
            resolve_dotted(name)
        except (ImportError, AttributeError) as exc:
            pytest.fail(f"{name}: {exc}")


# the cli guide ---------------------------------------------------------------------------------


def cli_commands() -> dict[tuple[str, ...], str]:
    """Every command godel-cli registers, leaf subcommands included, with its --help."""
    plugins = json.loads(godel_cmd("plugins", "--json").stdout)["plugins"]
    (cli,) = [p for p in plugins if p["name"] == "cli"]
    found = {}
    for name in cli["registered"]["commands"]:
        subs = subcommands((name,))
        for path in [(name, s) for s in sorted(subs)] or [(name,)]:
            found[path] = help_text(path)
    return found


def test_the_cli_guide_names_every_command_and_option() -> None:
    guide = ALL_TEXT["cli"]
    cli_md = (DOCS / "cli.md").read_text()
    for path, text in cli_commands().items():
        command = "godel " + " ".join(path)
        assert f"`{command}" in guide, f"the cli guide does not describe {command}"
        assert f"`{command}" in cli_md, f"docs/cli.md does not list {command}"
        options = re.findall(r"^  (-[\w-]+)(?:, (--[\w-]+))?", text.split("Options:", 1)[1], re.M)
        for short, long in options:
            if short in ("--help", "-h"):
                continue
            assert any(
                re.search(rf"`{re.escape(command)}[^`]*{re.escape(flag)}\b", guide)
                for flag in (short, long)
                if flag
            ), f"the cli guide's `{command} ...` line does not show {long or short}"


def documented_codes() -> dict[str, set[int]]:
    section = (DOCS / "cli.md").read_text().split("## Commands and exit codes", 1)[1]
    section = section.split("\n## ", 1)[0]
    codes: dict[str, set[int]] = {}
    for cmd, code in re.findall(r"^\| `godel ([a-z ]+)` \| (\d+) \|", section, re.MULTILINE):
        codes.setdefault(cmd, set()).add(int(code))
    return codes


def test_the_cli_guide_states_the_documented_exit_codes() -> None:
    section = ALL_TEXT["cli"].split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    header = ["0", "1", "2", "3"]
    guide: dict[str, set[int]] = {}
    for line in section.splitlines():
        match = re.match(r"^\| `godel ([a-z ]+)` \|(.*)\|$", line)
        if not match:
            continue
        cells = [c.strip() for c in match[2].split("|")]
        codes = {int(h) for h, cell in zip(header, cells[:4], strict=True) if cell}
        codes |= {int(c) for c in re.findall(r"\d+", cells[4])}
        guide[match[1]] = codes
    assert guide == documented_codes()


# the api reference ---------------------------------------------------------------------------


def test_the_api_reference_names_everything_godel_exports() -> None:
    text = ALL_TEXT["api-reference"]
    missing = [n for n in godel.__all__ if f"`{n}" not in text and n != "__version__"]
    assert not missing, f"api-reference does not mention: {missing}"
    assert "`__version__`" in text
    for module in ("godel.det", "godel.agents"):
        names = importlib.import_module(module).__all__
        assert all(
            n in text
            for n in names
            if n not in ("AgentCall", "AgentResult", "Invocation", "result_record")
        ), module


def shown_parameters(signature: str) -> list[str]:
    """``a, b='x', *, c=None`` -> ``['a', 'b', '*', 'c']``, top-level commas only."""
    params, depth, current = [], 0, ""
    for ch in signature:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            params.append(current)
            current = ""
        else:
            current += ch
    params.append(current)
    return [p.split("=")[0].strip() for p in params if p.strip()]


def real_parameters(fn: object) -> list[str]:
    out = []
    params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]  # type: ignore[arg-type]
    for i, p in enumerate(params):
        if p.kind is p.KEYWORD_ONLY and (
            i == 0 or params[i - 1].kind not in (p.KEYWORD_ONLY, p.VAR_POSITIONAL)
        ):
            out.append("*")
        out.append({p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "") + p.name)
        if p.kind is p.POSITIONAL_ONLY and (
            i + 1 == len(params) or params[i + 1].kind is not p.POSITIONAL_ONLY
        ):
            out.append("/")
    return out


SIGNATURES = {"agent": "godel.agents.Agent.__call__", "claude_code": "godel.agents.claude_code"}


def test_the_api_reference_shows_the_real_parameters() -> None:
    """Each entry opens with its signature (``- `run(cmd, *, cwd=None, ...)` ``): the real
    parameters, in order, with the real markers (``/``, ``*``)."""
    text = ALL_TEXT["api-reference"].replace("\n  ", " ")
    shown = re.findall(r"^- `([A-Za-z_][\w.]*)\(([^`]*)\)`", text, re.MULTILINE)
    for name, params in shown:
        fn = resolve_dotted(SIGNATURES.get(name) or (name if "." in name else f"godel.{name}"))
        assert shown_parameters(params) == real_parameters(fn), f"{name}({params})"
    assert len(shown) >= 20
