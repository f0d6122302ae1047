"""Fast discovery of ``godel`` entry points.

``importlib.metadata`` costs ~30 ms to import (it pulls in the email parser), which is half
of the start-up budget of ``godel --help``; agents call the CLI constantly. Entry points are
plain files (``<dist>.dist-info/entry_points.txt``), so this module reads them directly, in
``sys.path`` order like ``importlib.metadata``, and reports each distribution by the name and
version in its ``dist-info`` directory name.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any


class FoundEntryPoint:
    """One entry point and the distribution that declares it."""

    __slots__ = ("dist_name", "dist_version", "group", "name", "value")

    def __init__(
        self, name: str, value: str, group: str, dist_name: str, dist_version: str
    ) -> None:
        self.name, self.value, self.group = name, value, group
        self.dist_name, self.dist_version = dist_name, dist_version

    def load(self) -> Any:
        module, _, attr = self.value.partition(":")
        obj: Any = importlib.import_module(module.strip())
        for part in attr.strip().split(".") if attr.strip() else ():
            obj = getattr(obj, part)
        return obj


def _dist_dirs() -> list[tuple[str, str, str]]:
    """(path of *.dist-info / *.egg-info, distribution name, version) for every sys.path entry."""
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                stem = name[: -len(".dist-info")]
                dist, _, version = stem.partition("-")
            elif name.endswith(".egg-info"):
                dist, _, version = name[: -len(".egg-info")].partition("-")
            else:
                continue
            found.append((os.path.join(entry or ".", name), dist.replace("_", "-"), version))
    return found


def _parse(text: str, group: str) -> list[tuple[str, str]]:
    out = []
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            continue
        if current == group and "=" in line:
            name, _, value = line.partition("=")
            out.append((name.strip(), value.strip()))
    return out


def entry_points(group: str) -> list[FoundEntryPoint]:
    """Every entry point in ``group``, in ``sys.path`` order."""
    eps = []
    for path, dist, version in _dist_dirs():
        try:
            with open(os.path.join(path, "entry_points.txt"), encoding="utf-8") as fh:
                text = fh.read()
        except OSError:
            continue
        if f"[{group}]" not in text:
            continue
        eps.extend(
            FoundEntryPoint(name, value, group, dist, version)
            for name, value in _parse(text, group)
        )
    return eps


def dist_version(name: str) -> str:
    """Installed version of distribution ``name`` ('' if not found)."""
    wanted = name.replace("_", "-").lower()
    for _path, dist, version in _dist_dirs():
        if dist.lower() == wanted:
            return version
    return ""
