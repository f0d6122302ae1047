"""godel-watch is installed as a godel plugin whose hookimpl module imports cleanly."""

from __future__ import annotations

from importlib.metadata import entry_points, version

import godel_watch


def test_entry_point_and_version():
    (ep,) = [ep for ep in entry_points(group="godel") if ep.name == "watch"]
    assert ep.value == "godel_watch.plugin"
    assert ep.load().__name__ == "godel_watch.plugin"
    assert version("godel-watch") == godel_watch.__version__
