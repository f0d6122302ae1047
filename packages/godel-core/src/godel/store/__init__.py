"""Where runs live: the store protocol, the file store (the default) and the one resolver that
every command and the runtime use to pick a store (``--store URL``, ``$GODEL_STORE``, the
settings' ``store``, else the runs dir). Other stores come from plugins through the hook
``godel_register_stores`` (docs/store.md).
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.store.copy import copy_run
    from godel.store.file import FileStore
    from godel.store.protocol import (
        Store,
        StoreError,
        StoreUnavailableError,
        is_store,
        store_name,
    )
    from godel.store.reader import StoreReader, events_of, read_transcript
    from godel.store.resolve import (
        init_store,
        location_of,
        open_store,
        resolve_store,
        store_schemes,
    )

_EXPORTS = {
    "copy_run": "copy",
    "FileStore": "file",
    "Store": "protocol",
    "StoreError": "protocol",
    "StoreUnavailableError": "protocol",
    "is_store": "protocol",
    "store_name": "protocol",
    "StoreReader": "reader",
    "events_of": "reader",
    "read_transcript": "reader",
    "init_store": "resolve",
    "location_of": "resolve",
    "open_store": "resolve",
    "resolve_store": "resolve",
    "store_schemes": "resolve",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
