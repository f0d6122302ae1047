"""The content-addressed sidecar that keeps audit-log lines small and payloads lossless.

A string in an event's request or response whose JSON encoding is larger than
``BLOB_THRESHOLD`` bytes is stored once in ``<run_dir>/blobs/<sha256>`` (its UTF-8 bytes) and
the log line carries a short preview in its place, plus a ``"blobs"`` map from the value's path
to the hash. Paths join keys with ``.``; list indices are written as numbers; a ``.`` or ``\\``
inside a key is escaped with ``\\``. Example: ``{"request.stdout": "<sha256>"}``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from godel.log.events import Event
from godel.strict.privilege import privileged

__all__ = [
    "BLOB_THRESHOLD",
    "PREVIEW_CHARS",
    "BlobEvent",
    "BlobStore",
    "check",
    "externalize",
    "is_large",
    "join_path",
    "restore",
    "split_path",
]

BLOB_THRESHOLD = 4096  # bytes of a string's JSON encoding above which it goes to the sidecar
PREVIEW_CHARS = 200  # how much of a moved string the log line keeps, for people and monitors

_encode_str = json.encoder.encode_basestring_ascii
_DIGEST = re.compile(r"[0-9a-f]{64}")
_RECENT_MAX = 32
_CHECK_CHUNK = 1 << 20


def is_large(text: str) -> bool:
    """True if ``text`` JSON-encodes (ASCII-escaped) to more than ``BLOB_THRESHOLD`` bytes."""
    n = len(text)
    if n > BLOB_THRESHOLD:
        return True
    # An escaped character takes at most 6 bytes, so short strings are decided without encoding.
    if n * 6 + 2 <= BLOB_THRESHOLD:
        return False
    return len(_encode_str(text)) > BLOB_THRESHOLD


def _escape(key: str) -> str:
    return key.replace("\\", "\\\\").replace(".", "\\.")


def join_path(parts: list[str | int]) -> str:
    """``["request", "a.b", 3]`` -> ``request.a\\.b.3``."""
    return ".".join(str(p) if isinstance(p, int) else _escape(p) for p in parts)


def split_path(path: str) -> list[str]:
    """Inverse of ``join_path`` (indices come back as strings; the container decides)."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(path)
    for ch in chars:
        if ch == "\\":
            current.append(next(chars, "\\"))
        elif ch == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _json_key(key: object) -> str:
    # json.dumps turns non-string keys into these strings; the path must name what is on disk.
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    return repr(key) if isinstance(key, float) else str(key)


def preview(text: str, digest: str) -> str:
    """What the log line shows in place of a moved string."""
    return f"{text[:PREVIEW_CHARS]}... [godel: {len(text)} chars in blobs/{digest}]"


def externalize(line: dict[str, Any], put: Callable[[str], str]) -> dict[str, Any] | None:
    """A copy of ``line`` whose large strings are replaced by previews, with a ``"blobs"`` map.

    ``put`` stores a string and returns its hash. Returns None when no string is large. The
    event's own request and response are never modified.
    """
    blobs: dict[str, str] = {}
    out: dict[str, Any] | None = None
    for top in ("request", "response"):
        value = line[top]
        new = _swap(value, [top], blobs, put)
        if new is not value:
            if out is None:
                out = dict(line)
            out[top] = new
    if out is None:
        return None
    out["blobs"] = blobs
    return out


def _swap(
    value: Any, parts: list[str | int], blobs: dict[str, str], put: Callable[[str], str]
) -> Any:
    if isinstance(value, str):
        if not is_large(value):
            return value
        digest = put(value)
        blobs[join_path(parts)] = digest
        return preview(value, digest)
    if isinstance(value, dict):
        new_dict: dict[Any, Any] | None = None
        for key, item in value.items():
            parts.append(_json_key(key))
            swapped = _swap(item, parts, blobs, put)
            parts.pop()
            if swapped is not item:
                if new_dict is None:
                    new_dict = dict(value)
                new_dict[key] = swapped
        return value if new_dict is None else new_dict
    if isinstance(value, (list, tuple)):
        new_list: list[Any] | None = None
        for index, item in enumerate(value):
            parts.append(index)
            swapped = _swap(item, parts, blobs, put)
            parts.pop()
            if swapped is not item:
                if new_list is None:
                    new_list = list(value)
                new_list[index] = swapped
        return value if new_list is None else new_list
    return value


def restore(line: dict[str, Any], blobs: Any, get: Callable[[str], str]) -> list[str]:
    """Put the blobs named by ``blobs`` back into ``line`` (in place).

    Returns one message per blob that could not be read (the preview stays in its place).
    Raises ``ValueError`` when the map itself does not fit the line (that is corruption).
    """
    problems: list[str] = []
    for path, digest, keys, container in _places(line, blobs):
        try:
            container[keys[-1]] = get(digest)
        except (OSError, ValueError) as exc:
            problems.append(_unreadable(path, digest, exc))
    return problems


# Where the blobs of an event go: by top-level field, [(keys below it, digest)] (``check``).
_Places = dict[str, list[tuple[list[str | int], str]]]


def check(
    line: dict[str, Any], blobs: Any, verify: Callable[[str], object]
) -> tuple[_Places, list[str]]:
    """``restore`` without putting anything back: the line keeps its previews.

    ``verify(digest)`` raises what reading the blob back would (``BlobStore.check``), so the
    problems are ``restore``'s. Returns the readable blobs by top-level field (``request`` or
    ``response``: [(keys below it, digest)]) for ``BlobEvent``, and the problems.
    """
    places: _Places = {}
    problems: list[str] = []
    for path, digest, keys, _container in _places(line, blobs):
        try:
            verify(digest)
        except (OSError, ValueError) as exc:
            problems.append(_unreadable(path, digest, exc))
        else:
            places.setdefault(str(keys[0]), []).append((keys[1:], digest))
    return places, problems


def _unreadable(path: str, digest: str, exc: Exception) -> str:
    return f"{path}: blob {digest} unreadable ({exc}); kept the preview"


def _places(line: dict[str, Any], blobs: Any) -> Iterator[tuple[str, str, list[str | int], Any]]:
    """(path, digest, keys from the line down, the container of the string) of each entry of a
    ``"blobs"`` map, checked against the line: ``ValueError`` when the map does not fit it."""
    if not isinstance(blobs, dict):
        raise ValueError('"blobs" is not an object')
    for path, digest in blobs.items():
        if (
            not isinstance(path, str)
            or not isinstance(digest, str)
            or not _DIGEST.fullmatch(digest)
        ):
            raise ValueError(f'"blobs" entry {path!r}: {digest!r} is not a sha256 hex digest')
        parts = split_path(path)
        if parts[0] not in ("request", "response"):
            raise ValueError(f'"blobs" path {path!r} is not under request or response')
        container: Any = line
        keys: list[str | int] = []
        try:
            for part in parts:
                if keys:
                    container = container[keys[-1]]
                keys.append(int(part) if isinstance(container, list) else part)
            if not isinstance(container[keys[-1]], str):
                raise TypeError("not a string")
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise ValueError(
                f'"blobs" path {path!r} does not name a string in the line ({exc})'
            ) from None
        yield path, digest, keys, container


_REQUEST = Event.request  # the slots that hold the values with their previews
_RESPONSE = Event.response


class BlobEvent(Event):
    """An ``Event`` whose large strings stay in the sidecar until its request or response is
    read (``EventLog.load(..., lazy_blobs=True)``).

    The slots hold the line's previews; each read of ``request`` or ``response`` gives the whole
    value, read back from the blobs (the last one read is kept for the next read), so a reader
    that goes through the events one at a time holds one large value at a time, not all of
    them. Treat the values as read-only: a change to a restored value may not stay. Setting
    ``request`` or ``response`` replaces the value and forgets its blobs.
    """

    __slots__ = ("_get", "_places")

    def _full(self, top: str, slot: Any) -> Any:
        value = slot.__get__(self)
        places = self._places.get(top) if hasattr(self, "_places") else None
        if not places:
            return value
        global _last_restored
        last = _last_restored
        if last[0] is self and last[1] == top:
            return last[2]
        del last
        _last_restored = (None, "", None)  # not held while the next one is read
        full = _restored(value, places, self._get)
        _last_restored = (self, top, full)
        return full

    def _replace(self, top: str, slot: Any, value: Any) -> None:
        global _last_restored
        slot.__set__(self, value)
        if hasattr(self, "_places"):
            self._places.pop(top, None)
            if _last_restored[0] is self:
                _last_restored = (None, "", None)

    request = property(  # type: ignore[assignment]
        lambda self: self._full("request", _REQUEST),
        lambda self, value: self._replace("request", _REQUEST, value),
        doc="The request, its large strings read back from the sidecar.",
    )
    response = property(  # type: ignore[assignment]
        lambda self: self._full("response", _RESPONSE),
        lambda self, value: self._replace("response", _RESPONSE, value),
        doc="The response, its large strings read back from the sidecar.",
    )

    @classmethod
    def of(cls, event: Event, places: _Places, get: Callable[[str], str]) -> BlobEvent:
        """``event`` (its values with their previews) whose strings at ``places`` (``check``)
        are read back with ``get`` when asked for."""
        lazy = cls(*(slot.__get__(event) for slot in _EVENT_SLOTS))
        lazy._places = places
        lazy._get = get
        return lazy


_EVENT_SLOTS = [getattr(Event, name) for name in Event.__slots__]
# (event, "request" or "response", value) of the last value BlobEvent read back: a renderer
# reads the same field a few times in a row, and a big value is read once for them.
_last_restored: tuple[Any, str, Any] = (None, "", None)


def _restored(
    value: Any, places: list[tuple[list[str | int], str]], get: Callable[[str], str]
) -> Any:
    """A copy of ``value`` with the blob of each (keys, digest) of ``places`` in its place; only
    the containers on the way are copied. A blob that cannot be read keeps its preview, as
    loading it eagerly does (loading warned about it)."""
    copies: dict[int, Any] = {}

    def copy(container: Any) -> Any:
        new = copies.get(id(container))
        if new is None:
            new = container.copy()
            copies[id(container)] = copies[id(new)] = new
        return new

    top = copy(value)
    for keys, digest in places:
        container = top
        for key in keys[:-1]:
            inner = copy(container[key])
            container[key] = inner
            container = inner
        try:
            container[keys[-1]] = get(digest)
        except (OSError, ValueError):
            pass
    return top


class BlobStore:
    """The files under ``<run_dir>/blobs``: each written once, via a temp file and a rename."""

    def __init__(
        self, run_dir: Path, *, fsync_each: bool = False, track_unsynced: bool = True
    ) -> None:
        self.run_dir = run_dir
        self.dir = run_dir / "blobs"
        self.fsync_each = fsync_each
        self.track_unsynced = track_unsynced  # False when nothing will ever be fsynced
        self._known: set[str] = set()
        # Recently stored strings by identity: finishing an event re-encodes its request, and
        # hashing the same large string twice would double the cost of big payloads.
        self._recent: dict[int, tuple[str, str]] = {}
        self._unsynced: list[Path] = []
        self._dirty_dirs: dict[Path, None] = {}

    def put(self, text: str) -> str:
        """Store ``text`` (if not stored yet) and return its sha256 hex digest."""
        hit = self._recent.get(id(text))
        if hit is not None and hit[0] is text:
            return hit[1]
        from hashlib import sha256  # imported when used: most readers never meet a blob

        data = text.encode("utf-8", "surrogatepass")
        digest = sha256(data).hexdigest()
        if len(self._recent) >= _RECENT_MAX:
            self._recent.clear()
        self._recent[id(text)] = (text, digest)
        if digest not in self._known:
            with privileged():
                self._ensure_dir()
                path = self.dir / digest
                if not path.exists():
                    self._write(path, data)
            self._known.add(digest)
        return digest

    def get(self, digest: str) -> str:
        """The string stored under ``digest``; ``ValueError`` if the file does not match it."""
        if not _DIGEST.fullmatch(digest):
            raise ValueError(f"{digest!r} is not a sha256 hex digest")
        with privileged(), open(self.dir / digest, "rb") as f:
            data = f.read()
        from hashlib import sha256

        if sha256(data).hexdigest() != digest:
            raise ValueError("content does not match its hash")
        return data.decode("utf-8", "surrogatepass")

    def check(self, digest: str) -> None:
        """Raise what ``get(digest)`` would raise, reading the file a chunk at a time: a reader
        that keeps the previews (``BlobEvent``) warns about the same blobs without holding one."""
        if not _DIGEST.fullmatch(digest):
            raise ValueError(f"{digest!r} is not a sha256 hex digest")
        from codecs import getincrementaldecoder
        from hashlib import sha256

        hasher = sha256()
        decode = getincrementaldecoder("utf-8")("surrogatepass").decode
        ascii_so_far = True  # ASCII is UTF-8: no decoding until a chunk is not all ASCII
        try:
            with privileged(), open(self.dir / digest, "rb") as f:
                while chunk := f.read(_CHECK_CHUNK):
                    hasher.update(chunk)
                    if not (ascii_so_far and chunk.isascii()):
                        ascii_so_far = False
                        decode(chunk)
            decode(b"", final=True)
        except ValueError:
            self.get(digest)  # not UTF-8: get's own error, whose text names where
            raise
        if hasher.hexdigest() != digest:
            raise ValueError("content does not match its hash")

    @property
    def pending(self) -> bool:
        """True if blobs or directory entries were written since the last sync."""
        return bool(self._unsynced or self._dirty_dirs)

    def sync(self) -> None:
        """fsync every blob file and directory entry written since the last sync."""
        if not self._unsynced and not self._dirty_dirs:
            return
        with privileged():
            for path in self._unsynced:
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            for directory in self._dirty_dirs:
                fsync_dir(directory)
        self._unsynced.clear()
        self._dirty_dirs.clear()

    def _ensure_dir(self) -> None:
        if self.dir.is_dir():
            return
        for directory in (self.run_dir, self.dir):
            try:
                directory.mkdir()
            except FileExistsError:
                continue
            if self.fsync_each or self.track_unsynced:
                self._dirty_dirs[directory.parent] = None

    def _write(self, path: Path, data: bytes) -> None:
        tmp = self.dir / f".{path.name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if self.fsync_each:
                os.fsync(fd)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        os.close(fd)
        os.replace(tmp, path)
        if self.fsync_each:
            self._dirty_dirs[self.dir] = None
            for directory in self._dirty_dirs:
                fsync_dir(directory)
            self._dirty_dirs.clear()
        elif self.track_unsynced:
            self._dirty_dirs[self.dir] = None
            self._unsynced.append(path)


def fsync_dir(directory: Path) -> None:
    """Make a directory's entries (new files, renames) durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
