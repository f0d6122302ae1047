"""``# godel: noqa`` comments as strict mode reads them (the scan, and the run-time guard, which
must not import the scanner: the guard is installed on every strict run)."""

from __future__ import annotations

import re

# Same shape as the linter's: ``# godel: noqa`` alone, or followed by ``: code, code`` (commas
# or spaces). Strict mode answers to the code ``strict``.
_NOQA = re.compile(
    r"#\s*godel:\s*noqa\b(?:\s*:\s*([\w\-]+(?:(?:\s*,\s*|\s+)[\w\-]+)*))?", re.IGNORECASE
)


def is_strict_noqa(comment: str) -> bool:
    """Whether ``comment`` (or a source line) silences strict mode on its line."""
    match = _NOQA.search(comment)
    if match is None:
        return False
    codes = match.group(1)
    # ``# godel: noqa: PL003`` silences a lint rule, not strict mode.
    return codes is None or "strict" in {c.lower() for c in re.split(r"[,\s]+", codes)}
