"""Strict mode: keep workflow code deterministic so that a replay sees what the run saw.

Three layers (docs/strict.md):

1. ``scan_workflow`` — an AST scan of the workflow and the project modules it imports, run
   before anything is written; it reports every violation at once.
2. An import guard that refuses banned modules imported by user code at run time.
3. A PEP 578 audit hook that refuses file writes, processes, network use and native code by
   workflow code.

Layers 2 and 3 are installed together by ``install_runtime_guards``. godel's own I/O runs inside
``privileged()`` and is never blocked.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.strict.catalog import BANNED_CALLS, BANNED_MODULES
    from godel.strict.closure import scan_closure, scan_workflow
    from godel.strict.guard import install_runtime_guards
    from godel.strict.privilege import is_privileged, privileged
    from godel.strict.scan import format_violations, scan_source
    from godel.strict.violation import StrictViolation

_EXPORTS = {
    "BANNED_CALLS": "catalog",
    "BANNED_MODULES": "catalog",
    "scan_closure": "closure",
    "scan_workflow": "closure",
    "install_runtime_guards": "guard",
    "is_privileged": "privilege",
    "privileged": "privilege",
    "format_violations": "scan",
    "scan_source": "scan",
    "StrictViolation": "violation",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
