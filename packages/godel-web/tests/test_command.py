"""``godel ui`` as a user runs it: the printed URL, the token, the live stream, a live run paused
from it, Ctrl+C, and the one-line errors."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

GODEL = Path(sys.executable).parent / "godel"
WORKFLOWS = Path(__file__).parent / "data" / "workflows"


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def _sse(base: str, path: str, token: str) -> Iterator[dict[str, Any]]:
    """The data of each server-sent event of ``path``, as they come."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", path, headers={"X-Godel-Token": token})
    res = conn.getresponse()
    assert res.status == 200
    assert res.getheader("content-type", "").startswith("text/event-stream")
    try:
        for raw in res:
            line = raw.decode().strip()
            if line.startswith("data: "):
                yield json.loads(line[6:])
    finally:
        conn.close()


def test_it_prints_the_url_serves_with_the_token_and_stops_on_ctrl_c(made: Any, ui: Any) -> None:
    server = ui(made.runs)
    status, page = _get(server.url)
    assert status == 200
    assert all(rid in page for rid in made.ids.values())
    status, text = _get(server.base + "/")
    assert (status, text) == (
        403,
        "403 Forbidden: a valid token is required: open the URL `godel ui` printed\n",
    )
    assert _get(server.base + "/api/runs")[0] == 403
    assert _get(server.base + f"/runs/{made.ids['team']}")[0] == 403
    # A page from another name for this address (DNS rebinding) is refused too.
    port = urllib.parse.urlsplit(server.base).port
    status, text = _get(server.url, {"Host": f"evil.example:{port}"})
    assert status == 403 and "answers only to its own address" in text
    code, err = server.stop()
    assert code == 0
    assert err.splitlines() == [
        f"[godel] serving the runs in {made.runs}; Ctrl+C to stop",
        "[godel] stopped",
    ]


@pytest.mark.parametrize(
    ("sig", "code", "last"),
    [(signal.SIGTERM, 143, "[godel] stopped (SIGTERM)"), (signal.SIGINT, 0, "[godel] stopped")],
)
def test_a_signal_stops_it_cleanly_even_while_pages_follow_runs(
    made: Any, ui: Any, sig: int, code: int, last: str
) -> None:
    server = ui(made.runs)
    # Open pages hold their streams open: the server must still stop at once, in one line.
    stream = _sse(server.base, f"/runs/{made.ids['team']}/stream", server.token)
    assert next(stream)["status"] == "FINISHED"
    runs = _sse(server.base, "/stream/runs", server.token)
    assert next(runs) == {"runs": 3}
    server.proc.send_signal(sig)
    got, err = server.stop()
    assert got == code, err
    assert err.splitlines() == [f"[godel] serving the runs in {made.runs}; Ctrl+C to stop", last]


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM])
def test_a_second_signal_during_the_shutdown_changes_nothing(
    made: Any, ui: Any, second: int
) -> None:
    server = ui(made.runs)
    stream = _sse(server.base, f"/runs/{made.ids['team']}/stream", server.token)
    assert next(stream)["status"] == "FINISHED"
    server.proc.send_signal(signal.SIGINT)  # Ctrl+C, then again (or a service manager's stop)
    time.sleep(0.1)  # two signals at once would be one: this one comes during the shutdown
    server.proc.send_signal(second)
    got, err = server.stop()
    last = "[godel] stopped (SIGTERM)" if second == signal.SIGTERM else "[godel] stopped"
    assert got == (143 if second == signal.SIGTERM else 0), err
    assert err.splitlines() == [f"[godel] serving the runs in {made.runs}; Ctrl+C to stop", last]


def test_a_live_run_streams_its_progress_and_pauses_from_the_page(
    made: Any, ui: Any, tmp_path: Path, env: dict[str, str]
) -> None:
    (tmp_path / "slow.py").write_text((WORKFLOWS / "slow.py").read_text())
    runs = tmp_path / "runs"
    runs.mkdir()
    server = ui(runs)
    run = _start_slow(tmp_path, env, 200)
    try:
        deadline = time.monotonic() + 30
        while not list(runs.glob("*.jsonl")):
            assert time.monotonic() < deadline and run.poll() is None, "the run did not start"
            time.sleep(0.05)
        rid = next(runs.glob("*.jsonl")).stem
        # The runs list says it is running.
        api = json.loads(_get(server.base + "/api/runs", {"X-Godel-Token": server.token})[1])
        assert [(r["run_id"], r["status"]) for r in api["runs"]] == [(rid, "RUNNING")]
        seen: list[dict[str, Any]] = []
        for data in _sse(server.base, f"/runs/{rid}/stream", server.token):
            seen.append(data)
            if len(seen) == 4:
                break
        assert [d["status"] for d in seen] == ["RUNNING"] * 4
        versions = [d["version"] for d in seen]
        events = [d["events"] for d in seen]
        assert versions == sorted(set(versions)) and events == sorted(events)
        assert events[-1] > events[0]
        answer = _pause_from_page(server, rid)
        assert answer["lines"][0] == f"[godel] pause requested for run {rid}"
        assert len(answer["lines"]) == 3  # no "not running" warning: it is
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        assert f"[godel] resume with: godel resume {rid}" in err
        last = None
        for data in _sse(server.base, f"/runs/{rid}/stream", server.token):
            last = data
            break
        assert last is not None and last["status"] == "PAUSED"
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()


def _start_slow(cwd: Path, env: dict[str, str], steps: int) -> subprocess.Popen[str]:
    """``godel run slow.py -- STEPS`` in the background."""
    return subprocess.Popen(
        [str(GODEL), "run", "slow.py", "--", str(steps)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _pause_from_page(server: Any, rid: str) -> dict[str, Any]:
    """Pause, as the run page's button does (the CSRF value is in the page): the answer."""
    status, page = _get(server.base + f"/runs/{rid}", {"X-Godel-Token": server.token})
    assert status == 200 and 'id="pause" title=' in page
    csrf = page.split('<meta name="csrf" content="', 1)[1].split('"', 1)[0]
    req = urllib.request.Request(
        server.base + f"/runs/{rid}/pause",
        data=urllib.parse.urlencode({"csrf": csrf}).encode(),
        headers={"X-Godel-Token": server.token, "Accept": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read())  # type: ignore[no-any-return]


def _api(server: Any, path: str) -> Any:
    return json.loads(_get(server.base + path, {"X-Godel-Token": server.token})[1])


@pytest.mark.postgres
def test_another_machine_s_runs_in_postgres_are_listed_followed_and_paused(
    ui: Any, tmp_path: Path, env: dict[str, str], store_url: str
) -> None:
    """``godel ui --store URL`` on machine B, which has no runs dir: A's runs, through the store."""
    a, b = tmp_path / "A", tmp_path / "B"
    a.mkdir()
    b.mkdir()
    (a / "slow.py").write_text((WORKFLOWS / "slow.py").read_text())
    on_a = {**env, "GODEL_STORE": store_url}
    done = subprocess.run(
        [str(GODEL), "run", "slow.py", "--", "2"], cwd=a, capture_output=True, text=True, env=on_a
    )
    assert done.returncode == 0, done.stderr
    finished = done.stderr.split("[godel] run ", 1)[1].split()[0]
    server = ui(None, "--store", store_url, cwd=b)
    run = _start_slow(a, on_a, 400)
    try:
        deadline = time.monotonic() + 30
        while len(_api(server, "/api/runs")["runs"]) < 2:
            assert time.monotonic() < deadline and run.poll() is None, "the run did not start"
            time.sleep(0.05)
        listed = {r["run_id"]: r["status"] for r in _api(server, "/api/runs")["runs"]}
        assert listed.pop(finished) == "FINISHED" and list(listed.values()) == ["RUNNING"]
        (rid,) = listed
        # Followed live: the stream's event count grows as A writes.
        stream = _sse(server.base, f"/runs/{rid}/stream", server.token)
        events = [next(stream)["events"] for _ in range(3)]
        stream.close()
        assert events == sorted(events) and events[-1] > events[0]
        answer = _pause_from_page(server, rid)
        assert answer["lines"][:2] == [
            f"[godel] pause requested for run {rid}",
            f"[godel] request stored in: {store_url}",
        ]
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        assert f"[godel] resume with: godel resume {rid}" in err
        assert _api(server, f"/api/runs/{rid}")["status"] == "PAUSED"
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert not (b / "runs").exists()
    code, err = server.stop()
    assert code == 0
    assert err.splitlines() == [
        f"[godel] serving the runs in {store_url}; Ctrl+C to stop",
        "[godel] stopped",
    ]


def test_the_runs_stream_says_when_a_run_appears(made: Any, ui: Any, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    server = ui(runs)
    stream = _sse(server.base, "/stream/runs", server.token)
    assert next(stream) == {"runs": 0}
    src = made.runs / f"{made.ids['slow']}.jsonl"
    (runs / src.name).write_bytes(src.read_bytes())
    assert next(stream) == {"runs": 1}
    stream.close()


def _one_line_error(result: subprocess.CompletedProcess[str], code: int, start: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(start), result.stderr


def _godel(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GODEL), *args], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60
    )


def test_user_mistakes_are_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    _one_line_error(
        _godel(tmp_path, env, "ui", "--runs-dir", str(tmp_path / "nope")),
        1,
        f"[godel] No runs/ directory found at {tmp_path / 'nope'} (use --runs-dir or GODEL_RUNS_DIR)",
    )
    (tmp_path / "runs").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        _one_line_error(
            _godel(tmp_path, env, "ui", "--port", str(port)),
            1,
            f"[godel] port {port} on 127.0.0.1 is in use: pass --port N (--port 0 picks a free one)",
        )
    usage = _godel(tmp_path, env, "ui", "--port", "http")
    assert usage.returncode == 2
    assert "Invalid value for '--port'" in usage.stderr
    for poll in ("nan", "inf"):  # a live page would sleep for ever
        usage = _godel(tmp_path, env, "ui", "--poll", poll)
        assert usage.returncode == 2 and "Invalid value for '--poll'" in usage.stderr


def test_without_godel_web_ui_names_the_package(tmp_path: Path, env: dict[str, str]) -> None:
    result = _godel(tmp_path, {**env, "GODEL_DISABLE_PLUGINS": "web"}, "ui")
    _one_line_error(
        result, 1, "[godel] `godel ui` needs the godel-web package: pip install godel-web"
    )


def test_help_lists_the_options_and_exit_codes(tmp_path: Path, env: dict[str, str]) -> None:
    out = _godel(tmp_path, env, "ui", "--help").stdout
    for option in ("--runs-dir", "--host", "--port N", "--open", "--read-only"):
        assert option in out
    assert "0    stopped with Ctrl+C" in out
    assert "143  stopped by SIGTERM" in out
    assert "ui  " in _godel(tmp_path, env, "--help").stdout


def test_read_only_server_has_no_buttons(made: Any, ui: Any) -> None:
    server = ui(made.runs, "--read-only")
    status, page = _get(server.base + f"/runs/{made.ids['team']}", {"X-Godel-Token": server.token})
    assert status == 200 and 'id="pause"' not in page
    code, err = server.stop()
    assert code == 0 and "(read-only)" in err


def test_open_hands_the_url_to_the_browser(made: Any, tmp_path: Path, env: dict[str, str]) -> None:
    opened = tmp_path / "opened.txt"
    proc = subprocess.Popen(
        [str(GODEL), "ui", "--runs-dir", str(made.runs), "--port", "0", "--open"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "BROWSER": f"sh -c 'echo \"%s\" > {opened}'"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        deadline = time.monotonic() + 20
        while not (opened.exists() and opened.read_text().strip()):
            assert time.monotonic() < deadline, "the browser was not opened"
            time.sleep(0.05)
        assert opened.read_text().strip() == url
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
    assert proc.returncode == 0


def _a_finished_run(runs: Path) -> str:
    from godel.log import EventLog

    log = EventLog.create(runs)
    event = log.start("WORKFLOW_STARTED", request={"function": "main", "args": [], "kwargs": {}})
    log.record("det.random", request={"i": 0}, response={"value": 0}, parent_id=event.event_id)
    log.finish(event, {"result": None})
    log.close()
    return str(log.run_id)


@pytest.mark.parametrize("spoil", ["corrupt", "delete"])
def test_a_run_stream_ends_cleanly_when_its_log_goes_bad_or_away(
    ui: Any, tmp_path: Path, spoil: str
) -> None:
    runs = tmp_path / "runs"
    run_id = _a_finished_run(runs)
    server = ui(runs)
    stream = _sse(server.base, f"/runs/{run_id}/stream", server.token)
    assert next(stream)["status"] == "FINISHED"
    log = runs / f"{run_id}.jsonl"
    if spoil == "corrupt":
        with log.open("a") as fh:
            fh.write('{"not an event\n{"x": 1}\n')
    else:
        log.unlink()
    assert list(stream) == []  # the stream ends, whole: no torn response
    again, _ = _get(f"{server.base}/runs/{run_id}/stream", {"X-Godel-Token": server.token})
    assert again == (422 if spoil == "corrupt" else 404)  # so the page stops reconnecting
    code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err


def test_another_loopback_address_answers_to_its_own_url(
    tmp_path: Path, env: dict[str, str]
) -> None:
    (tmp_path / "runs").mkdir()
    proc = subprocess.Popen(
        [str(GODEL), "ui", "--host", "127.0.0.2", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.2:"), url
        code, body = _get(url)
        assert code == 200, body  # not "this server answers only to its own address"
        foreign = _get(url, {"Host": "evil.example:80"})
        assert foreign[0] == 403
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert "warning" not in err  # a loopback address: no warning


def test_a_websocket_request_is_refused_without_a_traceback(ui: Any, tmp_path: Path) -> None:
    # Any web page may open ws://127.0.0.1:8765/: it must get a plain refusal, token or not,
    # not a 500 and a traceback on the user's terminal.
    runs = tmp_path / "runs"
    runs.mkdir()
    server = ui(runs)
    parts = urllib.parse.urlsplit(server.base)
    upgrade = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    for headers in (upgrade, {**upgrade, "X-Godel-Token": server.token}):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", "/", headers=headers)
        assert conn.getresponse().status == 403
        conn.close()
    code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
