"""Where godel-cli keeps what it may recompute (the pre-flight and help caches), and their
switches. Standard library only: the help cache runs before click is imported."""

from __future__ import annotations

import os

OFF = frozenset({"0", "false", "no", "off"})


def switched_on(variable: str) -> bool:
    """False when ``variable`` is ``0``/``false``/``no``/``off`` (any case); on otherwise."""
    return os.environ.get(variable, "").strip().lower() not in OFF


def cache_root() -> str | None:
    """``$GODEL_CACHE_DIR``, else ``$XDG_CACHE_HOME/godel``, else ``~/.cache/godel``; None
    when there is no home to put it in (no cache then, rather than a ``~`` folder in the
    working directory).

    Not under the godel home: a ``~/.godel`` folder is also a project marker."""
    base = os.environ.get("GODEL_CACHE_DIR")
    if base:
        return base
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return os.path.join(xdg, "godel")
    home = os.path.expanduser("~/.cache/godel")
    return home if os.path.isabs(home) else None
