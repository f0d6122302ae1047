"""Formatting one event for people: labels, durations, times, a one-line detail, colour roles.

Shared by ``show`` (table, tree) and ``tail --format pretty`` so that an event reads the same
everywhere.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Sequence
from math import isfinite
from typing import Any

from godel.log.events import Event, EventStatus, Op, parse_ts, seconds_between
from godel.log.ids import SHORT_LEN, short_id

__all__ = [
    "DETAIL_WIDTH",
    "MESSAGE_WIDTH",
    "ROLE_STYLES",
    "STATUS_TEXT",
    "STEP_WIDTH",
    "Style",
    "clip",
    "clock",
    "cut_left",
    "detail",
    "event_duration",
    "event_time",
    "failure_text",
    "format_duration",
    "format_event_line",
    "local_time",
    "no_style",
    "repr_call_parts",
    "shown",
    "step_label",
    "terminal_json",
]

Style = Callable[[str, str], str]
"""``style(text, role) -> text``: how a renderer asks for colour. Roles are status names
(``FINISHED``, ``FAILED``, ``RUNNING``...) and ``id``, ``dim``, ``bold``, ``mark``, ``prior``."""

# click.style keyword arguments per role; the CLI applies them, the core only names them.
ROLE_STYLES: dict[str, dict[str, Any]] = {
    "FINISHED": {"fg": "green"},
    "FAILED": {"fg": "red"},
    "STARTED": {"fg": "yellow"},
    "RUNNING": {"fg": "yellow"},
    "INVALIDATED": {"fg": "magenta"},
    "SUSPENDED": {"fg": "cyan"},
    "PAUSED": {"fg": "cyan"},
    "CRASHED": {"fg": "red", "bold": True},
    "UNKNOWN": {"dim": True},
    "id": {"fg": "blue"},
    "dim": {"dim": True},
    "bold": {"bold": True},
    "mark": {"fg": "magenta", "dim": True},
    "prior": {"fg": "red", "dim": True},
}

DETAIL_WIDTH = 72


def no_style(text: str, role: str) -> str:
    """The ``Style`` that adds nothing."""
    return text


def step_label(step_path: Sequence[str]) -> str:
    """``a/b`` for a step path, ``(root)`` for the workflow body."""
    return "/".join(step_path) if step_path else "(root)"


STEP_WIDTH = 40  # longer step paths are cut from the left, where they repeat their parents


def cut_left(text: str, width: int = STEP_WIDTH) -> str:
    """``text``, or ``…`` and its last ``width - 1`` characters when it is longer."""
    return text if len(text) <= width else "…" + text[-(width - 1) :]


def event_duration(ev: Event) -> float | None:
    """How long an event took (None while it has not ended)."""
    return seconds_between(ev.ts_start, ev.ts_end) if ev.ts_end else None


def event_time(ev: Event) -> str:
    """When this state of the event happened: its end for ended events, else its start."""
    return (ev.ts_end if ev.status is not EventStatus.STARTED and ev.ts_end else ev.ts_start) or ""


_DURATIONS: dict[float, str] = {}  # `show` and `tail` format one per event; runs repeat them


def format_duration(seconds: float | None) -> str:
    """``0.012s``, ``12.3s``, ``4m 05s``, ``2h 03m``; ``-`` when unknown."""
    if seconds is None:
        return "-"
    if seconds > 0:  # not 0.0, which is equal to -0.0 (printed "-0.000s")
        text = _DURATIONS.get(seconds)
        if text is None:
            text = _format_duration(seconds)
            if len(_DURATIONS) >= 4096:  # bounded for a long tail
                _DURATIONS.clear()
            _DURATIONS[seconds] = text
        return text
    return _format_duration(seconds)


def _format_duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.3f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    if seconds < 3600:
        m, s = divmod(int(seconds), 60)
        return f"{m}m {s:02d}s"
    h, rest = divmod(int(seconds), 3600)
    return f"{h}h {rest // 60:02d}m"


def local_time(ts: str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """An event timestamp in the machine's local time (``-`` when unknown)."""
    dt = parse_ts(ts)
    if dt is None:
        return "-"
    if dt.tzinfo is not None:
        dt = dt.astimezone()
    return dt.strftime(fmt)


# Characters in recorded data that a terminal would obey instead of showing: C0 and C1 controls
# (ESC and CSI start escape sequences, CR and BS overwrite), DEL, bidi controls (they reorder
# the rest of the line) and lone surrogates (they cannot be encoded: printing one raises).
# [start, end) code point ranges.
_UNSAFE = (
    (0x00, 0x20),
    (0x7F, 0xA0),
    (0x061C, 0x061D),
    (0x200E, 0x2010),
    (0x202A, 0x202F),
    (0x2066, 0x206A),
    (0xD800, 0xE000),
)
# The translation tables (by tab replacement) and the JSON pattern are made on first use: most
# output holds nothing to replace, and made at import they cost every command 5.7M
# instructions (a one-step `show` is 320M).
_tables: dict[str, dict[int, str]] = {}
_json_unsafe: list[re.Pattern[str]] = []


def shown(text: str, tab: str = " ") -> str:
    """``text`` with each character a terminal would obey (a control, a bidi override, a lone
    surrogate) replaced by ``\ufffd``, and tabs by ``tab``: recorded data is shown, not obeyed."""
    if text.isprintable():
        return text
    table = _tables.get(tab)
    if table is None:
        table = _tables[tab] = {c: "\ufffd" for lo, hi in _UNSAFE for c in range(lo, hi)}
        table[ord("\t")] = tab
    return text.translate(table)


def terminal_json(text: str) -> str:
    """JSON text written with ``ensure_ascii=False``, safe on a terminal and still the same JSON:
    C1 controls, bidi controls and lone surrogates in its strings become ``\\uXXXX`` escapes."""
    if text.isascii() and "\x7f" not in text:  # json.dumps escapes C0 controls itself
        return text
    if not _json_unsafe:
        ranges = "".join(f"{chr(lo)}-{chr(hi - 1)}" for lo, hi in _UNSAFE[1:])
        _json_unsafe.append(re.compile(f"[{ranges}]"))
    return _json_unsafe[0].sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# An error message or pause reason in a header or a status line: a 1 MB exception message
# would be a 1 MB line (`show --full EVENT_ID` prints the whole).
MESSAGE_WIDTH = 2000


def clip(text: str, width: int = DETAIL_WIDTH) -> str:
    """One line of at most ``width`` characters (0: any length): line breaks become ``⏎``,
    control characters ``\ufffd``, and the rest is cut with ``…``."""
    if "\n" in text or "\r" in text:
        text = _joined_lines(text, width)
    if not text.isprintable():  # (the test inline: a call per row of a long table costs)
        text = shown(text)
    if width > 0 and len(text) > width:
        return text[: max(0, width - 1)] + "…"
    return text


def _joined_lines(text: str, width: int) -> str:
    """The non-blank lines of ``text``, stripped, joined with `` ⏎ ``; for ``width > 0``, only
    the first lines that make it longer than ``width`` when there are enough: what ``clip``
    shows is the same, and a 100 MB value is not split whole for 72 characters."""
    size = 4 * width + 256
    while 0 < width and size < len(text):
        lines = text[:size].splitlines()
        lines.pop()  # it may go on past the cut
        joined = " ⏎ ".join(part.strip() for part in lines if part.strip())
        if len(joined) > width:  # longer than the line: the rest is cut off anyway
            return joined
        size *= 4
    return " ⏎ ".join(part.strip() for part in text.splitlines() if part.strip())


# json.dumps(value, ensure_ascii=False[, separators=(",", ":")]) with the encoder built once:
# `show` and `tail` format a value or two per event.
_compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_quote_json = json.JSONEncoder(ensure_ascii=False).encode


def _value(value: Any) -> str:
    """A recorded value as text: strings as they are, ``$repr`` values by their repr, else JSON."""
    if isinstance(value, str):
        return value
    # Numbers are most values (step arguments, det values): written as the encoder writes them,
    # without its per-call set-up.
    kind = type(value)
    if kind is int or (kind is float and isfinite(value)):
        return kind.__repr__(value)
    if isinstance(value, dict) and len(value) == 1 and "$repr" in value:
        return str(value["$repr"])
    try:
        return _compact_json(value)
    except (TypeError, ValueError):
        return repr(value)


def _quoted(value: Any) -> str:
    if value.__class__ is int:  # most arguments: the test that _value would make, made first
        return int.__repr__(value)
    return _quote_json(value) if isinstance(value, str) else _value(value)


def repr_call_parts(args: Any, kwargs: Any) -> list[str]:
    """The arguments of a call godel-py 3.x recorded as ``repr`` strings, as the parts of a call
    to show: ``args="(21,)", kwargs="{'scale': 3}"`` gives ``["21", "scale=3"]``.

    The positional ones are the tuple's text without its parentheses; the keyword ones are
    named when their text is a literal (else shown as written). godel's own lists and dicts are
    shown as ``show`` shows them."""
    parts = []
    if isinstance(args, str):
        text = args.strip()
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1].strip()
            text = text[:-1] if text.endswith(",") else text
        if text:
            parts.append(text)
    elif isinstance(args, list):
        parts += map(_quoted, args)
    elif args:
        parts.append(_value(args))
    if isinstance(kwargs, str):
        named = _literal_dict(kwargs)
        if named is not None:
            parts += [f"{key}={value!r}" for key, value in named.items()]
        elif kwargs.strip():
            parts.append(kwargs.strip())
    elif isinstance(kwargs, dict):
        parts += [f"{key}={_quoted(value)}" for key, value in kwargs.items()]
    elif kwargs:
        parts.append(_value(kwargs))
    return parts


def _literal_dict(text: str) -> dict[str, Any] | None:
    import ast

    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None  # an object's repr (`<Foo at 0x...>`): shown as written
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return value
    return None


def _repr_call(args: Any, kwargs: Any) -> str:
    return f"({', '.join(repr_call_parts(args, kwargs))})"


def _call(req: dict[str, Any]) -> str:
    # A step's arguments on every row of `show` and `tail`: joined through map, without the
    # frame of a list comprehension (1.6 -> 1.0 µs for one int argument).
    # godel-py 3.x wrote `repr` strings: tested after godel's own list and dict, so that the
    # rows of godel's runs pay nothing for it.
    args = req.get("args")
    kwargs = req.get("kwargs")
    if isinstance(args, list):
        text = ", ".join(map(_quoted, args))
    elif isinstance(args, str):
        return _repr_call(args, kwargs)
    else:
        text = _value(args) if args else ""
    if isinstance(kwargs, dict):
        if kwargs:
            named = ", ".join([f"{k}={_quoted(v)}" for k, v in kwargs.items()])
            text = f"{text}, {named}" if text else named
    elif isinstance(kwargs, str):
        return _repr_call(args, kwargs)
    elif kwargs:
        text = f"{text}, {_value(kwargs)}" if text else _value(kwargs)
    return f"({text})"


def failure_text(response: dict[str, Any] | None) -> str:
    """``ErrorType: message`` from a standard failure record."""
    resp = response or {}
    error = str(resp.get("error", "")).strip()
    kind = str(resp.get("error_type", "")).strip()
    if kind and error:
        # Some errors start with their own type (UnsafeResumeError): not twice.
        return error if error.startswith(f"{kind}:") else f"{kind}: {error}"
    return kind or error or "failed"


def _cmd(cmd: Any) -> str:
    if isinstance(cmd, list) and all(isinstance(c, str) for c in cmd):
        return shlex.join(cmd)
    return _value(cmd)


def _d_workflow(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    text = f"{req.get('function', '')}{_call(req)}"
    if ev.status is EventStatus.PAUSED and resp.get("reason"):
        text += f" paused: {resp['reason']}"
    elif ev.status is EventStatus.FINISHED and resp.get("result") is not None:
        text += f" → {_value(resp['result'])}"
    return text


def _d_step(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    text = _call(req) if (req.get("args") or req.get("kwargs")) else ""
    if text == "()":  # godel-py's "()" and "{}"
        text = ""
    if ev.status is EventStatus.FINISHED and resp.get("result") is not None:
        text += f" → {_value(resp['result'])}" if text else f"→ {_value(resp['result'])}"
    return text


def _d_run(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    text = f"$ {_cmd(req.get('cmd'))}"
    if "returncode" in resp:
        text += f" → exit {resp['returncode']}"
    return text


def _d_agent(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    backend, model = req.get("backend"), req.get("model")
    parts = [f"{backend}/{model}" if backend and model else str(backend or model or "agent")]
    usage = resp.get("usage") if isinstance(resp.get("usage"), dict) else {}
    if usage.get("input_tokens") is not None or usage.get("output_tokens") is not None:
        parts.append(f"{usage.get('input_tokens', 0)}→{usage.get('output_tokens', 0)} tok")
    if isinstance(resp.get("cost_usd"), int | float) and resp["cost_usd"]:
        parts.append(f"{'~' if resp.get('cost_estimated') else ''}${resp['cost_usd']:.4f}")
    if req.get("schema_name"):
        parts.append(f"schema={req['schema_name']}")
    if req.get("prompt"):
        parts.append(_quoted(req["prompt"]))
    return " ".join(parts)


def _d_print(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    return str(req.get("text", "")).strip()


def _d_input(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    prompt = _quoted(str(req.get("prompt", "")))
    if "value" in resp:
        return f"{prompt} → {_quoted(resp['value'])}"
    return f"{prompt} (waiting for an answer)" if ev.status is EventStatus.STARTED else prompt


def _d_sleep(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    return f"{req.get('seconds', '?')}s"


def _d_det(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    return _value(resp["value"]) if "value" in resp else ""


def _d_read(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    size = resp.get("bytes_read")
    return f"{req.get('path', '')}" + (f" ({size} B)" if size is not None else "")


def _d_write(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    size = resp.get("bytes_written")
    return f"{req.get('path', '')}" + (f" ({size} B)" if size is not None else "")


def _d_fork(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    text = f"{req.get('branches', '?')} branches"
    if req.get("max_concurrency"):
        text += f", at most {req['max_concurrency']} at once"
    return text


def _d_resume(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    text = f"attempt {req.get('attempt', '?')}"
    if "cached_events" in resp:
        text += f", {resp['cached_events']} cached events"
    return text


def _d_invalidate(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    target = str(req.get("target") or "")
    count = len(resp.get("invalidated") or ())
    where = step_label(req.get("step_path") or ())
    return f"{req.get('reason', '')}: {req.get('op', '')} at {where} [{short_id(target)}], {count} invalidated"


def _d_rewind(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    targets = req.get("targets") or []
    names = (
        ", ".join(short_id(str(t)) for t in targets)
        if isinstance(targets, list)
        else _value(targets)
    )
    text = f"to {names}" if names else "rewind"
    if req.get("reason"):
        text += f": {req['reason']}"
    if "invalidated_count" in resp:
        text += f" ({resp['invalidated_count']} invalidated)"
    return text


def _d_reason(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    return str(req.get("reason") or resp.get("reason") or "")


def _d_repair(ev: Event, req: dict[str, Any], resp: dict[str, Any]) -> str:
    if req.get("via") == "mcp":
        return f"mcp {req.get('tool', '')}"
    outcome = resp.get("outcome")
    by = f"by run {req.get('repair_run_id')}" if req.get("repair_run_id") else ""
    return ": ".join(x for x in (by, str(outcome or ""), str(resp.get("reason") or "")) if x)


_DETAILS: dict[str, Callable[[Event, dict[str, Any], dict[str, Any]], str]] = {
    Op.WORKFLOW_STARTED: _d_workflow,
    Op.STEP_ENTER: _d_step,
    Op.RUN: _d_run,
    Op.AGENT_CALL: _d_agent,
    Op.PRINT: _d_print,
    Op.INPUT: _d_input,
    Op.SLEEP: _d_sleep,
    Op.DET_SLEEP: _d_sleep,
    Op.DET_NOW: _d_det,
    Op.DET_RANDOM: _d_det,
    Op.DET_RANDINT: _d_det,
    Op.DET_CHOICE: _d_det,
    Op.DET_UUID4: _d_det,
    Op.READ_TEXT: _d_read,
    Op.WRITE_TEXT: _d_write,
    Op.FORK: _d_fork,
    Op.JOIN: _d_fork,
    Op.RESUME: _d_resume,
    Op.INVALIDATE: _d_invalidate,
    Op.REWIND: _d_rewind,
    Op.PAUSED: _d_reason,
    Op.UNRECOVERABLE: _d_reason,
    Op.REPAIR: _d_repair,
}


def detail(ev: Event) -> str:
    """What an event did, in a few words (unclipped): the command of a ``run``, the path and
    size of a file read or write, the text of a ``print``, a ``det`` value, the reason of a failure."""
    req = ev.request if isinstance(ev.request, dict) else {}
    resp = ev.response if isinstance(ev.response, dict) else {}
    if ev.status is EventStatus.FAILED:
        if ev.op == Op.RUN and req.get("cmd"):
            return f"{failure_text(resp)} ($ {_cmd(req.get('cmd'))})"
        return failure_text(resp)
    fn = _DETAILS.get(ev.op)
    if fn is not None:
        return fn(ev, req, resp)
    return _value(req) if req else ""


_CLOCKS: dict[str, str] = {}


def clock(ts: str | None) -> str:
    """``HH:MM:SS.mmm`` in local time (``-`` when unknown). Cached per second: ``tail`` prints
    thousands of lines from the same few seconds."""
    if not ts or len(ts) < 19:
        return "-"
    # The millisecond and the offset decide the text: fast steps share milliseconds too.
    text = _CLOCK_TEXTS.get(ts[:23] + ts[-6:])
    if text is not None:
        return text
    key = ts[:19] + ts[-6:]  # the second and the offset
    hms = _CLOCKS.get(key)
    if hms is None:
        hms = local_time(ts, "%H:%M:%S")
        if len(_CLOCKS) > 4096:
            _CLOCKS.clear()
        _CLOCKS[key] = hms
    frac = ts[20:23] if ts[19:20] == "." else "000"
    if not frac.isdigit():  # a fraction of fewer than three digits ("01.5+00:00"), or none
        digits = frac[: len(frac) - len(frac.lstrip("0123456789"))]
        frac = (digits + "000")[:3]
    text = f"{hms}.{frac}"
    if len(_CLOCK_TEXTS) > 4096:
        _CLOCK_TEXTS.clear()
    _CLOCK_TEXTS[ts[:23] + ts[-6:]] = text
    return text


_CLOCK_TEXTS: dict[str, str] = {}


def format_event_line(ev: Event, style: Style = no_style, *, width: int = DETAIL_WIDTH) -> str:
    """One state transition on one line (``tail --format pretty``):
    local time, short id, op, step path, status, duration, detail."""
    status = STATUS_TEXT.get(ev.status) or ev.status.value  # the enum's property is slow
    when = clock(event_time(ev))
    dur = format_duration(event_duration(ev)) if ev.status is not EventStatus.STARTED else ""
    sid = ev.event_id[-SHORT_LEN:]  # short_id, inlined: one call less per line
    text = detail(ev)
    if text:
        text = clip(text, width)
    if style is no_style:
        # tail prints thousands of lines whose op, step, status and duration repeat: the
        # padded middle of the line is made once per combination.
        path = ev.step_path
        key = (ev.op, path, status, dur)
        middle = _MIDDLES.get(key) if path.__class__ is tuple else None
        if middle is None:
            label = cut_left(shown(step_label(path)))
            middle = f"{shown(ev.op):<16}  {label:<20}  {status:<11} {dur:>8}"
            if path.__class__ is tuple:
                if len(_MIDDLES) >= 4096:
                    _MIDDLES.clear()
                _MIDDLES[key] = middle
        return f"{when}  {sid}  {middle}  {text}".rstrip()
    padded = style(f"{status:<11}", status)
    return (
        f"{style(when, 'dim')}  {style(sid, 'id')}  {shown(ev.op):<16}  "
        f"{cut_left(shown(step_label(ev.step_path))):<20}  "
        f"{padded} {dur:>8}  {text}"
    ).rstrip()


_MIDDLES: dict[tuple[str, tuple[str, ...], str, str], str] = {}
STATUS_TEXT = {s: s.value for s in EventStatus}
"""An event status's text, without the enum's slow ``value`` property (one per row)."""
