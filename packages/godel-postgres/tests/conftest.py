"""Two "machines": working directories whose ``godel`` processes share nothing but the store's URL.

The server and the databases come from ``godel_postgres.pytest_plugin`` (``pg_server``,
``pg_url``, ``store_url``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

GODEL = Path(sys.executable).parent / "godel"
GODEL_HOME = tempfile.mkdtemp(prefix="godel-home-")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GODEL_") and k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["GODEL_HOME"] = GODEL_HOME
    env.update(extra or {})
    return env


WORKFLOW = """
import godel
from godel import step, workflow


@step(name="work")
async def work(i: str, delay: str) -> str:
    r = await godel.run(["sh", "-c", f"sleep {delay}; echo {i} >> marks.txt; echo item-{i}"])
    return r.stdout.strip()


@step(name="big")
async def big() -> str:
    return "x" * 50000


@workflow
async def main(n="4", delay="0.2"):
    out = []
    for i in range(int(n)):
        out.append(await work(str(i), delay))
    blob = await big()
    return {"items": out, "big": len(blob)}
"""


class Machine:
    """A working directory and the ``godel`` processes started in it, with only the store's
    URL in common with the other machines ($GODEL_STORE)."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url
        root.mkdir(parents=True)
        (root / "wf.py").write_text(WORKFLOW)

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return clean_env({"GODEL_STORE": self.url, **(extra or {})})

    def godel(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(GODEL), *args],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(GODEL), *args],
            cwd=self.root,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # SIGKILL reaches its children too (os.killpg)
        )

    def marks(self) -> list[str]:
        path = self.root / "marks.txt"
        return path.read_text().split() if path.exists() else []


@pytest.fixture
def machines(tmp_path: Path, store_url: str) -> tuple[Machine, Machine]:
    return Machine(tmp_path / "A", store_url), Machine(tmp_path / "B", store_url)


def wait_for(predicate, timeout: float = 30.0, what: str = "") -> object:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def run_ids(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("select run_id from godel_runs order by run_id")]


def finished_work(url: str, run_id: str) -> int:
    """How many ``run`` effects of the run are committed FINISHED (what a kill cannot undo)."""
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select count(*) from godel_lines where run_id = %s and line like %s and line like %s",
            (run_id, '%"op":"run"%', '%"status":"FINISHED"%'),
        ).fetchone()
    return int(row[0])


RUN_LINE = re.compile(r"\[godel\] run (\S+)")


@pytest.fixture
def h() -> object:
    """The helpers above, for test modules (``--import-mode=importlib`` cannot import this
    conftest by name)."""
    import types

    return types.SimpleNamespace(
        Machine=Machine,
        wait_for=wait_for,
        run_ids=run_ids,
        finished_work=finished_work,
        RUN_LINE=RUN_LINE,
        clean_env=clean_env,
        GODEL=GODEL,
        WORKFLOW=WORKFLOW,
    )
