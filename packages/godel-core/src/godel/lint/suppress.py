"""Inline suppressions: ``# godel: noqa`` (every code) or ``# godel: noqa: PL004, PL007``."""

from __future__ import annotations

import io
import re
import tokenize

# ``ALL`` stands for a bare ``# godel: noqa``.
ALL: frozenset[str] = frozenset({"*"})

_MARKER = re.compile(r"#\s*godel:\s*noqa\b(?P<rest>.*)", re.IGNORECASE)
_WORD = r"(?:[A-Z]{2,4}[0-9]{3}|strict)"
_CODES = re.compile(rf"^\s*:\s*(?P<codes>{_WORD}(?:\s*[,\s]\s*{_WORD})*)\b", re.IGNORECASE)
_CODE = re.compile(_WORD, re.IGNORECASE)
# ``strict`` (strict mode's own code, ``godel.strict.noqa``) also silences PL003, the rule
# that reports the same calls: a line reviewed for strict mode is reviewed for both.
_STRICT = "PL003"


def parse_comment(comment: str) -> frozenset[str] | None:
    """The codes a comment suppresses, ``ALL``, or None when it is not a godel noqa comment.

    ``# godel: noqa: <text that is not a code>`` suppresses nothing, so a mistyped code
    shows up instead of silently hiding every diagnostic on the line.
    """
    match = _MARKER.search(comment)
    if match is None:
        return None
    rest = match.group("rest").strip()
    if not rest.startswith(":") or not rest[1:].strip():
        return ALL
    codes = _CODES.match(rest)
    if codes is None:
        return None
    found = (code.upper() for code in _CODE.findall(codes.group("codes")))
    return frozenset(_STRICT if code == "STRICT" else code for code in found)


def suppressions(text: str) -> dict[int, frozenset[str]]:
    """Line number → suppressed codes, read from real comments only (not from strings)."""
    if "noqa" not in text.lower():
        return {}  # the common case costs one scan of the text, not a tokenize
    found: dict[int, frozenset[str]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                codes = parse_comment(tok.string)
                if codes is not None:
                    found[tok.start[0]] = found.get(tok.start[0], frozenset()) | codes
    except (tokenize.TokenError, SyntaxError):
        # The file parsed, so this is a tokenizer corner case; fall back to a per-line scan.
        for number, line in enumerate(text.splitlines(), 1):
            codes = parse_comment(line) if "#" in line else None
            if codes is not None:
                found[number] = codes
    return found


def is_suppressed(table: dict[int, frozenset[str]], line: int, code: str) -> bool:
    codes = table.get(line)
    return codes is not None and (codes is ALL or "*" in codes or code in codes)
