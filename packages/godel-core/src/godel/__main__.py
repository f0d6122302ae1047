"""``python -m godel``: run the ``godel`` command provided by godel-cli, if installed.

The console script is looked up through package metadata, so godel-core does not import
godel-cli (plugins and hosts depend on the core, never the other way round).
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points


def main() -> int:
    for ep in entry_points(group="console_scripts", name="godel"):
        return int(ep.load()() or 0)
    print(
        "godel: the command line is not installed; install it with: pip install godel-cli",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
