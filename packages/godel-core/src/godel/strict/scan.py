"""Layer 1: the AST scan of one source file.

The scan is the primary layer: it reports every problem before anything runs, including the
ones no runtime hook can see (reading the clock, drawing random numbers emit no audit event).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable

from godel.strict import catalog
from godel.strict.index import Index
from godel.strict.names import Resolved, Resolver
from godel.strict.noqa import is_strict_noqa
from godel.strict.violation import StrictViolation

_CALLS = catalog.dotted(catalog.BANNED_CALLS)
_IMPLICIT_NOW = catalog.dotted(catalog.IMPLICIT_NOW_CALLS)
# Functions, not classes: a class name also appears in annotations, where it calls nothing.
_REFERENCES: frozenset[str] = frozenset(q for q in _CALLS if not q.rpartition(".")[2][:1].isupper())

_OS_WRITE_FLAGS = frozenset({"os.O_WRONLY", "os.O_RDWR", "os.O_CREAT", "os.O_APPEND", "os.O_TRUNC"})
_DYNAMIC_IMPORTS = frozenset(
    {"builtins.__import__", "importlib.__import__", "importlib.import_module"}
)

# Methods that change the file system whatever their receiver (``Path(p).write_text(...)``).
_PATH_METHODS: dict[str, str] = {
    "write_text": catalog.WRITE,
    "write_bytes": catalog.WRITE,
    "touch": catalog.WRITE,
    "unlink": catalog.RUN,
    "rename": catalog.RUN,
    "replace": catalog.RUN,
    "mkdir": catalog.RUN,
    "rmdir": catalog.RUN,
    "symlink_to": catalog.RUN,
    "hardlink_to": catalog.RUN,
}
# ``str.replace(old, new)`` takes two arguments; ``Path.replace(target)`` takes one.
_ONE_ARGUMENT_METHODS = frozenset({"rename", "replace"})
_MODE = re.compile(r"[rwxabtU+]{1,4}")


def parse(source: str, filename: str) -> tuple[ast.Module | None, list[StrictViolation]]:
    """The tree of ``source``, or a violation that says where it does not parse."""
    try:
        return ast.parse(source, filename), []
    except SyntaxError as exc:
        line = exc.lineno or 0
        col = max((exc.offset or 1) - 1, 0)
        message = f"syntax error: {exc.msg} — strict mode cannot check this file until it parses"
        return None, [StrictViolation(filename, line, col, message, "ast")]
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes; absurdly deep nesting
        message = (
            f"cannot parse: {str(exc) or type(exc).__name__} — strict mode cannot check this file"
        )
        return None, [StrictViolation(filename, 0, 0, message, "ast")]


def scan_source(source: str, filename: str = "<string>") -> list[StrictViolation]:
    """Every strict violation in one module's source, sorted by line."""
    tree, problems = parse(source, filename)
    if tree is None:
        return problems
    return scan_tree(tree, source, filename)


def scan_tree(tree: ast.Module, source: str, filename: str) -> list[StrictViolation]:
    """Every strict violation in an already-parsed module, minus the ``# godel: noqa`` lines."""
    try:
        found = _Scanner(tree, filename).run()
    except RecursionError:  # thousands of chained aliases (a1 = a0; a2 = a1; ...)
        message = "cannot check: names nested too deeply — strict mode cannot check this file"
        return [StrictViolation(filename, 0, 0, message, "ast")]
    if found:
        quiet = noqa_lines(source, {v.line for v in found})
        found = [v for v in found if v.line not in quiet]
    return sorted(found, key=lambda v: (v.line, v.col))


def noqa_lines(source: str, lines: set[int]) -> set[int]:
    """Those of ``lines`` whose comment is ``# godel: noqa`` or ``# godel: noqa: strict``."""
    quiet: set[int] = set()
    try:
        # Tokens, not text: a ``"# godel: noqa"`` inside a string must not count.
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if (
                tok.type == tokenize.COMMENT
                and tok.start[0] in lines
                and is_strict_noqa(tok.string)
            ):
                quiet.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError):
        text = source.splitlines()
        quiet = {n for n in lines if 0 < n <= len(text) and is_strict_noqa(text[n - 1])}
    return quiet


def _short(node: ast.AST, limit: int = 40) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:`` (false when the code runs)."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


class _Scanner:
    def __init__(self, tree: ast.Module, filename: str) -> None:
        self.filename = filename
        self.index = Index(tree)
        self.names = Resolver(tree, self.index, cautious=False, star_exports=catalog.star_exports())
        self.found: list[StrictViolation] = []
        self.done: set[ast.AST] = set()  # nodes already judged as part of a larger expression

    def run(self) -> list[StrictViolation]:
        # Calls before names, and each type in source order: a call is judged before its callee,
        # a chain before its prefixes.
        of_type = self.index.of_type
        for branch in of_type(ast.If):
            if _type_checking(branch.test):  # never runs: imports there only name types
                self.done.update(
                    node
                    for stmt in branch.body
                    for node in ast.walk(stmt)
                    if isinstance(node, ast.Import | ast.ImportFrom)
                )
        for node in of_type(ast.Import, ast.ImportFrom, ast.Call, ast.Attribute, ast.Name):
            if node in self.done:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self._import(node, alias.name)
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0 and node.module:
                    if not self._import(node, node.module):
                        for alias in node.names:
                            # ``from urllib import request`` imports the module urllib.request.
                            full = f"{node.module}.{alias.name}"
                            if catalog.banned_module(full) == full:
                                self._import(node, full)
            elif isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                self._reference(node)
        return self.found

    def _report(self, node: ast.expr | ast.stmt, message: str) -> None:
        self.found.append(
            StrictViolation(self.filename, node.lineno, node.col_offset, message, "ast")
        )

    def _mark(self, node: ast.AST) -> None:
        while isinstance(node, ast.Attribute):
            self.done.add(node)
            node = node.value
        self.done.add(node)

    def _import(self, node: ast.expr | ast.stmt, name: str) -> bool:
        banned = catalog.banned_module(name)
        if banned is None:
            return False
        self._report(node, catalog.import_message(name, banned))
        return True

    def _call(self, call: ast.Call) -> None:
        resolved = self.names.resolve(call.func)
        name = resolved.name if resolved is not None else ""
        if name in _CALLS:
            self._mark(call.func)
            if not catalog.is_zero_sleep(name, call):
                self._report(call, f"{name}() — use {_CALLS[name]} instead")
        elif name in _IMPLICIT_NOW:
            self._mark(call.func)
            if catalog.reads_clock_implicitly(name, call):
                self._report(call, f"{name}() without an explicit time — use {catalog.NOW} instead")
        elif name in catalog.FILE_OPENERS:
            mode = catalog.open_mode(call, catalog.FILE_OPENERS[name])
            if mode is not None and catalog.writes(mode):
                shown = "open" if name == "builtins.open" else name
                self._report(call, f'{shown}(..., "{mode}") — use {catalog.WRITE} instead')
        elif name == "os.open":
            flags = (
                call.args[1]
                if len(call.args) > 1
                else next((kw.value for kw in call.keywords if kw.arg == "flags"), None)
            )
            if flags is not None and any(
                (r := self.names.resolve(n)) is not None and r.name in _OS_WRITE_FLAGS
                for n in ast.walk(flags)
                if isinstance(n, (ast.Name, ast.Attribute))
            ):
                self._report(call, f"os.open() with write flags — use {catalog.WRITE} instead")
        elif name in _DYNAMIC_IMPORTS:
            arg = call.args[0] if call.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                self._import(call, arg.value)
        elif isinstance(call.func, ast.Attribute):
            self._method(call, call.func)

    def _method(self, call: ast.Call, func: ast.Attribute) -> None:
        receiver = self.names.resolve(func.value)
        if receiver is not None and (receiver.is_module or _is_godel(receiver)):
            # ``godel.write_text(...)`` is the escape hatch; ``os.mkdir`` is judged by name.
            return
        if func.attr in catalog.LOOP_METHODS and (
            func.attr in catalog.ANY_RECEIVER_METHODS or self._makes_loop(func.value)
        ):
            what = f"{_short(func.value)}.{func.attr}()"
            self._report(call, f"{what} — use {catalog.LOOP_METHODS[func.attr]} instead")
        elif func.attr in _PATH_METHODS:
            if func.attr in _ONE_ARGUMENT_METHODS and not (
                len(call.args) == 1
                and not call.keywords
                and not isinstance(call.args[0], ast.Starred)
            ):
                return
            what = f"{_short(func.value)}.{func.attr}()"
            self._report(call, f"{what} — use {_PATH_METHODS[func.attr]} instead")
        elif func.attr == "open":
            # ``Path.open(mode)``: the mode comes first. Only a string that looks like a mode
            # counts, so ``zipfile.open("a.txt")`` is left alone.
            mode = catalog.open_mode(call, 0)
            if mode is not None and _MODE.fullmatch(mode) and catalog.writes(mode):
                what = f'{_short(func.value)}.open("{mode}")'
                self._report(call, f"{what} — use {catalog.WRITE} instead")

    def _makes_loop(self, node: ast.expr) -> bool:
        """``asyncio.get_running_loop()``: a call known to return an event loop."""
        if not isinstance(node, ast.Call):
            return False
        resolved = self.names.resolve(node.func)
        return resolved is not None and resolved.name in catalog.EVENT_LOOPS

    def _reference(self, node: ast.Name | ast.Attribute) -> None:
        resolved = self.names.resolve(node)
        if resolved is not None and resolved.name in _REFERENCES:
            self._mark(node)
            self._report(
                node, f"{resolved.name} used as a value — use {_CALLS[resolved.name]} instead"
            )


def _is_godel(resolved: Resolved) -> bool:
    return resolved.name == "godel" or resolved.name.startswith("godel.")


def format_violations(violations: Iterable[StrictViolation]) -> str:
    """One ``file:line: message`` line per violation (``file: message`` without a line)."""
    return "\n".join(
        f"{v.file}:{v.line}: {v.message}" if v.line > 0 else f"{v.file}: {v.message}"
        for v in violations
    )
