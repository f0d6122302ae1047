"""Which codes run: rule defaults, project configuration, then the command line.

Project configuration, nearest to the linted file wins:

- ``[tool.godel.lint]`` in the nearest ``pyproject.toml`` that has that table:
  ``enable``/``select`` (codes or prefixes to turn on, off-by-default rules included) and
  ``disable``/``ignore`` (codes or prefixes to turn off);
- ``"lint": {"enable": [...], "disable": [...]}`` in the nearest ``.godel/settings.json``,
  applied after pyproject.toml.

The walk up stops after a directory that contains ``.git``. Problems in these files are
warnings, never errors: a broken config must not hide the diagnostics.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SELECTOR = re.compile(r"^[A-Z]{2,4}(?:[0-9]{3})?$")
_ENABLE_KEYS = ("enable", "select")
_DISABLE_KEYS = ("disable", "ignore")


def _toml() -> Any:
    """tomllib (tomli on Python 3.10, a dependency there): imported on first use, since it
    costs ~3 ms."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    import tomli

    return tomli


def config_sources(path: str | Path) -> list[Path]:
    """Every file the configuration of ``path`` may be read from, whether it exists or not:
    ``pyproject.toml`` and ``.godel/settings.json`` in its folder and each parent, up to the one
    that holds ``.git``. (The pre-flight cache watches them.)"""
    directory = Path(path).absolute().parent
    found: list[Path] = []
    for folder in (directory, *directory.parents):
        found += [folder / "pyproject.toml", folder / ".godel" / "settings.json"]
        if (folder / ".git").exists():
            break
    return found


def split_codes(values: Iterable[str] | str | None) -> list[str]:
    """``"PL001, pl002"`` or ``["PL001", "pl002,PL003"]`` → ``["PL001", "pl002", "PL003"]``."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in re.split(r"[,\s]+", value) if part.strip())
    return out


def parse_codes(values: Iterable[str] | str | None) -> list[str]:
    """The codes of :func:`split_codes`, upper-cased (codes are case-insensitive)."""
    return [code.upper() for code in split_codes(values)]


def matches(selector: str, code: str) -> bool:
    """A selector is a whole code (``PL004``) or a prefix (``PL``, ``ECH``)."""
    if selector == code:
        return True
    return selector.isalpha() and code.startswith(selector) and code[len(selector) :].isdigit()


def matches_any(selectors: Iterable[str], code: str) -> bool:
    return any(matches(s, code) for s in selectors)


@dataclass(frozen=True)
class Layer:
    """One source of enable/disable lists (applied in order; a later layer wins)."""

    source: str
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()


@dataclass
class ProjectConfig:
    """The layers that apply to one directory, and any problems met reading them."""

    layers: list[Layer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def enabled(self, code: str, default: bool) -> bool:
        state = default
        for layer in self.layers:
            if matches_any(layer.enable, code):
                state = True
            if matches_any(layer.disable, code):
                state = False
        return state


def _codes_from(table: dict[str, Any], where: str, problems: list[str]) -> Layer:
    enable: list[str] = []
    disable: list[str] = []
    for key, value in table.items():
        if key in _ENABLE_KEYS or key in _DISABLE_KEYS:
            if isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                codes = parse_codes(value)
                bad = [c for c in codes if not SELECTOR.match(c)]
                if bad:
                    problems.append(f"{where}: {key}: not a lint code: {', '.join(bad)}")
                codes = [c for c in codes if SELECTOR.match(c)]
                (enable if key in _ENABLE_KEYS else disable).extend(codes)
            else:
                problems.append(f"{where}: {key} must be a list of codes")
        else:
            problems.append(f"{where}: unknown key {key!r} (use enable or disable)")
    return Layer(where, tuple(enable), tuple(disable))


class ConfigLoader:
    """Finds and reads project configuration, caching per directory for one lint run."""

    def __init__(self) -> None:
        self._by_dir: dict[Path, ProjectConfig] = {}

    def for_file(self, path: str | Path) -> ProjectConfig:
        directory = Path(path).absolute().parent
        config = self._by_dir.get(directory)
        if config is None:
            config = self._by_dir[directory] = self._load(directory)
        return config

    def _load(self, directory: Path) -> ProjectConfig:
        config = ProjectConfig()
        pyproject = settings = None
        for folder in (directory, *directory.parents):
            if pyproject is None:
                candidate = folder / "pyproject.toml"
                if candidate.is_file():
                    pyproject = self._pyproject(candidate, config.problems)
            if settings is None:
                candidate = folder / ".godel" / "settings.json"
                if candidate.is_file():
                    settings = self._settings(candidate, config.problems)
            if (pyproject is not None and settings is not None) or (folder / ".git").exists():
                break
        config.layers = [
            layer for layer in (pyproject, settings) if layer is not None and layer.source
        ]
        return config

    @staticmethod
    def _pyproject(path: Path, problems: list[str]) -> Layer | None:
        try:
            data = _toml().loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            problems.append(f"{path}: cannot read: {exc}")
            return None
        table = data.get("tool", {}).get("godel", {}).get("lint")
        if table is None:
            return None  # keep looking further up for a pyproject.toml that configures godel
        if not isinstance(table, dict):
            problems.append(f"{path}: [tool.godel.lint] must be a table")
            return Layer("")
        return _codes_from(table, f"{path} [tool.godel.lint]", problems)

    @staticmethod
    def _settings(path: Path, problems: list[str]) -> Layer:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            problems.append(f"{path}: cannot read: {exc}")
            return Layer("")
        table = data.get("lint") if isinstance(data, dict) else None
        if not isinstance(table, dict):
            return Layer("")  # absent, or the boolean pre-flight switch: no rule selection here
        return _codes_from(table, f"{path} lint", problems)


@dataclass(frozen=True)
class Selection:
    """The command line's say: ``select`` (only these) and ``skip`` (never these)."""

    select: tuple[str, ...] | None = None
    skip: tuple[str, ...] = ()

    @classmethod
    def from_options(
        cls, select: Sequence[str] | str | None, skip: Sequence[str] | str | None
    ) -> Selection:
        chosen = parse_codes(select)  # an empty --select restricts nothing
        return cls(tuple(chosen) or None, tuple(parse_codes(skip)))

    def enabled(self, code: str, default: bool, project: ProjectConfig) -> bool:
        if matches_any(self.skip, code):
            return False
        if self.select is not None:
            return matches_any(self.select, code)
        return project.enabled(code, default)
