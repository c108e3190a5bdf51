"""The mock's clock: wall time plus whatever ``advance()`` added."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["LATEST", "Clock"]

LATEST = 253402300799.0
"""The last second the mock clock may reach (9999-12-31T23:59:59Z): later has no date."""


class Clock:
    """Seconds since the epoch, as wall time moved forward by :meth:`advance`.

    Every timestamp the simulated KMS hands out (CreationDate, DeletionDate)
    and every delay it waits (connect and disconnect delays) reads this clock,
    so a test can skip twenty minutes of CONNECTING in a microsecond.

    Wall time is read afresh at every reading, so while freezegun or
    time-machine has frozen or moved time, the mock clock follows it, and
    :meth:`advance` adds to that.
    """

    def __init__(self, wall: Callable[[], float] | None = None) -> None:
        self._wall = wall
        """Where wall time comes from; None: ``time.time``."""
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Return the current mock time: wall time plus the offset, in seconds since the epoch."""
        # time.time is looked up at every read: freezegun replaces it while time is frozen
        # (time-machine patches below Python, so any read follows it).
        wall = time.time() if self._wall is None else self._wall()
        return wall + self._offset

    @property
    def offset(self) -> float:
        """How far the mock clock runs ahead of wall time, in seconds."""
        return self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``: a finite number, not negative.

        The clock cannot pass :data:`LATEST`, the last second a date can show.
        """
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(
                f"the mock clock only moves forward, by a finite number of seconds; "
                f"got advance({seconds!r})"
            )
        with self._lock:
            if self.now() + seconds > LATEST:
                raise ValueError(
                    f"advance({seconds!r}) would take the mock clock past 9999-12-31, "
                    "the last date there is"
                )
            self._offset += float(seconds)

    def reset(self) -> None:
        """Set the offset back to 0, so the clock reads wall time again."""
        with self._lock:
            self._offset = 0.0
