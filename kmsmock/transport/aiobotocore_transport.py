"""The aiobotocore transport (aiobotocore and aioboto3), for what botocore's hooks do not reach.

aiobotocore sessions copy botocore's builtin handlers, so the botocore
transport's ``before-sign`` and ``before-send`` hooks answer every aiobotocore
client made after ``import kmsmock`` (see
:mod:`kmsmock.transport.botocore_transport`). While started, this transport
adds what those hooks cannot do, by patching aiobotocore's endpoints:

- ``_send``: a client made before kmsmock was imported carries no copy of
  the hooks; its KMS requests are answered here, the step that would open a
  connection. Every other request goes to the ``_send`` installed before.
- the backoff: before retrying an answer, aiobotocore's ``_needs_retry``
  awaits ``asyncio.sleep`` (aiobotocore 2), or an endpoint's ``_sleep``
  (aiobotocore 3, where the httpx backend's awaits ``anyio.sleep``). Before
  retrying one of kmsmock's answers, the backoff moves the mock clock instead;
  the answer is found in ``_needs_retry``'s frame.

aiobotocore and aiohttp are heavy to import, so the patches are installed
only when aiobotocore is in use: at once if it is imported already, otherwise
the moment its import ends while the transport is started.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from .base import Transport
from .botocore_transport import AnsweredResponse, hand_back_off, neutral_request
from .import_watch import ImportWatcher

__all__ = ["AiobotocoreTransport", "aiobotocore_transport"]


class AiobotocoreTransport(Transport):
    """Answers aiobotocore clients made before kmsmock, and backs off on the mock clock."""

    def __init__(self) -> None:
        super().__init__()
        self._watcher: ImportWatcher | None = None
        self._installed: list[tuple[Any, str, Any]] = []

    def _install(self) -> None:
        if "aiobotocore" in sys.modules:
            self._patch()
        else:
            self._watcher = ImportWatcher("aiobotocore", self._imported)

    def _imported(self) -> None:
        with self._lock:
            if self._watcher is not None:  # still started
                self._patch()

    def _patch(self) -> None:
        """Patch ``_send`` and ``_sleep`` of each aiobotocore endpoint class that defines them."""
        if self._installed:
            return
        import aiobotocore.endpoint

        for endpoint_class in list(vars(aiobotocore.endpoint).values()):
            if not isinstance(endpoint_class, type):
                continue
            if "_send" in vars(endpoint_class):
                self._replace(endpoint_class, "_send", _answering_send(self, endpoint_class))
            if "_sleep" in vars(endpoint_class):
                self._replace(endpoint_class, "_sleep", _mock_clock_sleep(self, endpoint_class))
        self._replace(aiobotocore.endpoint, "asyncio", _RetryAsyncio(self))

    def _replace(self, owner: Any, name: str, patch: Any) -> None:
        self._installed.append((owner, name, vars(owner)[name]))
        setattr(owner, name, patch)

    def _uninstall(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.remove()
        installed, self._installed = self._installed, []
        for endpoint_class, name, original in reversed(installed):
            setattr(endpoint_class, name, original)

    def answer(self, prepared: Any) -> AnsweredResponse | None:
        """The answer to a prepared KMS request; None while stopped."""
        answerer = self.answerer
        if answerer is None:
            return None
        return AnsweredResponse(prepared.url, answerer.answer(neutral_request(prepared)))

    def back_off(self, seconds: float, response: Any) -> bool:
        """Hand a retry's backoff to the pipeline if ``response`` is one of kmsmock's answers."""
        return hand_back_off(self.answerer, seconds, response)


def _answering_send(transport: AiobotocoreTransport, endpoint_class: type) -> Any:
    installed = vars(endpoint_class)["_send"]

    async def _send(endpoint: Any, request: Any) -> Any:
        if getattr(endpoint, "_endpoint_prefix", None) == "kms":
            answer = transport.answer(request)
            if answer is not None:
                return answer
        return await installed(endpoint, request)

    return _send


def _retried_response(frame: FrameType | None) -> Any:
    """The response ``_needs_retry`` judges, awaiting this sleep (or a ``_sleep`` that does)."""
    for _ in range(2):
        if frame is None:
            break
        if frame.f_code.co_name == "_needs_retry":
            return frame.f_locals.get("response")
        frame = frame.f_back
    return None


def _mock_clock_sleep(transport: AiobotocoreTransport, endpoint_class: type) -> Any:
    installed = vars(endpoint_class)["_sleep"]

    async def _sleep(endpoint: Any, seconds: float) -> None:
        if not transport.back_off(seconds, _retried_response(sys._getframe(1))):
            await installed(endpoint, seconds)

    return _sleep


class _RetryAsyncio:
    """What ``aiobotocore.endpoint`` sees as ``asyncio`` while the transport is started.

    Everything is the real module's, except :meth:`sleep`, which backs off on
    the mock clock before retrying one of kmsmock's answers.
    """

    def __init__(self, transport: AiobotocoreTransport) -> None:
        self._transport = transport

    def __getattr__(self, name: str) -> Any:
        import asyncio  # loaded by aiobotocore already; kmsmock itself never needs it

        return getattr(asyncio, name)

    async def sleep(self, seconds: float, result: Any = None) -> Any:
        """Back off on the mock clock before retrying kmsmock's answer; otherwise sleep."""
        import asyncio

        if not self._transport.back_off(seconds, _retried_response(sys._getframe(1))):
            await asyncio.sleep(seconds)
        return result


aiobotocore_transport = AiobotocoreTransport()
"""The process's one aiobotocore transport; :mod:`kmsmock.activation` starts and stops it."""
