"""Lazy re-exports for package ``__init__`` modules (PEP 562).

A package lists the names other packages may import from it and the submodule defining each;
a name's module is imported on first access, so importing one module of a package never imports
its siblings (``import godel`` stays ~1 ms, and subpackages can depend on each other without
import cycles at start-up). Each package also imports the same names under ``TYPE_CHECKING``
for type checkers; ``tests/test_import_graph.py`` keeps the two lists equal.

A package never re-exports a name that is also one of its submodules (``godel.process.run``
is a module; the ``run`` function is ``godel.run``): once the submodule is imported, Python
binds its name on the package, and the re-export would silently become the module.
"""

from __future__ import annotations

import importlib
import sys

TYPE_CHECKING = (
    False  # not `from typing import ...`: `import godel` uses this module and stays cheap
)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

__all__ = ["absolute", "exports", "plugin_exports"]


def exports(
    package: str, names: Mapping[str, str], submodules: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose public ``names`` map to submodules.

    ``names`` maps each public name to the submodule (relative to ``package``) that defines it,
    or, with leading dots as in a relative import, to a module outside it (``"..exceptions"``
    from ``godel.agents`` is ``godel.exceptions``); ``submodules`` are reachable as attributes
    without an explicit import (``godel.det``).
    """
    modules = {name: absolute(package, module) for name, module in names.items()}
    reachable = frozenset(submodules)

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            if name in reachable:
                return importlib.import_module(f"{package}.{name}")
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *modules})

    return __getattr__, __dir__


def absolute(package: str, module: str) -> str:
    """The full name of ``module`` as ``package``'s ``_EXPORTS`` spell it (see ``exports``)."""
    if not module.startswith("."):
        return f"{package}.{module}"
    rest = module.lstrip(".")
    base = package.split(".")
    base = base[: len(base) - (len(module) - len(rest) - 1)]
    return ".".join([*base, rest])


def plugin_exports(
    package: str, names: Mapping[str, str], registry: str
) -> tuple[
    Callable[[str], Any], Callable[[], list[str]], Callable[[str], Any], Callable[[], list[str]]
]:
    """``get``, ``names``, ``__getattr__`` and ``__dir__`` for a package whose attributes are
    its own lazy ``names`` plus whatever plugins registered in ``registry`` (``godel.agents``).
    """
    own, _ = exports(package, names)

    def get(name: str) -> Any:
        """The object a plugin registered under ``name`` (``UnknownPluginError`` if none)."""
        from godel.plugins.manager import get_plugin_manager

        return get_plugin_manager().registry(registry).get(name)

    def registered() -> list[str]:
        """Every name plugins registered here."""
        from godel.plugins.manager import get_plugin_manager

        return get_plugin_manager().registry(registry).names()

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return own(name) if name in names else get(name)

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *names, *registered()})

    return get, registered, __getattr__, __dir__
