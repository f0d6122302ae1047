"""Broken, duplicate and clashing plugins, and the environment switches, through the real CLI.

The troublemakers are real distributions from tests/plugins/ (godel-broken, godel-dupe,
godel-clash), installed into a temporary directory per test and seen by a ``godel`` subprocess
through ``PYTHONPATH``; the shared venv never sees them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TEST_PLUGINS = Path(__file__).parent / "plugins"

BROKEN_WARNING = (
    "godel: warning: plugin 'broken' from godel-broken 0.1.0 failed to import: ImportError: "
    "godel-broken needs the module 'nonexistent_sdk', which is not installed (skipped)\n"
)


# a plugin that fails to import ------------------------------------------------------------------


def test_a_broken_plugin_is_reported_and_the_rest_works(godel_run, plugin_dist) -> None:
    site = [plugin_dist("godel-broken")]
    result = godel_run("echo", "still", "works", path=site)
    assert (result.returncode, result.stdout) == (0, "still works\n")
    assert result.stderr == BROKEN_WARNING

    result = godel_run("--help", path=site)
    assert result.returncode == 0 and "echo" in result.stdout
    assert result.stderr == BROKEN_WARNING


def test_godel_plugins_shows_the_broken_plugin_failed_and_exits_1(godel_run, plugin_dist) -> None:
    site = [plugin_dist("godel-broken")]
    result = godel_run("plugins", path=site)
    assert result.returncode == 1
    assert (
        "broken  (godel-broken 0.1.0)\n"
        "  entry point: godel:broken = godel_broken.plugin\n"
        "  FAILED: plugin 'broken' from godel-broken 0.1.0 failed to import: ImportError: "
        "godel-broken needs the module 'nonexistent_sdk', which is not installed\n"
    ) in result.stdout
    assert "echo  (godel-echo 0.1.0)" in result.stdout, "the other plugins are still listed"

    data = json.loads(godel_run("plugins", "--json", path=site).stdout)
    broken = next(p for p in data["plugins"] if p["name"] == "broken")
    assert broken["loaded"] is False and broken["distribution"] == "godel-broken"
    assert "ImportError" in broken["error"]


@pytest.mark.parametrize("args", [["--help"], ["plugins"], ["echo", "hi"]])
def test_strict_loading_turns_a_broken_plugin_into_a_clean_error(
    godel_run, plugin_dist, args
) -> None:
    result = godel_run(*args, path=[plugin_dist("godel-broken")], env={"GODEL_STRICT_PLUGINS": "1"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: plugin 'broken' from godel-broken 0.1.0 failed to import: ImportError: "
        "godel-broken needs the module 'nonexistent_sdk', which is not installed\n"
    )


def test_strict_loading_in_python_raises_plugin_error(python_run, plugin_dist) -> None:
    result = python_run(
        "import godel.agents\ngodel.agents.get('echo')\n",
        path=[plugin_dist("godel-broken")],
        env={"GODEL_STRICT_PLUGINS": "1"},
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "godel.exceptions.PluginError: plugin 'broken' from godel-broken 0.1.0 failed to import"
        )
    )


# duplicates -------------------------------------------------------------------------------------


def test_a_duplicate_agent_name_is_an_error_naming_both_distributions(
    python_run, plugin_dist
) -> None:
    result = python_run(
        "import godel.agents\ngodel.agents.get('claude_code')\n", path=[plugin_dist("godel-dupe")]
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "godel.exceptions.PluginError: agent 'echo' is registered twice: by godel-dupe 0.2.0 (plugin 'dupe') "
        "and by godel-echo 0.1.0 (plugin 'echo'); uninstall or block one of them (GODEL_DISABLE_PLUGINS)"
    )


def test_a_borrowed_lint_prefix_is_an_error_naming_both_distributions(
    python_run, plugin_dist
) -> None:
    code = "from godel.plugins.manager import get_plugin_manager\nget_plugin_manager().lint_rules\n"
    result = python_run(code, path=[plugin_dist("godel-dupe")])
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("godel.exceptions.PluginError: lint rule prefix 'ECH' belongs to ")
    assert "godel-dupe 0.2.0 (plugin 'dupe')" in last and "godel-echo 0.1.0 (plugin 'echo')" in last


def test_godel_plugins_reports_every_clash_and_exits_1(godel_run, plugin_dist) -> None:
    site = [plugin_dist("godel-dupe")]
    result = godel_run("plugins", "--json", path=site)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    problems = data["problems"]
    assert len(problems) == 2
    assert problems[0].startswith("agent 'echo' is registered twice")
    assert problems[1].startswith("lint rule prefix 'ECH' belongs to")
    plugins = {p["name"]: p for p in data["plugins"]}
    assert plugins["dupe"]["registered"] == {"agents": ["echo"], "lint_rules": ["ECH002"]}
    assert plugins["echo"]["registered"]["agents"] == ["echo"], "both sides of the clash are shown"

    text = godel_run("plugins", path=site)
    assert text.returncode == 1
    assert "error: agent 'echo' is registered twice: by godel-dupe 0.2.0" in text.stderr


def test_commands_still_work_next_to_a_clash_in_another_kind(godel_run, plugin_dist) -> None:
    result = godel_run("echo", "ok", path=[plugin_dist("godel-dupe")])
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


def test_blocking_one_side_of_a_clash_resolves_it(python_run, plugin_dist) -> None:
    code = "import anyio, godel.agents\nprint(anyio.run(godel.agents.get('echo')(), 'abc'))\n"
    site = [plugin_dist("godel-dupe")]
    assert python_run(code, path=site, env={"GODEL_DISABLE_PLUGINS": "echo"}).stdout == "cba\n"
    assert python_run(code, path=site, env={"GODEL_DISABLE_PLUGINS": "dupe"}).stdout == "abc\n"


@pytest.mark.parametrize("args", [["--help"], ["plugins"], ["echo", "hi"]])
def test_a_plugin_taking_a_builtin_command_name_is_a_one_line_error(
    godel_run, plugin_dist, args
) -> None:
    result = godel_run(*args, path=[plugin_dist("godel-clash")])
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: command 'plugins' is registered twice: by godel-cli 0.1.0 (plugin 'cli') and by "
        "godel-clash 0.3.0 (plugin 'clash'); uninstall or block one of them (GODEL_DISABLE_PLUGINS)\n"
    )


def test_the_same_plugin_name_from_two_distributions_is_an_error(godel_run, plugin_dist) -> None:
    # godel-dupe, renamed so that its entry point is called "echo" like godel-echo's.
    result = godel_run("--help", path=[plugin_dist("godel-dupe", entry_point_name="echo")])
    assert result.returncode == 2
    assert result.stderr.startswith("Error: plugin name 'echo' is provided twice: by ")
    assert "godel-dupe 0.2.0" in result.stderr and "godel-echo 0.1.0" in result.stderr


# environment switches ---------------------------------------------------------------------------


def test_disable_autoload_keeps_only_the_builtins(godel_run, plugin_dist) -> None:
    env = {"GODEL_DISABLE_PLUGIN_AUTOLOAD": "1"}
    site = [plugin_dist("godel-broken")]
    result = godel_run("plugins", "--json", env=env, path=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "a broken plugin is not even imported"
    names = [p["name"] for p in json.loads(result.stdout)["plugins"]]
    assert names == ["core", "cli"]
    help_text = godel_run("--help", env=env).stdout
    assert "plugins" in help_text and "echo" not in help_text.split("Commands:")[1]


def test_godel_plugins_env_loads_only_the_named_plugins(godel_run, plugin_dist) -> None:
    result = godel_run(
        "plugins", "--json", env={"GODEL_PLUGINS": "echo"}, path=[plugin_dist("godel-broken")]
    )
    assert result.returncode == 0, result.stderr
    names = [p["name"] for p in json.loads(result.stdout)["plugins"]]
    assert names == ["core", "cli", "echo"]
    assert godel_run("echo", "hi", env={"GODEL_PLUGINS": "echo"}).stdout == "hi\n"


def test_godel_disable_plugins_blocks_the_named_plugins(godel_run, plugin_dist) -> None:
    env = {"GODEL_DISABLE_PLUGINS": "echo,broken"}
    result = godel_run("plugins", "--json", env=env, path=[plugin_dist("godel-broken")])
    assert result.returncode == 0, result.stderr
    names = [p["name"] for p in json.loads(result.stdout)["plugins"]]
    assert "echo" not in names and "broken" not in names and "claude" in names
    result = godel_run("echo", "hi", env=env)
    assert result.returncode == 2 and "No such command 'echo'" in result.stderr


# the same, with pip doing the installing ----------------------------------------------------------


@pytest.mark.slow
def test_pip_installed_troublemakers_behave_the_same(tmp_path: Path, godel_run) -> None:
    """pip builds and installs the test plugins (``--target``), proving their packaging is real."""
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation"]
    sites = {}
    for name in ("godel-broken", "godel-dupe", "godel-clash"):
        # Build from a copy: the build must not leave artefacts in the repository.
        src = shutil.copytree(TEST_PLUGINS / name, tmp_path / "src" / name)
        sites[name] = [tmp_path / "site" / name]
        subprocess.run(
            [*pip, "--target", str(sites[name][0]), str(src)],
            check=True,
            capture_output=True,
            cwd=tmp_path,
            timeout=180,
        )

    broken = godel_run("plugins", path=sites["godel-broken"])
    assert (
        broken.returncode == 1
        and "FAILED: plugin 'broken' from godel-broken 0.1.0" in broken.stdout
    )
    dupe = godel_run("plugins", path=sites["godel-dupe"])
    assert (
        dupe.returncode == 1
        and "error: agent 'echo' is registered twice: by godel-dupe 0.2.0" in dupe.stderr
    )
    clash = godel_run("--help", path=sites["godel-clash"])
    assert clash.returncode == 2 and "godel-clash 0.3.0 (plugin 'clash')" in clash.stderr


def test_a_plugin_switch_naming_no_installed_plugin_is_a_warning(godel_run) -> None:
    for variable in ("GODEL_PLUGINS", "GODEL_DISABLE_PLUGINS"):
        result = godel_run("plugins", env={variable: "echo,nonexistent"})
        assert result.returncode == 0, result.stderr
        (line,) = [ln for ln in result.stderr.splitlines() if "names no installed plugin" in ln]
        assert line.startswith(
            f"godel: warning: {variable} names no installed plugin: 'nonexistent' (installed: "
        )
        assert "claude" in line and "echo" in line


def test_under_strict_plugin_loading_it_is_an_error(godel_run) -> None:
    result = godel_run("plugins", env={"GODEL_PLUGINS": "typo", "GODEL_STRICT_PLUGINS": "1"})
    assert result.returncode == 2
    assert "GODEL_PLUGINS names no installed plugin: 'typo'" in result.stderr
    assert "Traceback" not in result.stderr


# plugin-author mistakes, each written as its own distribution in a temporary directory -----------


def _write_plugin(root: Path, name: str, plugin_source: str) -> Path:
    """A src-layout project ``godel-<name>`` whose entry point ``<name>`` is ``plugin_source``."""
    project = root / f"godel-{name}"
    package = project / "src" / f"godel_{name}"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(plugin_source)
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "godel-{name}"\nversion = "0.1.0"\n'
        f'[project.entry-points.godel]\n{name} = "godel_{name}.plugin"\n'
    )
    return project


MISTAKES = {
    # sys.exit() at import used to end every godel command silently with its status
    "exiter": ("import sys\nsys.exit(3)\n", "failed to import: SystemExit: 3"),
    # a summary that is not a str used to crash `godel --help` with a traceback
    "numsum": (
        "from godel import hookimpl\n\n@hookimpl\ndef godel_register_commands(register):\n"
        "    register('numsum', 'json:dumps', summary=123)\n",
        "failed in godel_register_commands: TypeError: register() summary must be a str, not int",
    ),
    # hook functions without @hookimpl used to register nothing, silently
    "unmarked": (
        "def godel_register_commands(register):\n    register('unmarked', 'json:dumps')\n",
        "defines godel_register_commands without the @hookimpl marker",
    ),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_a_plugin_mistake_is_one_warning_and_other_commands_work(
    tmp_path: Path, godel_run, plugin_dist, name: str
) -> None:
    source, detail = MISTAKES[name]
    site = plugin_dist(_write_plugin(tmp_path / "src", name, source))  # an absolute path
    env = {"GODEL_PLUGINS": f"{name},echo"}
    warning = f"godel: warning: plugin '{name}' from godel-{name} 0.1.0 "
    for args in (["--help"], ["echo", "still", "works"]):
        result = godel_run(*args, env=env, path=[site])
        assert result.returncode == 0, result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith(warning) and detail in line and line.endswith("(skipped)")
    assert godel_run("echo", "still", "works", env=env, path=[site]).stdout == "still works\n"
    listed = godel_run("plugins", env=env, path=[site])
    assert listed.returncode == 1 and f"  FAILED: plugin '{name}'" in listed.stdout
