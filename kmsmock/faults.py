"""Errors a test arranges for the next calls of an operation (``ks.inject_error``)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

__all__ = ["Fault", "Faults"]


@dataclass(slots=True)
class Fault:
    """An error to answer ``remaining`` more attempts of an operation with."""

    code: str
    message: str
    remaining: int


class Faults:
    """Injected errors by operation; each attempt (retries included) uses one up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_operation: dict[str, deque[Fault]] = {}

    def add(self, operation: str, fault: Fault) -> None:
        """Queue ``fault`` behind any already injected for ``operation``."""
        with self._lock:
            self._by_operation.setdefault(operation, deque()).append(fault)

    def take(self, operation: str) -> Fault | None:
        """The fault the next attempt of ``operation`` answers with, if any."""
        if not self._by_operation:  # nothing injected (reading a dict needs no lock)
            return None
        with self._lock:
            queue = self._by_operation.get(operation)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining == 0:
                queue.popleft()
                if not queue:
                    del self._by_operation[operation]
            return fault

    def pending(self) -> dict[str, list[Fault]]:
        """The faults still waiting, by operation, in the order they will answer."""
        with self._lock:
            return {operation: list(queue) for operation, queue in self._by_operation.items()}

    def clear(self) -> None:
        """Forget every injected fault."""
        with self._lock:
            self._by_operation.clear()
