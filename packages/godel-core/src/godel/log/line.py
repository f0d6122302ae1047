"""The text of one event line, made on the hot path of every event.

A line is ``Event.to_dict()`` as compact ASCII JSON, in two parts: the *head* (ids, identity,
request), fixed for the life of an event, and the *tail* (response, status, times), which each
new state of the event rewrites. The head of an in-flight event is made once and reused for its
terminal line. Both are put together from pre-encoded pieces rather than encoded as one dict:
that halves the cost of an event. The request is written in its canonical form (sorted keys),
the same text its hash is taken over, so one encoding serves both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from godel.log.events import HASH_EXCLUDED_KEYS, Event, EventStatus
from godel.log.jsontext import canonical, compact

__all__ = ["EMPTY_HASH", "head", "request_text", "tail"]

EMPTY_HASH = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"  # sha256 of "{}"
_STATUS_TEXT = {s: f'"{s.value}"' for s in EventStatus}
_path_texts: dict[tuple[str, ...], str] = {}  # step paths repeat: encode each once
_op_texts: dict[str, str] = {}
_digests: dict[str, str] = {}  # short requests repeat (a step called with the same arguments)
_MEMO_CHARS = 256  # longer ones rarely repeat, and would hold memory for nothing


def _digest(text: str) -> str:
    """``sha256(text).hexdigest()``, remembered for short texts: a dict lookup costs a tenth of it."""
    if len(text) > _MEMO_CHARS:
        return (_sha256 or _load_sha256())(text.encode()).hexdigest()
    digest = _digests.get(text)
    if digest is None:
        digest = (_sha256 or _load_sha256())(text.encode()).hexdigest()
        if len(_digests) >= 4096:  # a workflow repeats few; a generated one must not grow this
            _digests.clear()
        _digests[text] = digest
    return digest


_sha256: Callable[[bytes], Any] | None = None


def _load_sha256() -> Callable[[bytes], Any]:
    # hashlib is imported when a request is first hashed, not with this module: loading it
    # (OpenSSL) costs 3 ms, and the commands that only read logs import this module too.
    global _sha256
    from hashlib import sha256

    _sha256 = sha256
    return sha256


def request_text(request: dict[str, Any]) -> tuple[str, str]:
    """The request as it is written (canonical JSON) and its hash (``events.compute_request_hash``).

    The keys the hash leaves out (``HASH_EXCLUDED_KEYS``) follow the hashed ones, sorted too.
    """
    if not request:
        return "{}", EMPTY_HASH
    if HASH_EXCLUDED_KEYS.isdisjoint(request):
        text = canonical(request)
        return text, _digest(text)
    present = HASH_EXCLUDED_KEYS.intersection(request)
    kept = request.copy()
    for name in present:
        del kept[name]
    text = canonical(kept)
    digest = _digest(text)
    if len(present) == 1:  # the usual case: source_hash of a step, idempotent of a command
        (name,) = present
        value = request[name]
        rest = f'"{name}":{quoted(value) if value.__class__ is str else canonical(value)}'
    else:
        rest = ",".join(f'"{name}":{canonical(request[name])}' for name in sorted(present))
    # The excluded names are plain identifiers: they need no escaping.
    return f"{text[:-1]}{',' if kept else ''}{rest}}}", digest


def quoted(text: str) -> str:
    """``compact(text)`` for a string, skipping the encoder for the plain ids and times of a line."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return compact(text)


def head(event: Event, request: str, run: str, *, own: bool) -> str:
    """The line up to and including its request (no closing brace).

    ``request`` and ``run`` are the JSON texts of the request and the run id. ``own`` says the
    event was made by this process, so its id, hash and times are known to need no escaping.
    """
    path = event.step_path
    path_text = _path_texts.get(path)
    if path_text is None:
        path_text = compact(list(path))
        if (
            len(_path_texts) < 4096
        ):  # a workflow has few distinct paths; a generated one must not grow this
            _path_texts[path] = path_text
    op = event.op
    op_text = _op_texts.get(op)
    if op_text is None:
        op_text = compact(op)
        if len(_op_texts) < 1024:
            _op_texts[op] = op_text
    parent = "null" if event.parent_id is None else quoted(event.parent_id)
    if own:
        event_id = f'"{event.event_id}"'
        digest = f'"{event.request_hash}"'
    else:
        event_id = quoted(event.event_id)
        digest = "null" if event.request_hash is None else quoted(event.request_hash)
    return (
        f'{{"event_id":{event_id},"run_id":{run},"seq":{int(event.seq)},'
        f'"parent_id":{parent},"step_path":{path_text},"invocation_seq":{int(event.invocation_seq)},'
        f'"step_local_seq":{int(event.step_local_seq)},"op":{op_text},"request_hash":{digest},'
        f'"request":{request}'
    )


def tail(event: Event, response: str, *, own: bool) -> str:
    """The rest of the line after the head; ``response`` is the response's JSON text."""
    start = event.ts_start
    end = event.ts_end
    if own:  # the times come from godel.log.ids
        start_text = f'"{start}"'
        end_text = "null" if end is None else f'"{end}"'
    else:
        start_text = "null" if start is None else quoted(start)
        end_text = "null" if end is None else quoted(end)
    stream = event.stream_path
    return (
        f',"response":{response},"status":{_STATUS_TEXT[event.status]},"ts_start":{start_text},'
        f'"ts_end":{end_text},"stream_path":{compact(stream) if stream else "[]"}}}'
    )
