"""Loading a workflow file: import it (its directory on sys.path) and find its one ``@workflow``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from godel_cli.errors import EXIT_FAIL, EXIT_USAGE, CliError, is_strict_violation
from godel_cli.messages import say

MODULE_NAME = "_godel_workflow"


class LoadError(Exception):
    """The workflow file cannot be imported or does not define exactly one workflow."""


def workflow_path(given: str) -> Path:
    """FILE as typed: an existing file, else a named workflow (``.godel/workflows/<name>.py``,
    then ``<godel home>/workflows/<name>.py``), reported on stderr as godel-py 3.x does.

    Neither: a ``CliError`` (exit 2) listing the named workflows there are.
    """
    path = Path(given).expanduser()
    try:
        if path.is_file():
            return path.resolve()
    except OSError:  # a name the system refuses (too long): not a file, maybe a workflow name
        pass
    from godel import ConfigError
    from godel.config import load_config, resolve_workflow

    try:
        loaded = load_config()
    except ConfigError as exc:
        raise CliError(f"configuration error: {exc}") from None
    try:
        found = resolve_workflow(given, loaded)
    except ConfigError as exc:  # not found: the message lists the names there are
        raise CliError(str(exc)) from None
    say(f"resolved workflow '{given}' -> {found}")
    return found


def import_workflow_file(path: Path) -> ModuleType:
    """Import ``path`` as a module; modules beside it are importable from it."""
    directory = str(path.parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    if spec is None or spec.loader is None:
        raise LoadError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        where = f"{exc.filename or path}:{exc.lineno}" if exc.lineno else str(path)
        raise LoadError(f"{where}: syntax error: {exc.msg}") from exc
    return module


def find_workflow(module: ModuleType, path: Path) -> Any:
    """The single ``@workflow`` defined in ``module`` (imported ones don't count)."""
    local: list[Any] = []
    imported: list[str] = []
    for name, obj in vars(module).items():
        spec = getattr(obj, "__godel_workflow__", None)
        if spec is None:
            continue
        if getattr(spec.fn, "__module__", None) == module.__name__:
            local.append(obj)
        else:
            imported.append(name)
    if not local:
        extra = f" (it only imports: {', '.join(sorted(imported))})" if imported else ""
        raise LoadError(
            f"no @workflow function found in {path}{extra}; decorate one async function with @workflow"
        )
    if len(local) > 1:
        names = ", ".join(sorted(w.__godel_workflow__.name for w in local))
        raise LoadError(
            f"{path} defines {len(local)} workflows ({names}); keep one @workflow per file"
        )
    return local[0]


def load_workflow(path: Path, *, debug: bool = False) -> Any:
    """The one ``@workflow`` in ``path``, recorded as its source file, for ``run`` and ``resume``.

    A file that cannot be loaded is a ``CliError``; with ``debug``, the import's traceback too.
    An import refused by strict mode's guard exits 1, one line per violation, like the scan.
    """
    from godel import GodelStrictError

    try:
        fn = find_workflow(import_workflow_file(path), path)
    except LoadError as exc:
        raise CliError(str(exc)) from None
    except GodelStrictError as exc:
        # An import strict mode refuses while the module loads (one the scan could not see).
        raise CliError(
            f"strict mode stopped loading {path}; nothing was run:",
            *(str(v) for v in exc.violations),
            "fix it, mark a reviewed line with '# godel: noqa', or run with --no-strict",
            exit_code=EXIT_FAIL,
        ) from None
    except Exception as exc:
        # A strict-mode guard refusing module-level code is a refusal (1), not a broken file (2).
        code = EXIT_FAIL if is_strict_violation(exc) else EXIT_USAGE
        raise CliError(
            f"cannot import {path}: {type(exc).__name__}: {exc}", show_cause=debug, exit_code=code
        ) from exc
    fn.__godel_workflow__.source_file = str(path)
    return fn
