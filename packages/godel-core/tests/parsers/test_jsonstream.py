"""The JSON-lines parser base: what it keeps of a line it cannot decode as a record."""

from __future__ import annotations

import pytest

from godel.log.redact import default_redactor
from godel.parsers.jsonstream import _RAW_KEEP, MAX_LINE, JsonStreamParser

SECRET = "sk-ant-api03-" + "A1b2C3d4" * 12


class Broken(JsonStreamParser):
    def on_object(self, obj):
        raise RuntimeError("a parser bug")


@pytest.mark.parametrize("offset", [40, 13, 1])
def test_an_oversized_line_is_not_cut_inside_a_secret(offset: int) -> None:
    # The secret starts `offset` characters before the kept prefix would end: cut there, its
    # first part alone would match no redaction pattern and reach the transcript.
    filler = ("word " * (MAX_LINE // 5 + 1))[: _RAW_KEEP - offset]
    line = '{"text": "' + filler + SECRET + " " + "x" * MAX_LINE + '"}'
    (record,) = JsonStreamParser().feed(line)
    assert record["reason"] == "oversized"
    kept = record["text"]
    assert len(kept) <= _RAW_KEEP and kept.endswith(" ")
    assert "sk-" not in kept


def test_a_parser_failure_keeps_a_prefix_that_ends_at_a_separator() -> None:
    line = ('{"text": "' + "a b " * (_RAW_KEEP // 4))[: _RAW_KEEP - 20] + SECRET + '"}'
    (record,) = Broken().feed(line)
    assert record["reason"] == "internal" and "sk-" not in record["text"]


def test_a_whole_secret_in_a_kept_line_is_still_redacted() -> None:
    line = '{"text": "' + "word " * 100 + SECRET + '"} ' + "x" * MAX_LINE
    (record,) = JsonStreamParser().feed(line)
    assert SECRET in record["text"]  # kept whole, so the redaction pattern meets all of it
    assert SECRET not in default_redactor().redact_text(record["text"])


def test_a_line_without_separators_keeps_its_first_part() -> None:
    (record,) = JsonStreamParser().feed("z" * (MAX_LINE + 1))
    assert record["text"] == "z" * _RAW_KEEP
