"""godel's pytest plugin (the ``pytest11`` entry point ``godel``): the ``fake_model`` fixture.

::

    def test_agent_writes_a_file(fake_model, tmp_path):
        fake_model.set_script([Turn.tool("Write", {"file_path": "a.txt", "content": "x"}), "done"])
        env = {**os.environ, **fake_model.anthropic_env(tmp_path / "home")}
        ...

Loaded by every pytest run in an environment where godel-core is installed, so it imports
nothing but pytest until a test asks for the fixture. Disable it with ``-p no:godel``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from godel.testing.fake_model import FakeModelServer


@pytest.fixture
def fake_model() -> Iterator[FakeModelServer]:
    """A started :class:`~godel.testing.fake_model.FakeModelServer` with an empty script.

    Give it turns with ``fake_model.set_script(...)`` or ``fake_model.add(...)``; it stops (and
    cuts any stalled answer short) when the test ends.
    """
    from godel.testing.fake_model import FakeModelServer

    with FakeModelServer() as server:
        yield server
