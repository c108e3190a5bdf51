"""The ``requests`` transport: POSTs to ``https://kms.<region>.amazonaws.com`` via ``responses``.

Requests to any other URL pass through to whatever ``HTTPAdapter.send`` was
installed before the mock started: the real one, a user's own ``responses``
mock, or moto's.

``responses`` (with ``requests`` and ``unittest.mock``) costs a fresh process
tens of milliseconds to import, so the hook is started only when ``requests``
is in use: at once if it is imported already, otherwise the moment it is
imported while the mock is active.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import re
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..simulation import Simulation

__all__ = ["KMS_URL", "RequestsHook"]

KMS_URL = re.compile(r"https://kms(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?::443)?(?:/.*)?")
"""The endpoints this transport owns."""

_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS")


class RequestsHook:
    """Routes KMS requests made with ``requests`` to the simulation while started."""

    def __init__(self, simulation: Callable[[], Simulation | None]) -> None:
        self._simulation = simulation
        self._mock: Any = None
        self._watcher: _ImportWatcher | None = None
        self._lock = threading.RLock()

    def _answer(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        simulation = self._simulation()
        if simulation is None:  # pragma: no cover - the hook only runs while active
            raise RuntimeError("kmsmock's requests hook ran while the mock was inactive")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        from ..dispatch import serve
        from ..protocol.wire import RawRequest

        answer = serve(simulation, RawRequest(url=request.url, headers=request.headers, body=body))
        return answer.status, answer.headers, answer.body

    def start(self) -> None:
        """Route KMS requests now if ``requests`` is imported, else once it is."""
        with self._lock:
            if "requests" in sys.modules:
                self._patch()
            elif self._watcher is None:
                self._watcher = _ImportWatcher("requests", self._imported)
                sys.meta_path.insert(0, self._watcher)

    def _imported(self) -> None:
        with self._lock:
            if self._watcher is not None:  # still started
                self._patch()

    def _patch(self) -> None:
        """Patch ``HTTPAdapter.send``, chaining to the send installed before."""
        if self._mock is not None:
            return
        import responses
        from requests.adapters import HTTPAdapter

        installed: Any = HTTPAdapter.send  # the real send, or another mock's
        mock = responses.RequestsMock(
            assert_all_requests_are_fired=False, real_adapter_send=installed
        )
        for method in _METHODS:
            mock.add_callback(method, KMS_URL, callback=self._answer)
        mock.add_passthru(re.compile(".*"))
        mock.start()
        self._mock = mock

    def stop(self) -> None:
        """Undo :meth:`start`."""
        with self._lock:
            watcher, self._watcher = self._watcher, None
            if watcher is not None and watcher in sys.meta_path:
                sys.meta_path.remove(watcher)
            mock, self._mock = self._mock, None
            if mock is not None:
                mock.stop(allow_assert=False)


class _ImportWatcher(importlib.abc.MetaPathFinder):
    """Calls ``then`` once the top-level package ``name`` has finished importing."""

    def __init__(self, name: str, then: Callable[[], None]) -> None:
        self._name = name
        self._then = then

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
