"""Values a log holds are text on every page, whatever they contain: markup is escaped, and a
lone surrogate (a file name decoded with surrogateescape, an agent's ``"\\ud800"``) does not make
the page fail to encode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

EVIL = '<script>alert(1)</script> "q" \ud800 \udcff \x9b2J \u202eR'


def test_event_and_run_pages_escape_and_encode_any_value(tmp_path: Path, make_client: Any) -> None:
    from godel.log import EventLog

    runs = tmp_path / "runs"
    log = EventLog.create(runs)
    root = log.start("WORKFLOW_STARTED", request={"function": "main", "args": [], "kwargs": {}})
    ev = log.record(
        "run",
        request={"cmd": ["echo", EVIL]},
        response={"returncode": 0, "stdout": EVIL, "stderr": EVIL},
        parent_id=root.event_id,
    )
    log.fail(root, {"error_type": "RuntimeError", "error": EVIL})
    log.close()
    with make_client(runs) as c:
        for path in ("/", f"/runs/{log.run_id}", f"/runs/{log.run_id}/events/{ev.event_id}"):
            page = c.get(path)
            assert page.status_code == 200, path
            assert "<script>alert" not in page.text, path
        page = c.get(f"/runs/{log.run_id}/events/{ev.event_id}")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
