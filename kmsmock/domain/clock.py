"""The mock's clock: wall time plus whatever ``advance()`` added."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["Clock"]


class Clock:
    """Seconds since the epoch, as wall time moved forward by :meth:`advance`.

    Every timestamp the simulated KMS hands out (CreationDate, DeletionDate)
    and every delay it waits (connect and disconnect delays) reads this clock,
    so a test can skip twenty minutes of CONNECTING in a microsecond.
    """

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._offset = 0.0
        self._lock = threading.Lock()
        self.now: Callable[[], float] = wall
        """Return the current mock time, in seconds since the epoch.

        Every request reads it, so until the clock is advanced it is the wall
        clock itself, with no Python call in between.
        """

    def _shifted(self) -> float:
        return self._wall() + self._offset

    @property
    def offset(self) -> float:
        """How far the mock clock runs ahead of wall time, in seconds."""
        return self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (which must not be negative)."""
        if seconds < 0:
            raise ValueError(f"the mock clock only moves forward; got advance({seconds!r})")
        with self._lock:
            self._offset += float(seconds)
            self.now = self._shifted if self._offset else self._wall

    def reset(self) -> None:
        """Set the offset back to 0, so the clock reads wall time again."""
        with self._lock:
            self._offset = 0.0
            self.now = self._wall
