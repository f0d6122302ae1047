"""Help and version text printed from a record, without importing click.

``godel --help`` is what agents run first and often, and its text changes only when godel, a
plugin or the terminal does. Yet importing click alone costs about 30 ms (172M instructions:
its ``inspect``, ``typing``, ``uuid`` and ``platform`` imports), as much as the whole budget of
the speed issue's row. So the first time ``godel [COMMAND ...] --help`` (or ``-h``, or
``godel --version``) prints its text with nothing on stderr and exit status 0, the text is
recorded under ``help/`` in the cache root (``godel_cli.caches``) with what it came from:

- the size and modification time of every module file the process loaded outside the standard
  library (godel, each plugin, click): an edited summary or docstring is seen;
- the modification time of every folder on ``sys.path``: installing, upgrading or removing a
  distribution (a plugin) adds or replaces a folder in its site-packages;
- the Python, its path and ``sys.path``, the arguments, the terminal width, whether stdout is a
  terminal, and every ``GODEL_*`` variable (``GODEL_PLUGINS`` and the like choose the plugins).

The next time, if all of it still holds, the text is printed as it was: ``godel --help`` costs
``python -c pass`` plus about 2 ms (57 -> 14 ms here). Anything else (an unreadable record, a
changed file) renders the text again through click and records it anew.
``GODEL_HELP_CACHE=0`` turns the cache off.
"""

from __future__ import annotations

import marshal
import os
import sys

from godel_cli.caches import cache_root, store_record, switched_on
from godel_cli.terminal import terminal_columns

VERSION = 1
Key = tuple  # (VERSION, python, executable, sys.path, argv, columns, tty, GODEL_* variables)
KEEP = 64  # records kept; the oldest go when a new one is written
HELP_FLAGS = ("--help", "-h")


def cacheable(argv: list[str]) -> bool:
    """``--version``, or up to two command names followed by ``--help``/``-h``."""
    if not switched_on("GODEL_HELP_CACHE") or sys.stdout is None:
        return False  # no stdout (`godel --version >&-`): click's echo, which skips the write
    if argv == ["--version"]:
        return True
    return (
        1 <= len(argv) <= 3
        and argv[-1] in HELP_FLAGS
        and all(word and not word.startswith("-") for word in argv[:-1])
    )


def serve(argv: list[str]) -> int:
    """Print the text for ``argv`` from its record, or render and record it; the exit code."""
    root = cache_root()
    if root is None:
        return _print(*_render(argv))
    key = _key(argv)
    path = os.path.join(root, "help", f"{_name(key)}.marshal")
    text = _load(path, key)
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    code, out, err = _render(argv)
    if code == 0 and not err and out and _plugins_loaded_cleanly():
        _save(path, key, out)
    return _print(code, out, err)


def _print(code: int, out: str, err: str) -> int:
    sys.stdout.write(out)
    sys.stdout.flush()
    sys.stderr.write(err)
    return code


def _plugins_loaded_cleanly() -> bool:
    # A plugin that failed to import is not in sys.modules, so its edits would go unseen.
    from godel.plugins import get_plugin_manager

    manager = get_plugin_manager()
    return not manager.problems and not any(info.error for info in manager.plugins)


def _key(argv: list[str]) -> Key:
    stdout = sys.__stdout__
    try:
        tty = bool(stdout and stdout.isatty())
    except ValueError:  # closed
        tty = False
    godel_vars = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("GODEL_")))
    return (
        VERSION,
        sys.version,
        sys.executable,
        tuple(sys.path),
        tuple(argv),
        terminal_columns(),
        tty,
        godel_vars,
    )


def _name(key: Key) -> str:
    # Not hashlib: it would load OpenSSL (2 to 4 ms). The record holds the whole key, so two
    # keys with one name only cost a miss.
    import zlib

    text = repr(key).encode()
    return f"{zlib.crc32(text):08x}{len(text):x}"


def _load(path: str, key: Key) -> str | None:
    try:
        with open(path, "rb") as f:
            record = marshal.load(f)
        version, recorded_key, files, folders, text = record
        if version != VERSION or recorded_key != key:
            return None
        for name, mtime, size in files:
            st = os.stat(name)
            if st.st_mtime_ns != mtime or st.st_size != size:
                return None
        for name, mtime in folders:
            if os.stat(name).st_mtime_ns != mtime:
                return None
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return text if isinstance(text, str) else None


def _render(argv: list[str]) -> tuple[int, str, str]:
    """Run the command with its output captured, as it would print it."""
    import io

    from godel_cli.main import main

    out, err = io.StringIO(), io.StringIO()
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = main(argv)
    finally:
        sys.stdout, sys.stderr = real_out, real_err
    return code, out.getvalue(), err.getvalue()


def _save(path: str, key: Key, text: str) -> None:
    import sysconfig

    paths = sysconfig.get_paths()
    stdlib = tuple(os.path.join(paths[k], "") for k in ("stdlib", "platstdlib"))
    installed = tuple(os.path.join(paths[k], "") for k in ("purelib", "platlib"))
    files = []
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None)
        if not name or (name.startswith(stdlib) and not name.startswith(installed)):
            continue
        try:
            st = os.stat(name)
        except OSError:
            continue
        files.append((name, st.st_mtime_ns, st.st_size))
    folders = []
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            folders.append((entry, os.stat(entry).st_mtime_ns))
    record = marshal.dumps((VERSION, key, sorted(set(files)), folders, text))
    store_record(path, record, suffix=".marshal", keep=KEEP)
