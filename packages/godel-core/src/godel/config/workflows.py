"""Named workflows: ``godel run hello`` runs ``.godel/workflows/hello.py`` (REFERENCE §15.4).

A name is looked for in the project's ``workflows_dir``, then in ``<godel home>/workflows``; a
project's workflow shadows a user's of the same name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from godel.config.load import LoadedConfig, load_config
from godel.exceptions import ConfigError

if TYPE_CHECKING:
    from godel.log.eventlog import EventLog

__all__ = ["list_workflows", "open_event_log", "resolve_workflow"]


def list_workflows(loaded: LoadedConfig | None = None) -> dict[str, Path]:
    """Every named workflow (``*.py`` not starting with ``_``), name -> file, sorted by name."""
    loaded = loaded or load_config()
    found: dict[str, Path] = {}
    for directory in loaded.workflow_dirs:
        try:
            entries = sorted(directory.glob("*.py"))
        except OSError:
            continue
        for path in entries:
            if not path.name.startswith("_") and path.is_file():
                found.setdefault(path.stem, path.resolve())
    return dict(sorted(found.items()))


def resolve_workflow(
    name_or_path: str | os.PathLike[str], loaded: LoadedConfig | None = None
) -> Path:
    """An existing file as given, else the named workflow; ``ConfigError`` listing what exists."""
    candidate = Path(name_or_path).expanduser()
    if _is_file(candidate):
        return candidate.resolve()
    loaded = loaded or load_config()
    name = str(name_or_path)
    stem = name[:-3] if name.endswith(".py") else name
    if "/" not in stem and os.sep not in stem:
        for directory in loaded.workflow_dirs:
            path = directory / f"{stem}.py"
            if _is_file(path):
                return path.resolve()
    from godel.runs.render.format import shown  # names are anyone's file names: not obeyed

    available = ", ".join(map(shown, list_workflows(loaded))) or "(no workflows registered)"
    raise ConfigError(f"workflow not found: {name!r}\n  available: {available}")


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for a name the system refuses (too long) rather than raising."""
    try:
        return path.is_file()
    except OSError:
        return False


def open_event_log(run_id: str, *, cwd: str | os.PathLike[str] | None = None) -> EventLog:
    """The audit log of ``run_id`` (full id, unique prefix or suffix) in the configured runs dir."""
    from godel.log.eventlog import EventLog
    from godel.log.files import list_run_ids
    from godel.log.ids import resolve_id

    runs_dir = load_config(cwd).runs_dir
    return EventLog.load(resolve_id(run_id, list_run_ids(runs_dir), what="run id"), runs_dir)
