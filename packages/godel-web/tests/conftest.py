"""Fixtures for godel-web's tests: runs made by the real ``godel run`` (agents included, on the
real claude and copilot CLIs against godel's fake model server), the app under Starlette's
test client, and ``godel ui`` itself in a subprocess."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
WORKFLOWS = HERE / "data" / "workflows"
REPO = HERE.parents[2]
BIN = Path(sys.executable).parent
GODEL = BIN / "godel"
GODEL_HOME = tempfile.mkdtemp(prefix="godel-web-home-")
ARTEFACTS = Path(os.environ.get("GODEL_WEB_ARTEFACTS", REPO / "test-artefacts" / "web"))
TOKEN = "test-token-0123456789"

AGENT_CLIS = REPO / ".tools" / "node_modules" / ".bin"
if AGENT_CLIS.is_dir() and str(AGENT_CLIS) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = f"{AGENT_CLIS}{os.pathsep}{os.environ.get('PATH', '')}"


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_") and k != "PYTHONPATH"}
    env["GODEL_HOME"] = GODEL_HOME
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def require_clis(*names: str) -> None:
    """Skip without the agent CLIs (fail under ``GODEL_REQUIRE_AGENT_CLIS=1``, as CI runs)."""
    for name in names:
        if shutil.which(name) is None:
            message = f"the {name} CLI is not installed (run `make tools`)"
            if os.environ.get("GODEL_REQUIRE_AGENT_CLIS") == "1":
                pytest.fail(message)
            pytest.skip(message)


def godel(
    cwd: Path, *args: str, fake_model: Path | None = None, timeout: float = 180, **kw: object
) -> subprocess.CompletedProcess[str]:
    """``godel ARGS`` in ``cwd`` (under the fake model server when a script is given)."""
    cmd = [str(GODEL), *args]
    if fake_model is not None:
        cmd = [
            sys.executable,
            "-m",
            "godel.testing.fake_model",
            "--script",
            str(fake_model),
            "--",
            *cmd,
        ]
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, env=clean_env(), timeout=timeout, **kw
    )  # type: ignore[call-overload]


def newest_run(runs: Path, before: set[str]) -> str:
    (new,) = {p.stem for p in runs.glob("*.jsonl")} - before
    return new


@dataclass
class Made:
    """The runs the session made, by name, in one runs directory."""

    root: Path
    runs: Path
    ids: dict[str, str]


@pytest.fixture(scope="session")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    """Real runs: ``team`` (claude and copilot in parallel, then a command), ``broken`` (a
    failed command) and ``slow`` (40 steps, finished)."""
    require_clis("claude", "copilot")
    root = tmp_path_factory.mktemp("made")
    for path in (p for p in WORKFLOWS.iterdir() if p.is_file()):  # not a __pycache__
        shutil.copy(path, root / path.name)
    runs = root / "runs"
    ids: dict[str, str] = {}
    for name, args, script, code in (
        ("team", ["team.py"], root / "team.fake-model.json", 0),
        ("broken", ["broken.py", "--", "web"], None, 1),
        ("slow", ["slow.py", "--", "3"], None, 0),
    ):
        before = {p.stem for p in runs.glob("*.jsonl")}
        result = godel(root, "run", *args, fake_model=script)
        assert result.returncode == code, result.stderr
        ids[name] = newest_run(runs, before)
    return Made(root, runs, ids)


def make_client(runs: Path, **options: object) -> Any:
    """Starlette's test client on ``create_app(runs)``, sending the token with every request."""
    from starlette.testclient import TestClient

    from godel_web.app import create_app

    app = create_app(runs, token=TOKEN, **options)  # type: ignore[arg-type]
    return TestClient(app, follow_redirects=False, headers={"X-Godel-Token": TOKEN})


@pytest.fixture(name="make_client")
def make_client_fixture() -> Callable[..., Any]:
    return make_client


@pytest.fixture(name="env")
def env_fixture() -> dict[str, str]:
    """The environment ``godel`` subprocesses run with."""
    return clean_env()


@pytest.fixture
def client(made: Made) -> Iterator[Any]:
    with make_client(made.runs) as c:
        yield c


@pytest.fixture
def runs_copy(made: Made, tmp_path: Path) -> Path:
    """A copy of the made runs, for a test that pauses or rewinds one."""
    target = tmp_path / "runs"
    shutil.copytree(made.runs, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


@dataclass
class Server:
    """``godel ui`` running in a subprocess: its URL (with the token) and its output."""

    proc: subprocess.Popen[str]
    url: str

    @property
    def base(self) -> str:
        return self.url.split("/?", 1)[0]

    @property
    def token(self) -> str:
        return self.url.split("token=", 1)[1]

    def stop(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            _, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return self.proc.returncode, err


def start_ui(runs: Path | None, *args: str, cwd: Path | None = None) -> Server:
    """``godel ui`` on ``runs`` (None: as configured, e.g. ``--store URL`` in ``args``)."""
    where = ["--runs-dir", str(runs)] if runs is not None else []
    proc = subprocess.Popen(
        [str(GODEL), "ui", *where, "--port", "0", "--poll", "0.1", *args],
        cwd=cwd or (runs.parent if runs is not None else None),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", line):
        proc.kill()
        raise AssertionError(
            f"no URL from godel ui: {line!r} {proc.stderr.read() if proc.stderr else ''}"
        )
    server = Server(proc, line)
    deadline = time.monotonic() + 20
    import urllib.request

    while True:  # wait until it answers
        try:
            urllib.request.urlopen(server.url, timeout=2).read()
            return server
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                server.stop()
                raise
            time.sleep(0.1)


@pytest.fixture
def ui() -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(runs: Path | None, *args: str, cwd: Path | None = None) -> Server:
        server = start_ui(runs, *args, cwd=cwd)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
