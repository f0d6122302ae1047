"""Which files the scan covers: the workflow and the project modules it imports, transitively.

A helper module runs with the same replay semantics as the workflow, so ``time.time()`` in a
sibling ``helpers.py`` is as much a problem as in the workflow itself. Modules are found the way
``godel run`` will import them: the workflow's directory first, then the project root, a name of
Python's standard library excepted (``godel run`` puts the folder after it). What is not found
there (the standard library, site-packages, missing modules) is not godel's to judge.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from godel.strict.scan import parse, scan_tree
from godel.strict.violation import StrictViolation


@dataclass
class _Source:
    path: Path  # absolute, as the roots spell it
    shown: str  # how violations name it
    text: str | None
    tree: ast.Module | None
    problems: list[StrictViolation]


def scan_workflow(
    path: str | Path, *, project_root: str | Path | None = None
) -> list[StrictViolation]:
    """Strict violations in ``path`` and every project module it imports, sorted by file and line.

    ``project_root`` defaults to the workflow's directory. Each file is parsed once; a file that
    does not parse is reported as a violation at the syntax error. A missing workflow file raises
    ``OSError``; a project module that cannot be read is reported.
    """
    return scan_closure(path, project_root=project_root)[0]


def scan_closure(
    path: str | Path, *, project_root: str | Path | None = None
) -> tuple[list[StrictViolation], list[Path]]:
    """``scan_workflow``'s violations, and what its verdict depends on, in one walk: the files
    it read (``project_modules``), then the folders it looked in for a module (a module added
    to one of them later, even where an import found nothing, can change the verdict)."""
    found: list[StrictViolation] = []
    files: list[Path] = []
    looked: set[Path] = set()
    for source in _walk(Path(path), project_root, looked):
        files.append(source.path)
        found += source.problems
        if source.tree is not None and source.text is not None:
            found += scan_tree(source.tree, source.text, source.shown)
    return sorted(found, key=lambda v: (v.file, v.line, v.col)), files + sorted(looked)


def project_modules(path: str | Path, *, project_root: str | Path | None = None) -> list[Path]:
    """The files ``scan_workflow`` covers, the workflow first (absolute paths)."""
    return [source.path for source in _walk(Path(path), project_root)]


def _walk(
    workflow: Path, project_root: str | Path | None, looked: set[Path] | None = None
) -> Iterator[_Source]:
    absolute = workflow.absolute()
    roots = [absolute.parent]
    if project_root is not None and Path(project_root).absolute() not in roots:
        roots.append(Path(project_root).absolute())
    cwd = Path.cwd()

    def shown(file: Path) -> str:
        if file == absolute:
            return str(workflow)
        if not workflow.is_absolute():
            try:
                return str(file.relative_to(cwd))
            except ValueError:
                pass
        return str(file)

    # The workflow itself must be readable: that is the caller's contract, not a violation.
    first = absolute.read_bytes()
    queue: list[tuple[Path, bytes | None]] = [(absolute, first)]
    seen: set[Path] = set()
    looked = set() if looked is None else looked
    while queue:
        file, data = queue.pop(0)
        key = file.resolve()
        if key in seen:  # import cycles, and one file reached under two spellings
            continue
        seen.add(key)
        source = _load(file, shown(file), data)
        yield source
        if source.tree is not None:
            queue += [(dep, None) for dep in _imported_files(source.tree, file, roots, looked)]


def _load(file: Path, shown: str, data: bytes | None) -> _Source:
    try:
        text = importlib.util.decode_source(data if data is not None else file.read_bytes())
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
        message = f"cannot read: {exc} — strict mode cannot check this file"
        return _Source(file, shown, None, None, [StrictViolation(shown, 0, 0, message, "ast")])
    tree, problems = parse(text, shown)
    return _Source(file, shown, text, tree, problems)


def _imported_files(
    tree: ast.Module, file: Path, roots: list[Path], looked: set[Path]
) -> list[Path]:
    """Project files that executing ``tree`` can import (whatever branch the import sits in);
    the folders searched for them are added to ``looked``."""
    files: list[Path] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                files += _absolute(alias.name.split("."), roots, looked)
        elif isinstance(node, ast.ImportFrom):
            names = [a.name for a in node.names if a.name != "*"]
            module = node.module.split(".") if node.module else []
            if node.level == 0:
                files += _absolute(module, roots, looked)
                for name in names:  # ``from pkg import mod`` may name a submodule
                    files += _absolute([*module, name], roots, looked)
            else:
                base = file.parent
                for _ in range(node.level - 1):
                    base = base.parent
                init = base / "__init__.py"
                if init.is_file():
                    files.append(init)
                files += _locate(base, module, looked)[1]
                for name in names:
                    files += _locate(base, [*module, name], looked)[1]
    return files


def _absolute(parts: list[str], roots: list[Path], looked: set[Path]) -> list[Path]:
    if parts[0] in sys.stdlib_module_names:
        return []  # Python's own: `godel run` puts the workflow's folder after the stdlib
    # The first root that has the top-level name is where Python finds it.
    for root in roots:
        found, files = _locate(root, parts, looked)
        if found:
            return files
    return []


def _locate(base: Path, parts: list[str], looked: set[Path]) -> tuple[bool, list[Path]]:
    """Files executed to import ``parts`` below ``base``, as far as they exist there; each
    folder searched is added to ``looked``.

    Returns whether the first part exists at all, and the files: each regular package's
    ``__init__.py`` on the way, and the final module. A package directory with an ``__init__.py``
    wins over a same-named ``.py`` file, which wins over a namespace directory, as in Python.
    """
    files: list[Path] = []
    directory = base
    for i, part in enumerate(parts):
        looked.add(directory)
        package = directory / part
        init = package / "__init__.py"
        module = directory / f"{part}.py"
        if init.is_file():
            files.append(init)
            directory = package
        elif module.is_file():
            files.append(module)
            break  # a plain module has no submodules
        elif package.is_dir():
            directory = package  # a namespace package: nothing to execute
        else:
            return i > 0, files
    return True, files
