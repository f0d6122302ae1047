"""The ``@workflow`` of a file, imported for a dry run (``resume --plan``, ``godel test``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

__all__ = ["load_spec"]

MODULE_NAME = "__godel_workflow__"


def load_spec(path: str | Path) -> Any:
    """The ``WorkflowSpec`` of the one ``@workflow`` defined in ``path`` (``ValueError`` if it
    defines none or several)."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"workflow file not found: {path}")
    directory = str(path.parent)
    if directory not in sys.path:  # last, as `godel run` does: a queue.py there hides nothing
        sys.path.append(directory)
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    found = [
        obj.__godel_workflow__
        for obj in vars(module).values()
        if getattr(obj, "__godel_workflow__", None) is not None
        and getattr(obj.__godel_workflow__.fn, "__module__", None) == MODULE_NAME
    ]
    if len(found) != 1:
        raise ValueError(f"{path} must define exactly one @workflow, found {len(found)}")
    spec_ = found[0]
    if not spec_.source_file:
        spec_.source_file = str(path)
    return spec_
