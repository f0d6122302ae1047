"""The three pages, rendered on the server: the runs list, a run, an event.

Large parts are fragments the page's script fetches again when the SSE stream says the run
changed (the runs table, a run's header, tree page and timeline), so a live page and a fresh
one show the same HTML.
"""

from __future__ import annotations

from math import ceil
from typing import Any

from godel.log import Event, short_id
from godel.runs import RunSummary
from godel.runs.render import clip, cost_cell, cost_text, failure_text, local_time
from godel_web.actions import resume_command
from godel_web.html import (
    badge,
    duration,
    e,
    event_url,
    kind,
    label,
    layout,
    mark_badge,
    pretty,
    run_url,
    spent,
    tokens,
    url,
)
from godel_web.model import RunModel, Timeline
from godel_web.runs import RunRow, args_text

TREE_PAGE = 200  # tree rows per page: a 10,000-step run is 50+ pages, each instant
RUNS_PAGE = 100
STATUSES = ("RUNNING", "FINISHED", "FAILED", "PAUSED", "CRASHED", "UNKNOWN")


# the runs list ------------------------------------------------------------------------------
def filter_runs(rows: list[RunRow], status: str, workflow: str, text: str) -> list[RunRow]:
    out = rows
    if status:
        out = [r for r in out if r.summary.status.value == status]
    if workflow:
        out = [r for r in out if r.summary.workflow == workflow]
    if text:
        needle = text.lower()
        out = [
            r
            for r in out
            if needle in r.run_id.lower()
            or needle in r.summary.workflow.lower()
            or needle in r.args.lower()
            or (r.summary.failure is not None and needle in r.summary.failure.error.lower())
        ]
    return out


def runs_table(rows: list[RunRow], filters: dict[str, str], page: int) -> str:
    shown = filter_runs(rows, filters["status"], filters["workflow"], filters["q"])
    pages = max(1, ceil(len(shown) / RUNS_PAGE))
    page = min(max(page, 1), pages)
    body = []
    for row in shown[(page - 1) * RUNS_PAGE : page * RUNS_PAGE]:
        s = row.summary
        failure = f'<div class="why">{e(clip(s.failure.error, 90))}</div>' if s.failure else ""
        body.append(
            f'<tr class="run" data-status="{e(s.status.value)}">'
            f'<td><a class="id" href="{run_url(s.run_id)}">{e(s.run_id)}</a></td>'
            f'<td>{e(s.workflow)}<div class="args">{e(clip(row.args, 60))}</div></td>'
            f"<td>{badge(s.status.value)}{failure}</td>"
            f'<td class="num">{e(local_time(s.started) if s.started else "-")}</td>'
            f'<td class="num">{duration(s.duration())}</td>'
            f'<td class="num">{s.attempts}</td>'
            f'<td class="num">{e(spent(s.cost))}</td></tr>'
        )
    if not body:
        body.append('<tr><td colspan="7" class="empty">no runs match</td></tr>')
    pager = ""
    if pages > 1:
        prev = f'<a href="{e(url("/", page=page - 1, **filters))}">‹ newer</a>' if page > 1 else ""
        nxt = (
            f'<a href="{e(url("/", page=page + 1, **filters))}">older ›</a>' if page < pages else ""
        )
        pager = f'<div class="pager">{prev} page {page} of {pages} {nxt}</div>'
    return (
        f'<div id="runs-table" data-count="{len(shown)}"><table class="runs">'
        "<thead><tr><th>run</th><th>workflow</th><th>status</th><th>started</th>"
        "<th>duration</th><th>attempts</th><th>cost</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        f'<p class="count">{len(shown)} of {len(rows)} runs</p>{pager}</div>'
    )


def runs_page(rows: list[RunRow], filters: dict[str, str], page: int, csrf: str, where: str) -> str:
    workflows = sorted({r.summary.workflow for r in rows})
    status_opts = "".join(
        f'<option value="{s}"{" selected" if filters["status"] == s else ""}>{s.lower()}</option>'
        for s in STATUSES
    )
    wf_opts = "".join(
        f'<option value="{e(w)}"{" selected" if filters["workflow"] == w else ""}>{e(w)}</option>'
        for w in workflows
    )
    form = (
        '<form class="filters" id="filters" method="get" action="/">'
        f'<select name="status" aria-label="status"><option value="">any status</option>{status_opts}</select>'
        f'<select name="workflow" aria-label="workflow"><option value="">any workflow</option>{wf_opts}</select>'
        f'<input type="search" name="q" placeholder="run id, workflow, args, error" value="{e(filters["q"])}">'
        '<button type="submit">filter</button></form>'
    )
    body = (
        f'<section class="card"><h1>Runs <span class="where">{e(where)}</span></h1>{form}'
        f"{runs_table(rows, filters, page)}</section>"
    )
    frag = url("/", fragment="runs", page=page, **filters)
    return layout(
        "runs",
        body,
        csrf=csrf,
        crumbs="runs",
        body_attrs=f'data-stream="/stream/runs" data-fragments="runs-table={e(frag)}"',
    )


# a run --------------------------------------------------------------------------------------
def run_header(model: RunModel, summary: RunSummary, read_only: bool, csrf: str) -> str:
    root = model.root
    args = args_text(root.request) if root is not None else ""
    cost = summary.cost
    # The whole sentence `godel show` prints (estimated, unpriced, saved), on hover.
    title = f' title="{e(cost_text(cost))}"' if cost is not None and not cost.empty else ""
    failure = ""
    if summary.failure is not None:
        cause = summary.failure.cause
        where = (
            f' in <a href="{event_url(model.run_id, cause.event_id)}">{e(cause.op)} '
            f"{e('/'.join(cause.step_path) or '(root)')}</a>"
            if cause
            else ""
        )
        text = failure_text(
            {"error": summary.failure.error, "error_type": summary.failure.error_type}
        )
        failure = f'<p class="failure">{e(clip(text, 200))}{where}</p>'
    live = summary.status.value == "RUNNING"
    actions = ""
    resume = resume_command(model.run_id, model.runs_dir)
    if not read_only:
        pause = (
            f'<form method="post" action="{run_url(model.run_id)}/pause" class="action">'
            f'<input type="hidden" name="csrf" value="{e(csrf)}">'
            f'<button type="submit" id="pause"{"" if live else " disabled"}'
            ' title="ask the run to pause before its next step">pause</button></form>'
        )
        actions = (
            f'<div class="actions">{pause}'
            f'<button type="button" class="copy" data-copy="{e(resume)}">copy resume command</button>'
            f"<code>{e(resume)}</code></div>"
        )
    return (
        f'<div id="run-header" data-status="{e(summary.status.value)}">'
        f"<h1>{e(summary.workflow)} {badge(summary.status.value)}</h1>"
        '<dl class="facts">'
        f"<div><dt>run</dt><dd>{e(model.run_id)}</dd></div>"
        f"<div><dt>args</dt><dd>{e(clip(args, 120)) or '-'}</dd></div>"
        f"<div><dt>started</dt><dd>{e(local_time(summary.started) if summary.started else '-')}</dd></div>"
        f'<div><dt>duration</dt><dd id="duration">{duration(summary.duration())}</dd></div>'
        f"<div><dt>attempts</dt><dd>{summary.attempts}</dd></div>"
        f'<div><dt>cost</dt><dd id="cost"{title}>{e(spent(cost))}{tokens(cost)}</dd></div>'
        f'<div><dt>events</dt><dd id="events">{len(model.events):,}</dd></div>'
        f"</dl>{failure}{actions}</div>"
    )


def tree_fragment(model: RunModel, page: int) -> str:
    rows = model.rows()
    pages = max(1, ceil(len(rows) / TREE_PAGE))
    page = min(max(page, 1), pages)
    t0 = model.span()[0]
    out = []
    for row in rows[(page - 1) * TREE_PAGE : page * TREE_PAGE]:
        ev = row.ev
        cost = cost_cell(model.cost_of(ev.event_id))
        dur = (row.end - row.start) if row.end is not None and row.start is not None else None
        at = f"+{duration(row.start - t0)}" if row.start is not None else ""
        cls = f"k-{kind(ev)}" + (f" m-{row.mark}" if row.mark else "")
        out.append(
            f'<tr class="{cls}" data-depth="{row.depth}" data-id="{e(ev.event_id)}">'
            f'<td class="name" style="--depth:{row.depth}">'
            f'<span class="twisty" aria-hidden="true"></span>'
            f'<a href="{event_url(model.run_id, ev.event_id)}">{e(label(ev))}</a>'
            f"{mark_badge(row.mark)}</td>"
            f"<td>{badge(ev.status.value)}</td>"
            f'<td class="num">{e(at)}</td>'
            f'<td class="num">{duration(dur)}</td>'
            f'<td class="num">{e(cost)}</td>'
            f'<td class="id">{e(short_id(ev.event_id))}</td></tr>'
        )
    pager = ""
    if pages > 1:
        links = []
        if page > 1:
            links.append(f'<a data-page="{page - 1}" href="?page={page - 1}">‹ previous</a>')
        links.append(
            f"rows {(page - 1) * TREE_PAGE + 1:,}–{min(page * TREE_PAGE, len(rows)):,} "
            f"of {len(rows):,} (page {page} of {pages})"
        )
        if page < pages:
            links.append(f'<a data-page="{page + 1}" href="?page={page + 1}">next ›</a>')
        pager = f'<div class="pager">{" ".join(links)}</div>'
    return (
        f'<div id="tree" data-page="{page}" data-rows="{len(rows)}">{pager}'
        '<table class="tree"><thead><tr><th>step / event</th><th>status</th><th>at</th>'
        "<th>took</th><th>cost</th><th>id</th></tr></thead>"
        f"<tbody>{''.join(out)}</tbody></table>{pager}</div>"
    )


def _ticks(span: float) -> str:
    if span <= 0:
        return ""
    step = next(
        (
            s
            for s in (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)
            if span / s <= 8
        ),
        7200.0,
    )
    out, t = [], 0.0
    while t <= span + 1e-9:
        out.append(
            f'<span class="tick" style="left:{t / span * 100:.3f}%">{e(tick_text(t))}</span>'
        )
        t += step
    return "".join(out)


def timeline_fragment(model: RunModel, timeline: Timeline | None = None) -> str:
    tl = timeline or model.timeline()
    span = tl.span or 1.0
    rows = []
    for bar in tl.bars:
        ev = bar.row.ev
        left = bar.left / span * 100
        width = max(bar.width / span * 100, 0.25)
        title = f"{label(ev, 200)} · {ev.status.value} · {duration(bar.width)}"
        cls = f"bar k-{kind(ev)} s-{ev.status.value}" + (" running" if bar.running else "")
        cls += f" m-{bar.row.mark}" if bar.row.mark else ""
        rows.append(
            f'<div class="tl-row"><div class="tl-label" style="--depth:{bar.row.depth}" title="{e(title)}">'
            f"{e(label(ev, 48))}</div>"
            f'<div class="tl-track"><a class="{cls}" href="{event_url(model.run_id, ev.event_id)}" '
            f'style="left:{left:.3f}%;width:{width:.3f}%" title="{e(title)}">'
            f'<span class="bar-text">{e(duration(bar.width))}</span></a></div></div>'
        )
    resumes = "".join(
        f'<div class="resume-line" style="left:{t / span * 100:.3f}%" title="resumed"></div>'
        for t in tl.resumes
    )
    note = ""
    if tl.total > len(tl.bars):
        note = (
            f'<p class="note">showing the {len(tl.bars):,} longest of {tl.total:,} steps, '
            "commands and agent calls; the tree below lists them all</p>"
        )
    legend = (
        '<div class="legend"><span class="k-step">step</span><span class="k-fork">parallel</span>'
        '<span class="k-cmd">command</span><span class="k-agent">agent call</span>'
        '<span class="s-FAILED">failed</span><span class="m-invalid">invalidated</span></div>'
    )
    return (
        f'<div id="timeline" data-bars="{len(tl.bars)}">{legend}'
        f'<div class="tl"><div class="tl-row tl-axis"><div class="tl-label"></div>'
        f'<div class="tl-track">{_ticks(tl.span)}</div></div>'
        f'<div class="tl-body">{"".join(rows) or "<p class=empty>nothing ran yet</p>"}'
        f'<div class="tl-overlay">{resumes}</div></div></div>{note}</div>'
    )


def run_page(model: RunModel, page: int, read_only: bool, csrf: str) -> str:
    summary = model.summary()
    rid = model.run_id
    body = (
        f'<section class="card">{run_header(model, summary, read_only, csrf)}'
        '<div id="message" class="message" role="status"></div></section>'
        f'<section class="card"><h2>Timeline</h2>{timeline_fragment(model)}</section>'
        f'<section class="card"><h2>Steps</h2>{tree_fragment(model, page)}</section>'
    )
    base = run_url(rid)
    frags = f"run-header={base}/header timeline={base}/timeline tree={base}/tree?page={page}"
    return layout(
        f"{summary.workflow} {rid}",
        body,
        csrf=csrf,
        crumbs=f'<a href="/">runs</a> › {e(rid)}',
        body_attrs=f'data-stream="{base}/stream" data-fragments="{e(frags)}"',
    )


# an event -----------------------------------------------------------------------------------
def _merge_text(items: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Consecutive streamed chunks of one kind become one block."""
    out: list[tuple[str, Any]] = []
    for item in items:
        op = str(item.get("op", ""))
        if op in ("agent.response", "agent.thought", "agent.thinking", "stdout", "stderr"):
            text = str(item.get("text", item.get("line", item.get("chunk", ""))))
            if op in ("stdout", "stderr"):
                text += "\n"
            if out and out[-1][0] == op:
                out[-1] = (op, out[-1][1] + text)
            else:
                out.append((op, text))
        else:
            out.append((op, item))
    return out


_BOOKKEEPING = frozenset({"ts", "seq", "op", "step_path", "stream_path"})


def tick_text(seconds: float) -> str:
    """An axis label: ``0s``, ``1.5s``, ``2m``, ``1m 30s``, ``2h``."""
    if seconds < 60:
        return f"{seconds:.1f}".rstrip("0").rstrip(".") + "s"
    minutes, sec = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m" + (f" {sec}s" if sec else "")
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h" + (f" {minutes}m" if minutes else "")


def transcript_html(items: list[dict[str, Any]], cut: bool) -> str:
    if not items:
        return '<p class="empty">no transcript lines for this event</p>'
    out = []
    for op, value in _merge_text(items):
        if op == "agent.prompt":
            out.append(
                f'<div class="tr tr-prompt"><h3>prompt <small>{e(value.get("model", ""))}</small></h3>'
                f"<pre>{e(value.get('prompt', ''))}</pre></div>"
            )
        elif op == "agent.response":
            out.append(f'<div class="tr tr-text"><h3>text</h3><pre>{e(value)}</pre></div>')
        elif op in ("agent.thought", "agent.thinking"):
            out.append(f'<div class="tr tr-thought"><h3>thinking</h3><pre>{e(value)}</pre></div>')
        elif op == "agent.tool_call":
            out.append(
                f'<div class="tr tr-tool"><h3>tool call <b>{e(value.get("tool", ""))}</b></h3>'
                f"<pre>{e(pretty(value.get('input')))}</pre></div>"
            )
        elif op == "agent.tool_result":
            err = " error" if value.get("is_error") else ""
            out.append(
                f'<div class="tr tr-result{err}"><h3>tool result{err}</h3>'
                f"<pre>{e(value.get('output', ''))}</pre></div>"
            )
        elif op == "agent.result":
            facts = {k: value.get(k) for k in ("usage", "cost_usd", "stop_reason", "is_error")}
            out.append(
                f'<div class="tr tr-final"><h3>result</h3><pre>{e(pretty(facts))}</pre></div>'
            )
        elif op == "run.start":
            cmd = value.get("cmd")
            out.append(
                f'<div class="tr tr-cmd"><h3>command</h3><pre>$ {e(" ".join(map(str, cmd)) if isinstance(cmd, list) else cmd)}</pre></div>'
            )
        elif op in ("stdout", "stderr"):
            out.append(f'<div class="tr tr-{op}"><h3>{op}</h3><pre>{e(value)}</pre></div>')
        elif op == "agent.init":
            tools = value.get("tools") or []
            out.append(
                f'<div class="tr tr-init"><h3>session</h3><pre>{e(value.get("model", ""))} · '
                f"{len(tools)} tools · {e(value.get('cwd') or '')}</pre></div>"
            )
        else:
            rest = {k: v for k, v in value.items() if k not in _BOOKKEEPING}
            out.append(f'<div class="tr"><h3>{e(op)}</h3><pre>{e(pretty(rest))}</pre></div>')
    if cut:
        out.append('<p class="note">the transcript goes on: only its first lines are shown</p>')
    return "".join(out)


def _command_output(resp: dict[str, Any]) -> str:
    parts = []
    for key in ("stdout", "stderr"):
        if resp.get(key):
            parts.append(f'<div class="tr tr-{key}"><h3>{key}</h3><pre>{e(resp[key])}</pre></div>')
    if "returncode" in resp:
        parts.append(f"<p>exit status {e(resp['returncode'])}</p>")
    return "".join(parts)


def event_page(
    model: RunModel,
    ev: Event,
    mark: str,
    items: list[dict[str, Any]],
    cut: bool,
    read_only: bool,
    csrf: str,
) -> str:
    rid = model.run_id
    resp = ev.response if isinstance(ev.response, dict) else {}
    start, end = model.times(ev.event_id)
    took = (end - start) if start is not None and end is not None else None
    parent = model.events.get(ev.parent_id) if ev.parent_id else None
    parent_html = (
        f'<a href="{event_url(rid, parent.event_id)}">{e(label(parent))}</a> <small>{e(parent.op)}</small>'
        if parent is not None
        else "-"
    )
    attempt, began = model.attempt_of(ev)
    attempt_html = (
        f'<a href="{event_url(rid, began)}">attempt {attempt}</a> (resumed)'
        if began
        else f"attempt {attempt}"
    )
    marks = mark_badge(mark)
    if ev.status.value == "FAILED" and mark != "prior":
        marks += '<span class="mark m-failed">failed</span>'
    facts = [
        ("event", f"{e(ev.event_id)} <small>(short {e(short_id(ev.event_id))})</small>"),
        ("op", e(ev.op)),
        ("step path", e("/".join(ev.step_path) or "(root)")),
        ("parent", parent_html),
        ("attempt", attempt_html),
        ("started", e(local_time(ev.ts_start) if ev.ts_start else "-")),
        ("ended", e(local_time(ev.ts_end) if ev.ts_end else "-")),
        ("took", duration(took)),
    ]
    if ev.op == "agent.call":
        ledger = model.ledger()
        call = ledger.calls.get(ev.event_id) if ledger is not None else None
        facts.append(("cost", e(spent(call)) + tokens(call)))
    facts_html = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    error = ""
    if resp.get("error"):
        kind = str(resp.get("error_type") or "Error")
        hint = resp.get("remediation_hint")
        loc = resp.get("source_location")
        error = (
            f'<section class="card error"><h2>Error</h2><p><b>{e(kind)}</b>: '
            f"{e(str(resp['error']).removeprefix(f'{kind}: '))}</p>"
            + (f'<p class="hint">hint: {e(hint)}</p>' if hint else "")
            + (f'<p class="where">at {e(loc)}</p>' if loc else "")
            + "</section>"
        )
    children = [model.events[c] for c in model.children(ev.event_id)[:101]]
    n_kids = len(model.children(ev.event_id))
    kids = ""
    if children:
        kids = (
            '<section class="card"><h2>Inside</h2><ul class="children">'
            + "".join(
                f'<li>{badge(c.status.value)} <a href="{event_url(rid, c.event_id)}">{e(label(c))}</a></li>'
                for c in children[:100]
            )
            + (f"<li>… and {n_kids - 100:,} more</li>" if n_kids > 100 else "")
            + "</ul></section>"
        )
    output = _command_output(resp) if ev.op == "run" else ""
    transcript = ""
    if ev.stream_path:
        transcript = (
            f'<section class="card"><h2>Transcript</h2>{transcript_html(items, cut)}</section>'
        )
    rewind = ""
    if not read_only and ev.op not in ("PAUSED", "REWIND", "RESUME"):
        rewind = (
            f'<form method="post" action="{run_url(rid)}/rewind" class="action rewind">'
            f'<input type="hidden" name="csrf" value="{e(csrf)}">'
            f'<input type="hidden" name="to" value="{e(ev.event_id)}">'
            '<label><input type="checkbox" name="cut" value="1"> only this event and what ran inside it (--cut)</label>'
            '<label><input type="checkbox" name="assume_idempotent" value="1"> allow running completed commands and agent calls again (--assume-idempotent)</label>'
            '<button type="submit" id="rewind">rewind to this event</button></form>'
        )
    body = (
        f'<section class="card"><h1>{e(label(ev, 160))} {badge(ev.status.value)} {marks}</h1>'
        f'<dl class="facts">{facts_html}</dl>{rewind}'
        '<div id="message" class="message" role="status"></div></section>'
        f"{error}"
        f"{'<section class=card><h2>Command output</h2>' + output + '</section>' if output else ''}"
        f"{transcript}"
        f'<section class="card"><h2>Request</h2><pre class="json">{e(pretty(ev.request))}</pre></section>'
        f'<section class="card"><h2>Response</h2><pre class="json">{e(pretty(ev.response))}</pre></section>'
        f"{kids}"
    )
    return layout(
        f"{ev.op} {short_id(ev.event_id)}",
        body,
        csrf=csrf,
        crumbs=f'<a href="/">runs</a> › <a href="{run_url(rid)}">{e(rid)}</a> › {e(short_id(ev.event_id))}',
    )
