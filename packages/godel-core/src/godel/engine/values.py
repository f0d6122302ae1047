"""How Python values are written into events: JSON structurally, anything else by ``repr``."""

from __future__ import annotations

import re
from typing import Any

from godel.log.jsontext import strict

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
REPR_KEY = "$repr"


def is_json(value: Any) -> bool:
    """True when ``value`` survives a JSON round trip as the same structure."""
    try:
        strict(value)
    except (TypeError, ValueError):
        return False
    return True


def stable_repr(value: Any) -> str:
    """``repr`` without memory addresses, so it is the same in every process."""
    return _ADDRESS.sub("", repr(value))


def encode(value: Any) -> Any:
    """A JSON value for ``value``: itself if JSON-serialisable, else ``{"$repr": ...}``."""
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, float) and value != value:  # NaN is not JSON
            return {REPR_KEY: "nan"}
        return value
    if is_json(value):
        return value
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: encode(v) for k, v in value.items()}
    return {REPR_KEY: stable_repr(value)}


def encode_args(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[list[Any], dict[str, Any], bool]:
    """Encode call arguments; the flag is True when every value was JSON (resumable from the CLI)."""
    if not args and not kwargs:
        return [], {}, True
    if is_json([args, kwargs]):
        return list(args), dict(kwargs), True
    return [encode(a) for a in args], {k: encode(v) for k, v in kwargs.items()}, False
