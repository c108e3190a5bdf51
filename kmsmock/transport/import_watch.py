"""Running code once a package has finished importing, without importing it first.

A transport for a library that is heavy to import (``requests`` with
``responses``, aiobotocore with aiohttp) starts only when the library is in
use: at once if it is imported already, otherwise the moment its import ends.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

__all__ = ["ImportWatcher"]


class ImportWatcher(importlib.abc.MetaPathFinder):
    """Calls ``then`` once the top-level package ``name`` has finished importing.

    It watches from the moment it is made until :meth:`remove`.
    """

    def __init__(self, name: str, then: Callable[[], None]) -> None:
        self._name = name
        self._then = then
        sys.meta_path.insert(0, self)

    def remove(self) -> None:
        """Stop watching."""
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """Wrap the real loader of the watched package; find nothing itself."""
        if fullname != self._name:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: importlib.machinery.ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Then(spec.loader, self._then)
                return spec
        return None


class _Then(importlib.abc.Loader):
    """A loader that runs a module with the real loader, then calls ``then``."""

    def __init__(self, loader: importlib.abc.Loader, then: Callable[[], None]) -> None:
        self._loader = loader
        self._then = then

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)  # get_resource_reader, is_package and the like

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        """The real loader's module."""
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        """Run the module, then the callback."""
        self._loader.exec_module(module)
        self._then()
