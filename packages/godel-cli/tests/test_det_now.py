"""`godel.det.now()` is a timezone-aware UTC `datetime`; the log keeps its ISO string and a
resumed run gets back a `datetime` equal to the one the run saw."""

from __future__ import annotations

import json
from datetime import datetime, timezone

WORKFLOW = """
from godel import workflow, run, print, det

@workflow
async def wf():
    t = det.now()
    await run("test -f go")
    await print(type(t).__name__, t.tzinfo, t.isoformat(), t == t.fromisoformat(t.isoformat()))
"""


def test_det_now_is_an_aware_datetime_recorded_as_iso_and_replayed_equal(godel_run, tmp_path):
    (tmp_path / "wf.py").write_text(WORKFLOW)
    assert godel_run("run", "wf.py").returncode == 1  # no ./go yet
    (log,) = (tmp_path / "runs").glob("*.jsonl")
    lines = [json.loads(line) for line in log.read_text().splitlines()[1:]]
    (recorded,) = [e["response"]["value"] for e in lines if e["op"] == "det.now"]
    assert isinstance(recorded, str)
    assert datetime.fromisoformat(recorded).tzinfo == timezone.utc

    (tmp_path / "go").touch()
    resumed = godel_run("resume", log.stem)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == f"datetime UTC {recorded} True\n"
