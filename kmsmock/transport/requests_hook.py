"""The ``requests`` transport: POSTs to ``https://kms.<region>.amazonaws.com`` via ``responses``.

Requests to any other URL pass through to whatever ``HTTPAdapter.send`` was
installed before the mock started: the real one, a user's own ``responses``
mock, or moto's. ``responses`` is imported on first start, not at import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..dispatch import serve
from ..protocol.wire import RawRequest
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

    def _answer(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        simulation = self._simulation()
        if simulation is None:  # pragma: no cover - the hook only runs while active
            raise RuntimeError("kmsmock's requests hook ran while the mock was inactive")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        answer = serve(simulation, RawRequest(url=request.url, headers=request.headers, body=body))
        return answer.status, answer.headers, answer.body

    def start(self) -> None:
        """Patch ``HTTPAdapter.send``, chaining to the send installed before."""
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
        mock, self._mock = self._mock, None
        if mock is not None:
            mock.stop(allow_assert=False)
