"""Small HTML helpers shared by the pages: escaping, the layout, labels, badges.

Every value from a log goes through ``e`` (HTML escaping) before it reaches a page: a log is
written by workflows and agents, and its text must never become markup.
"""

from __future__ import annotations

import html
import json
import re
import shlex
from typing import Any
from urllib.parse import quote, urlencode

from godel.cost import CostTotals
from godel.log import Event
from godel.runs.render import clip, format_duration, terminal_json
from godel_web.__about__ import __version__

# A log can hold a lone surrogate (a file name decoded with surrogateescape, a hand edit); it has
# no UTF-8 encoding, so the page could not be sent.
_SURROGATE = re.compile("[\ud800-\udfff]")


def e(value: Any) -> str:
    """``value`` as HTML text: escaped, a lone surrogate shown as U+FFFD."""
    text = str(value)
    if not text.isascii():  # (most values are: one C call instead of a regex scan)
        text = _SURROGATE.sub("\ufffd", text)
    return html.escape(text, quote=True)


def url(path: str, **query: Any) -> str:
    """A path with a query string of the non-empty values."""
    params = {k: v for k, v in query.items() if v not in (None, "", 0, False)}
    return path + ("?" + urlencode(params) if params else "")


def run_url(run_id: str) -> str:
    return f"/runs/{quote(run_id)}"


def event_url(run_id: str, event_id: str) -> str:
    return f"/runs/{quote(run_id)}/events/{quote(event_id)}"


def duration(seconds: float | None) -> str:
    return format_duration(seconds) if seconds is not None else "-"


def spent(totals: CostTotals | None) -> str:
    """What agent calls cost, as ``godel runs list`` writes it: ``$0.0042``, ``~$0.0042`` when
    part of it is estimated from a price table, ``?`` when none is priced, ``-`` without calls."""
    if totals is None or not totals.calls:
        return "-"
    return totals.spent_text()


def tokens(totals: CostTotals | None) -> str:
    """`` · 1,234 tokens`` (input plus output), or nothing without any."""
    n = (totals.input_tokens + totals.output_tokens) if totals is not None else 0
    return f" · {n:,} tokens" if n else ""


def pretty(value: Any) -> str:
    """``value`` as indented JSON (lone surrogates and bidi controls as ``\\u`` escapes)."""
    return terminal_json(json.dumps(value, indent=2, ensure_ascii=False, default=repr))


def badge(status: str, extra: str = "") -> str:
    return f'<span class="badge s-{e(status)}{" " + e(extra) if extra else ""}">{e(status)}</span>'


MARK_TEXT = {
    "invalid": "invalidated",
    "prior": "failed attempt",
    "meta": "record",
}


def mark_badge(mark: str) -> str:
    if not mark or mark not in MARK_TEXT:
        return ""
    return f'<span class="mark m-{e(mark)}">{e(MARK_TEXT[mark])}</span>'


def _cmd(cmd: Any) -> str:
    if isinstance(cmd, list):
        return shlex.join(str(c) for c in cmd)
    return str(cmd or "")


def kind(ev: Event) -> str:
    """A CSS class for the kind of work an event is."""
    return {
        "step.enter": "step",
        "FORK": "fork",
        "JOIN": "fork",
        "run": "cmd",
        "agent.call": "agent",
        "WORKFLOW_STARTED": "workflow",
    }.get(ev.op, "other")


def label(ev: Event, width: int = 80) -> str:
    """What an event is, in a few words (the tree's and the timeline's label)."""
    req = ev.request or {}
    op = ev.op
    if op == "WORKFLOW_STARTED":
        return f"workflow {req.get('function', '')}"
    if op == "step.enter":
        name = str(req.get("name") or (ev.step_path[-1] if ev.step_path else "step"))
        return name + (f" #{ev.invocation_seq + 1}" if ev.invocation_seq else "")
    if op == "FORK":
        return f"parallel ×{req.get('branches', '?')}"
    if op == "JOIN":
        return f"join ×{req.get('branches', '?')}"
    if op == "run":
        return clip("$ " + _cmd(req.get("cmd")), width)
    if op == "agent.call":
        who = req.get("backend") or "agent"
        prompt = str(req.get("prompt") or "").strip().splitlines()
        return clip(f"{who} ({req.get('model', '')}): {prompt[0] if prompt else ''}", width)
    if op == "print":
        return clip(f"print {str(req.get('text', '')).strip()}", width)
    if op == "input":
        return clip(f"input {req.get('prompt', '')}", width)
    if op in ("sleep", "det.sleep"):
        return f"{op} {req.get('seconds', '')}s"
    if op in ("read_text", "write_text"):
        return clip(f"{op} {req.get('path', '')}", width)
    if op == "REWIND":
        return f"rewind ({req.get('phase', '')})"
    return op


PAGE_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf" content="{csrf}">
<title>{title} · godel</title>
<link rel="stylesheet" href="/static/app.css?v={version}">
<script src="/static/app.js?v={version}" defer></script>
</head>
"""


def layout(title: str, body: str, *, csrf: str, crumbs: str = "", body_attrs: str = "") -> str:
    """A whole page: the top bar with breadcrumbs, then ``body``."""
    head = PAGE_HEAD.format(title=e(title), csrf=e(csrf), version=e(__version__))
    top = (
        '<header class="top"><a class="brand" href="/">godel</a>'
        f'<nav class="crumbs">{crumbs}</nav>'
        '<span class="live-dot" id="live-dot" title="live updates"></span></header>'
    )
    return f"{head}<body {body_attrs}>{top}<main>{body}</main></body></html>\n"


def error_page(status: int, lines: list[str], csrf: str) -> str:
    text = "".join(f"<p>[godel] {e(line)}</p>" for line in lines)
    return layout(
        f"error {status}",
        f'<section class="card error"><h1>{status}</h1>{text}<p><a href="/">all runs</a></p></section>',
        csrf=csrf,
    )
