"""No orphans: the group registry, kill_all, atexit, and the CLI's signal handling (real signals)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest

from godel.process import reaper
from godel.testing import wait_process_gone

PY = sys.executable


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def read_pidfile(
    path: Path, proc: subprocess.Popen[str] | None = None, timeout: float = 30.0
) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return int(path.read_text())
        except (FileNotFoundError, ValueError):
            if proc is not None and proc.poll() is not None:
                raise AssertionError(f"program exited early: {proc.communicate()}") from None
            time.sleep(0.01)
    raise AssertionError(f"{path} never appeared")


def grandchild_script(pidfile: Path, before: str = "") -> str:
    tmp = f"{pidfile}.tmp"
    return f"{before} sleep 300 & echo $! > {tmp} && mv {tmp} {pidfile}; wait"


def spawn_group(pidfile: Path, before: str = "") -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        ["sh", "-c", grandchild_script(pidfile, before)], start_new_session=True
    )
    return proc


# registry and kill_all -----------------------------------------------------------------------------
def test_kill_all_terminates_every_registered_group(tmp_path):
    procs = [spawn_group(tmp_path / f"pid{i}") for i in range(3)]
    try:
        for p in procs:
            reaper.register(p.pid)
        grandchildren = [read_pidfile(tmp_path / f"pid{i}") for i in range(3)]
        assert {p.pid for p in procs} <= reaper.live_groups()
        reaper.kill_all()
        assert not ({p.pid for p in procs} & reaper.live_groups())
        for p in procs:
            assert p.wait(timeout=10) == -signal.SIGTERM
        assert all(wait_process_gone(g) for g in grandchildren)
    finally:
        for p in procs:
            reaper.unregister(p.pid)
            if p.poll() is None:
                p.kill()
                p.wait()


def test_kill_all_escalates_to_sigkill_after_the_grace_period(tmp_path):
    proc = spawn_group(tmp_path / "pid", before="trap '' TERM;")
    try:
        reaper.register(proc.pid)
        grandchild = read_pidfile(tmp_path / "pid")
        reaper.kill_all(grace=0.3)
        assert proc.wait(timeout=10) == -signal.SIGKILL
        assert wait_process_gone(grandchild)
    finally:
        reaper.unregister(proc.pid)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_kill_all_with_nothing_registered_is_a_no_op():
    assert not reaper.live_groups()
    reaper.kill_all()


def test_group_alive_ignores_zombies(tmp_path):
    # The exec'd sleep never reaps its background child: once that child exits it is a zombie
    # in the group; after the leader dies too, only dead processes remain.
    proc = subprocess.Popen(["sh", "-c", "true & exec sleep 300"], start_new_session=True)
    try:
        assert reaper.group_alive(proc.pid)
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 10
        while reaper.group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not reaper.group_alive(proc.pid)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_signal_group_reports_a_missing_group():
    proc = subprocess.Popen(["true"], start_new_session=True)
    proc.wait()
    assert not reaper.signal_group(proc.pid, signal.SIGTERM)


ATEXIT_PROGRAM = """
import subprocess, sys
from godel.process import reaper
proc = subprocess.Popen(["sh", "-c", sys.argv[1]], start_new_session=True)
reaper.register(proc.pid)
"""


def test_atexit_kills_groups_left_behind(tmp_path):
    pidfile = tmp_path / "pid"
    # The program registers a group and exits normally without cleaning it up (the sleep lets
    # the shell start its background job first): only the atexit hook stands between that
    # job and an orphan.
    script = grandchild_script(pidfile)
    program = ATEXIT_PROGRAM + "import time; time.sleep(0.5)\n"
    done = subprocess.run([PY, "-c", program, script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    grandchild = read_pidfile(pidfile, timeout=5)
    assert wait_process_gone(grandchild)


# signal handlers -----------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_sigterm_calls_cancel_and_records_the_exit_code():
    called: list[int] = []
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    handlers = reaper.install_signal_handlers(lambda: called.append(1))
    try:
        assert handlers.exit_code is None
        os.kill(os.getpid(), signal.SIGTERM)
        with anyio.fail_after(10):
            while not called:
                await anyio.sleep(0.01)
        assert handlers.signum == signal.SIGTERM and handlers.exit_code == 143
    finally:
        handlers()
    assert {s: signal.getsignal(s) for s in before} == before


SIGNAL_PROGRAM = """
import sys
import anyio
from godel.process.run import run
from godel.process.reaper import install_signal_handlers

async def main(script):
    async with anyio.create_task_group() as tg:
        handlers = install_signal_handlers(tg.cancel_scope.cancel)
        try:
            await run(["sh", "-c", script])
        finally:
            handlers()
    print("clean exit", flush=True)
    return handlers.exit_code

sys.exit(anyio.run(main, sys.argv[1]))
"""


def start_program(tmp_path: Path, before: str = "") -> tuple[subprocess.Popen[str], int]:
    pidfile = tmp_path / "pid"
    proc = subprocess.Popen(
        [PY, "-c", SIGNAL_PROGRAM, grandchild_script(pidfile, before)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, read_pidfile(pidfile, proc)


@pytest.mark.parametrize(
    ("sig", "code"),
    [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)],
    ids=["SIGTERM", "SIGHUP", "SIGINT"],
)
def test_a_signal_cancels_the_run_and_kills_the_command_group(tmp_path, sig, code):
    proc, grandchild = start_program(tmp_path)
    try:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err
    assert "clean exit" in out  # the workflow unwound normally
    assert wait_process_gone(grandchild)


def test_a_second_sigint_within_a_second_exits_130_at_once_without_orphans(tmp_path):
    # The command ignores SIGTERM, so the first SIGINT's cleanup sits in its grace period; the
    # second one must not wait for it, yet still take the command group down.
    proc, grandchild = start_program(tmp_path, before="trap '' TERM;")
    try:
        proc.send_signal(signal.SIGINT)
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "clean exit" not in out  # os._exit: no unwinding
    assert wait_process_gone(grandchild)
