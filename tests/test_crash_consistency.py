"""Crash consistency, a few dozen times: SIGKILL ``godel run`` at random moments, resume, check.

Runs ``bench/crash_consistency.py`` (read its docstring for the rules each trial checks:
exactly-once side effects, results made of recorded values, files holding the recorded
values, completed agent calls not asked again, a log that loads) with 30 kills, one in three
with a ``claude`` agent call on the fake model server. The bench itself runs thousands.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.agents]

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_thirty_kills_break_no_rule(require_cli):
    require_cli("claude")
    sys.path.insert(0, str(BENCH))
    try:
        import crash_consistency
    finally:
        sys.path.remove(str(BENCH))
    tally = crash_consistency.run_trials(30, seed=1313, agents_every=3)
    assert not tally.failures, "\n".join(tally.failures[:10])
    # The kills landed while runs worked, not only before or after them.
    assert tally.counts["trials checked"] >= 15, dict(tally.counts)
    assert tally.counts["killed mid-run"] >= 15, dict(tally.counts)


@pytest.mark.postgres
def test_kills_against_the_postgresql_store_break_no_rule(require_cli, store_url):
    """The same trials with the runs in PostgreSQL (``--store``): each run is checked on a
    ``godel runs export`` of it, by the same rules."""
    require_cli("claude")
    sys.path.insert(0, str(BENCH))
    try:
        import crash_consistency
    finally:
        sys.path.remove(str(BENCH))
    tally = crash_consistency.run_trials(10, seed=2020, agents_every=4, store=store_url)
    assert not tally.failures, "\n".join(tally.failures[:10])
    assert tally.counts["trials checked"] >= 5, dict(tally.counts)
    assert tally.counts["killed mid-run"] >= 5, dict(tally.counts)
