"""Shared fixtures for the cross-package tests.

``godel_run`` / ``python_run`` run the real ``godel`` console script (or the venv's Python) in a
subprocess with a clean plugin environment. ``plugin_dist`` installs one of the test-only plugin
projects under ``tests/plugins/`` into a temporary directory as a real distribution (a
``*.dist-info`` with METADATA and entry_points.txt, as pip writes it), so a subprocess sees it
through ``PYTHONPATH`` while the shared venv stays untouched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: godel-core's own dependency there
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
TEST_PLUGINS = REPO / "tests" / "plugins"
BIN = Path(sys.executable).parent
# An empty godel home (no user settings.json) shared by the session's subprocesses.
GODEL_HOME = tempfile.mkdtemp(prefix="godel-home-")
GODEL = BIN / "godel"

# The agent CLIs that `make tools` installs from the npm registry (git-ignored).
AGENT_CLIS = REPO / ".tools" / "node_modules" / ".bin"
if AGENT_CLIS.is_dir() and str(AGENT_CLIS) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = f"{AGENT_CLIS}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture
def require_cli() -> Callable[[str], str]:
    """``require_cli("claude")``: the CLI's path; skips the test if it is missing (fails under
    ``GODEL_REQUIRE_AGENT_CLIS=1``, which ``make test`` sets, so CI never skips silently)."""

    def require(name: str) -> str:
        path = shutil.which(name)
        if path is None:
            message = f"the {name} CLI is not installed (run `make tools`)"
            if os.environ.get("GODEL_REQUIRE_AGENT_CLIS") == "1":
                pytest.fail(message)
            pytest.skip(message)
        return path

    return require


def clean_env(
    extra: Mapping[str, str] | None = None, pythonpath: list[Path] | None = None
) -> dict[str, str]:
    """The current environment without godel switches, plus ``extra`` and ``PYTHONPATH``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_") and k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["GODEL_HOME"] = GODEL_HOME  # no user settings of the machine's own leak into a test
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    env.update(extra or {})
    return env


Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def godel_run(tmp_path: Path) -> Runner:
    """Run ``godel ARGS...``; keyword ``env`` adds variables, ``path`` adds PYTHONPATH entries."""

    def run(
        *args: str, env: Mapping[str, str] | None = None, path: list[Path] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(GODEL), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean_env(env, path),
            timeout=60,
        )

    return run


@pytest.fixture
def python_run(tmp_path: Path) -> Runner:
    """Run ``python -c CODE`` with the venv's interpreter, like ``godel_run``."""

    def run(
        code: str, *, env: Mapping[str, str] | None = None, path: list[Path] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean_env(env, path),
            timeout=60,
        )

    return run


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def install_plugin_project(
    project: Path, target: Path, *, entry_point_name: str | None = None
) -> Path:
    """Install ``project`` (a hatchling src-layout project) into ``target`` without pip.

    Writes the import package and a ``<name>-<version>.dist-info`` from the project's own
    pyproject.toml. ``entry_point_name`` renames its ``godel`` entry point (name clash tests).
    """
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    target.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    for package in (project / "src").iterdir():
        if package.is_dir() and not package.name.startswith(("_", ".")):
            shutil.copytree(
                package, target / package.name, ignore=shutil.ignore_patterns("__pycache__")
            )
            files += [
                str(p.relative_to(target))
                for p in (target / package.name).rglob("*")
                if p.is_file()
            ]
    info = target / f"{_normalise(meta['name'])}-{meta['version']}.dist-info"
    info.mkdir()
    requires = "".join(f"Requires-Dist: {dep}\n" for dep in meta.get("dependencies", []))
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n"
        f"Summary: {meta.get('description', '')}\n{requires}"
    )
    lines = ["[godel]"]
    for name, value in meta["entry-points"]["godel"].items():
        lines.append(f"{entry_point_name or name} = {value}")
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    (info / "INSTALLER").write_text("godel-tests\n")
    record = [
        *files,
        *(f"{info.name}/{n}" for n in ("METADATA", "entry_points.txt", "INSTALLER", "RECORD")),
    ]
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in record))
    return target


@pytest.fixture
def plugin_dist(tmp_path: Path) -> Callable[..., Path]:
    """``plugin_dist("godel-broken")`` → a directory to put on PYTHONPATH (one per call)."""
    counter = iter(range(1_000))

    def make(project: str, *, entry_point_name: str | None = None) -> Path:
        target = tmp_path / f"site-{next(counter)}-{project}"
        return install_plugin_project(
            TEST_PLUGINS / project, target, entry_point_name=entry_point_name
        )

    return make


@pytest.fixture
def cli_env() -> dict[str, str]:
    """A clean environment for running ``godel`` in a subprocess (see ``clean_env``)."""
    return clean_env()
