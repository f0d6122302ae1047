"""Plugin discovery and loading: entry points in the ``godel`` group, one at a time, with pluggy.

Loading is lazy: nothing happens until a registry is first used (``import godel`` loads no
plugin). Each plugin module is imported on its own; one that fails is reported with its
distribution and skipped, or raises under strict plugin loading.

Environment switches:

``GODEL_DISABLE_PLUGIN_AUTOLOAD=1``  load no entry-point plugins (built-ins still load)
``GODEL_PLUGINS=a,b``                load only these entry-point plugins
``GODEL_DISABLE_PLUGINS=a,b``        never load these
``GODEL_STRICT_PLUGINS=1``           a plugin that fails to import is an error
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy

from godel import hookspecs
from godel.errors import PluginError
from godel.registry import KINDS, Provider, Registry, RegistryKind

ENTRY_POINT_GROUP = "godel"
CORE_DIST = "godel-core"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _names(name: str) -> set[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


@dataclass
class PluginInfo:
    """One plugin as `godel plugins` shows it."""

    name: str
    dist: str
    version: str
    entry_point: str  # "group:name = value", or "(built-in)"
    builtin: bool = False
    error: str | None = None
    hooks: list[str] = field(default_factory=list)
    registered: dict[str, list[str]] = field(default_factory=dict)

    @property
    def provider(self) -> Provider:
        return Provider(self.name, self.dist, self.version)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.dist,
            "version": self.version,
            "entry_point": self.entry_point,
            "builtin": self.builtin,
            "loaded": self.error is None,
            "error": self.error,
            "hooks": list(self.hooks),
            "registered": {k: list(v) for k, v in self.registered.items()},
        }


def _dist_of(ep: EntryPoint) -> tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return ("(unknown distribution)", "")
    return (dist.metadata["Name"] or dist.name, dist.version or "")


class PluginManager:
    """Owns the pluggy manager, the plugin list and the four registries."""

    def __init__(self, *, autoload: bool | None = None, strict: bool | None = None) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.autoload = (not _flag("GODEL_DISABLE_PLUGIN_AUTOLOAD")) if autoload is None else autoload
        self.strict = _flag("GODEL_STRICT_PLUGINS") if strict is None else strict
        self.plugins: list[PluginInfo] = []
        self._loaded = False
        self._registries: dict[str, Registry] = {}
        self._lock = threading.RLock()
        self.problems: list[str] = []
        self.add_builtin("godel._builtin", name="core", dist=CORE_DIST)

    # building ------------------------------------------------------------------------------
    def add_builtin(self, module: str | ModuleType, *, name: str, dist: str) -> None:
        """Register a host's own hookimpl module (godel-core, godel-cli) like any plugin."""
        with self._lock:
            if any(p.name == name for p in self.plugins):
                return
            mod = importlib.import_module(module) if isinstance(module, str) else module
            version = _version_of(dist)
            info = PluginInfo(name, dist, version, "(built-in)", builtin=True)
            self._register_module(mod, info)
            self._registries.clear()

    def register(self, plugin: object, *, name: str, dist: str = "(inline)", version: str = "") -> None:
        """Register an in-process plugin object (used by tests and embedding hosts)."""
        with self._lock:
            info = PluginInfo(name, dist, version, "(inline)")
            self._register_module(plugin, info)
            self._registries.clear()

    def _register_module(self, plugin: object, info: PluginInfo) -> None:
        if self.pm.is_registered(plugin):
            return
        self.pm.register(plugin, name=info.name)
        info.hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
        self.plugins.append(info)

    def load_entry_points(self) -> None:
        """Import every entry-point plugin once (idempotent)."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            if not self.autoload:
                return
            only = _names("GODEL_PLUGINS")
            blocked = _names("GODEL_DISABLE_PLUGINS") or set()
            seen: dict[str, PluginInfo] = {}
            for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
                if (only is not None and ep.name not in only) or ep.name in blocked:
                    continue
                dist, version = _dist_of(ep)
                info = PluginInfo(ep.name, dist, version, f"{ep.group}:{ep.name} = {ep.value}")
                if ep.name in seen:
                    other = seen[ep.name]
                    if other.dist == dist:
                        continue  # the same distribution visible twice on sys.path
                    raise PluginError(
                        f"plugin name {ep.name!r} is provided twice: by {other.dist} {other.version} "
                        f"and by {dist} {version}; uninstall one or block it with GODEL_DISABLE_PLUGINS"
                    )
                seen[ep.name] = info
                try:
                    module = ep.load()
                except Exception as exc:
                    info.error = f"{type(exc).__name__}: {exc}"
                    self.plugins.append(info)
                    message = (
                        f"plugin {ep.name!r} from {dist} {version} failed to import: {info.error}"
                    ).replace("  ", " ")
                    if self.strict:
                        raise PluginError(message) from exc
                    print(f"godel: warning: {message} (skipped)", file=sys.stderr)
                    continue
                self._register_module(module, info)
            self.pm.check_pending()
            self._registries.clear()

    # registries ------------------------------------------------------------------------------
    def registry(self, key: str) -> Registry:
        """The registry named ``agents``, ``parsers``, ``lint_rules`` or ``commands``."""
        with self._lock:
            reg = self._registries.get(key)
            if reg is None:
                self.load_entry_points()
                reg = self._build(KINDS[key])
                self._registries[key] = reg
            return reg

    def _build(self, spec: RegistryKind) -> Registry:
        reg = Registry(spec)
        hook = getattr(self.pm.hook, spec.hook)
        by_name = {p.name: p for p in self.plugins}
        # Call each implementation on its own so every name is attributed to its distribution.
        for impl in reversed(hook.get_hookimpls()):
            info = by_name[impl.plugin_name]
            names = info.registered.setdefault(_PUBLIC[spec.hook], [])
            names.clear()

            def register(name: str, target: object, *, summary: str = "", _info: PluginInfo = info,
                         _names: list[str] = names) -> None:
                reg.add(name, target, _info.provider, summary)
                _names.append(name)

            impl.function(register=register)
        return reg

    @property
    def agents(self) -> Registry:
        return self.registry("agents")

    @property
    def parsers(self) -> Registry:
        return self.registry("parsers")

    @property
    def lint_rules(self) -> Registry:
        return self.registry("lint_rules")

    @property
    def commands(self) -> Registry:
        return self.registry("commands")

    def describe(self) -> list[PluginInfo]:
        """Every plugin with what it registered (loads all registries; errors are recorded)."""
        self.load_entry_points()
        problems: list[str] = []
        for key in KINDS:
            try:
                self.registry(key)
            except PluginError as exc:
                problems.append(str(exc))
        self.problems = problems
        return list(self.plugins)


_PUBLIC = {spec.hook: key for key, spec in KINDS.items()}


def _version_of(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return ""


_manager: PluginManager | None = None
_manager_lock = threading.Lock()


def get_plugin_manager() -> PluginManager:
    """The process-wide plugin manager, created on first use."""
    global _manager
    if _manager is None:
        with _manager_lock:
            if _manager is None:
                _manager = PluginManager()
    return _manager


def set_plugin_manager(manager: PluginManager | None) -> PluginManager | None:
    """Replace the process-wide manager (for hosts and tests); returns the previous one."""
    global _manager
    previous, _manager = _manager, manager
    return previous
