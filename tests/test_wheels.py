"""The ``pip install godel-core godel-claude`` promise, checked with real wheels and sdists.

Each package is built (wheel and sdist) with ``python -m build --no-isolation``; then a
brand-new virtualenv, outside the repository and without PYTHONPATH, gets the wheels of
godel-core and godel-claude (godel-cli, which godel-claude requires, from the built ones; their
third-party dependencies from the package index) and must run ``godel`` and resolve
``godel.agents.claude_code``; another gets only godel-core and godel-codex, and must resolve
``godel.agents.codex``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PACKAGES = sorted(p.name for p in (REPO / "packages").iterdir() if (p / "pyproject.toml").is_file())
IMPORT_NAMES = {"godel-core": "godel"}


def _env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GODEL_", "VIRTUAL_ENV")) and k != "PYTHONPATH"
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build every package into one directory (the builds run side by side)."""
    out = tmp_path_factory.mktemp("dist")
    builds = {
        name: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "build",
                "--no-isolation",
                "--outdir",
                str(out),
                str(REPO / "packages" / name),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=out,
            env=_env(),
        )
        for name in PACKAGES
    }
    for name, proc in builds.items():
        output, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"building {name} failed:\n{output}"
    return out


def _artefacts(out: Path, dist: str) -> tuple[Path, Path]:
    stem = dist.replace("-", "_")
    wheels = list(out.glob(f"{stem}-*-py3-none-any.whl"))
    sdists = list(out.glob(f"{stem}-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, (dist, sorted(p.name for p in out.iterdir()))
    return wheels[0], sdists[0]


def test_the_six_packages_are_built() -> None:
    assert {
        "godel-claude",
        "godel-cli",
        "godel-codex",
        "godel-copilot",
        "godel-core",
        "godel-watch",
    } <= set(PACKAGES)


@pytest.mark.parametrize("dist", PACKAGES)
def test_each_package_builds_a_wheel_and_an_sdist(dists: Path, dist: str) -> None:
    wheel, sdist = _artefacts(dists, dist)
    package = IMPORT_NAMES.get(dist, dist.replace("-", "_"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert {f"{package}/__init__.py", f"{package}/__about__.py", f"{package}/py.typed"} <= names
        assert not any(n.startswith(("tests/", "src/")) for n in names), (
            "only the import package ships"
        )
        src = REPO / "packages" / dist / "src"
        # Modules and package data (godel-cli's guides): every file of the source tree.
        sources = {
            str(f.relative_to(src))
            for f in src.rglob("*")
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc"
        }
        assert sources <= names, f"missing from the wheel: {sorted(sources - names)[:5]}"
        entry_points = next((n for n in names if n.endswith(".dist-info/entry_points.txt")), None)
        if entry_points is not None and "[godel]" in zf.read(entry_points).decode():
            assert f"{package}/plugin.py" in names
    with tarfile.open(sdist) as tf:
        members = {m.split("/", 1)[1] for m in tf.getnames() if "/" in m}
    assert {"pyproject.toml", "README.md", f"src/{package}/__about__.py"} <= members


def test_pip_install_core_and_claude_gives_the_godel_command(dists: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], check=True, cwd=tmp_path, env=_env(), timeout=120
    )
    py, godel = venv / "bin" / "python", venv / "bin" / "godel"
    wheels = [_artefacts(dists, d)[0] for d in ("godel-core", "godel-claude")]
    install = subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--find-links", str(dists), *map(str, wheels)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(),
        timeout=300,
    )
    assert install.returncode == 0, install.stderr

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=60
        )

    version = run(str(godel), "--version")
    assert version.returncode == 0, version.stderr
    assert [line.split()[0] for line in version.stdout.splitlines()] == [
        "godel-claude",
        "godel-cli",
        "godel-core",
    ]

    plugins = run(str(godel), "plugins")
    assert plugins.returncode == 0, plugins.stderr
    assert (
        "claude  (godel-claude 0.1.0)\n  entry point: godel:claude = godel_claude.plugin\n  agents: claude_code\n"
        in plugins.stdout
    )
    assert "echo" not in plugins.stdout, "the venv sees nothing from the repository"

    assert run(str(godel), "--help").returncode == 0
    guide = run(str(godel), "guide", "getting-started")
    assert guide.returncode == 0, guide.stderr
    assert guide.stdout.startswith("# Getting started\n"), "the guides ship in the wheel"

    code = (
        "import godel, godel_claude.agent as a\nfrom godel.agents import claude_code\n"
        "assert claude_code is a.claude_code\nprint(godel.__file__)\n"
    )
    agent = run(str(py), "-c", code)
    assert agent.returncode == 0, agent.stderr
    assert Path(agent.stdout.strip()).is_relative_to(venv), (
        "godel comes from the wheel, not the checkout"
    )

    missing = run(str(py), "-c", "import godel.agents\ngodel.agents.get('copilot')")
    assert "install it with: pip install godel-copilot" in missing.stderr
    missing = run(str(py), "-c", "import godel.agents\ngodel.agents.get('codex')")
    assert "install it with: pip install godel-codex" in missing.stderr


def test_pip_install_core_and_codex_alone_into_a_fresh_venv(dists: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], check=True, cwd=tmp_path, env=_env(), timeout=120
    )
    py = venv / "bin" / "python"
    wheels = [_artefacts(dists, d)[0] for d in ("godel-core", "godel-codex")]
    install = subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--find-links", str(dists), *map(str, wheels)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(),
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    code = (
        "import godel, godel.agents, godel.parsers, godel_codex.agent as a, godel_codex.parser as p\n"
        "from godel.agents import codex\n"
        "assert codex is a.codex and godel.parsers.get('codex') is p.CodexStreamParser\n"
        "assert codex().command(godel.agents.AgentCall(prompt='hi', model=None, session_id='S'))"
        "[:3] == ['codex', 'exec', '--json']\n"
        "print(godel.__file__)\n"
    )
    agent = subprocess.run(
        [str(py), "-c", code], capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=60
    )
    assert agent.returncode == 0, agent.stderr
    assert Path(agent.stdout.strip()).is_relative_to(venv), (
        "godel comes from the wheel, not the checkout"
    )
