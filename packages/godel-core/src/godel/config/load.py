"""Where the configuration comes from, and the runs dir it gives (docs/configuration.md).

Sources, lowest first: the defaults, the user file ``<godel home>/settings.json`` (``$GODEL_HOME``
or ``~/.godel``), the project file ``<project>/.godel/settings.json``, then ``GODEL_*``
environment variables; command-line flags are applied by the commands on top. The project is
the nearest directory holding ``.godel/``, walking up from the working directory and stopping
at ``$HOME`` or at a directory holding ``.git`` (each checked first).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from godel.config.keys import (
    AGENT_FIELDS,
    KEYS,
    BadValue,
    GodelConfig,
    env_value,
    redact_env_names,
)
from godel.exceptions import ConfigError

__all__ = [
    "LoadedConfig",
    "Source",
    "clear_cache",
    "find_project_root",
    "godel_home",
    "load_config",
    "project_data_dir",
]

SETTINGS = "settings.json"
PROJECT_DIR = ".godel"
DEFAULTS = "default"
# Dict-valued keys whose files merge field by field (a project can change one agent's model);
# list-valued ``redact`` entries add up (a project cannot un-redact what the user redacts).
_MERGED = frozenset({"watch", "env", "agents", "redact", "prices"})


def _real(path: Path) -> Path:
    """``path.resolve()``, except that a symlink loop is left for whatever uses the path to
    report (``Path.resolve`` raises ``RuntimeError`` for one before Python 3.13)."""
    return Path(os.path.realpath(path))


def godel_home(environ: Mapping[str, str] | None = None) -> Path:
    """``$GODEL_HOME``, else ``~/.godel``."""
    env = os.environ if environ is None else environ
    home = env.get("GODEL_HOME")
    if home:  # a relative one is taken from the working directory, and shown as such
        return Path(os.path.abspath(os.path.expanduser(home)))
    return Path(env.get("HOME") or Path.home()) / ".godel"


def find_project_root(cwd: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest directory at or above ``cwd`` that holds a ``.godel/`` directory."""
    here = _real(Path(cwd or os.getcwd()))
    home = _real(Path(os.environ.get("HOME") or Path.home()))
    for directory in (here, *here.parents):
        if (directory / PROJECT_DIR).is_dir():
            return directory
        if directory == home or (directory / ".git").exists():
            return None
    return None


def project_data_dir(root: Path, environ: Mapping[str, str] | None = None) -> Path:
    """Where a project without its own ``runs_dir`` keeps its runs: under the godel home."""
    env = os.environ if environ is None else environ
    base = godel_home(env) / "projects"
    home = _real(Path(env.get("HOME") or Path.home()))
    root = _real(root)
    if root.is_relative_to(home) and root != home:
        return base / root.relative_to(home)
    from hashlib import sha256  # here: importing it (OpenSSL) costs every command 3 ms

    # fsencode: the name's bytes, so a folder whose name is not UTF-8 hashes too (the same
    # digest as before for every name that is).
    return base / "_abs" / sha256(os.fsencode(root)).hexdigest()[:16]


class Source:
    """One place configuration may come from, and whether it exists."""

    __slots__ = ("exists", "label", "path")

    def __init__(self, label: str, path: Path | None, exists: bool) -> None:
        self.label, self.path, self.exists = label, path, exists

    def __repr__(self) -> str:
        return f"Source({self.label!r}, {self.path}, exists={self.exists})"


class LoadedConfig:
    """The effective configuration, where each value came from, and the runs dir it gives."""

    def __init__(
        self,
        config: GodelConfig,
        *,
        cwd: Path,
        project_root: Path | None,
        sources: list[Source],
        set_by: dict[str, str],
        raw: dict[str, Any],
        warnings: list[str],
    ) -> None:
        self.config, self.cwd, self.project_root = config, cwd, project_root
        self.sources, self.set_by, self.warnings = sources, set_by, warnings
        self._raw = raw  # merged file values, kept for plugin sections (``section``)

    @property
    def runs_dir(self) -> Path:
        """The runs dir: ``runs_dir`` against the project root (or the working directory);
        unset, ``./runs`` outside a project and the project's data dir inside one."""
        configured = self.config.runs_dir
        if configured:
            path = Path(configured).expanduser()
            return _real(path if path.is_absolute() else (self.project_root or self.cwd) / path)
        if self.project_root is None:
            return _real(self.cwd / "runs")
        return project_data_dir(self.project_root) / "runs"

    @property
    def workflow_dirs(self) -> list[Path]:
        """Where named workflows are looked for, in order: the project's, then the user's."""
        dirs = []
        if self.project_root is not None:
            dirs.append(_real(self.project_root / Path(self.config.workflows_dir).expanduser()))
        dirs.append(godel_home() / "workflows")
        return dirs

    def raw_section(self, dotted: str) -> Any:
        """The merged value at ``dotted`` (``agents.claude_code``) before plugin validation."""
        value: Any = self._raw
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def section(self, dotted: str) -> Any:
        """The section at ``dotted`` validated with the pydantic model a plugin registered for it
        (``godel_register_config_sections``); as written when none did; None when absent.

        Raises ``ConfigError`` naming the file (or variable) and key when it does not fit.
        """
        raw = self.raw_section(dotted)
        from godel.plugins.manager import get_plugin_manager

        registry = get_plugin_manager().config_sections
        if dotted not in registry:
            return raw
        model = registry.get(dotted)
        try:
            return model.model_validate(raw if raw is not None else {})
        except Exception as exc:  # pydantic's ValidationError, without importing pydantic here
            errors = getattr(exc, "errors", None)
            first = errors()[0] if callable(errors) and errors() else None
            where = ".".join(str(p) for p in (first or {}).get("loc", ()))
            what = (first or {}).get("msg", str(exc))
            key = dotted + (f".{where}" if where else "")
            source = self.set_by.get(dotted.split(".")[0], DEFAULTS)
            raise ConfigError(f"{source}: key {key!r}: {what}") from None


def _read(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{path}: malformed JSON: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: malformed JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top-level JSON must be an object")
    return data


def _plugin_sections() -> set[str]:
    """The top-level names of the configuration sections plugins registered (loads plugins:
    only asked when a file holds a key godel itself does not know)."""
    from godel.exceptions import PluginError
    from godel.plugins.manager import get_plugin_manager

    try:
        return {name.split(".")[0] for name in get_plugin_manager().config_sections.names()}
    except PluginError:
        return set()


def _validate(
    data: dict[str, Any], where: str, warnings: list[str], plugin_raw: dict[str, Any]
) -> dict[str, Any]:
    out = {}
    sections: set[str] | None = None
    for name, value in data.items():
        key = KEYS.get(name)
        if key is None:
            if sections is None:
                sections = _plugin_sections()
            if name in sections:
                _merge(plugin_raw, {name: value})  # a plugin's own section: it validates it
                continue
            import difflib

            close = difflib.get_close_matches(name, KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known keys: {', '.join(KEYS)})"
            warnings.append(f"{where}: unknown key {name!r} ignored{hint}")
            continue
        try:
            out[name] = key.check(value)
        except BadValue as exc:
            raise ConfigError(f"{where}: key {name!r}: {exc}") from None
    return out


def _merge(into: dict[str, Any], layer: dict[str, Any]) -> None:
    for name, value in layer.items():
        old = into.get(name)
        if name == "redact" and isinstance(old, dict):
            into[name] = {f: (*old[f], *(v for v in value[f] if v not in old[f])) for f in old}
        elif name in _MERGED and isinstance(old, dict) and isinstance(value, dict):
            merged = dict(old)
            for field, item in value.items():
                inner = merged.get(field)
                both = isinstance(inner, dict) and isinstance(item, dict)
                merged[field] = {**inner, **item} if both else item
            into[name] = merged
        else:
            into[name] = value


def _env_layer(environ: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for key in KEYS.values():
        raw = environ.get(key.env) if key.env else None
        if raw is None or not raw.strip():
            continue
        try:
            values[key.name] = env_value(key, raw)
        except BadValue as exc:
            raise ConfigError(f"${key.env}: {exc}") from None
        labels[key.name] = f"${key.env}"
    plain = environ.get("GODEL_WATCH_PLAIN", "").strip().lower()
    if plain and plain not in ("0", "false", "no", "off"):
        values["watch"] = {"plain": True}
        labels["watch"] = "$GODEL_WATCH_PLAIN"
    names = redact_env_names(environ.get("GODEL_REDACT", ""))
    if names:  # added to the files' names; `0` (built-ins off) is no value of this key
        values["redact"] = {"patterns": (), "env": tuple(names)}
        labels["redact"] = "$GODEL_REDACT"
    return values, labels


_cache: dict[tuple[Any, ...], LoadedConfig] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every loaded configuration (tests, and hosts that edit settings files)."""
    with _cache_lock:
        _cache.clear()


def _stamp(path: Path) -> tuple[str, int]:
    try:
        return str(path), path.stat().st_mtime_ns
    except OSError:
        return str(path), -1


def load_config(
    cwd: str | os.PathLike[str] | None = None, *, use_cache: bool = True
) -> LoadedConfig:
    """The configuration seen from ``cwd`` (default: the working directory).

    Raises ``ConfigError`` (one line naming the file or variable, the key and what is allowed)
    for a value that cannot be used; an unknown key is only a warning (``LoadedConfig.warnings``).
    """
    here = _real(Path(cwd or os.getcwd()))
    root = find_project_root(here)
    user_file = godel_home() / SETTINGS
    project_file = root / PROJECT_DIR / SETTINGS if root is not None else None
    env_key = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("GODEL_")))
    stamps = (_stamp(user_file), _stamp(project_file) if project_file else None)
    key = (here, root, stamps, env_key, os.environ.get("HOME"))
    if use_cache:
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None:
            return hit
    loaded = _load(here, root, user_file, project_file)
    with _cache_lock:
        _cache[key] = loaded
    return loaded


def _load(
    here: Path, root: Path | None, user_file: Path, project_file: Path | None
) -> LoadedConfig:
    warnings: list[str] = []
    merged: dict[str, Any] = {}  # what the sources say, merged; validated once at the end
    plugin_raw: dict[str, Any] = {}  # top-level sections plugins registered
    set_by = {name: DEFAULTS for name in KEYS}
    sources = [Source("user", user_file, False)]
    # $HOME is a project when ~/.godel exists (the search checks it): its project file is the
    # user file, read once.
    if project_file is not None and os.path.realpath(project_file) != os.path.realpath(user_file):
        sources.append(Source("project", project_file, False))
    for source in sources:
        assert source.path is not None
        data = _read(source.path)
        if data is None:
            continue
        source.exists = True
        checked = _validate(data, str(source.path), warnings, plugin_raw)
        set_by.update(dict.fromkeys(set(data) & set(plugin_raw), str(source.path)))
        # Merge what the file wrote (a field it left out must not reset a lower layer's);
        # redact merges in its one normalised form.
        layer = {k: checked[k] if k == "redact" else data[k] for k in checked}
        _merge(merged, layer)
        set_by.update(dict.fromkeys(layer, str(source.path)))
    env_values, env_labels = _env_layer(os.environ)
    _merge(merged, env_values)
    set_by.update(env_labels)
    values = {name: KEYS[name].check(value) for name, value in merged.items()}
    loaded = LoadedConfig(
        GodelConfig(values),
        cwd=here,
        project_root=root,
        sources=sources,
        set_by=set_by,
        raw={**plugin_raw, **merged},
        warnings=warnings,
    )
    for backend, fields in values.get("agents", {}).items():
        if not AGENT_FIELDS.issuperset(fields):
            # Fields core does not know: the backend's plugin model judges them now, so that a
            # misspelt one stops every command before it starts, not the run at its first call.
            # (Only then: validating loads the plugins and pydantic.)
            from godel.exceptions import PluginError

            try:
                loaded.section(f"agents.{backend}")
            except PluginError:  # plugins that cannot load say so where they are used
                pass
    return loaded
