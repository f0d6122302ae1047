"""Structured answers: the JSON schema of a pydantic model, pulling JSON out of text, validation.

pydantic is imported only when a call asks for a schema.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["check_schema", "coerce", "instructions", "json_schema", "repair_prompt"]

_FENCE = re.compile(r"```(?:json)?\s*\n(.*?)\n\s*```", re.DOTALL)


def check_schema(schema: Any) -> None:
    """Raise ``TypeError`` unless ``schema`` is a pydantic model class."""
    from pydantic import BaseModel

    if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
        raise TypeError(
            f"schema= must be a pydantic model class (a BaseModel subclass), got {schema!r}"
        )


def json_schema(schema: Any) -> dict[str, Any]:
    """The JSON schema of a pydantic model class."""
    return schema.model_json_schema()  # type: ignore[no-any-return]


def candidates(text: str) -> list[Any]:
    """JSON values found in an answer: the whole text, fenced blocks, the first ``{...}``."""
    found: list[Any] = []
    stripped = text.strip()
    try:
        found.append(json.loads(stripped))
    except ValueError:
        pass
    for block in _FENCE.findall(text):
        try:
            found.append(json.loads(block))
        except ValueError:
            pass
    start = stripped.find("{")
    if start >= 0:
        try:
            # raw_decode stops at the end of the first object: models like to add a remark after it
            found.append(json.JSONDecoder().raw_decode(stripped[start:])[0])
        except ValueError:
            pass
    return found


def coerce(schema: Any, data: Any, text: str) -> tuple[Any, list[str]]:
    """Validate an answer: ``(instance, [])`` or ``(None, errors)``.

    ``data`` is the backend's structured output when it has one (claude ``--json-schema``);
    otherwise JSON is looked for in ``text``.
    """
    from pydantic import ValidationError

    options = [data] if data is not None else candidates(text)
    if not options:
        return None, ["the answer contains no JSON object"]
    errors: list[str] = []
    for option in options:
        try:
            return schema.model_validate(option), []
        except ValidationError as exc:
            errors = [_format_error(e) for e in exc.errors()]
    return None, errors


def _format_error(err: Any) -> str:
    where = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
    return f"{where}: {err.get('msg', 'invalid')}"


def instructions(schema: Any) -> str:
    """What a prompt-based backend appends so that the model answers in the schema."""
    return (
        "\n\nWhen you have finished, your final message must be only a JSON object that matches this "
        "JSON schema (no markdown fences, no text before or after it):\n"
        + json.dumps(json_schema(schema), indent=2)
    )


def repair_prompt(errors: list[str], *, native: bool) -> str:
    """The one follow-up turn that asks the model to fix an answer that did not validate."""
    listed = "\n".join(f"- {e}" for e in errors[:20])
    how = (
        "Provide the structured output again, corrected."
        if native
        else "Reply again with only the corrected JSON object, nothing else."
    )
    return f"Your answer did not match the required JSON schema:\n{listed}\n{how}"
