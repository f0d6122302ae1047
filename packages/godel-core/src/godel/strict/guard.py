"""Layer 2: the import guard.

A ``sys.meta_path`` finder that refuses to load a banned module (``BANNED_MODULES``) when user
code imports it at run time, which catches what the scan cannot see (``__import__(name)``
with a computed name, ``exec``). Its limits, by design:

- a module already in ``sys.modules`` is never looked up again, so it cannot be blocked
  (``threading``, ``socket`` and ``concurrent.futures`` are loaded by asyncio before any
  workflow runs); the scan is the layer that reports those;
- only imports made *by user code* are refused: the standard library, site-packages and godel
  itself import what they need (``http.cookiejar`` may pull in ``urllib.request``), and so does
  anything running inside ``privileged()``.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import site
import sys
import sysconfig
from collections.abc import Sequence
from types import FrameType, ModuleType

from godel.exceptions import GodelStrictError
from godel.strict import catalog
from godel.strict.privilege import is_privileged
from godel.strict.violation import StrictViolation


class _Refuse(importlib.abc.Loader):
    """A loader whose only job is to fail the import with a strict violation."""

    def __init__(self, violation: StrictViolation) -> None:
        self.violation = violation

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        raise GodelStrictError([self.violation])


class ImportGuard(importlib.abc.MetaPathFinder):
    """Refuses user code's imports of banned modules that are not loaded yet."""

    def __init__(self) -> None:
        prefixes: set[str] = set()
        paths = sysconfig.get_paths()
        candidates = [paths.get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")]
        candidates += site.getsitepackages() if hasattr(site, "getsitepackages") else []
        candidates.append(
            site.getusersitepackages() if hasattr(site, "getusersitepackages") else None
        )
        for p in candidates:
            if p:
                # Frames carry the path the module was imported under; match both spellings.
                prefixes.add(os.path.join(os.path.abspath(p), ""))
                prefixes.add(os.path.join(os.path.realpath(p), ""))
        self._library_prefixes = tuple(sorted(prefixes))

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        banned = catalog.banned_module(fullname)  # cheap check first: most imports are fine
        if banned is None or is_privileged():
            return None
        importer = self._importer()
        if importer is None:
            return None
        where = f"{importer.f_code.co_filename}:{importer.f_lineno}"
        message = catalog.import_message(fullname, banned, f" at run time, from {where}")
        violation = StrictViolation("<runtime>", 0, 0, message, "import")
        return importlib.machinery.ModuleSpec(fullname, _Refuse(violation))

    def _importer(self) -> FrameType | None:
        """The frame of the user code that asked for the import, or None if it was not user code."""
        frame: FrameType | None = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            module = frame.f_globals.get("__name__") or ""
            if (
                filename.startswith("<frozen importlib")
                or module == "importlib"
                or module.startswith("importlib.")
            ):
                frame = frame.f_back  # the import machinery, not the importer
                continue
            if module == "godel" or module.startswith(("godel.", "godel_")):
                return None
            if filename.startswith("<frozen ") or filename.startswith(self._library_prefixes):
                return None
            return frame
        return None


_guard: ImportGuard | None = None


def install_import_guard() -> None:
    """Put the guard first on ``sys.meta_path`` (once per process)."""
    global _guard
    if _guard is None:
        _guard = ImportGuard()
    if _guard not in sys.meta_path:
        sys.meta_path.insert(0, _guard)


def install_runtime_guards() -> None:
    """Install the import guard and the audit hook (idempotent; permanent for the process)."""
    from godel.strict.audit import install_audit_hook

    # The guard first: the hook is permanent, and nothing it needs is imported after it.
    install_import_guard()
    install_audit_hook()
