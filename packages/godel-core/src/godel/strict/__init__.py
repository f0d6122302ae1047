"""Strict mode: keep workflow code deterministic so that a replay sees what the run saw.

Three layers (docs/strict.md):

1. ``scan_workflow`` — an AST scan of the workflow and the project modules it imports, run
   before anything is written; it reports every violation at once.
2. An import guard that refuses banned modules imported by user code at run time.
3. A PEP 578 audit hook that refuses file writes, processes and network use by workflow code.

Layers 2 and 3 are installed together by ``install_runtime_guards``. godel's own I/O runs inside
``godel._privilege.privileged()`` and is never blocked.
"""

from __future__ import annotations

from collections.abc import Iterable

from godel.exceptions import StrictViolation
from godel.strict.catalog import BANNED_CALLS, BANNED_MODULES
from godel.strict.closure import scan_workflow
from godel.strict.scan import scan_source

__all__ = [
    "BANNED_CALLS",
    "BANNED_MODULES",
    "format_violations",
    "install_runtime_guards",
    "scan_source",
    "scan_workflow",
]


def install_runtime_guards() -> None:
    """Install the import guard and the audit hook (idempotent; permanent for the process)."""
    from godel.strict.audit import install_audit_hook
    from godel.strict.guard import install_import_guard

    # The guard first: the hook is permanent, and nothing it needs is imported after it.
    install_import_guard()
    install_audit_hook()


def format_violations(violations: Iterable[StrictViolation]) -> str:
    """One ``file:line: message`` line per violation (``file: message`` without a line)."""
    return "\n".join(
        f"{v.file}:{v.line}: {v.message}" if v.line > 0 else f"{v.file}: {v.message}"
        for v in violations
    )
