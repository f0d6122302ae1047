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


def store_record(path: str, data: bytes, *, suffix: str, keep: int) -> None:
    """Write ``data`` to ``path`` whole or not at all (a partial file renamed over it), then
    keep the ``keep`` newest records (names ending in ``suffix``) of its folder. A cache that
    cannot be written is left as it is: it only ever saves time."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        partial = f"{path}.{os.getpid()}"  # never ends in `suffix`: never pruned as a record
        with open(partial, "wb") as f:
            f.write(data)
        os.replace(partial, path)
        records = [e for e in os.scandir(folder) if e.name.endswith(suffix)]
        if len(records) > keep:
            records.sort(key=lambda e: e.stat().st_mtime_ns)
            for old in records[: len(records) - keep]:
                os.unlink(old.path)
    except OSError:
        pass
