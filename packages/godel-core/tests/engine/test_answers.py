"""Parsing a checkpoint answer into a pydantic model (godel.engine.answers)."""

from __future__ import annotations

from pydantic import BaseModel

from godel.engine.answers import parse_answer


class One(BaseModel):
    n: int


class Text(BaseModel):
    answer: str


class Items(BaseModel):
    items: list[str]


class Two(BaseModel):
    a: int
    b: str = "x"


def test_a_json_object_or_a_one_field_models_bare_value():
    assert parse_answer(One, '{"n": 4}') == (One(n=4), [])
    assert parse_answer(One, " 42 ") == (One(n=42), [])
    assert parse_answer(Text, "yes, ship it") == (Text(answer="yes, ship it"), [])
    assert parse_answer(Text, "42") == (Text(answer="42"), [])  # as typed, not the JSON number
    assert parse_answer(Items, '["a", "b"]') == (Items(items=["a", "b"]), [])
    assert parse_answer(Two, '{"a": 1}') == (Two(a=1), [])


def test_invalid_answers_say_which_field_and_why():
    assert parse_answer(One, "many") == (
        None,
        ["n: Input should be a valid integer, unable to parse string as an integer"],
    )
    assert parse_answer(Two, '{"b": "y"}') == (None, ["a: Field required"])
    assert parse_answer(Two, "1") == (None, ["expected a JSON object with the fields of Two"])
