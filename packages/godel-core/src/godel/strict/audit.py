"""Layer 3: a PEP 578 audit hook that refuses side effects godel cannot replay.

The interpreter calls the hook for every audited operation in the process, so it rejects
uninteresting events with one frozenset lookup before anything else. When workflow code (not
inside ``privileged()``) writes, renames or deletes a file, starts a process, touches the network
or loads a native library, the hook raises ``PermissionError`` and the operation does not happen.

Native code is refused at each step ctypes audits: loading a library (``CDLL(path)``, and
``CDLL(None)``, the running program, whose symbols include libc's ``system``) and looking a
function up (``ctypes.pythonapi.system``): a C function writes files and starts processes without
any audited Python function. (Calling a function pointer is not audited.)

Allowed on purpose: reads (imports, ``open(p)``); writes of the interpreter's own bytecode cache
(``__pycache__``); ``open()`` on an already-open file descriptor (creating it was audited); the
socket pair asyncio's event loop makes for itself (``socket.__new__`` is not watched); the one
``dlopen`` that ``import ctypes`` makes for ``ctypes.pythonapi`` (a library may import ctypes);
the file ``tempfile.gettempdir()`` creates and deletes to find a usable directory.
Audit hooks cannot be removed: once installed, the hook stays for the life of the process.
"""

from __future__ import annotations

import os
import sys
from types import FrameType
from typing import Any

from godel.strict import catalog
from godel.strict.privilege import is_privileged

_WRITE_FLAG_NAMES = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC")
_FLAGS = tuple((name, getattr(os, name)) for name in _WRITE_FLAG_NAMES if hasattr(os, name))
_WRITE_FLAGS = 0
for _name, _value in _FLAGS:
    _WRITE_FLAGS |= _value
del _name, _value

_PROCESS = ("start processes", catalog.RUN)
_NETWORK = ("use the network", catalog.NETWORK)
_NATIVE = ("call native functions", catalog.RUN)

# event -> (what workflow code cannot do, escape hatch, which event arguments to show); two
# shown arguments are a source and a destination, except for getaddrinfo's host and port.
_BLOCKED: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "os.rename": ("rename files", catalog.RUN, (0, 1)),  # also os.replace
    "os.remove": ("delete files", catalog.RUN, (0,)),  # also os.unlink
    "os.rmdir": ("delete directories", catalog.RUN, (0,)),
    "os.mkdir": ("create directories", catalog.RUN, (0,)),
    "os.truncate": ("write files", catalog.WRITE, (0,)),
    "os.symlink": ("create links", catalog.RUN, (0, 1)),
    "os.link": ("create links", catalog.RUN, (0, 1)),
    "shutil.rmtree": ("delete directories", catalog.RUN, (0,)),
    "shutil.move": ("move files", catalog.RUN, (0, 1)),
    "shutil.copyfile": ("copy files", catalog.RUN, (0, 1)),
    "shutil.copytree": ("copy files", catalog.RUN, (0, 1)),
    "shutil.make_archive": ("write archives", catalog.RUN, (0,)),
    "shutil.unpack_archive": ("unpack archives", catalog.RUN, (0,)),
    "subprocess.Popen": (*_PROCESS, (1,)),  # (executable, args, cwd, env)
    "os.system": (*_PROCESS, (0,)),
    "os.exec": (*_PROCESS, (1,)),  # (path, args, env)
    "os.posix_spawn": (*_PROCESS, (1,)),  # (path, argv, env); also posix_spawnp
    "os.spawn": (*_PROCESS, (2,)),  # (mode, path, args, env)
    "os.fork": (*_PROCESS, ()),
    "os.forkpty": (*_PROCESS, ()),
    "os.startfile": (*_PROCESS, (0,)),
    "socket.connect": (*_NETWORK, (1,)),  # (socket, address)
    "socket.bind": (*_NETWORK, (1,)),
    "socket.sendto": (*_NETWORK, (1,)),
    "socket.sendmsg": (*_NETWORK, (1,)),
    "socket.getaddrinfo": (*_NETWORK, (0, 1)),  # DNS leaks the run to the outside too
    "socket.gethostbyname": (*_NETWORK, (0,)),
    "socket.gethostbyname_ex": (*_NETWORK, (0,)),
    "socket.gethostbyaddr": (*_NETWORK, (0,)),
    "socket.getnameinfo": (*_NETWORK, (0,)),
    "urllib.Request": (*_NETWORK, (0,)),
    "ctypes.dlopen": ("load native libraries", catalog.RUN, (0,)),
    "ctypes.dlsym": (*_NATIVE, (1,)),  # (library, name)
    "ctypes.dlsym/handle": (*_NATIVE, (1,)),  # (handle, name)
    "ctypes.call_function": (*_NATIVE, ()),  # _ctypes.call_function(address, arguments)
}
_WATCHED = frozenset({"open", *_BLOCKED})
# The import system writes bytecode caches with exactly these operations.
_BYTECODE_EVENTS = frozenset({"os.mkdir", "os.rename", "os.remove"})


def _bytecode_cache(path: Any) -> bool:
    """True for a ``__pycache__`` directory, the ``.pyc`` files (and their temporary files) in
    one, and anything under ``sys.pycache_prefix``."""
    try:
        text = os.fsdecode(path)
    except TypeError:
        return False
    prefix = sys.pycache_prefix
    if prefix and text.startswith(prefix):
        return True
    if "__pycache__" not in text:
        return False
    head, tail = os.path.split(text)
    return tail == "__pycache__" or (os.path.basename(head) == "__pycache__" and ".pyc" in tail)


def _show(value: Any, limit: int = 120) -> str:
    if isinstance(value, bytes):  # os.system and bytes paths
        value = os.fsdecode(value)
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _refuse(what: str, detail: str, hatch: str) -> PermissionError:
    where = f" ({detail})" if detail else ""
    return PermissionError(
        f"godel strict: workflow code cannot {what}{where} — use {hatch} instead"
    )


def _hook(event: str, args: tuple[Any, ...], _watched: frozenset[str] = _WATCHED) -> None:
    if event not in _watched:  # the fast path: almost every event ends here
        return
    if event == "open":
        # Both open() and os.open() report the OS-level flags; reads carry no write flag.
        if not (args[2] & _WRITE_FLAGS):
            return
        path, mode, flags = args
        if isinstance(path, int) or is_privileged() or _bytecode_cache(path):
            return
        if _probing_tempdir(sys._getframe(1)):
            return
        if isinstance(mode, str):
            detail = f"{_show(path)}, mode {mode!r}"
        else:
            detail = f"{_show(path)}, flags " + "|".join(n for n, v in _FLAGS if flags & v)
        raise _refuse("write files", detail, catalog.WRITE)
    if is_privileged():
        return
    if event in _BYTECODE_EVENTS and args and _bytecode_cache(args[0]):
        return
    if event == "os.remove" and _probing_tempdir(sys._getframe(1)):
        return
    if event == "ctypes.dlopen" and args and args[0] is None:
        if _importing_ctypes(sys._getframe(1)):
            return
        raise _refuse("load native libraries", "None, the running program", catalog.RUN)
    what, hatch, shown = _BLOCKED[event]
    separator = " -> " if len(shown) == 2 and event != "socket.getaddrinfo" else ":"
    detail = separator.join(_show(args[i]) for i in shown if i < len(args))
    raise _refuse(what, detail, hatch)


def _probing_tempdir(frame: FrameType | None) -> bool:
    """Whether ``tempfile.gettempdir()`` is finding the directory (once per process): it
    creates and deletes a file in each candidate to see that it can. The answer is a path,
    which strict mode allows (docs/strict.md); the function is known by its code object."""
    tempfile = sys.modules.get("tempfile")
    probe = getattr(getattr(tempfile, "_get_default_tempdir", None), "__code__", None)
    return frame is not None and probe is not None and frame.f_code is probe


def _importing_ctypes(frame: FrameType | None) -> bool:
    """Whether a ``dlopen(None)`` is the one ``import ctypes`` makes for ``pythonapi``: ctypes's
    own frames up to its module body, which has not bound ``pythonapi`` yet (so running code in
    ctypes's namespace later does not pass)."""
    while frame is not None and frame.f_globals.get("__name__") == "ctypes":
        if frame.f_code.co_name == "<module>":
            return "pythonapi" not in frame.f_globals
        frame = frame.f_back
    return False


_installed = False


def install_audit_hook() -> None:
    """Add the hook (once per process; PEP 578 hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
