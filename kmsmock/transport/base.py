"""The one shape every transport has: started with a pipeline, stopped, idempotent and locked."""

from __future__ import annotations

import threading
from typing import Protocol

from ..protocol.messages import Request, Response

__all__ = ["Answerer", "Transport"]


class Answerer(Protocol):
    """What a transport is handed when it starts: the active simulation's pipeline."""

    @property
    def default_account_id(self) -> str:
        """The account a request acts as when its caller is not one of kmsmock's accounts."""
        ...

    def answer(self, request: Request) -> Response:
        """The answer to one request."""
        ...

    def wait_before_retry(self, seconds: float) -> None:
        """Wait as a client's retry backoff asks, before it sends an answered request again."""
        ...


class Transport:
    """A way KMS requests reach kmsmock.

    :meth:`start` installs the transport's interception (the first time) and
    routes what it catches to the given pipeline; :meth:`stop` undoes it.
    Both are idempotent and take a lock, so they are safe from any thread.
    Subclasses implement :meth:`_install` and :meth:`_uninstall`.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.answerer: Answerer | None = None
        """The pipeline requests go to while started; None while stopped."""

    def start(self, answerer: Answerer) -> None:
        """Route the requests this transport catches to ``answerer``."""
        with self._lock:
            if self.answerer is None:
                self._install()
            self.answerer = answerer

    def stop(self) -> None:
        """Stop routing requests, and undo :meth:`start`'s interception."""
        with self._lock:
            if self.answerer is not None:
                self.answerer = None
                self._uninstall()

    def _install(self) -> None:
        """Start catching requests."""
        raise NotImplementedError

    def _uninstall(self) -> None:
        """Stop catching requests; restore what was there before."""
        raise NotImplementedError
