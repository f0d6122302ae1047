"""Named registries of what plugins provide (agents, parsers, lint rules, commands, stores)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from godel.exceptions import PluginError, UnknownPluginError

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
LAZY_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
LINT_CODE = re.compile(r"^([A-Z]{2,4})([0-9]{3})$")
COMMAND_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
SECTION_NAME = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")


class Register(Protocol):
    """The callable every registration hook receives."""

    def __call__(self, name: str, target: object, *, summary: str = "") -> None: ...


class Provider:
    """Who registered something: the plugin's entry-point name and its distribution."""

    # Plain classes, not dataclasses, on the start-up path: each dataclass costs ~1 ms to create.
    __slots__ = ("dist", "plugin", "version")

    def __init__(self, plugin: str, dist: str, version: str) -> None:
        self.plugin, self.dist, self.version = plugin, dist, version

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Provider) and (self.plugin, self.dist, self.version) == (
            other.plugin,
            other.dist,
            other.version,
        )

    def __hash__(self) -> int:
        return hash((self.plugin, self.dist, self.version))

    def __repr__(self) -> str:
        return f"Provider(plugin={self.plugin!r}, dist={self.dist!r}, version={self.version!r})"

    def __str__(self) -> str:
        return f"{self.dist} {self.version}" if self.version else self.dist


class Entry:
    """One registered name. ``target`` is the object, or a ``"module:attr"`` path until loaded."""

    __slots__ = ("_loaded", "name", "provider", "summary", "target")

    def __init__(self, name: str, target: object, provider: Provider, summary: str = "") -> None:
        self.name, self.target, self.provider, self.summary = name, target, provider, summary
        self._loaded = False

    def __repr__(self) -> str:
        return f"Entry(name={self.name!r}, target={self.target!r}, provider={self.provider!r})"

    @property
    def is_lazy(self) -> bool:
        return isinstance(self.target, str) and not self._loaded

    def load(self) -> Any:
        """Import the target on first use and return it."""
        if isinstance(self.target, str) and not self._loaded:
            self.target = import_target(self.target, self.provider)
            self._loaded = True
        return self.target


def import_target(path: str, provider: Provider) -> Any:
    """Import ``"package.module:attr.sub"`` and return the attribute."""
    module_name, _, attr = path.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split(".") if attr else ():
            obj = getattr(obj, part)
    except (Exception, SystemExit) as exc:  # a module calling sys.exit() must not end godel
        raise PluginError(
            f"{path!r} registered by {provider} could not be imported: {type(exc).__name__}: {exc}"
        ) from exc
    return obj


class RegistryKind:
    """What a registry holds and how its names are checked.

    ``noun`` names one thing in messages ("agent", "lint rule"); ``hook`` fills the registry;
    ``validate`` returns an error message or None; ``packages`` maps well-known names to the
    distribution that provides each (for "not installed" hints); names sharing an
    ``owner_key`` must come from one distribution (lint code prefixes). A target that is not a
    lazy string must pass ``accepts`` (``wants`` says what it should be).
    """

    __slots__ = ("accepts", "hook", "noun", "owner_key", "packages", "validate", "wants")

    def __init__(
        self,
        noun: str,
        hook: str,
        validate: Callable[[str], str | None],
        packages: Mapping[str, str] | None = None,
        owner_key: Callable[[str], str] | None = None,
        accepts: Callable[[object], bool] = callable,
        wants: str = "a callable (a function or a class)",
    ) -> None:
        self.noun, self.hook, self.validate = noun, hook, validate
        self.packages = dict(packages or {})
        self.owner_key = owner_key
        self.accepts, self.wants = accepts, wants

    def target_problem(self, target: object) -> str | None:
        """Why ``target`` cannot be registered (None: it can, or is a string or None, which
        ``Registry.add`` checks itself)."""
        if target is None or isinstance(target, str) or self.accepts(target):
            return None
        try:
            text = repr(target)
        except Exception:  # a plugin's broken __repr__ must not hide the real mistake
            text = object.__repr__(target)
        text = " ".join(text.split())  # one line, whatever the object's repr
        text = text if len(text) <= 60 else text[:57] + "..."
        return (
            f"the target must be {self.wants} or a 'package.module:attribute' string, "
            f"not {type(target).__name__} {text}"
        )


class Registry:
    """Name → Entry, filled by one hook, with duplicate and name checks."""

    def __init__(self, kind: RegistryKind) -> None:
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        self._owners: dict[str, Provider] = {}
        # distribution -> why its plugin was not loaded (set by the plugin manager)
        self.disabled: dict[str, str] = {}

    # filling -------------------------------------------------------------------------------
    def add(self, name: str, target: object, provider: Provider, summary: str = "") -> None:
        who = f"plugin {provider.plugin!r} from {provider}"
        if not isinstance(name, str):
            raise PluginError(
                f"{who} registered a {self.kind.noun} with a non-string name {name!r}"
            )
        problem = self.kind.validate(name)
        if problem:
            raise PluginError(
                f"{who} registered an invalid {self.kind.noun} name {name!r}: {problem}"
            )
        if target is None:
            raise PluginError(f"{who} registered {self.kind.noun} {name!r} with no target")
        bad_target = self.kind.target_problem(target)
        if bad_target:
            raise PluginError(f"{who} registered {self.kind.noun} {name!r}: {bad_target}")
        if isinstance(target, str) and not LAZY_TARGET.match(target):
            raise PluginError(
                f"{who} registered {self.kind.noun} {name!r} with target {target!r}; "
                "a lazy target must look like 'package.module:attribute'"
            )
        old = self._entries.get(name)
        if old is not None:
            raise PluginError(
                f"{self.kind.noun} {name!r} is registered twice: by {old.provider} "
                f"(plugin {old.provider.plugin!r}) and by {provider} (plugin {provider.plugin!r}); "
                "uninstall or block one of them (GODEL_DISABLE_PLUGINS)"
            )
        if self.kind.owner_key is not None:
            key = self.kind.owner_key(name)
            owner = self._owners.setdefault(key, provider)
            if owner.dist != provider.dist:
                raise PluginError(
                    f"{self.kind.noun} prefix {key!r} belongs to {owner} (plugin {owner.plugin!r}), "
                    f"but {provider} (plugin {provider.plugin!r}) registered {name!r}; "
                    "each distribution must use its own prefix"
                )
        self._entries[name] = Entry(name, target, provider, summary)

    # reading -------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return sorted(self._entries)

    def entries(self) -> list[Entry]:
        return [self._entries[n] for n in sorted(self._entries)]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, name: str) -> Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownPluginError(self._unknown_message(name)) from None

    def get(self, name: str) -> Any:
        """Return the registered object, importing it on first use."""
        return self.entry(name).load()

    def _unknown_message(self, name: str) -> str:
        installed = ", ".join(self.names()) or "none"
        msg = f"no {self.kind.noun} named {name!r} is installed (installed: {installed})"
        dist = self.kind.packages.get(name)
        if dist is None:
            return f"{msg}; install the plugin that provides it, then check with: godel plugins"
        msg = f"{msg}; install it with: pip install {dist}"
        why = self.disabled.get(dist)
        return f"{msg} ({dist} is installed, but {why})" if why else msg


def _identifier(name: str) -> str | None:
    return None if IDENTIFIER.match(name) else "use a lowercase Python identifier"


def _command(name: str) -> str | None:
    return None if COMMAND_NAME.match(name) else "use lowercase letters, digits and '-'"


def _section(name: str) -> str | None:
    return None if SECTION_NAME.match(name) else "use lowercase identifiers joined by dots"


def _scheme(name: str) -> str | None:
    return None if SCHEME.match(name) else "use a lowercase URL scheme (letters, digits, '+-.')"


def _lint_code(name: str) -> str | None:
    return None if LINT_CODE.match(name) else "lint codes look like ABC123 (2-4 capitals, 3 digits)"


def _lint_rule(target: object) -> bool:
    # docs/plugins.md: "a lint rule class or object"; an object is used as the rule itself.
    return callable(target) or callable(getattr(target, "check", None))


# Which distribution provides a well-known agent; used in "not installed" messages.
KNOWN_AGENT_PACKAGES = {
    "claude_code": "godel-claude",
    "copilot": "godel-copilot",
    "codex": "godel-codex",
}
KNOWN_PARSER_PACKAGES = {
    "claude": "godel-claude",
    "copilot": "godel-copilot",
    "codex": "godel-codex",
}
KNOWN_COMMAND_PACKAGES = {"watch": "godel-watch", "ui": "godel-web"}
KNOWN_STORE_PACKAGES = {"postgresql": "godel-postgres", "postgres": "godel-postgres"}


AGENTS = RegistryKind("agent", "godel_register_agents", _identifier, KNOWN_AGENT_PACKAGES)
PARSERS = RegistryKind("parser", "godel_register_parsers", _identifier, KNOWN_PARSER_PACKAGES)
LINT_RULES = RegistryKind(
    "lint rule",
    "godel_register_lint_rules",
    _lint_code,
    owner_key=lambda code: LINT_CODE.match(code).group(1),  # type: ignore[union-attr]
    accepts=_lint_rule,
    wants="a lint rule (a class or an object)",
)
COMMANDS = RegistryKind("command", "godel_register_commands", _command, KNOWN_COMMAND_PACKAGES)
CONFIG_SECTIONS = RegistryKind("config section", "godel_register_config_sections", _section)
STORES = RegistryKind("store", "godel_register_stores", _scheme, KNOWN_STORE_PACKAGES)
KINDS = {
    "agents": AGENTS,
    "parsers": PARSERS,
    "lint_rules": LINT_RULES,
    "commands": COMMANDS,
    "config_sections": CONFIG_SECTIONS,
    "stores": STORES,
}
