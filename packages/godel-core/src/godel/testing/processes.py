"""Is a process gone? (For tests that prove no orphan survives.)"""

from __future__ import annotations

import os
import time
from pathlib import Path


def process_gone(pid: int) -> bool:
    """True once ``pid`` has died: no such process, or only its zombie is left.

    An orphaned grandchild is reparented to init (or a subreaper); an init that does not reap
    (common as PID 1 in containers) leaves a zombie, which is dead all the same.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    if state in ("Z", "X"):
        try:
            os.waitpid(pid, os.WNOHANG)  # reaps it only if this process is its parent or subreaper
        except ChildProcessError:
            pass
        return True
    return False


def wait_process_gone(pid: int, timeout: float = 10.0) -> bool:
    """Poll until ``pid`` is gone or ``timeout`` seconds pass; returns whether it is gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process_gone(pid):
            return True
        time.sleep(0.02)
    return process_gone(pid)
