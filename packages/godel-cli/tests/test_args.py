"""Workflow argument parsing: the rules of the CLI reference, and properties over any tokens."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from godel_cli.args import ArgumentError, parse_workflow_args


@pytest.mark.parametrize(
    ("tokens", "args", "kwargs"),
    [
        (["alice", "bob"], ["alice", "bob"], {}),
        (["model=opus", "max_steps=10"], [], {"model": "opus", "max_steps": "10"}),
        (["alice", "model=opus"], ["alice"], {"model": "opus"}),
        (["q=a=b"], [], {"q": "a=b"}),
        (["x="], [], {"x": ""}),
        (["1=foo"], ["1=foo"], {}),
        (["=x"], ["=x"], {}),
        (["a-b=c"], ["a-b=c"], {}),
        ([""], [""], {}),
        (["--flag"], ["--flag"], {}),
    ],
)
def test_reference_rules(tokens, args, kwargs):
    assert parse_workflow_args(tokens) == (args, kwargs)


def test_duplicate_keys_are_rejected():
    with pytest.raises(ArgumentError, match="Duplicate keyword argument 'k'"):
        parse_workflow_args(["k=1", "k=2"])


@given(st.lists(st.text(max_size=12), max_size=8))
def test_every_token_lands_exactly_once(tokens):
    try:
        args, kwargs = parse_workflow_args(tokens)
    except ArgumentError:
        keys = [
            t.partition("=")[0] for t in tokens if "=" in t and t.partition("=")[0].isidentifier()
        ]
        assert len(keys) != len(set(keys))
        return
    rebuilt = list(args) + [f"{k}={v}" for k, v in kwargs.items()]
    assert sorted(rebuilt) == sorted(tokens)
    for token in args:
        key, sep, _ = token.partition("=")
        assert not (sep and key.isidentifier())
    order = [t for t in tokens if t in args]
    assert order == args  # positional order is preserved
