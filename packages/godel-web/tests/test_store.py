"""The web view of runs kept in PostgreSQL, through Starlette's test client on
``create_app(store)``: a run opened (an event with its stored transcript) and rewound, and the
rewind honoured by the next resume (test_command.py has ``godel ui --store URL`` following and
pausing another machine's live run). The databases come from godel-postgres's pytest plugin."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

GODEL = Path(sys.executable).parent / "godel"
WORKFLOWS = Path(__file__).parent / "data" / "workflows"

pytestmark = pytest.mark.postgres


def _godel(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GODEL), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def _run_id(stderr: str) -> str:
    found = re.search(r"\[godel\] run (\S+)", stderr)
    assert found, stderr
    return found.group(1)


def test_a_stored_run_is_opened_and_rewound_then_resumes(
    store_url: str, tmp_path: Path, env: dict[str, str], make_client: Any
) -> None:
    """The app on the store (Starlette's test client): the run page, an event with its stored
    transcript, and a rewind that the next resume on another machine honours."""
    from godel.store import events_of, open_store

    (tmp_path / "slow.py").write_text((WORKFLOWS / "slow.py").read_text())
    env = {**env, "GODEL_STORE": store_url}
    done = _godel(tmp_path, env, "run", "slow.py", "--", "3")
    assert done.returncode == 0, done.stderr
    rid = _run_id(done.stderr)
    store = open_store(store_url)
    events = {ev.event_id: ev for batch in events_of(store, rid) for ev in batch}
    tick = [e for e in events.values() if e.op == "step.enter"][-1]  # the third of three
    command = next(e for e in events.values() if e.op == "run" and e.parent_id == tick.event_id)
    with make_client(store) as c:
        assert rid in c.get("/").text
        assert c.get("/api/runs").json()["runs_dir"] == store_url
        assert c.get(f"/runs/{rid[:12]}").headers["location"] == f"/runs/{rid}"
        assert c.get(f"/api/runs/{rid}").json()["status"] == "FINISHED"
        page = c.get(f"/runs/{rid}/events/{command.event_id}")
        assert page.status_code == 200 and "<h2>Transcript</h2>" in page.text
        assert "no transcript lines for this event" not in page.text  # the stored rows
        assert c.get("/runs/ZZZZZZZZZZZZ").status_code == 404
        csrf = re.search(r'<meta name="csrf" content="(\w+)">', c.get("/").text).group(1)  # type: ignore[union-attr]
        rewound = c.post(
            f"/runs/{rid}/rewind",
            data={"csrf": csrf, "to": tick.event_id},
            headers={"Accept": "application/json"},
        )
        assert rewound.status_code == 200, rewound.text
        assert rewound.json()["lines"][0] == f"[godel] rewound run {rid} (to)"
    # The rewind is in the store: the rewound step is invalidated for every machine.
    after = {ev.event_id: ev for batch in events_of(store, rid) for ev in batch}
    assert after[tick.event_id].status.value == "INVALIDATED"
    assert any(e.op == "REWIND" for e in after.values())
    resumed = _godel(tmp_path, env, "resume", rid)
    assert resumed.returncode == 0, resumed.stderr
    with make_client(store) as c:
        assert c.get(f"/api/runs/{rid}").json()["attempts"] == 2
