"""``collector_paused``: the collector is off while a log is read and is handed its objects aged."""

from __future__ import annotations

import gc
import weakref

import pytest

from godel.log import collector_paused


@pytest.fixture
def collector_on():
    was, thresholds = gc.isenabled(), gc.get_threshold()
    gc.enable()
    gc.collect()
    gc.set_threshold(1_000_000, 10, 10)  # no automatic pass moves objects while a test looks
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()
    if not was:
        gc.disable()


def _in_generation(obj: object, generation: int) -> bool:
    return any(o is obj for o in gc.get_objects(generation))


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector can free it


def test_objects_made_while_paused_leave_the_youngest_generation_untraversed(collector_on):
    frozen = gc.get_freeze_count()  # 0, except on Python 3.12, which starts with a few
    with collector_paused():
        assert not gc.isenabled()
        kept = [{"n": [i]} for i in range(20_000)]
    assert gc.isenabled()
    assert gc.get_count()[0] < 100  # moved on, not left for the next pass over generation 0
    assert _in_generation(kept, 2)
    assert gc.get_freeze_count() == frozen  # nothing is left frozen


def test_garbage_cycles_made_while_paused_are_still_collected(collector_on):
    with collector_paused():
        gone = weakref.ref(_Node())  # garbage at once
    gc.collect()
    assert gone() is None  # not frozen for good


def test_objects_frozen_on_purpose_stay_frozen(collector_on):
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    with collector_paused():
        kept = [{"n": [i]} for i in range(1_000)]
    assert gc.get_freeze_count() == frozen
    assert _in_generation(kept, 2)
