"""The aiobotocore transport (aiobotocore and aioboto3), for what botocore's hooks do not reach.

aiobotocore sessions copy botocore's builtin handlers, so the botocore
transport's ``before-sign`` and ``before-send`` hooks answer every aiobotocore
client made after ``import kmsmock`` (see
:mod:`kmsmock.transport.botocore_transport`). While started, this transport
adds what those hooks cannot do, by patching aiobotocore's endpoints:

- ``_send``: a client made before kmsmock was imported carries no copy of
  the hooks; its KMS requests are answered here, the step that would open a
  connection. Every other request goes to the ``_send`` installed before.
- ``_sleep``: aiobotocore awaits ``asyncio.sleep`` (or ``anyio.sleep``)
  before retrying an answer. Before retrying one of kmsmock's answers, the
  backoff moves the mock clock instead.

aiobotocore and aiohttp are heavy to import, so the patches are installed
only when aiobotocore is in use: at once if it is imported already, otherwise
the moment its import ends while the transport is started.
"""

from __future__ import annotations

import sys
from typing import Any

from .base import Transport
from .botocore_transport import AnsweredResponse, answered, neutral_request
from .import_watch import ImportWatcher

__all__ = ["AiobotocoreTransport", "aiobotocore_transport"]


class AiobotocoreTransport(Transport):
    """Answers aiobotocore clients made before kmsmock, and backs off on the mock clock."""

    def __init__(self) -> None:
        super().__init__()
        self._watcher: ImportWatcher | None = None
        self._installed: list[tuple[type, str, Any]] = []

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

        for endpoint_class in vars(aiobotocore.endpoint).values():
            if not isinstance(endpoint_class, type):
                continue
            if "_send" in vars(endpoint_class):
                self._replace(endpoint_class, "_send", _answering_send(self, endpoint_class))
            if "_sleep" in vars(endpoint_class):
                self._replace(endpoint_class, "_sleep", _mock_clock_sleep(self, endpoint_class))

    def _replace(self, endpoint_class: type, name: str, patch: Any) -> None:
        self._installed.append((endpoint_class, name, vars(endpoint_class)[name]))
        setattr(endpoint_class, name, patch)

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
        answerer = self.answerer
        if answerer is None or not answered(response):
            return False
        answerer.wait_before_retry(seconds)
        return True


def _answering_send(transport: AiobotocoreTransport, endpoint_class: type) -> Any:
    installed = vars(endpoint_class)["_send"]

    async def _send(endpoint: Any, request: Any) -> Any:
        if getattr(endpoint, "_endpoint_prefix", None) == "kms":
            answer = transport.answer(request)
            if answer is not None:
                return answer
        return await installed(endpoint, request)

    return _send


def _mock_clock_sleep(transport: AiobotocoreTransport, endpoint_class: type) -> Any:
    installed = vars(endpoint_class)["_sleep"]

    async def _sleep(endpoint: Any, seconds: float) -> None:
        # The retry being decided is in the frame that awaits this sleep: _needs_retry's.
        caller = sys._getframe(1)
        if caller.f_code.co_name == "_needs_retry" and transport.back_off(
            seconds, caller.f_locals.get("response")
        ):
            return
        await installed(endpoint, seconds)

    return _sleep


aiobotocore_transport = AiobotocoreTransport()
"""The process's one aiobotocore transport; :mod:`kmsmock.activation` starts and stops it."""
