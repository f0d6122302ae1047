"""The pages, the JSON API and the actions through Starlette's test client, on runs made by the
real ``godel run`` (claude and copilot in parallel on their real CLIs, a failed command, a
finished loop)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.agents, pytest.mark.slow]

GODEL = Path(sys.executable).parent / "godel"
TOKEN = "test-token-0123456789"  # conftest's


def _rows(html: str) -> list[str]:
    return re.findall(
        r'<tr class="run" data-status="\w+"><td><a class="id" href="/runs/(\w+)"', html
    )


def _event_id(made: Any, run: str, op: str, text: str = "") -> str:
    for line in (made.runs / f"{made.ids[run]}.jsonl").read_text().splitlines():
        ev = json.loads(line)
        if ev.get("op") == op and text in json.dumps(ev.get("request")):
            return str(ev["event_id"])
    raise AssertionError(f"no {op} event with {text!r} in {run}")


def test_the_runs_page_lists_every_run_newest_first(client: Any, made: Any) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert _rows(page.text) == [made.ids["slow"], made.ids["broken"], made.ids["team"]]
    assert "3 of 3 runs" in page.text
    api = {r["run_id"]: r for r in client.get("/api/runs").json()["runs"]}
    assert {k: (v["workflow"], v["status"], v["attempts"]) for k, v in api.items()} == {
        made.ids["team"]: ("team", "FINISHED", 1),
        made.ids["broken"]: ("broken", "FAILED", 1),
        made.ids["slow"]: ("slow", "FINISHED", 1),
    }
    # The cost is the sum of the agent calls' cost_usd: the one claude reported, and copilot's
    # estimated from its plugin's price table (the Copilot CLI reports none; docs/cost.md).
    team_cost = api[made.ids["team"]]["cost_usd"]
    assert team_cost == pytest.approx(0.000645 + 0.00045)
    assert "$0.0011" in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=FAILED", ["broken"]),
        ("workflow=team", ["team"]),
        ("q=semicolon", ["broken"]),  # the failure's error text
        ("q=%27web%27", ["broken"]),  # the args
        ("status=RUNNING", []),
    ],
)
def test_the_runs_page_filters(client: Any, made: Any, query: str, expected: list[str]) -> None:
    page = client.get(f"/?{query}")
    assert _rows(page.text) == [made.ids[name] for name in expected]
    fragment = client.get(f"/?{query}&fragment=runs")
    assert fragment.text.startswith('<div id="runs-table"')
    assert _rows(fragment.text) == _rows(page.text)


def test_a_run_page_has_its_header_timeline_and_tree(client: Any, made: Any) -> None:
    rid = made.ids["team"]
    page = client.get(f"/runs/{rid}")
    assert page.status_code == 200
    assert '<h1>team <span class="badge s-FINISHED">FINISHED</span></h1>' in page.text
    # The command works as copied, from any folder: it names the server's runs.
    assert f"<code>godel resume {rid} --runs-dir {made.runs.resolve()}</code>" in page.text
    assert 'id="pause" disabled' in page.text  # a finished run cannot be paused
    assert f'data-stream="/runs/{rid}/stream"' in page.text
    # Timeline: both agent calls, in parallel (each starts before the other ends).
    bars = re.findall(
        r'<a class="bar k-(\w+) s-(\w+)[^"]*" href="[^"]+" style="left:([\d.]+)%;width:([\d.]+)%"',
        page.text,
    )
    kinds = [b[0] for b in bars]
    assert kinds == ["fork", "step", "agent", "step", "agent", "step", "cmd"]
    (a_left, a_width), (b_left, b_width) = [
        (float(b[2]), float(b[3])) for b in bars if b[0] == "agent"
    ]
    assert a_left < b_left + b_width and b_left < a_left + a_width
    # Tree: the workflow, the fork, each branch with its call, the join, the check step.
    labels = re.findall(
        r'<td class="name" style="--depth:(\d)">.*?<a href="[^"]+">([^<]+)</a>',
        html.unescape(page.text),
    )
    assert [(int(d), text.split(":")[0]) for d, text in labels] == [
        (0, "workflow team"),
        (1, "parallel ×2"),
        (2, "review"),
        (3, "claude (sonnet)"),
        (2, "review #2"),
        (3, "copilot (sonnet)"),
        (1, "join ×2"),
        (1, "check"),
        (2, "$ sh -c 'echo tests"),
    ]
    api = client.get(f"/api/runs/{rid}").json()
    assert (api["status"], api["events"], api["tree_rows"], api["timeline_bars"]) == (
        "FINISHED",
        9,
        9,
        7,
    )


def test_the_fragments_a_live_page_fetches(client: Any, made: Any) -> None:
    rid = made.ids["team"]
    for part, start in (
        ("header", '<div id="run-header"'),
        ("timeline", '<div id="timeline"'),
        ("tree", '<div id="tree"'),
    ):
        frag = client.get(f"/runs/{rid}/{part}")
        assert frag.status_code == 200
        assert frag.text.startswith(start)
    assert client.get(f"/runs/{rid}/nope").status_code == 404


def test_an_agent_call_shows_its_whole_transcript(client: Any, made: Any) -> None:
    rid = made.ids["team"]
    eid = _event_id(made, "team", "agent.call", "as claude")
    page = client.get(f"/runs/{rid}/events/{eid}")
    assert page.status_code == 200
    text = page.text
    assert "<h3>prompt <small>claude-sonnet-5</small></h3><pre>Review this patch as claude" in text
    assert "<h3>thinking</h3><pre>The patch changes the output format.</pre>" in text
    assert "<h3>text</h3><pre>Looks good.\nThe comma reads better; check the callers.</pre>" in text
    assert "<dt>cost</dt><dd>$0.0006 · 123 tokens</dd>" in text
    step = _event_id(made, "team", "step.enter", "ClaudeCode")
    assert f'<a href="/runs/{rid}/events/{step}">review</a> <small>step.enter</small>' in text
    assert "<dt>attempt</dt><dd>attempt 1</dd>" in text
    assert '<h2>Request</h2><pre class="json">{\n  &quot;backend&quot;: &quot;claude&quot;' in text
    # A short id is resolved as the CLI resolves it (a redirect to the full one).
    short = client.get(f"/runs/{rid}/events/{eid[-8:]}")
    assert (short.status_code, short.headers["location"]) == (307, f"/runs/{rid}/events/{eid}")


def test_a_failed_command_shows_its_output_error_and_hint(client: Any, made: Any) -> None:
    rid = made.ids["broken"]
    eid = _event_id(made, "broken", "run")
    text = client.get(f"/runs/{rid}/events/{eid}").text
    assert (
        '<span class="badge s-FAILED">FAILED</span> <span class="mark m-failed">failed</span>'
        in text
    )
    assert "<b>CommandFailure</b>: command failed (exit 2)" in text
    assert (
        '<p class="hint">hint: Check the command&#x27;s output; stderr ends with: error: missing semicolon</p>'
        in text
    )
    assert "<h3>stderr</h3><pre>error: missing semicolon\n</pre>" in text
    assert "<p>exit status 2</p>" in text
    run_page = client.get(f"/runs/{rid}").text
    assert '<p class="failure">CommandFailure: command failed (exit 2)' in run_page
    assert f'in <a href="/runs/{rid}/events/{eid}">run build</a>' in run_page


def test_ids_from_the_url_are_checked_like_the_cli_s(client: Any, made: Any) -> None:
    bad = client.get("/runs/..%2F..%2Fetc")
    assert bad.status_code in (400, 404)
    bad = client.get("/runs/not.a.run")
    assert bad.status_code == 400
    assert '[godel] invalid run id "not.a.run": a run id is 1 to 128 letters' in html.unescape(
        bad.text
    )
    missing = client.get("/runs/01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert missing.status_code == 404
    assert 'No run matching "01ZZZZZZZZZZZZZZZZZZZZZZZZ"' in html.unescape(missing.text)
    rid = made.ids["team"]
    prefix = client.get(f"/runs/{rid[-8:]}")
    assert (prefix.status_code, prefix.headers["location"]) == (307, f"/runs/{rid}")
    # Several runs: the CLI's own words (`godel show` says the same).
    ids = sorted(made.ids.values())  # made seconds apart: their timestamps start alike
    common = next(a[:n] for n in range(9, 3, -1) for a, b in pairwise(ids) if a[:n] == b[:n])
    several = client.get(f"/runs/{common}")
    assert several.status_code == 400
    assert f'[godel] Ambiguous prefix "{common}" — matches: [' in html.unescape(several.text)
    gone = client.get(f"/runs/{rid}/events/ZZZZZZZZZZ")
    assert gone.status_code == 404
    assert f'Event ID not found: "ZZZZZZZZZZ" in run {rid}' in html.unescape(gone.text)


def test_every_request_needs_the_token(made: Any, make_client: Any) -> None:
    from starlette.testclient import TestClient

    from godel_web.app import create_app

    app = create_app(made.runs, token=TOKEN)
    with TestClient(app) as bare:
        for path in ("/", "/api/runs", f"/runs/{made.ids['team']}", "/static/app.js"):
            denied = bare.get(path)
            assert denied.status_code == 403, path
            assert denied.text.startswith("403 Forbidden: a valid token is required")
        assert bare.post(f"/runs/{made.ids['team']}/pause").status_code == 403
        assert bare.get("/", params={"token": "wrong"}).status_code == 403
        assert bare.get("/", headers={"X-Godel-Token": "wrong"}).status_code == 403
        assert bare.get("/", headers={"X-Godel-Token": TOKEN}).status_code == 200
        assert bare.get("/").status_code == 403  # a header sets no cookie
        first = bare.get("/", params={"token": TOKEN})  # the printed URL's way: sets a cookie
        assert first.status_code == 200
        assert "HttpOnly; SameSite=Strict" in first.headers["set-cookie"]
        assert bare.get("/api/runs").status_code == 200
        bare.cookies.clear()
        assert bare.get("/").status_code == 403


def _csrf(client: Any) -> str:
    return re.search(r'<meta name="csrf" content="(\w+)">', client.get("/").text).group(1)  # type: ignore[union-attr]


def test_pause_needs_the_csrf_value_and_writes_the_cli_s_request(
    runs_copy: Path, made: Any, make_client: Any
) -> None:
    rid = made.ids["slow"]
    with make_client(runs_copy) as c:
        assert c.post(f"/runs/{rid}/pause").status_code == 403
        assert c.post(f"/runs/{rid}/pause", data={"csrf": "nope"}).status_code == 403
        foreign = c.post(
            f"/runs/{rid}/pause",
            data={"csrf": _csrf(c)},
            headers={"Origin": "http://evil.example"},
        )
        assert foreign.status_code == 403
        assert not (runs_copy / f"{rid}.pause").exists()
        done = c.post(
            f"/runs/{rid}/pause", data={"csrf": _csrf(c)}, headers={"Accept": "application/json"}
        )
    assert done.status_code == 200
    sentinel = runs_copy / f"{rid}.pause"
    assert json.loads(sentinel.read_text())["reason"] == "web pause"
    assert done.json() == {
        "ok": True,
        "lines": [
            f"[godel] pause requested for run {rid}",
            f"[godel] sentinel: {sentinel}",
            f"[godel] resume with: godel resume {rid} --runs-dir {runs_copy.resolve()}",
            f"[godel] warning: run {rid} is not running (no process holds it), so nothing will "
            "pause; `godel resume` drops the request",
        ],
    }


def test_rewind_is_refused_with_the_cli_s_words_then_done_when_allowed(
    runs_copy: Path, made: Any, make_client: Any, env: dict[str, str]
) -> None:
    rid = made.ids["team"]
    step = _event_id(made, "team", "step.enter", "ClaudeCode")
    cli = subprocess.run(
        [str(GODEL), "rewind", rid, "--to", step, "--runs-dir", str(runs_copy)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert cli.returncode == 2
    with make_client(runs_copy) as c:
        form = {"csrf": _csrf(c), "to": step}
        refused = c.post(f"/runs/{rid}/rewind", data=form, headers={"Accept": "application/json"})
        assert refused.status_code == 409
        assert refused.json() == {"ok": False, "lines": cli.stderr.splitlines()}
        assert refused.json()["lines"][0].startswith("[godel] rewind refused: ")
        done = c.post(
            f"/runs/{rid}/rewind",
            data={**form, "assume_idempotent": "1"},
            headers={"Accept": "application/json"},
        )
        assert done.status_code == 200, done.text
        # The same rewind by the CLI, on another copy, says the same lines.
        other = runs_copy.parent / "other"
        shutil.copytree(made.runs, other, ignore=shutil.ignore_patterns("*.lock"))
        cli_done = subprocess.run(
            [
                str(GODEL),
                "rewind",
                rid,
                "--to",
                step,
                "--assume-idempotent",
                "--runs-dir",
                str(other),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        assert cli_done.returncode == 0, cli_done.stderr
        lines = done.json()["lines"]
        said = cli_done.stderr.splitlines()
        assert lines[:-1] == said[:-1]
        assert lines[0] == f"[godel] rewound run {rid} (to)"
        assert lines[1].startswith("[godel] invalidated ") and lines[1].endswith(" event(s)")
        # Each hint works as printed: it names the runs dir the rewind was made in.
        assert said[-1] == f"[godel] resume with: godel resume {rid} --runs-dir {other}"
        assert (
            lines[-1] == f"[godel] resume with: godel resume {rid} --runs-dir {runs_copy.resolve()}"
        )
        call = _event_id(made, "team", "agent.call", "as claude")
        page = c.get(f"/runs/{rid}/events/{call}").text
        assert (
            '<span class="badge s-INVALIDATED">INVALIDATED</span> <span class="mark m-invalid">invalidated</span>'
            in page
        )
        tree = c.get(f"/runs/{rid}/tree").text
        assert f'<tr class="k-agent m-invalid" data-depth="3" data-id="{call}">' in tree
        # Without JavaScript the form still works: an HTML answer with the same lines.
        html = c.post(f"/runs/{rid}/rewind", data={**form, "to": "ZZZZZZZZZZ"})
        assert html.status_code == 404
        assert f"[godel] Event ID not found: &quot;ZZZZZZZZZZ&quot; in run {rid}" in html.text


def test_read_only_shows_no_actions_and_refuses_them(made: Any, make_client: Any) -> None:
    rid = made.ids["team"]
    with make_client(made.runs, read_only=True) as c:
        page = c.get(f"/runs/{rid}").text
        assert 'id="pause"' not in page and "copy resume command" not in page
        event = c.get(f"/runs/{rid}/events/{_event_id(made, 'team', 'run')}").text
        assert "rewind to this event" not in event
        refused = c.post(f"/runs/{rid}/pause", data={"csrf": _csrf(c)})
        assert refused.status_code == 403
        assert "[godel] this server is read-only (godel ui --read-only)" in refused.text
    assert not (made.runs / f"{rid}.pause").exists()


def test_a_resumed_run_marks_the_failed_attempt_and_links_each_event_to_its_attempt(
    runs_copy: Path, made: Any, make_client: Any, env: dict[str, str], tmp_path: Path
) -> None:
    rid = made.ids["broken"]
    fixed = tmp_path / "broken.py"
    fixed.write_text((made.root / "broken.py").read_text().replace("exit 2", "exit 0"))
    resumed = subprocess.run(
        [str(GODEL), "resume", rid, str(fixed), "--runs-dir", str(runs_copy)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert resumed.returncode == 0, resumed.stderr
    events = [json.loads(line) for line in (runs_copy / f"{rid}.jsonl").read_text().splitlines()]
    steps = list(dict.fromkeys(e["event_id"] for e in events if e.get("op") == "step.enter"))
    (resume,) = {e["event_id"] for e in events if e.get("op") == "RESUME"}
    with make_client(runs_copy) as c:
        page = c.get(f"/runs/{rid}").text
        assert '<h1>broken <span class="badge s-FINISHED">FINISHED</span></h1>' in page
        assert "<div><dt>attempts</dt><dd>2</dd></div>" in page
        assert f'<tr class="k-step m-prior" data-depth="1" data-id="{steps[0]}">' in page
        assert '<span class="mark m-prior">failed attempt</span>' in page
        assert page.count('<div class="resume-line"') == 1
        first = c.get(f"/runs/{rid}/events/{steps[0]}").text
        assert "<dt>attempt</dt><dd>attempt 1</dd>" in first
        assert '<span class="mark m-prior">failed attempt</span>' in first
        second = c.get(f"/runs/{rid}/events/{steps[1]}").text
        assert (
            f'<dt>attempt</dt><dd><a href="/runs/{rid}/events/{resume}">attempt 2</a> (resumed)</dd>'
            in second
        )


def test_the_pause_form_works_without_javascript(
    runs_copy: Path, made: Any, make_client: Any
) -> None:
    rid = made.ids["slow"]
    with make_client(runs_copy) as c:
        page = c.get(f"/runs/{rid}").text
        form = re.search(
            r'<form method="post" action="(/runs/\w+/pause)" class="action">'
            r'<input type="hidden" name="csrf" value="(\w+)">',
            page,
        )
        assert form is not None
        answer = c.post(form.group(1), data={"csrf": form.group(2)})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert f"<p>[godel] pause requested for run {rid}</p>" in answer.text
    assert (runs_copy / f"{rid}.pause").exists()


def test_logs_godel_show_cannot_read_are_unknown_and_their_pages_say_why(
    runs_copy: Path, make_client: Callable[..., Any]
) -> None:
    """The same verdict as ``godel runs list`` and ``godel show``: a corrupt line with lines
    after it, or a newer format, is not a run to draw."""
    ids = sorted(p.stem for p in runs_copy.glob("*.jsonl"))
    corrupt, newer = ids[0], ids[1]
    lines = (runs_copy / f"{corrupt}.jsonl").read_text().splitlines()
    lines.insert(3, "{not json")
    (runs_copy / f"{corrupt}.jsonl").write_text("\n".join(lines) + "\n")
    text = (runs_copy / f"{newer}.jsonl").read_text()
    (runs_copy / f"{newer}.jsonl").write_text(text.replace('"format":1', '"format":99', 1))
    with make_client(runs_copy) as client:
        api = {r["run_id"]: r for r in client.get("/api/runs").json()["runs"]}
        assert api[corrupt]["status"] == api[newer]["status"] == "UNKNOWN"
        for run_id, why in ((corrupt, ":4: corrupt audit log line"), (newer, "format 99 is newer")):
            for path in (f"/runs/{run_id}", f"/api/runs/{run_id}"):
                page = client.get(path)
                assert page.status_code == 422, (path, page.status_code)
                assert f"cannot read run {run_id}: " in page.text and why in page.text


def test_rewind_to_an_ambiguous_event_id_says_so(tmp_path: Path, make_client: Any) -> None:
    from godel.log import EventLog

    log = EventLog.create(tmp_path / "runs")
    root = log.start("WORKFLOW_STARTED", request={"function": "main", "args": [], "kwargs": {}})
    for i in range(2):
        log.record("det.random", request={"i": i}, response={"value": i}, parent_id=root.event_id)
    log.close()
    rid = str(log.run_id)
    with make_client(tmp_path / "runs") as c:
        answer = c.post(
            f"/runs/{rid}/rewind",
            data={"csrf": _csrf(c), "to": root.event_id[:4]},
            headers={"Accept": "application/json"},
        )
    assert answer.status_code == 400
    (line,) = answer.json()["lines"]
    assert line.startswith(f'[godel] Ambiguous event id "{root.event_id[:4]}": ')
    assert "is ambiguous" in line


def test_a_transcript_line_that_is_not_an_object_is_skipped(
    tmp_path: Path, make_client: Any
) -> None:
    from godel.log import EventLog

    runs = tmp_path / "runs"
    log = EventLog.create(runs)
    root = log.start("WORKFLOW_STARTED", request={"function": "main", "args": [], "kwargs": {}})
    ev = log.record(
        "run", request={"cmd": "x"}, response={}, parent_id=root.event_id, stream_path=["s1"]
    )
    log.finish(root, {"result": None})
    log.close()
    (runs / str(log.run_id)).mkdir()
    (runs / str(log.run_id) / "transcript.jsonl").write_text(
        '["s1"]\n"s1"\n{"event": ["s1"]}\n'
        '{"event": {"stream_path": ["s1"], "op": "stdout", "text": "still shown"}}\n'
    )
    with make_client(runs) as c:
        page = c.get(f"/runs/{log.run_id}/events/{ev.event_id}")
    assert page.status_code == 200
    assert "still shown" in page.text


def test_pause_and_rewind_where_the_runs_dir_cannot_be_written_say_so(
    runs_copy: Path, made: Any, make_client: Any
) -> None:
    """Something in the place of the pause request and of the run lock (as a read-only runs
    dir makes them fail): one line each, not an Internal Server Error."""
    rid = made.ids["slow"]
    (runs_copy / f"{rid}.pause" / "x").mkdir(parents=True)
    (runs_copy / f"{rid}.lock" / "x").mkdir(parents=True)
    with make_client(runs_copy) as c:
        accept = {"Accept": "application/json"}
        paused = c.post(f"/runs/{rid}/pause", data={"csrf": _csrf(c)}, headers=accept)
        rewound = c.post(f"/runs/{rid}/rewind", data={"csrf": _csrf(c), "to": rid}, headers=accept)
    assert paused.status_code == 500 and paused.json()["ok"] is False
    assert paused.json()["lines"][0].startswith(
        f"[godel] cannot write the pause request for run {rid}: "
    )
    assert rewound.status_code == 500 and rewound.json()["ok"] is False
    assert rewound.json()["lines"][0].startswith(f"[godel] cannot write to run {rid}: ")
