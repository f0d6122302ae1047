"""How a signal cancels ``godel run`` (``godel_cli.cancel``): natively while anyio's backend is
not loaded (a run of plain steps never loads it), through an anyio cancel scope around the rest
of the run once it is, so that shielded sections finish first either way."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import clean_env, wait_for_file


def _start(tmp_path: Path, start_run, source: str) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    """``godel run wf.py`` of ``source`` in the background, strict mode and lint off (the
    workflows use asyncio and anyio directly)."""
    (tmp_path / "wf.py").write_text(source)
    return start_run(tmp_path, env=clean_env({"GODEL_STRICT": "0", "GODEL_LINT": "0"}))


PLAIN = """
import sys
from godel import step, workflow

@step
async def double(x):
    return x * 2

@workflow
async def wf():
    await double(21)
    return "anyio._backends._asyncio" in sys.modules
"""


def test_a_run_of_plain_steps_never_loads_anyios_backend(tmp_path: Path, start_run) -> None:
    proc = _start(tmp_path, start_run, PLAIN)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    log = next((tmp_path / "runs").glob("*.jsonl")).read_text()
    assert '"result":false' in log.replace(" ", "")


STUBBORN = """
import asyncio
from godel import step, workflow

@step
async def stubborn():
    open("waiting", "w").close()
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        open("swallowed", "w").close()  # and waits again: the run must be cancelled again
    await asyncio.sleep(60)

@workflow
async def wf():
    await stubborn()
"""


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_cancels_a_plain_step_again_when_it_swallows_the_first(
    tmp_path: Path, start_run, sig: int, code: int
) -> None:
    proc = _start(tmp_path, start_run, STUBBORN)
    wait_for_file(tmp_path / "waiting")
    started = time.monotonic()
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert (tmp_path / "swallowed").exists()
    assert time.monotonic() - started < 20  # not the second 60-second sleep
    assert "interrupted" in err and "Traceback" not in err


SHIELDED = """
import asyncio
import anyio
from godel import step, workflow

async def first_anyio_use():
    await anyio.sleep(0)

@step
async def guarded():
    {first}
    with anyio.CancelScope(shield=True):
        open("shielded", "w").close()
        await anyio.sleep(1.5)
        open("shield-done", "w").close()
    await anyio.sleep(60)

@workflow
async def wf():
    await guarded()
"""


@pytest.mark.parametrize(
    "first",
    [
        "await first_anyio_use()",  # the backend loads in the run's task: a scope around the run
        "await asyncio.gather(first_anyio_use())",  # in a task the workflow made: native, waiting
    ],
    ids=["in-the-run", "in-a-task-of-its-own"],
)
def test_a_shielded_section_finishes_before_the_signal_cancels_the_run(
    tmp_path: Path, start_run, first: str
) -> None:
    proc = _start(tmp_path, start_run, SHIELDED.replace("{first}", first))
    wait_for_file(tmp_path / "shielded")
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert (tmp_path / "shield-done").exists()  # the shield held
    assert "Traceback" not in err
