"""Workflow arguments from the command line: ``-- alice model=opus`` → ``("alice",), {"model": "opus"}``."""

from __future__ import annotations

from collections.abc import Sequence


class ArgumentError(ValueError):
    """The tokens after ``--`` cannot be turned into workflow arguments."""


def parse_workflow_args(tokens: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Split tokens into positional and keyword arguments (all values are strings).

    A token ``key=value`` whose ``key`` is a Python identifier is a keyword argument (split
    on the first ``=``: ``q=a=b`` → ``q="a=b"``; ``x=`` → ``x=""``). Every other token,
    ``1=foo`` included, is positional. A keyword given twice is an error.
    """
    args: list[str] = []
    kwargs: dict[str, str] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if sep and key.isidentifier():
            if key in kwargs:
                raise ArgumentError(  # godel-py 3.x's message, which scripts may match
                    f"Duplicate keyword argument {key!r} — each kwarg key must appear at most once."
                )
            kwargs[key] = value
        else:
            args.append(token)
    return args, kwargs
