"""List prices of the models copilot runs, to estimate calls: the CLI reports tokens, no cost.

USD per million tokens (the providers' public API prices; a Copilot subscription bills
otherwise, so figures are marked "estimated"). A key prices the model and its dated or minor
versions (``gpt-5`` prices ``gpt-5.4``); the configuration's ``prices`` key overrides any entry.
"""

from __future__ import annotations

PRICES: dict[str, dict[str, float]] = {
    "claude-opus-4": {"input": 5.0, "output": 25.0, "cache_read": 0.5, "cache_write": 6.25},
    "claude-sonnet-4": {"input": 3.0, "output": 15.0, "cache_read": 0.3, "cache_write": 3.75},
    "claude-haiku-4": {"input": 1.0, "output": 5.0, "cache_read": 0.1, "cache_write": 1.25},
    "gpt-5": {"input": 1.25, "output": 10.0, "cache_read": 0.125},
    "gpt-5-mini": {"input": 0.25, "output": 2.0, "cache_read": 0.025},
    "gpt-4.1": {"input": 2.0, "output": 8.0, "cache_read": 0.5},
    "gemini-2.5-pro": {"input": 1.25, "output": 10.0, "cache_read": 0.31},
}
