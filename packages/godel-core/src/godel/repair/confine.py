"""Which files a repair may read and edit: those of the workflow's project, nothing else.

A path is resolved (symlinks followed) before it is judged, so a link that points out of the
project is refused like the path it points to. The runs directory is refused even when it lies
inside the project: the audit logs, blobs and the repair's own backups are the record of what
happened, and an agent must not be able to rewrite them. So is ``.git``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["Confinement", "RefusedPath"]

_PRIVATE_DIRS = (".git",)


class RefusedPath(PermissionError):
    """A path outside what the repair may touch."""


class Confinement:
    """The project root a repair works in, and the runs directory it must leave alone."""

    def __init__(self, root: str | os.PathLike[str], runs_dir: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.runs_dir = Path(runs_dir).resolve()

    def check(self, path: str | os.PathLike[str], *, must_exist: bool = False) -> Path:
        """The resolved path, if the repair may touch it; else ``RefusedPath`` saying why.

        A relative path is taken relative to the project root.
        """
        if not str(path).strip():
            raise RefusedPath("an empty path")
        if "\0" in str(path):  # no file has one; the OS would raise ValueError, not refuse
            raise RefusedPath(f"{str(path)!r} is not a valid path")
        raw = Path(path).expanduser()
        candidate = raw if raw.is_absolute() else self.root / raw
        try:
            resolved = candidate.resolve(strict=False)
        except (OSError, RuntimeError) as exc:  # a symlink loop
            raise RefusedPath(f"{path}: cannot be resolved ({exc})") from None
        if not resolved.is_relative_to(self.root):
            via = (
                " (through a symlink)"
                if candidate.absolute() != resolved and _inside(candidate, self.root)
                else ""
            )
            raise RefusedPath(f"{path} is outside the project {self.root}{via}")
        if resolved == self.runs_dir or resolved.is_relative_to(self.runs_dir):
            raise RefusedPath(
                f"{path} is under the runs directory {self.runs_dir}: audit logs are not edited"
            )
        parts = resolved.relative_to(self.root).parts
        if any(part in _PRIVATE_DIRS for part in parts):
            raise RefusedPath(f"{path} is under .git")
        try:
            missing = must_exist and not resolved.is_file()
        except OSError as exc:  # a name too long for the file system, say
            raise RefusedPath(f"{path}: {exc.strerror or exc}") from None
        if missing:
            raise RefusedPath(f"{path} is not a file")
        return resolved

    def shown(self, path: Path) -> str:
        """How a checked path is named to the agent: relative to the project root."""
        return path.relative_to(self.root).as_posix()


def _inside(path: Path, root: Path) -> bool:
    try:
        return Path(os.path.normpath(path.absolute())).is_relative_to(root)
    except ValueError:
        return False
