"""List prices of OpenAI's models, to estimate codex calls: the CLI reports tokens, no cost.

USD per million tokens (OpenAI's public API prices; a ChatGPT plan bills otherwise, so figures
are marked "estimated"). A key prices the model and its minor versions (``gpt-5`` prices
``gpt-5.5``); the configuration's ``prices`` key overrides any entry.
"""

from __future__ import annotations

PRICES: dict[str, dict[str, float]] = {
    "gpt-5": {"input": 1.25, "output": 10.0, "cache_read": 0.125},
    "gpt-5-mini": {"input": 0.25, "output": 2.0, "cache_read": 0.025},
    "gpt-5-nano": {"input": 0.05, "output": 0.4, "cache_read": 0.005},
    "gpt-5-codex": {"input": 1.25, "output": 10.0, "cache_read": 0.125},
    "o3": {"input": 2.0, "output": 8.0, "cache_read": 0.5},
    "o4-mini": {"input": 1.1, "output": 4.4, "cache_read": 0.275},
    "gpt-4.1": {"input": 2.0, "output": 8.0, "cache_read": 0.5},
}
