"""Layer 2: the import guard.

Refuses, with ``GodelStrictError``, a banned module (``BANNED_MODULES``) imported by user code
at run time, which catches what the scan cannot see: ``importlib.import_module(name)`` or
``__import__(name)`` with a computed name, ``exec("import socket")``, modules the scan did not
reach. Two hooks, because each sees what the other cannot:

- ``builtins.__import__``, ``importlib.__import__`` (the import system's own copy of it) and
  ``importlib.import_module`` are wrapped, so that a module the interpreter already loaded
  (asyncio loads ``socket``, ``threading``, ``time``...) is refused too: the import system
  answers those from ``sys.modules`` without asking any finder. The wrappers cost one set
  lookup for any import whose top-level name is not banned;
- a ``sys.meta_path`` finder refuses the rest (``importlib.util`` and other loaders that never
  call ``__import__``), for modules not loaded yet.

Only imports made *by user code* are refused: files under the workflow's directory (when
``install_runtime_guards`` is told it) that are not the standard library, site-packages or
godel itself. Libraries import what they need (``http.cookiejar`` pulls in ``urllib.request``),
and so does anything inside ``privileged()``. An import on a line marked ``# godel: noqa`` (or
``# godel: noqa: strict``) is allowed, as the scan allowed it.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.machinery
import linecache
import os
import site
import sys
from collections.abc import Iterable, Sequence
from types import FrameType, ModuleType
from typing import Any

from godel.exceptions import GodelStrictError
from godel.strict import catalog
from godel.strict.noqa import is_strict_noqa
from godel.strict.privilege import is_privileged
from godel.strict.violation import StrictViolation

_TOPS = catalog.BANNED_TOPS


def _prefixes(paths: Iterable[str | None]) -> tuple[str, ...]:
    found: set[str] = set()
    for p in paths:
        if p:
            # Frames carry the path the module was imported under; match both spellings.
            found.add(os.path.join(os.path.abspath(p), ""))
            found.add(os.path.join(os.path.realpath(p), ""))
    return tuple(sorted(found))


class UserCode:
    """Tells user code (which the guard judges) from libraries and godel (which it trusts)."""

    def __init__(self, roots: Iterable[str | os.PathLike[str]] = ()) -> None:
        # sysconfig.get_paths() would say the same, at ~1.5 ms (its data module) per run.
        version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
        libraries = [
            os.path.dirname(os.__file__),  # stdlib
            os.path.join(sys.prefix, sys.platlibdir, version),  # platstdlib
            os.path.join(sys.base_prefix, sys.platlibdir, version),
        ]
        libraries += site.getsitepackages() if hasattr(site, "getsitepackages") else []
        libraries.append(
            site.getusersitepackages() if hasattr(site, "getusersitepackages") else None
        )
        self.libraries = _prefixes(libraries)
        self.roots = _prefixes(os.fspath(r) for r in roots)

    def importer(self, frame: FrameType | None) -> FrameType | None:
        """The user-code frame responsible for an import made in ``frame``, or None."""
        while frame is not None:
            filename = frame.f_code.co_filename
            module = frame.f_globals.get("__name__") or ""
            if module == "importlib" or module.startswith("importlib."):
                frame = frame.f_back  # the import machinery, not the importer
                continue
            if filename.startswith("<") and not filename.startswith("<frozen "):
                frame = frame.f_back  # exec()/eval() code: judged by the code that ran it
                continue
            if module == "godel" or module.startswith(("godel.", "godel_")):
                return None
            if filename.startswith("<frozen "):
                return None
            path = os.path.abspath(filename)
            if path.startswith(self.libraries) or not os.path.join(path, "").startswith(
                self.roots or ("",)
            ):
                return None
            return frame
        return None


def _noqa(frame: FrameType) -> bool:
    return is_strict_noqa(linecache.getline(frame.f_code.co_filename, frame.f_lineno))


def _shown(filename: str) -> str:
    try:
        relative = os.path.relpath(filename)
    except ValueError:  # another drive (Windows)
        return filename
    return filename if relative.startswith("..") else relative


def refusal(name: str, frame: FrameType | None) -> GodelStrictError | None:
    """The error for user code importing ``name`` from ``frame``, or None if it may."""
    banned = catalog.banned_module(name)
    if banned is None or is_privileged() or _user is None:
        return None
    importer = _user.importer(frame)
    if importer is None or _noqa(importer):
        return None
    message = catalog.import_message(name, banned, " at run time")
    filename = _shown(importer.f_code.co_filename)
    return GodelStrictError([StrictViolation(filename, importer.f_lineno, 0, message, "import")])


def _requested(name: str, fromlist: Sequence[str] | None) -> str:
    """The banned module an import statement asks for, if any (else ``name``)."""
    if catalog.banned_module(name) is None and fromlist:
        for item in fromlist:  # ``from urllib import request`` imports urllib.request
            full = f"{name}.{item}"
            if isinstance(item, str) and catalog.banned_module(full) == full:
                return full
    return name


_builtin_import = builtins.__import__
_import_module = importlib.import_module


def _guarded_import(
    name: str,
    globals: Any = None,
    locals: Any = None,
    fromlist: Sequence[str] | None = (),
    level: int = 0,
) -> ModuleType:
    if level == 0 and name.partition(".")[0] in _TOPS:
        frame = sys._getframe(1)
        if not _from_c(fromlist, frame):
            error = refusal(_requested(name, fromlist), frame)
            if error is not None:
                raise error
    return _builtin_import(name, globals, locals, fromlist, level)


def _from_c(fromlist: Any, frame: FrameType) -> bool:
    """Whether C code made this import, with no frame of its own (``datetime.strftime``
    imports ``time``): then ``frame`` is user code that only called it.

    The C API (``PyImport_Import``) passes a list ``fromlist``; import statements pass None or
    a tuple. Code that names ``__import__`` itself does not count, so that calling it the C
    API's way is still refused."""
    return fromlist.__class__ is list and "__import__" not in frame.f_code.co_names


def _guarded_import_module(name: str, package: str | None = None) -> ModuleType:
    if name.partition(".")[0] in _TOPS:
        error = refusal(name, sys._getframe(1))
        if error is not None:
            raise error
    return _import_module(name, package)


class _Refuse:
    """A loader whose only job is to fail the import with a strict violation.

    Not an ``importlib.abc.Loader`` subclass: the import system only calls its methods, and
    ``importlib.abc`` pulls in ``importlib.resources``, ``tempfile`` and the compression
    modules, a tenth of ``godel run``'s start."""

    def __init__(self, error: GodelStrictError) -> None:
        self.error = error

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        raise self.error


class ImportGuard:
    """Refuses user code's imports of banned modules that are not loaded yet (a meta path
    finder: the import system only calls ``find_spec``)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] not in _TOPS:  # most imports end here
            return None
        error = refusal(fullname, sys._getframe(1))
        if error is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Refuse(error))


_user: UserCode | None = None
_guard: ImportGuard | None = None


def install_import_guard(roots: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Install the guard (once per process); ``roots``: where user code lives (default: any
    file that is not a library or godel)."""
    global _user, _guard
    _user = UserCode(roots)
    if _guard is None:
        _guard = ImportGuard()
        builtins.__import__ = _guarded_import
        importlib.__import__ = _guarded_import  # type: ignore[assignment]
        importlib.import_module = _guarded_import_module
    if _guard not in sys.meta_path:
        sys.meta_path.insert(0, _guard)


def install_runtime_guards(roots: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Install the import guard and the audit hook (idempotent; permanent for the process).

    ``roots``: the directories of the workflow's own code (``godel run`` passes the workflow's
    directory); imports made by files elsewhere are not judged.
    """
    from godel.strict.audit import install_audit_hook

    # The guard first: the hook is permanent, and nothing it needs is imported after it.
    install_import_guard(roots)
    install_audit_hook()
