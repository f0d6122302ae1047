"""The transcript lines of one command or agent call (``<run_id>/transcript.jsonl``, or a
stored run's transcript rows).

Rotated segments (``transcript.jsonl.N``, ``.1`` the newest) are read oldest first, then the
live file. Lines belong to an event by its ``stream_path``, as ``godel show --full`` joins them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

_SEGMENT = re.compile(r"transcript\.jsonl\.(\d+)")
MAX_ITEMS = 5000  # an event page shows at most this many lines (and says so)


def segments(run_dir: Path) -> list[Path]:
    """The transcript's files, oldest first."""
    try:
        names = [p.name for p in run_dir.iterdir()]
    except OSError:
        return []
    rotated = sorted(
        (int(m.group(1)), n) for n in names if (m := _SEGMENT.fullmatch(n)) is not None
    )
    out = [run_dir / n for _, n in reversed(rotated)]
    if "transcript.jsonl" in names:
        out.append(run_dir / "transcript.jsonl")
    return out


def items_for(run_dir: Path, stream_path: list[str]) -> tuple[list[dict[str, Any]], bool]:
    """The transcript events written under ``stream_path``, and whether more were cut off."""
    if not stream_path:
        return [], False
    return _matching(_file_lines(run_dir), stream_path)


def stored_items_for(
    store: Any, run_id: str, stream_path: list[str]
) -> tuple[list[dict[str, Any]], bool]:
    """``items_for`` of a run kept in a store (``--store``): its transcript rows."""
    if not stream_path:
        return [], False
    return _matching(store.transcript_lines(run_id), stream_path)


def _file_lines(run_dir: Path) -> Iterator[bytes]:
    for path in segments(run_dir):
        try:
            fh = open(path, "rb")
        except OSError:
            continue
        with fh:
            yield from fh


def _matching(lines: Iterable[bytes], stream_path: list[str]) -> tuple[list[dict[str, Any]], bool]:
    needle = json.dumps(stream_path[-1]).encode()  # cheap pre-filter before parsing a line
    out: list[dict[str, Any]] = []
    for line in lines:
        if needle not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        event = record.get("event") if isinstance(record, dict) else None  # a damaged line
        if isinstance(event, dict) and event.get("stream_path") == stream_path:
            if len(out) >= MAX_ITEMS:
                return out, True
            out.append(event)
    return out, False
