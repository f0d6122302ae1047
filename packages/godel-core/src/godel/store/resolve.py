"""The one resolver: which store a command or a run uses.

``store`` (a URL or a store) first; then an explicit ``--runs-dir`` (a file store); then
``$GODEL_STORE`` (which the commands' ``--store URL`` sets) or the settings' ``store`` key;
else the configured runs dir. A URL's
scheme picks the store among those registered with ``godel_register_stores`` (``file`` is
built in); a value without a scheme is a runs dir.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any

from godel.store.protocol import Store, StoreError, is_store

__all__ = ["init_store", "location_of", "open_store", "resolve_store", "store_schemes"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# Well-known schemes and the distribution that provides each, for the "not installed" hint.
KNOWN = {"postgresql": "godel-postgres", "postgres": "godel-postgres"}

_opened: dict[str, Store] = {}  # one store (and its connection pool) per URL and process
_lock = threading.Lock()


def store_schemes() -> list[str]:
    """The URL schemes of the installed stores (``file`` and the plugins')."""
    from godel.plugins.manager import get_plugin_manager

    return get_plugin_manager().registry("stores").names()


def init_store(url: str) -> Store:
    """Create or migrate the schema of the store at ``url`` (``godel store init``): its
    factory is called as ``factory(url, init=True)``."""
    return _factory(url)(url, init=True)


def open_store(url: str) -> Store:
    """The store a URL names (opened once per process). ``StoreError`` if no installed store
    has its scheme."""
    with _lock:
        store = _opened.get(url)
        if store is not None:
            return store
    store = _factory(url)(url)
    with _lock:
        return _opened.setdefault(url, store)


def _factory(url: str) -> Any:
    match = _SCHEME.match(url)
    if match is None or len(match.group(1)) == 1:  # no scheme (or a drive letter): a runs dir
        from godel.store.file import FileStore

        return lambda url, init=False: FileStore.from_path(url, init=init)
    scheme = match.group(1).lower()
    from godel.exceptions import UnknownPluginError
    from godel.plugins.manager import get_plugin_manager

    registry = get_plugin_manager().registry("stores")
    try:
        factory = registry.get(scheme)
    except UnknownPluginError:
        hint = KNOWN.get(scheme)
        installed = ", ".join(registry.names())
        raise StoreError(
            f"no store for URL scheme {scheme!r} is installed (installed: {installed})"
            + (f"; install it with: pip install {hint}" if hint else "")
        ) from None
    return factory


def resolve_store(
    store: str | Store | None = None, runs_dir: str | os.PathLike[str] | None = None
) -> Store:
    """The store to use: ``store`` (a URL or a store), else an explicit ``runs_dir``, else the
    configured ``store`` (``$GODEL_STORE``, the settings), else the configured runs dir."""
    if store is not None and is_store(store):
        return store  # type: ignore[return-value]
    if is_store(runs_dir):  # a store's location, passed on where a runs dir goes (godel.log's way)
        return runs_dir  # type: ignore[return-value]
    if store:
        return open_store(str(store))
    from godel.store.file import FileStore

    if runs_dir not in (None, ""):
        from godel.log.files import resolve_runs_dir

        return FileStore(resolve_runs_dir(runs_dir))
    from godel.config.load import load_config

    loaded = load_config()
    configured = loaded.config.store
    if configured:
        return open_store(configured)
    return FileStore(loaded.runs_dir)


def location_of(store: Store) -> Any:
    """What ``godel.log``'s functions take as ``runs_dir`` for this store."""
    return store.location
