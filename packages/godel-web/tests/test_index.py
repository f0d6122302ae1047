"""The run index (``godel_web.index``) against the CLI: fed the lines of runs made by the real
``godel run`` from byte offsets, in pieces, as a store hands them out, it must hold every event
in its latest state, summarise the run as ``godel show`` does, and cost it as ``godel show``
and ``godel cost`` do; a live page reads only what was appended."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from godel.log import CorruptLogError, LogFormatError
from godel.store import FileStore
from godel_web.index import EventIndex
from godel_web.model import RunModel

pytestmark = [pytest.mark.agents, pytest.mark.slow]

GODEL = Path(sys.executable).parent / "godel"


def _show(made: Any, run: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [str(GODEL), "show", made.ids[run], "--json", "--all", "--runs-dir", str(made.runs)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


class Pieces:
    """A store's ``read_lines`` for one run that hands out at most ``size`` bytes of complete
    lines a call (a log read while it grows), recording the offsets it was asked for."""

    def __init__(self, path: Path, size: int) -> None:
        self.data = path.read_bytes()
        self.size = size
        self.asked: list[int] = []

    def __call__(self, offset: int) -> tuple[list[bytes], int]:
        self.asked.append(offset)
        chunk = self.data[offset : offset + self.size]
        end = chunk.rfind(b"\n") + 1
        if not end and chunk:  # a line longer than a piece: hand it out whole
            end = self.data.index(b"\n", offset) + 1 - offset
            chunk = self.data[offset : offset + end]
        return chunk[:end].splitlines(keepends=True), offset + end


@pytest.mark.parametrize("run", ["team", "broken", "slow"])
def test_the_index_read_in_pieces_holds_what_godel_show_shows(
    made: Any, env: dict[str, str], run: str
) -> None:
    shown = _show(made, run, env)
    reader = Pieces(made.runs / f"{made.ids[run]}.jsonl", 700)
    index = EventIndex(reader)
    while index.update():
        pass
    assert len(reader.asked) > 3 and reader.asked == sorted(set(reader.asked))  # forward only
    latest = {ev["event_id"]: (ev["op"], ev["status"], ev["parent_id"]) for ev in shown["events"]}
    assert {eid: (e.op, e.status.value, e.parent_id) for eid, e in index.entries.items()} == latest
    for eid, entry in index.entries.items():  # the whole event, parsed when a page asks
        assert entry.event().to_dict() == {
            k: v
            for k, v in next(ev for ev in shown["events"] if ev["event_id"] == eid).items()
            if k not in ("children_ids", "short_id", "mark", "cost")
        }
    summary = index.tracker.summary(made.ids[run], locked=False, header=index.header).to_dict()
    for key in ("workflow", "status", "started", "ended", "attempts", "failure"):
        assert summary[key] == shown["run"][key], key
    cost = shown["run"]["cost"]  # show adds the attempts' figures
    assert summary["cost"] == ({k: v for k, v in cost.items() if k != "attempts"} if cost else None)


def test_costs_match_godel_show_and_estimates_are_marked(
    made: Any, env: dict[str, str], client: Any
) -> None:
    rid = made.ids["team"]
    shown = _show(made, "team", env)
    model = RunModel(rid, made.runs)
    model.refresh()
    ledger = model.ledger()
    assert ledger is not None
    for ev in shown["events"]:
        mine = model.cost_of(ev["event_id"])
        assert (mine.to_dict() if mine is not None else None) == ev["cost"], ev["op"]
    # Copilot's cost is estimated from a price table: the run's total says so with "~", as the
    # CLI writes it, on the runs page, in the run's header and on the fork's tree row.
    assert shown["run"]["cost"]["estimated"] is True
    runs = client.get("/").text
    assert '<td class="num">~$0.0011</td>' in runs
    page = html.unescape(client.get(f"/runs/{rid}").text)
    assert re.search(
        r'<dd id="cost" title="~\$0\.0011 spent on 2 agent calls[^"]*">~\$0\.0011', page
    )
    fork = next(ev for ev in shown["events"] if ev["op"] == "FORK")
    assert f'data-id="{fork["event_id"]}"' in page
    row = page.split(f'data-id="{fork["event_id"]}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">~$0.0011</td>' in row
    listed = subprocess.run(
        [str(GODEL), "runs", "list", "--runs-dir", str(made.runs)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert "~$0.0011" in next(line for line in listed.splitlines() if rid in line)


def test_a_live_model_reads_only_what_was_appended(made: Any, tmp_path: Path) -> None:
    rid = made.ids["slow"]
    log = made.runs / f"{rid}.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    runs = tmp_path / "runs"
    runs.mkdir()
    growing = runs / log.name
    growing.write_bytes(b"".join(lines[:5]) + lines[5][:10])  # and a line half written
    asked: list[int] = []
    store = FileStore(runs)

    def read_lines(offset: int) -> tuple[list[bytes], int]:
        asked.append(offset)
        return store.read_lines(rid, offset)

    model = RunModel(rid, runs, read_lines=read_lines)
    model.refresh()
    first = model.index.offset
    assert first == sum(map(len, lines[:5])) and model.lines == 5
    with growing.open("ab") as f:
        f.write(lines[5][10:] + b"".join(lines[6:]))
    model.refresh()
    assert asked == [0, first] and model.lines == len(lines)
    assert len(model.rows()) == len(model.events) == len(_show_ids(log))
    assert not model.refresh() and asked[-1] == model.index.offset == log.stat().st_size


def _show_ids(log: Path) -> set[str]:
    return {json.loads(line)["event_id"] for line in log.read_text().splitlines()[1:]}


def test_an_unreadable_last_line_is_a_warning_and_corruption_once_a_line_follows(
    made: Any, tmp_path: Path
) -> None:
    """As ``EventLog.load`` (and so ``godel show``) reads a log: a torn last write is only
    warned about; an unreadable line with lines after it is a corrupt log."""
    rid = made.ids["slow"]
    runs = tmp_path / "runs"
    runs.mkdir()
    lines = (made.runs / f"{rid}.jsonl").read_bytes().splitlines(keepends=True)
    log = runs / f"{rid}.jsonl"
    log.write_bytes(b"".join([*lines, b'{"event_id": "X", "status": "NOPE"}\n']))
    index = EventIndex(partial(FileStore(runs).read_lines, rid), f"{rid}.jsonl")
    index.update()
    (warning,) = index.warnings
    assert warning.startswith(f"{rid}.jsonl:{len(lines) + 1}: skipped an unreadable line (")
    assert "status 'NOPE' is not one of" in warning
    assert set(index.entries) == _show_ids(made.runs / f"{rid}.jsonl")
    for bad in (b"{not json\n", b"[1, 2]\n"):
        log.write_bytes(b"".join([*lines[:3], bad, *lines[3:]]))
        index = EventIndex(partial(FileStore(runs).read_lines, rid), f"{rid}.jsonl")
        with pytest.raises(CorruptLogError, match=rf"{rid}\.jsonl:4: corrupt audit log line"):
            index.update()


def test_a_log_in_a_newer_format_is_refused(made: Any, tmp_path: Path) -> None:
    rid = made.ids["slow"]
    runs = tmp_path / "runs"
    runs.mkdir()
    text = (made.runs / f"{rid}.jsonl").read_text()
    (runs / f"{rid}.jsonl").write_text(text.replace('"format":1', '"format":99', 1))
    index = EventIndex(partial(FileStore(runs).read_lines, rid), f"{rid}.jsonl")
    with pytest.raises(LogFormatError, match="format 99 is newer"):
        index.update()


def test_a_replaced_log_is_read_again_from_the_start(made: Any, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    shutil.copytree(made.runs, runs, ignore=shutil.ignore_patterns("*.lock"))
    rid = made.ids["slow"]
    model = RunModel(rid, runs)
    model.refresh()
    before = len(model.events)
    log = runs / f"{rid}.jsonl"
    short = b"".join(log.read_bytes().splitlines(keepends=True)[:4])
    log.unlink()
    log.write_bytes(short)  # a new file, shorter than what was read
    model.refresh()
    assert len(model.events) == 3 < before


def test_an_event_page_lists_what_ran_inside_it(made: Any, client: Any) -> None:
    rid = made.ids["team"]
    model = RunModel(rid, made.runs)
    model.refresh()
    fork = next(eid for eid, entry in model.index.entries.items() if entry.op == "FORK")
    page = html.unescape(client.get(f"/runs/{rid}/events/{fork}").text)
    inside = page.split("<h2>Inside</h2>", 1)[1].split("</ul>", 1)[0]
    steps = [e for e, entry in model.index.entries.items() if entry.parent_id == fork]
    assert len(steps) == 2 and model.children(fork) == steps
    assert re.findall(r'href="/runs/\w+/events/(\w+)">([^<]+)</a>', inside) == [
        (steps[0], "review"),
        (steps[1], "review #2"),
    ]
