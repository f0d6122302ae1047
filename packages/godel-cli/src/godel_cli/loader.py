"""Loading a workflow file: import it (its directory on sys.path) and find its one ``@workflow``."""

from __future__ import annotations

import importlib.util
import stat
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
        kind = _special(path)
        if kind:
            raise CliError(f"{given!r} is {kind}, not a workflow file") from None
        raise CliError(str(exc)) from None
    say(f"resolved workflow '{given}' -> {found}")
    return found


def _special(path: Path) -> str:
    """What ``path`` is when it exists and is no regular file (a directory, a named pipe), else
    ``""``. Never opened: a named pipe would wait for a writer."""
    try:
        mode = path.stat().st_mode
    except OSError:  # missing, or a name the system refuses
        return ""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a named pipe" if stat.S_ISFIFO(mode) else "a special file"


_WORKFLOW_DIRS: set[str] = set()  # the folders put on sys.path for workflow files


def import_workflow_file(path: Path) -> ModuleType:
    """Import ``path`` as a module; modules beside it are importable from it.

    Its folder goes at the end of ``sys.path`` (as pytest's ``--import-mode=append`` does): a
    ``queue.py`` or ``random.py`` beside a workflow must not become what godel, asyncio and the
    libraries get when they import Python's own module, which broke the run far from the cause.
    So a module beside the workflow named like a module of the standard library or an installed
    package is not the one imported; ``shadowing_notes`` says so when something failed.
    """
    directory = str(path.parent)
    if directory not in sys.path:
        sys.path.append(directory)
    _WORKFLOW_DIRS.add(directory)
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


def shadowing_notes() -> list[str]:
    """One line per module beside a workflow that an import did not get because a module of
    that name comes first on ``sys.path`` (Python's ``queue``, an installed package): asked
    only once something failed, when the workflow may have meant its own."""
    found = []
    for directory in sorted(_WORKFLOW_DIRS):
        for name, module in sorted(sys.modules.items()):
            if "." in name or module is None:
                continue
            for mine in (Path(directory, f"{name}.py"), Path(directory, name, "__init__.py")):
                if mine.is_file() and getattr(module, "__file__", None) != str(mine):
                    found.append(
                        f"note: `import {name}` gives {getattr(module, '__file__', None) or name},"
                        f" not {mine}: rename that file to import it"
                    )
    return found


def missing_plugin_notes(exc: BaseException) -> list[str]:
    """``from godel.agents import claude_code`` without godel-claude is Python's generic
    ImportError, which drops the registry's message: the line naming the package to install."""
    import re

    from godel import UnknownPluginError

    found = re.match(r"cannot import name '(\w+)' from '(godel\.(?:agents|parsers))'", str(exc))
    if not isinstance(exc, ImportError) or found is None:
        return []
    try:
        importlib.import_module(found[2]).get(found[1])
    except UnknownPluginError as missing:
        return [f"note: {missing}"]
    except Exception:  # it is installed but broken: the import error says enough
        pass
    return []


def located(text: str, exc: BaseException) -> str:
    """``text`` with `` (at file:line)`` of the user's code that raised ``exc`` after its first
    line: the traceback is not printed, and a bug is fixed at that line."""
    from godel.engine import user_location

    where = user_location(exc)
    if not where:
        return text
    first, newline, rest = text.partition("\n")
    return f"{first} (at {where}){newline}{rest}"


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
    except SystemExit as exc:
        # Module-level code that exits would end godel silently with its own status.
        raise CliError(
            located(f"cannot import {path}: it called sys.exit({exc.code!r}) while loading", exc),
            *shadowing_notes(),
            show_cause=debug,
        ) from exc
    except Exception as exc:
        # A strict-mode guard refusing module-level code is a refusal (1), not a broken file (2).
        code = EXIT_FAIL if is_strict_violation(exc) else EXIT_USAGE
        raise CliError(
            located(f"cannot import {path}: {type(exc).__name__}: {exc}", exc),
            *missing_plugin_notes(exc),
            *shadowing_notes(),
            show_cause=debug,
            exit_code=code,
        ) from exc
    fn.__godel_workflow__.source_file = str(path)
    return fn
