"""The audit log: ``EventLog`` and its events, the on-disk format, the store, blobs, redaction,
the transcript, ids, the run lock and where a run's files live.

``runs/<run_id>.jsonl`` is one JSON object per line; the last line of an event wins.
"""

from __future__ import annotations

from godel.lazy import exports

TYPE_CHECKING = False
if TYPE_CHECKING:
    from godel.log.blobs import BlobStore
    from godel.log.eventlog import EventLog, ReadOnlyLogError
    from godel.log.events import (
        Event,
        EventStatus,
        Op,
        compute_request_hash,
        from_iso,
        parse_ts,
        seconds_between,
        utc_now,
    )
    from godel.log.files import (
        RUN_ID,
        check_run_id,
        list_run_ids,
        log_path,
        resolve_runs_dir,
    )
    from godel.log.format import (
        BULK_LINES,
        CorruptLogError,
        LogFormatError,
        bulk_parser,
        check_header,
        collector_paused,
        parse_line,
    )
    from godel.log.ids import IdLookupError, new_id, resolve_id, short_id
    from godel.log.jsontext import indented_json
    from godel.log.lock import RunLock, RunLockedError, lock_held, lock_unwritable
    from godel.log.reader import LogReader, find_log, read_batches
    from godel.log.redact import Redactor, build_redactor, builtins_enabled
    from godel.log.store import EventStore, JsonlStore, resolve_durability
    from godel.log.transcript import Transcript, transcript_files

_EXPORTS = {
    "BlobStore": "blobs",
    "EventLog": "eventlog",
    "ReadOnlyLogError": "eventlog",
    "Event": "events",
    "EventStatus": "events",
    "Op": "events",
    "compute_request_hash": "events",
    "from_iso": "events",
    "parse_ts": "events",
    "seconds_between": "events",
    "utc_now": "events",
    "RUN_ID": "files",
    "check_run_id": "files",
    "list_run_ids": "files",
    "log_path": "files",
    "resolve_runs_dir": "files",
    "BULK_LINES": "format",
    "bulk_parser": "format",
    "check_header": "format",
    "parse_line": "format",
    "CorruptLogError": "format",
    "LogFormatError": "format",
    "collector_paused": "format",
    "IdLookupError": "ids",
    "new_id": "ids",
    "resolve_id": "ids",
    "short_id": "ids",
    "indented_json": "jsontext",
    "RunLock": "lock",
    "RunLockedError": "lock",
    "lock_held": "lock",
    "lock_unwritable": "lock",
    "LogReader": "reader",
    "find_log": "reader",
    "read_batches": "reader",
    "Redactor": "redact",
    "build_redactor": "redact",
    "builtins_enabled": "redact",
    "EventStore": "store",
    "JsonlStore": "store",
    "resolve_durability": "store",
    "Transcript": "transcript",
    "transcript_files": "transcript",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = exports(__name__, _EXPORTS)
