"""One activation's simulated world: the KMS backend, its options and the call log."""

from __future__ import annotations

import threading
from collections.abc import Callable

from .calls import Call
from .domain.backend import Backend
from .faults import Faults
from .options import Options

__all__ = ["Simulation"]


class Simulation:
    """The simulated KMS that every nested activation of the mock shares.

    It lives from the outermost ``start()`` to the outermost ``stop()``.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        self.backend = self._new_backend()
        self.faults = Faults()
        self._calls: list[Call] = []
        self._calls_lock = threading.Lock()
        self.record: Callable[[Call], None] = self._calls.append
        """Append a call to the log (list appends are atomic in CPython)."""

    def _new_backend(self) -> Backend:
        return Backend(
            connect_delay=self.options.connect_delay,
            disconnect_delay=self.options.disconnect_delay,
            strict=self.options.strict,
        )

    @property
    def default_region(self) -> str:
        """The region helpers use, and requests that name none."""
        assert self.options.region is not None
        return self.options.region

    def calls(self) -> list[Call]:
        """A copy of the call log, oldest first."""
        with self._calls_lock:
            return list(self._calls)

    def reset(self) -> None:
        """Forget every store, key, arrangement and call; the clock reads wall time again."""
        self.backend.reset()
        self.faults.clear()
        with self._calls_lock:
            self._calls.clear()
