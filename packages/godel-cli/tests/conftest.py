"""Fixtures for running the real ``godel`` console script in a subprocess, as a user would.

The subprocess gets a clean environment: no ``GODEL_*`` switch or ``PYTHONPATH`` of the calling
shell leaks into what a test sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

# An empty godel home (no user settings.json) shared by the session's subprocesses.
GODEL_HOME = tempfile.mkdtemp(prefix="godel-home-")
GODEL = Path(sys.executable).parent / "godel"


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment without godel switches and ``PYTHONPATH``, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_") and k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["GODEL_HOME"] = GODEL_HOME  # no user settings of the machine's own leak into a test
    env.update(extra or {})
    return env


def wait_for_file(path: Path, timeout: float = 20.0) -> None:
    """Wait until ``path`` exists (a workflow run in the background writes it when it got
    somewhere); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} never appeared")
        time.sleep(0.02)


@pytest.fixture
def godel_bin() -> Path:
    """The venv's ``godel`` console script."""
    return GODEL


@pytest.fixture
def cli_env() -> dict[str, str]:
    """A clean environment for running ``godel`` in a subprocess (see ``clean_env``)."""
    return clean_env()


@pytest.fixture
def start_run(godel_bin: Path) -> Callable[..., subprocess.Popen[str]]:
    """``start_run(cwd, env=None)``: ``godel run wf.py`` in ``cwd``, in the background, its
    output piped (``env``: a clean environment unless given)."""

    def start(cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(godel_bin), "run", "wf.py"],
            cwd=cwd,
            env=dict(env) if env is not None else clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    return start


@pytest.fixture
def godel_run(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``godel ARGS...`` in ``tmp_path``; keyword ``env`` adds variables."""

    def run(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(GODEL), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean_env(env),
            timeout=60,
        )

    return run


class Project:
    """A directory inside a temporary ``$HOME`` (with ``$GODEL_HOME`` at ``<home>/.godel``) in
    which ``godel`` runs as a user's would: no settings of the machine's user leak in."""

    def __init__(self, base: Path) -> None:
        self.home = base / "home"
        self.godel_home = self.home / ".godel"
        self.root = self.home / "proj"
        self.root.mkdir(parents=True)

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return clean_env(
            {"HOME": str(self.home), "GODEL_HOME": str(self.godel_home), **(extra or {})}
        )

    def godel(
        self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``godel ARGS`` in ``cwd`` (default: the project directory)."""
        return subprocess.run(
            [str(GODEL), *args],
            capture_output=True,
            text=True,
            cwd=cwd or self.root,
            env=self.env(env),
            timeout=120,
        )

    def write(self, relative: str, text: str, *, under: Path | None = None) -> Path:
        path = (under or self.root) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh project directory, ``$HOME`` and ``$GODEL_HOME`` (see ``Project``)."""
    return Project(tmp_path)
