"""``# godel: noqa`` comments as strict mode reads them (the scan, and the run-time guard, which
must not import the scanner: the guard is installed on every strict run)."""

from __future__ import annotations

import functools
import re

# The linter's grammar (docs/lint.md, ``godel.lint.suppress``), so that one comment means the
# same to both: ``# godel: noqa`` alone silences everything; ``# godel: noqa: code, code``
# (commas or spaces) only those codes, and text after them is not a code. Strict mode answers
# to the code ``strict``.
_WORD = r"(?:[A-Z]{2,4}[0-9]{3}|strict)"


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    # Compiled when first needed (a guard refusing an import, a scan): the guard's module is
    # imported by every strict run, which most often never reads a comment (0.6 ms a start).
    marker = re.compile(r"#\s*godel:\s*noqa\b(?P<rest>.*)", re.IGNORECASE)
    codes = re.compile(rf"^\s*:\s*(?P<codes>{_WORD}(?:\s*[,\s]\s*{_WORD})*)\b", re.IGNORECASE)
    return marker, codes


def is_strict_noqa(comment: str) -> bool:
    """Whether ``comment`` (or a source line) silences strict mode on its line."""
    marker, codes_after = _patterns()
    match = marker.search(comment)
    if match is None:
        return False
    rest = match.group("rest").strip()
    if not rest.startswith(":") or not rest[1:].strip():
        return True
    codes = codes_after.match(rest)
    # ``# godel: noqa: PL003`` silences a lint rule, not strict mode.
    return codes is not None and any(
        code.lower() == "strict" for code in re.findall(_WORD, codes.group("codes"), re.I)
    )
