"""The configuration keys: one table, each key with its type, default, environment variable and
meaning, and ``GodelConfig``, the validated values.

Validated by hand rather than with a pydantic model: every ``godel`` command reads the
configuration before doing anything, and importing pydantic and building the model cost
265 ms on this project's 2-core machines (a whole ``python`` process: 288 ms against 21 ms for
``python -c pass``); this table validates a settings file in well under a millisecond. Plugins
validate their own sections with their own pydantic models (``godel_register_config``), loaded
only when a section is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "AGENT_FIELDS",
    "DURABILITY_MODES",
    "KEYS",
    "BadValue",
    "GodelConfig",
    "Key",
    "env_value",
    "redact_env_names",
]

DURABILITY_MODES = ("default", "always", "none")
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class BadValue(ValueError):
    """A value that a key does not allow: ``str()`` says what is allowed."""


Check = Callable[[Any], Any]  # returns the normalised value or raises BadValue


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise BadValue(f"expected true or false, got {_show(value)}")


def _lint(value: Any) -> bool:
    # An object is the linter's rule selection (docs/lint.md), read by godel.lint itself with
    # its own warnings; here it only means that the pre-flight stays on.
    if isinstance(value, dict):
        return True
    if isinstance(value, bool):
        return value
    raise BadValue(
        f'expected true or false, or {{"enable": [...], "disable": [...]}}, got {_show(value)}'
    )


def _text(value: str, shown: Any) -> None:
    """Refuse what no path, URL, name or argument can hold: the OS would refuse it later, in
    the middle of a command."""
    if "\x00" in value:
        raise BadValue(f"a NUL character is not allowed, got {_show(shown)}")
    try:
        # A lone surrogate (JSON's "\ud800") has no bytes; the ones that stand for a
        # non-UTF-8 byte of an environment variable's value do.
        value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise BadValue(f"not valid Unicode text (a lone surrogate), got {_show(shown)}") from None


def _str(value: Any) -> str:
    if isinstance(value, str) and value:
        _text(value, value)
        return value
    raise BadValue(f"expected a non-empty string, got {_show(value)}")


def _optional_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _positive_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise BadValue(f"expected a whole number above 0, got {_show(value)}")


def _str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        for item in value:
            _text(item, value)
        return tuple(value)
    raise BadValue(f"expected a list of strings, got {_show(value)}")


def _str_map(value: Any) -> dict[str, str]:
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        for item in value.items():
            for text in item:
                _text(text, value)
        return dict(value)
    raise BadValue(f'expected an object of strings ({{"NAME": "value"}}), got {_show(value)}')


def _choice(*allowed: str) -> Check:
    def check(value: Any) -> str:
        word = value.strip().lower() if isinstance(value, str) else value
        if word in allowed:
            return word  # type: ignore[no-any-return]
        raise BadValue(f"expected one of {', '.join(allowed)}, got {_show(value)}")

    return check


def _section(fields: Mapping[str, tuple[Check, Any]]) -> Check:
    """An object with known fields; a missing field takes its default."""

    def check(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise BadValue(f"expected an object with {', '.join(fields)}, got {_show(value)}")
        out = {name: default for name, (_, default) in fields.items()}
        for name, item in value.items():
            if name not in fields:
                raise BadValue(f"unknown field {name!r} (allowed: {', '.join(fields)})")
            try:
                out[name] = fields[name][0](item)
            except BadValue as exc:
                raise BadValue(f"{name}: {exc}") from None
        return out

    return check


def _redact(value: Any) -> dict[str, tuple[str, ...]]:
    """``["pattern", ...]`` (godel-py's form) or ``{"patterns": [...], "env": ["NAME", ...]}``."""
    if isinstance(value, list):
        return {"patterns": _patterns(value), "env": ()}
    return _REDACT_SECTION(value)


def _patterns(value: Any) -> tuple[str, ...]:
    """Regular expressions, checked here so that a bad one is a configuration error of every
    command rather than a failure of the first run that builds its redactor."""
    import re  # loaded already (json uses it): no cost

    patterns = _str_list(value)
    for pattern in patterns:
        if not pattern:
            raise BadValue("an empty pattern is not allowed (it would match everywhere)")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise BadValue(f"{_show(pattern)} is not a valid regular expression: {exc}") from None
    return patterns


_REDACT_SECTION = _section({"patterns": (_patterns, ()), "env": (_str_list, ())})
_AGENT_FIELDS = {
    "model": (_optional_str, None),
    "executable": (_optional_str, None),
    "extra_args": (_str_list, ()),
}


AGENT_FIELDS = frozenset(_AGENT_FIELDS)  # what core checks of an agents.<backend> section


def _agents(value: Any) -> dict[str, dict[str, Any]]:
    """``{"<backend>": {"model": ..., "executable": ..., "extra_args": [...]}}``; a backend's
    plugin may accept more fields (its own section model), so unknown fields are kept."""
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise BadValue(f'expected {{"<backend>": {{"model": ...}}, ...}}, got {_show(value)}')
    out = {}
    for backend, fields in value.items():
        known = {k: v for k, v in fields.items() if k in _AGENT_FIELDS}
        try:
            out[backend] = {**fields, **_section(_AGENT_FIELDS)(known)}
        except BadValue as exc:
            raise BadValue(f"{backend}.{exc}") from None
    return out


def _usd(value: Any) -> float | None:
    """A budget in USD: a number above 0, or null for none (from the environment: its text)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise BadValue(f"expected an amount of USD above 0, got {_show(value)}") from None
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < float("inf"):
        return float(value)
    raise BadValue(f"expected an amount of USD above 0, got {_show(value)}")


def _prices(value: Any) -> dict[str, dict[str, float]]:
    """``{"<model>": {"input": USD, "output": USD, "cache_read": USD, "cache_write": USD}}``,
    USD per million tokens."""
    if not isinstance(value, dict):
        raise BadValue(
            f'expected {{"<model>": {{"input": ..., "output": ...}}}}, got {_show(value)}'
        )
    from godel.cost.prices import parse_price

    out = {}
    for model, price in value.items():
        try:
            out[model] = parse_price(price).to_dict()
        except ValueError as exc:
            raise BadValue(f"{model}: {exc}") from None
    return out


def _show(value: Any) -> str:
    import json

    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Key:
    """One configuration key."""

    __slots__ = ("check", "default", "doc", "env", "name")

    def __init__(self, name: str, check: Check, default: Any, doc: str, env: str = "") -> None:
        self.name, self.check, self.default, self.doc, self.env = name, check, default, doc, env


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key(
            "runs_dir",
            _optional_str,
            None,
            "where run logs go; relative to the project root (null: ./runs, or the project's "
            "data dir under the godel home when there is a project)",
            "GODEL_RUNS_DIR",
        ),
        Key(
            "workflows_dir",
            _str,
            ".godel/workflows",
            "where named workflows live, relative to the project root",
            "GODEL_WORKFLOWS_DIR",
        ),
        Key("strict", _bool, True, "strict mode for `godel run`/`resume`", "GODEL_STRICT"),
        Key(
            "lint",
            _lint,
            True,
            "the lint pre-flight of `godel run`/`resume`; an object selects rules "
            '({"enable": [...], "disable": [...]}, docs/lint.md) and leaves it on',
            "GODEL_LINT",
        ),
        Key(
            "stream_agents",
            _bool,
            True,
            "stream agent output into the transcript",
            "GODEL_STREAM_AGENTS",
        ),
        Key(
            "capture_stdout",
            _bool,
            False,
            "tee the workflow's stdout into the transcript (as @workflow(capture_stdout=True))",
            "GODEL_CAPTURE_STDOUT",
        ),
        Key(
            "transcript_max_bytes",
            _positive_int,
            10 * 1024 * 1024,
            "rotate the transcript when it grows past this many bytes",
            "GODEL_TRANSCRIPT_MAX_BYTES",
        ),
        Key(
            "redact",
            _redact,
            {"patterns": (), "env": ()},
            "extra secrets to redact: regex patterns, and names of environment variables whose "
            "values are secrets",
        ),
        Key("env", _str_map, {}, "environment variables given to every run() and agent CLI"),
        Key(
            "watch",
            _section({"default": (_bool, False), "plain": (_bool, False)}),
            {"default": False, "plain": False},
            "`godel run` watches the run by default (default) and plainly (plain)",
        ),
        Key(
            "durability",
            _choice(*DURABILITY_MODES),
            "default",
            "when the audit log is fsynced (docs/durability.md)",
            "GODEL_DURABILITY",
        ),
        Key(
            "agents",
            _agents,
            {},
            "per-backend defaults: model, executable, extra_args",
        ),
        Key(
            "max_cost_usd",
            _usd,
            None,
            "the budget of every run in USD: no agent call starts once a run has spent it "
            "(docs/cost.md); `--max-cost` and @workflow(max_cost_usd=...) override it",
            "GODEL_MAX_COST_USD",
        ),
        Key(
            "prices",
            _prices,
            {},
            "USD per million tokens per model, for CLIs that report no cost: overrides the "
            "price tables the agent plugins ship (docs/cost.md)",
        ),
        # Last: settings files written before it keep their order (godel init writes every key).
        Key(
            "store",
            _optional_str,
            None,
            "where runs live, as a URL (postgresql://..., file:///path; docs/store.md); "
            "null: the runs dir",
            "GODEL_STORE",
        ),
    )
}


def env_value(key: Key, raw: str) -> Any:
    """The value an environment variable gives ``key`` (``BadValue`` if it cannot)."""
    if key.check is _bool or key.check is _lint:
        return raw.strip().lower() not in FALSE_WORDS
    if key.check is _positive_int:
        try:
            return _positive_int(int(raw.strip()))
        except ValueError:
            raise BadValue(f"expected a whole number above 0, got {raw!r}") from None
    return key.check(raw)


def redact_env_names(raw: str) -> list[str]:
    """The variable names ``$GODEL_REDACT`` lists, comma-separated: their values are secrets.

    ``0``/``false``/``no``/``off`` (the built-in patterns' off switch) lists none, and ``1`` or
    ``true`` (on, the default) is not a name."""
    if raw.strip().lower() in FALSE_WORDS:
        return []
    names = (n.strip() for n in raw.split(","))
    return list(dict.fromkeys(n for n in names if n and n not in ("1", "true")))


class GodelConfig:
    """The effective configuration: one attribute per key of ``KEYS`` (read-only).

    ``model_dump()`` gives the values as JSON-ready data, as godel-py's pydantic model did.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any] | None = None, /, **keys: Any) -> None:
        """``values``: checked values by key. ``GodelConfig(runs_dir="r", ...)`` builds one as
        godel-py's pydantic model did: each key is checked, an unknown key is refused."""
        if keys:
            unknown = sorted(set(keys) - set(KEYS))
            if unknown:
                raise ValueError(f"GodelConfig has no key {unknown[0]!r}")
            checked: dict[str, Any] = {}
            for name, value in keys.items():
                try:
                    checked[name] = KEYS[name].check(value)
                except BadValue as exc:
                    raise ValueError(f"GodelConfig {name}: {exc}") from None
            values = {**(values or {}), **checked}
        merged = {name: key.default for name, key in KEYS.items()}
        for name, value in (values or {}).items():
            default = merged.get(name)
            both = isinstance(default, dict) and isinstance(value, dict)
            merged[name] = {**default, **value} if both else value
        object.__setattr__(self, "_values", merged)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"GodelConfig has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("GodelConfig is read-only")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GodelConfig) and self._values == other._values

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        return "GodelConfig(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items()) + ")"

    def model_dump(self) -> dict[str, Any]:
        """Every key and its value, as JSON-ready data (tuples become lists)."""
        return {k: _plain(v) for k, v in self._values.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
