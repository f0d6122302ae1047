"""Plugin discovery and loading: entry points in the ``godel`` group, one at a time, with pluggy.

Loading is lazy: nothing happens until a registry is first used (``import godel`` loads no
plugin). Each plugin module is imported on its own; one that fails is reported with its
distribution and skipped, or raises under strict plugin loading.

Environment switches:

``GODEL_DISABLE_PLUGIN_AUTOLOAD=1``  load no entry-point plugins (built-ins still load)
``GODEL_PLUGINS=a,b``                load only these entry-point plugins
``GODEL_DISABLE_PLUGINS=a,b``        never load these
``GODEL_STRICT_PLUGINS=1``           a plugin that fails to import (or whose hook fails) is an
                                     error instead of a warning
``GODEL_TRACE_PLUGINS=1``            print pluggy's trace of every hook call to stderr
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from types import ModuleType
from typing import Any

import pluggy

from godel import hookspecs
from godel.exceptions import PluginError
from godel.plugins.entrypoints import dist_version, entry_points
from godel.plugins.hookcalls import call_each, is_wrapper
from godel.plugins.registry import KINDS, Provider, Registry

ENTRY_POINT_GROUP = "godel"
CORE_DIST = "godel-core"
# The built-in plugins' names and distributions. An entry point may not take one: godel-cli's
# is added only when the command line runs, so the Python API would accept a third party's
# "cli" and a later command line would silently lose every built-in command.
BUILTIN_NAMES = {"core": CORE_DIST, "cli": "godel-cli"}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _to_stderr(text: str) -> None:
    sys.stderr.write(text)  # looked up on each call: tests and hosts may swap sys.stderr


def _names(name: str) -> set[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


class PluginInfo:
    """One plugin as `godel plugins` shows it (``entry_point`` is "group:name = value" or "(built-in)")."""

    __slots__ = (
        "builtin",
        "dist",
        "entry_point",
        "error",
        "hooks",
        "name",
        "registered",
        "version",
    )

    def __init__(
        self,
        name: str,
        dist: str,
        version: str,
        entry_point: str,
        builtin: bool = False,
        error: str | None = None,
    ) -> None:
        self.name, self.dist, self.version, self.entry_point = name, dist, version, entry_point
        self.builtin, self.error = builtin, error
        self.hooks: list[str] = []
        self.registered: dict[str, list[str]] = {}

    def __repr__(self) -> str:
        return f"PluginInfo(name={self.name!r}, dist={self.dist!r}, version={self.version!r})"

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


class PluginManager:
    """Owns the pluggy manager, the plugin list and the four registries."""

    def __init__(self, *, autoload: bool | None = None, strict: bool | None = None) -> None:
        self.pluggy = pluggy.PluginManager(hookspecs.PROJECT)
        self.pluggy.add_hookspecs(hookspecs)
        if _flag("GODEL_TRACE_PLUGINS"):
            self.pluggy.trace.root.setwriter(_to_stderr)
            self.pluggy.enable_tracing()
        self._autoload_from_env = autoload is None
        self.autoload = (
            (not _flag("GODEL_DISABLE_PLUGIN_AUTOLOAD")) if autoload is None else autoload
        )
        self.strict = _flag("GODEL_STRICT_PLUGINS") if strict is None else strict
        self.plugins: list[PluginInfo] = []
        # distribution -> why its entry-point plugin was not loaded (env switches)
        self.disabled: dict[str, str] = {}
        self.problems: list[str] = []
        self._loaded = False
        # A strict failure while loading is re-raised on every later use instead of leaving
        # a half-loaded manager that looks healthy.
        self._load_error: PluginError | None = None
        self._registries: dict[str, Registry] = {}
        self._lock = threading.RLock()
        self.add_builtin("godel.plugins.builtin", name="core", dist=CORE_DIST)

    # building ------------------------------------------------------------------------------
    def add_builtin(self, module: str | ModuleType, *, name: str, dist: str) -> None:
        """Register a host's own hookimpl module (godel-core, godel-cli) like any plugin."""
        with self._lock:
            if any(p.name == name and p.builtin for p in self.plugins):
                return
            mod = importlib.import_module(module) if isinstance(module, str) else module
            info = PluginInfo(name, dist, dist_version(dist), "(built-in)", builtin=True)
            self._register_module(mod, info)
            self._registries.clear()

    def register(
        self, plugin: object, *, name: str, dist: str = "(inline)", version: str = ""
    ) -> None:
        """Register an in-process plugin object (used by tests and embedding hosts)."""
        with self._lock:
            info = PluginInfo(name, dist, version, "(inline)")
            self._register_module(plugin, info)
            self._registries.clear()

    def _register_module(
        self, plugin: object, info: PluginInfo, *, from_entry_point: bool = False
    ) -> None:
        """Register with pluggy and check every hookimpl against the contract (an entry point
        must implement at least one hook)."""
        if from_entry_point and not _has_hookimpl(plugin) and not _unmarked_problem(plugin):
            # An entry point at the package, a function or a constant instead of the module of
            # hookimpls would otherwise be listed as registering nothing, without a word. Such
            # an object never reaches pluggy (None would block the name there).
            raise PluginError(
                f"plugin {info.name!r} from {info.provider} defines no godel_register_* hooks: "
                f"its entry point {info.entry_point} {_pointee(plugin)}"
            )
        if self.pluggy.is_registered(plugin):
            if from_entry_point:  # else the second entry point would vanish from the list
                raise PluginError(
                    f"plugin {info.name!r} from {info.provider} loads the same object as plugin "
                    f"{self.pluggy.get_name(plugin)!r} (entry point {info.entry_point}); "
                    "remove one of the two entry points"
                )
            return
        # A plugin that failed to load holds no name (an entry point refused a built-in's).
        other = next((p for p in self.plugins if p.name == info.name and not p.error), None)
        if other is not None:
            raise PluginError(
                f"plugin name {info.name!r} is used twice: by {other.provider} and by {info.provider}"
            )
        try:
            self.pluggy.register(plugin, name=info.name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            detail = "; ".join(str(exc).splitlines())  # pluggy's message spans lines
            raise PluginError(
                f"plugin {info.name!r} from {info.provider} is invalid: {detail}"
            ) from exc
        callers = self.pluggy.get_hookcallers(plugin) or []
        problem = _contract_problem(self.pluggy, plugin, callers)
        if problem:
            self.pluggy.unregister(plugin)
            raise PluginError(f"plugin {info.name!r} from {info.provider} {problem}")
        info.hooks = sorted(hc.name for hc in callers)
        # Built-ins come first however late a host adds them, so they own their names.
        at = next((i for i, p in enumerate(self.plugins) if not p.builtin), len(self.plugins))
        self.plugins.insert(at if info.builtin else len(self.plugins), info)

    def _problem(self, info: PluginInfo, message: str, exc: BaseException) -> None:
        """A plugin failed: raise under strict loading, else warn once and carry on without it."""
        info.error = info.error or message
        if self.strict:
            raise PluginError(message) from exc
        print(f"godel: warning: {message} (skipped)", file=sys.stderr)

    def load_entry_points(self) -> None:
        """Import every entry-point plugin once (idempotent)."""
        with self._lock:
            if self._load_error is not None:
                raise self._load_error
            if self._loaded:
                return
            self._loaded = True
            if not self.autoload:
                if self._autoload_from_env:
                    self._disable_all()
                return
            try:
                self._load_entry_points()
            except PluginError as exc:
                self._load_error = exc
                raise
            finally:
                self._registries.clear()

    def _disable_all(self) -> None:
        # Only when a user switched autoloading off: then "not installed" errors should say why.
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            self.disabled.setdefault(
                ep.dist_name,
                f"GODEL_DISABLE_PLUGIN_AUTOLOAD keeps its plugin {ep.name!r} from loading",
            )

    def _load_entry_points(self) -> None:
        only = _names("GODEL_PLUGINS")
        blocked = _names("GODEL_DISABLE_PLUGINS") or set()
        seen: dict[str, PluginInfo] = {}
        found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
        self._check_switches(
            {"GODEL_PLUGINS": only or set(), "GODEL_DISABLE_PLUGINS": blocked},
            {ep.name for ep in found},
        )
        for ep in found:
            dist, version = ep.dist_name, ep.dist_version
            if ep.name in blocked:
                self.disabled[dist] = f"its plugin {ep.name!r} is blocked by GODEL_DISABLE_PLUGINS"
                continue
            if only is not None and ep.name not in only:
                self.disabled[dist] = f"its plugin {ep.name!r} is not listed in GODEL_PLUGINS"
                continue
            info = PluginInfo(ep.name, dist, version, f"{ep.group}:{ep.name} = {ep.value}")
            if ep.name in seen:
                other = seen[ep.name]
                if other.dist == dist:
                    continue  # the same distribution visible twice on sys.path
                raise PluginError(
                    f"plugin name {ep.name!r} is provided twice: by {other.provider} "
                    f"and by {info.provider}; uninstall one or block it with GODEL_DISABLE_PLUGINS"
                )
            seen[ep.name] = info
            if BUILTIN_NAMES.get(ep.name, dist) != dist:
                self.plugins.append(info)
                message = (
                    f"plugin name {ep.name!r} from {info.provider} is reserved for "
                    f"{BUILTIN_NAMES[ep.name]}'s built-in plugin; rename the entry point"
                )
                self._problem(info, message, PluginError(message))
                continue
            try:
                module = ep.load()
            except (Exception, SystemExit) as exc:  # sys.exit() at import is a failure too
                self.plugins.append(info)
                self._problem(
                    info,
                    f"plugin {ep.name!r} from {info.provider} failed to import: "
                    f"{type(exc).__name__}: {exc}",
                    exc,
                )
                continue
            try:
                self._register_module(module, info, from_entry_point=True)
            except PluginError as exc:
                self.plugins.append(info)
                self._problem(info, str(exc), exc)

    def _check_switches(self, switches: dict[str, set[str]], installed: set[str]) -> None:
        """A name in GODEL_PLUGINS / GODEL_DISABLE_PLUGINS that no plugin has is a typo: warn
        (an error under strict loading) rather than silently load everything or nothing."""
        for variable, names in switches.items():
            unknown = sorted(names - installed)
            if not unknown:
                continue
            message = (
                f"{variable} names no installed plugin: {', '.join(map(repr, unknown))} "
                f"(installed: {', '.join(sorted(installed)) or 'none'})"
            )
            if self.strict:
                raise PluginError(message)
            print(f"godel: warning: {message}", file=sys.stderr)

    # registries ------------------------------------------------------------------------------
    def registry(self, key: str) -> Registry:
        """The registry named ``agents``, ``parsers``, ``lint_rules``, ``commands``,
        ``config_sections`` or ``stores``."""
        with self._lock:
            reg = self._registries.get(key)
            if reg is None:
                self.load_entry_points()
                reg = self._build(key)
                self._registries[key] = reg
            return reg

    def _build(self, key: str) -> Registry:
        kind = KINDS[key]
        reg = Registry(kind)
        reg.disabled = dict(self.disabled)
        # The first plugin of a name is the one pluggy holds: a later one of the same name (an
        # entry point refused a built-in's name) failed, and must not take the built-in's names.
        by_name = {p.name: p for p in reversed(self.plugins)}
        problems: list[str] = []

        def failed(impl: pluggy.HookImpl, exc: BaseException) -> None:
            info = by_name[impl.plugin_name]
            message = f"plugin {info.name!r} from {info.provider} failed in {kind.hook}"
            self._problem(info, f"{message}: {type(exc).__name__}: {exc}", exc)

        order = self._call_order(kind.hook)
        for impl, calls in call_each(self.pluggy, kind.hook, order, failed, kind.target_problem):
            info = by_name[impl.plugin_name]
            # What the plugin asked for is recorded even if the registry rejects some of it, so
            # `godel plugins` shows both sides of a clash.
            info.registered[key] = [name for name, _, _ in calls]
            for name, target, summary in calls:
                try:
                    reg.add(name, target, info.provider, summary)
                except PluginError as exc:
                    problems.append(str(exc))
        if problems:
            raise PluginError("\n".join(problems))
        return reg

    def _call_order(self, hook: str) -> list[pluggy.HookImpl]:
        """The plain implementations of ``hook`` in the order godel calls them.

        Built-ins come first, so they own their names and lint prefixes; then the others in
        load order, except that ``tryfirst`` ones go before and ``trylast`` ones after the rest.
        (pluggy's own order is the reverse of registration, which would make the last plugin
        installed the owner of a lint prefix.)
        """
        rank = {p.name: (not p.builtin, i) for i, p in reversed(list(enumerate(self.plugins)))}

        def key(impl: pluggy.HookImpl) -> tuple[bool, int, int]:
            late, index = rank[impl.plugin_name]
            return (late, 0 if impl.tryfirst else 2 if impl.trylast else 1, index)

        impls = getattr(self.pluggy.hook, hook).get_hookimpls()
        return sorted((i for i in impls if not is_wrapper(i)), key=key)

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

    @property
    def config_sections(self) -> Registry:
        return self.registry("config_sections")

    @property
    def stores(self) -> Registry:
        return self.registry("stores")

    def describe(self) -> list[PluginInfo]:
        """Every plugin with what it registered; problems are collected in ``self.problems``."""
        problems: list[str] = []
        for key in KINDS:
            try:
                self.registry(key)
            except PluginError as exc:
                problems += [p for p in str(exc).splitlines() if p not in problems]
        self.problems = problems
        return list(self.plugins)


def _contract_problem(
    pm: pluggy.PluginManager, plugin: object, callers: list[pluggy.HookCaller]
) -> str | None:
    """What is wrong with a just-registered plugin's hookimpls (None: nothing)."""
    unknown = sorted(hc.name for hc in callers if not hc.has_spec() and _required_impl(hc, plugin))
    if unknown:
        known = ", ".join(sorted(_HOOK_NAMES))
        return f"implements unknown hook(s) {', '.join(unknown)} (known hooks: {known})"
    return _unmarked_problem(plugin)


_MARKER = f"{hookspecs.PROJECT}_impl"  # the attribute @hookimpl sets on a function


def _unmarked_problem(plugin: object) -> str | None:
    # pluggy skips a function without the marker, so a forgotten @hookimpl would register
    # nothing and say nothing.
    unmarked = sorted(
        name
        for name in dir(plugin)
        if name.startswith("godel_register_")
        and callable(func := getattr(plugin, name, None))
        and not hasattr(func, _MARKER)
    )
    if unmarked:
        return (
            f"defines {', '.join(unmarked)} without the @hookimpl marker, so godel would never "
            "call it (from godel import hookimpl)"
        )
    return None


def _has_hookimpl(plugin: object) -> bool:
    """Whether any attribute is marked with @hookimpl (under any name: ``specname=``)."""
    return any(hasattr(getattr(plugin, name, None), _MARKER) for name in dir(plugin))


def _pointee(obj: object) -> str:
    """What an entry point without hooks points at, for its warning."""
    if isinstance(obj, ModuleType):
        return f"is module {obj.__name__!r}, which has no @hookimpl functions"
    if isinstance(obj, type):
        return f"is class {obj.__qualname__}, which has no @hookimpl methods"
    return f"is a {type(obj).__name__} object, not a module of @hookimpl functions"


def _required_impl(caller: pluggy.HookCaller, plugin: object) -> bool:
    return any(i.plugin is plugin and not i.optionalhook for i in caller.get_hookimpls())


# Every hook in the contract (functions carrying pluggy's "godel_spec" marker).
_HOOK_NAMES = {n for n, f in vars(hookspecs).items() if hasattr(f, f"{hookspecs.PROJECT}_spec")}


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
