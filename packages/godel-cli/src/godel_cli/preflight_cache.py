"""A pass of the pre-flight, remembered until anything it depends on changes.

The strict scan and the linter cost about 90M instructions of a ``godel run`` that does nothing
(667M in all, 14%; callgrind), most of it importing the linter's rules and parser, for a file
that has not changed since the last run. A passing pre-flight is therefore recorded under
``~/.cache/godel/preflight/`` (``$XDG_CACHE_HOME/godel``, or ``$GODEL_CACHE_DIR``), with what
it read: the content hash of every file the strict scan covered and of every file the lint
configuration may come from (or that it was absent), and, for each folder those files live in
and each folder the scan looked in for a module, its modification time and its Python entries
(so that a new sibling module or package that the workflow imports is seen). A folder whose
time moved but whose Python entries did not (the run made ``runs/`` there, or the workflow
wrote a report beside itself) still holds: the record is brought up to date and used. The
record's name is a hash of everything else the verdict depends on: godel's version, the Python
version, the working directory (paths in messages are relative to it), the workflow's path, the
strict and lint switches, and every registered lint rule with its distribution and version. A
record is used only if all of it still holds; the warnings it stored are printed again, so a
hit and a miss look the same.

Only passes are recorded, and only when no file changed while they were checked: a refusal is
always checked afresh. ``GODEL_PREFLIGHT_CACHE=0`` turns the cache off (as a plugin developer
editing a rule in place would). A cache that cannot be read or written is ignored: it only ever
saves time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from godel_cli.caches import cache_root, store_record, switched_on

VERSION = 2
KEEP = 256  # records kept; the oldest go when a new one is written


def enabled() -> bool:
    """False when ``GODEL_PREFLIGHT_CACHE`` is ``0``/``false``/``no``/``off``, or when there
    is nowhere to keep it."""
    return switched_on("GODEL_PREFLIGHT_CACHE") and cache_root() is not None


def cache_dir() -> Path:
    """``preflight`` in the cache root (``godel_cli.caches``)."""
    return Path(cache_root() or ".") / "preflight"


def record_path(path: Path, *, strict: bool, lint: bool) -> Path:
    """Where the record of a pre-flight of ``path`` with these switches lives."""
    import godel

    key: dict[str, Any] = {
        "v": VERSION,
        "godel": godel.__version__,
        "python": sys.version,
        "cwd": os.getcwd(),
        "path": str(path.absolute()),
        "strict": strict,
        "lint": lint,
        "rules": _rules() if lint else [],
    }
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    return cache_dir() / f"{digest[:40]}.json"


def _rules() -> list[list[str]]:
    from godel import get_plugin_manager

    out = []
    for entry in get_plugin_manager().lint_rules.entries():
        target = entry.target
        if not isinstance(target, str):
            target = f"{type(target).__module__}.{type(target).__qualname__}"
        out.append([entry.name, entry.provider.dist, entry.provider.version, target])
    return out


def load(record: Path) -> list[list[str | None]] | None:
    """The warnings of a recorded pass that still holds, else None."""
    try:
        data = json.loads(record.read_bytes())
        for name, digest in data["files"].items():
            if _digest(Path(name)) != digest:
                return None
        folders = data["folders"]
        moved = False
        for name, (mtime, entries) in folders.items():
            now = _mtime(Path(name))
            if now != mtime:
                if _python_entries(Path(name)) != entries:
                    return None
                folders[name] = [now, entries]
                moved = True
        if moved:  # the next run checks the times alone again
            _store(record, data)
        return data["warnings"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def started() -> int:
    """The time to pass to ``save`` as ``since``: take it before the checks read anything."""
    return time.time_ns()


def save(
    record: Path, files: list[Path], warnings: list[list[str | None]], *, since: int | None = None
) -> None:
    """Record a pass that read ``files`` (missing ones included) and printed ``warnings``.

    A folder among ``files`` is one the strict scan looked in for a module: it is watched
    itself, so that a module written there later is scanned (``from lib import util`` before
    ``lib/util.py`` exists). Nothing is recorded when a file changed after ``since``: the
    checks may have read the old text, and the record would vouch for the new one."""
    if since is not None and any(_changed_since(f, since) for f in files):
        return
    folders = {str(files[0].parent)}
    for f in files:
        if f.is_dir():
            folders.add(str(f))
        elif f.exists():
            folders.add(str(f.parent))
    data = {
        "files": {str(f): _digest(f) for f in files},
        # The time first (a stat), the entries when it moved (a listing).
        "folders": {
            name: [_mtime(Path(name)), _python_entries(Path(name))] for name in sorted(folders)
        },
        "warnings": warnings,
    }
    _store(record, data)


def _store(record: Path, data: dict[str, Any]) -> None:
    store_record(str(record), json.dumps(data).encode(), suffix=".json", keep=KEEP)


# File times come from the kernel's coarse clock, which lags time.time_ns() by up to a tick.
_TICK_NS = 20_000_000


def _changed_since(path: Path, since: int) -> bool:
    try:
        return path.is_file() and path.stat().st_mtime_ns >= since - _TICK_NS
    except OSError:
        return False


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "dir"


def _mtime(folder: Path) -> int | None:
    try:
        return folder.stat().st_mtime_ns
    except OSError:
        return None


def _python_entries(folder: Path) -> list[str] | None:
    """What in ``folder`` an import can find: its ``.py`` files, and its folders that hold a
    ``.py`` file, directly or below (packages and namespace packages, ``name/``). A run's
    ``runs/`` or a report the workflow writes is neither, so it cannot change the verdict."""
    try:
        names = []
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name.endswith(".py"):
                    names.append(name)
                elif name.isidentifier() and entry.is_dir() and _holds_python(entry.path):
                    names.append(f"{name}/")
    except OSError:
        return None
    return sorted(names)


def _holds_python(path: str, budget: list[int] | None = None) -> bool:
    """Whether an import can find a module under ``path``: a ``.py`` in it, or in a package
    folder below it (a namespace package holds only its subpackages). The walk visits at most
    ``_WALK`` folders; a tree larger than that counts as Python, which costs one more lint."""
    budget = [_WALK] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        return True
    try:
        with os.scandir(path) as entries:
            folders = []
            for entry in entries:
                name = entry.name
                if name.endswith(".py"):
                    return True
                if name.isidentifier() and entry.is_dir():
                    folders.append(entry.path)
    except OSError:
        return False
    return any(_holds_python(folder, budget) for folder in folders)


_WALK = 64
