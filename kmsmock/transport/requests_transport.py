"""The ``requests`` transport: calls to ``https://kms.<region>.amazonaws.com`` via ``responses``.

Requests to any other URL pass through to whatever ``HTTPAdapter.send`` was
installed before the transport started: the real one, a user's own
``responses`` mock, or moto's.

``responses`` (with ``requests`` and ``unittest.mock``) costs a fresh process
tens of milliseconds to import, so the interception is installed only when
``requests`` is in use: at once if it is imported already, otherwise the
moment it is imported while the transport is started.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from ..protocol.caller import caller_of
from ..protocol.messages import Request
from .base import Transport
from .import_watch import ImportWatcher

__all__ = ["KMS_URL", "RequestsTransport", "requests_transport"]

KMS_URL = re.compile(r"https://kms(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?::443)?(?:/.*)?")
"""The endpoints this transport owns."""

_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS")


class RequestsTransport(Transport):
    """Answers KMS requests made with ``requests`` while started."""

    def __init__(self) -> None:
        super().__init__()
        self._mock: Any = None
        self._watcher: ImportWatcher | None = None

    def _answer(self, prepared: Any) -> tuple[int, dict[str, str], bytes]:
        """The ``responses`` callback: the pipeline's answer as (status, headers, body)."""
        answerer = self.answerer
        if answerer is None:  # pragma: no cover - the callback only runs while started
            raise RuntimeError("kmsmock's requests transport ran while stopped")
        body = prepared.body or b""
        caller = caller_of(prepared.headers, prepared.url)
        request = Request(
            operation=None,
            headers=prepared.headers,
            body=body.encode() if isinstance(body, str) else body,
            account_id=caller.account_id,
            region=caller.region,
        )
        response = answerer.answer(request)
        return response.status, response.headers, response.body

    def _install(self) -> None:
        if "requests" in sys.modules:
            self._patch()
        else:
            self._watcher = ImportWatcher("requests", self._imported)

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

    def _uninstall(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.remove()
        mock, self._mock = self._mock, None
        if mock is not None:
            mock.stop(allow_assert=False)


requests_transport = RequestsTransport()
"""The process's one ``requests`` transport; :mod:`kmsmock.activation` starts and stops it."""
