"""Typed answers for ``godel.input(prompt, schema=Model)``: one line parsed into a pydantic model.

The line is a JSON object of the model's fields, or, for a model with exactly one field, that
field's bare value (``42``, ``yes``, ``["a", "b"]``). pydantic is imported only when a schema is
given.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["parse_answer"]


def parse_answer(schema: Any, line: str) -> tuple[Any, list[str]]:
    """``(instance, [])`` when ``line`` validates against ``schema``, else ``(None, errors)``."""
    from pydantic import ValidationError

    text = line.strip()
    try:
        decoded: Any = json.loads(text)
        is_json = True
    except ValueError:
        decoded, is_json = None, False
    options: list[Any] = []
    if is_json and isinstance(decoded, dict):
        options.append(decoded)
    fields = list(schema.model_fields)
    if len(fields) == 1:
        # The bare value: as typed first (pydantic converts "42" for an int field), then decoded.
        options.append({fields[0]: text})
        if is_json:
            options.append({fields[0]: decoded})
    if not options:
        return None, [f"expected a JSON object with the fields of {schema.__name__}"]
    first_errors: list[str] = []
    for option in options:
        try:
            return schema.model_validate(option), []
        except ValidationError as exc:
            if not first_errors:
                first_errors = [_format(e) for e in exc.errors()]
    return None, first_errors


def _format(err: Any) -> str:
    where = ".".join(str(p) for p in err.get("loc", ())) or "(root)"
    return f"{where}: {err.get('msg', 'invalid')}"
