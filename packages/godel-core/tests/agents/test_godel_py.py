"""``godel.agents.godel_py``: when an agent call godel-py 3.x recorded is the call a resume
makes, and what answer it gives back."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from godel.agents.godel_py import godel_py_answer, recorded_by_godel_py
from godel.log.events import Event, EventStatus

RECORDED = {
    "model": "sonnet",
    "prompt": "what is the answer?",
    "has_schema": False,
    "schema_name": None,
    "session_id": None,
}
ASKED = {"backend": "claude", "model": "sonnet", "prompt": "what is the answer?", "schema": None}


def _call(request: dict[str, Any], response: Any, status: EventStatus = EventStatus.FINISHED):
    return Event(
        "01M90ZQQZ3P0HZ5W36Z9ZSS05T",
        "a39279fe-49df-4fbe-a084-ad09c38c7d5d",
        2,
        op="agent.call",
        status=status,
        request=request,
        response=response,
        step_path=("ask",),
    )


TEXT = {"type": "text", "value": "'forty-two'", "session_id": "31815b41"}


def test_the_same_call_gets_its_text_back() -> None:
    cached = _call(RECORDED, TEXT)
    assert recorded_by_godel_py(cached)
    assert godel_py_answer(cached, ASKED, None) == {"text": "forty-two", "session_id": "31815b41"}


class Verdict(BaseModel):
    ok: bool


@pytest.mark.parametrize(
    ("request_", "response", "schema", "status"),
    [
        (RECORDED, TEXT, Verdict, EventStatus.FINISHED),  # asked for a structured answer now
        (
            {**RECORDED, "has_schema": True, "schema_name": "Verdict"},
            TEXT,
            None,
            EventStatus.FINISHED,
        ),
        ({**RECORDED, "prompt": "what else?"}, TEXT, None, EventStatus.FINISHED),
        ({**RECORDED, "model": "opus"}, TEXT, None, EventStatus.FINISHED),
        (RECORDED, {"type": "model", "value": "Verdict(ok=True)"}, None, EventStatus.FINISHED),
        (RECORDED, {"type": "text", "value": "<object at 0x7f>"}, None, EventStatus.FINISHED),
        (RECORDED, {"type": "text", "value": "42"}, None, EventStatus.FINISHED),  # not a str
        (RECORDED, None, None, EventStatus.STARTED),  # in flight: never answered
    ],
)
def test_anything_else_is_left_to_the_mismatch_policy(
    request_: dict[str, Any], response: Any, schema: Any, status: EventStatus
) -> None:
    assert godel_py_answer(_call(request_, response, status), ASKED, schema) is None


def test_godels_own_calls_are_not_read_as_godel_pys() -> None:
    assert not recorded_by_godel_py(_call({**ASKED, "has_schema": False}, {"text": "x"}))
    assert not recorded_by_godel_py(_call(ASKED, {"text": "x"}))


class Inner(BaseModel):
    name: str


class Review(BaseModel):
    ok: bool
    reasons: list[str]
    inner: Inner | None = None


STRUCTURED = {**RECORDED, "has_schema": True, "schema_name": "Review"}


@pytest.mark.parametrize(
    ("value", "fields"),
    [
        (
            "Review(ok=True, reasons=['small', \"it's tested\"], inner=None)",
            {"ok": True, "reasons": ["small", "it's tested"], "inner": None},
        ),
        (
            "Review(ok=False, reasons=[], inner=Inner(name='x'))",
            {"ok": False, "reasons": [], "inner": {"name": "x"}},
        ),
        ("Review(ok=True, reasons=['a very long reaso", None),  # cut at 500 characters
        ("Review(ok=True, reasons=[], when=datetime.datetime(2026, 1, 1))", None),
        ("Verdict(ok=True, reasons=[])", None),  # another model's
        ("Review(ok='maybe', reasons=[])", None),  # does not validate now
        ("__import__('os').system('x')", None),
    ],
)
def test_a_structured_answer_is_read_back_from_its_repr(value: str, fields: Any) -> None:
    cached = _call(STRUCTURED, {"type": "structured", "value": value, "session_id": "s"})
    answer = godel_py_answer(cached, ASKED, Review)
    assert (None if answer is None else answer["value"]) == fields


def test_the_prompt_is_compared_as_godel_py_kept_it() -> None:
    long = "x" * 900
    cut = _call({**RECORDED, "prompt": long[:500]}, TEXT)
    assert godel_py_answer(cut, {**ASKED, "prompt": long}, None) is not None
    assert godel_py_answer(cut, {**ASKED, "prompt": long[:499] + "y" * 401}, None) is None
    with_system = _call({**RECORDED, "prompt": "You review code.\n\nwhat is the answer?"}, TEXT)
    asked = {**ASKED, "system_prompt": "You review code."}
    assert godel_py_answer(with_system, asked, None) is not None
    assert godel_py_answer(with_system, ASKED, None) is None


def test_copilots_default_model_is_godel_pys_default() -> None:
    cached = _call({**RECORDED, "model": "default"}, TEXT)
    assert godel_py_answer(cached, {**ASKED, "backend": "copilot", "model": None}, None)
    assert godel_py_answer(cached, {**ASKED, "backend": "copilot", "model": "gpt-5"}, None) is None
