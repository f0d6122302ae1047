"""A second ``echo`` agent: answers with the prompt reversed."""

from __future__ import annotations


class ReverseEcho:
    """Answers every prompt with the prompt reversed."""

    async def __call__(self, prompt: str) -> str:
        return prompt[::-1]


def echo(**_options: object) -> ReverseEcho:
    """Create the agent (it takes no options)."""
    return ReverseEcho()
