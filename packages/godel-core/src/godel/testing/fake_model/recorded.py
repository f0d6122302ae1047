"""The record of one request the fake model server received, for assertions in tests."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from godel.testing.fake_model import conversation

# Header values not worth leaking into logs; the names stay so tests can see a key was sent.
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "api-key", "proxy-authorization"})
REDACTED = "<redacted>"


def redact(headers: dict[str, str]) -> dict[str, str]:
    """Headers with lower-cased names, secrets replaced by ``<redacted>``."""
    return {k.lower(): (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


@dataclass(frozen=True)
class RecordedRequest:
    """One request: what came in, how it was classified, and which scripted turn answered it.

    ``api`` is the wire format: ``"anthropic"``, ``"openai"`` (chat completions) or
    ``"responses"`` (OpenAI Responses). ``kind`` is ``"main"`` (the agent's conversation: it consumed a turn), ``"aux"`` (a model
    call on the side, answered with the script's ``aux_text``) or ``"other"`` (probes, model
    listings, token counting). ``turn`` is the index in the script of the turn that answered,
    ``None`` if none did; ``exhausted`` is true when a main request found no turn left.
    """

    index: int
    time: float
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    api: str | None
    kind: str
    turn: int | None = None
    exhausted: bool = False

    @property
    def model(self) -> str | None:
        """The requested model."""
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def stream(self) -> bool:
        """Whether the client asked for a streamed answer."""
        return isinstance(self.body, dict) and bool(self.body.get("stream"))

    @property
    def max_tokens(self) -> int | None:
        """``max_tokens`` (or OpenAI's ``max_completion_tokens`` / ``max_output_tokens``)."""
        if not isinstance(self.body, dict):
            return None
        for key in ("max_tokens", "max_completion_tokens", "max_output_tokens"):
            if key in self.body:
                return self.body[key]  # type: ignore[no-any-return]
        return None

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The conversation sent."""
        return conversation.messages(self.body)

    @property
    def tools(self) -> list[str]:
        """The names of the tools offered to the model."""
        return conversation.tool_names(self.body)

    @property
    def system(self) -> str:
        """The system prompt as text."""
        return conversation.system_text(self.body)

    @property
    def prompt(self) -> str:
        """The current prompt (the last user message a person wrote, not a tool result)."""
        return conversation.prompt_text(self.body)

    @property
    def last_user_text(self) -> str:
        """All the text of the last user message, tool results included."""
        return conversation.last_user_text(self.body)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (one line of the requests log)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RecordedRequest:
        """The inverse of :meth:`to_json`."""
        return cls(**data)


def read_requests_log(path: str | Path) -> list[RecordedRequest]:
    """The requests written to a ``--requests-log`` file (JSON lines), in arrival order."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [RecordedRequest.from_json(json.loads(line)) for line in lines if line.strip()]
