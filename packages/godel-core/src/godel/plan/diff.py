"""What changed in a request: a unified diff of the recorded request against the new one.

Only what the request asks for is compared: the keys the request hash leaves out (how a call is
made, e.g. its session id) and an agent call's session bookkeeping are dropped first.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from godel.log.events import HASH_EXCLUDED_KEYS

__all__ = ["asked", "request_diff", "value_diff"]

_SESSION = frozenset({"session_mode", "turn", "fork_of"})


def asked(request: Mapping[str, Any]) -> dict[str, Any]:
    """``request`` without how-it-is-made keys: what two requests must agree on to match."""
    return {k: v for k, v in request.items() if k not in HASH_EXCLUDED_KEYS and k not in _SESSION}


def value_diff(recorded: Any, now: Any, *, a: str = "recorded", b: str = "now") -> list[str]:
    """Unified diff lines of two JSON values, pretty-printed with sorted keys."""

    def lines(value: Any) -> list[str]:
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=repr)
        return text.splitlines()

    return list(difflib.unified_diff(lines(recorded), lines(now), a, b, lineterm="", n=1))


def request_diff(recorded: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """The diff of two requests of the same op (``[]`` when they ask for the same)."""
    return value_diff(asked(recorded), asked(now))
