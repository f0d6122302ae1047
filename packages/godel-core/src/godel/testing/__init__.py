"""Helpers for testing workflows and godel itself.

``process_gone`` / ``wait_process_gone`` check that a process (say, a grandchild started by a
command) really is gone: no orphan survived.
"""

from __future__ import annotations

from godel.testing.processes import process_gone, wait_process_gone

__all__ = ["process_gone", "wait_process_gone"]
