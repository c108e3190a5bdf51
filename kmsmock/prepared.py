"""Values the per-request path needs one of each time, made ahead in batches.

Request ids, GCM nonces and new keys' ids and material are each cheap to
make, but made one at a time between botocore's own work they run on cold
caches; made a few hundred at a time they run hot, and each request only
pops one from a list. A forked child throws its parent's batches away, so it
never hands out the same values.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Prepared"]

T = TypeVar("T")

_all: weakref.WeakSet[Prepared[object]] = weakref.WeakSet()


class Prepared(Generic[T]):
    """A supply of values made by ``make_batch``, a batch at a time.

    The fast way to take one, without a Python call::

        try:
            value = supply.pop()
        except IndexError:  # the batch ran out
            value = supply.refill()
    """

    __slots__ = ("__weakref__", "_lock", "_make_batch", "_ready", "pop")

    def __init__(self, make_batch: Callable[[], list[T]]) -> None:
        self._make_batch = make_batch
        self._ready: list[T] = []
        self._lock = threading.Lock()
        self.pop: Callable[[], T] = self._ready.pop
        """The next value; raises IndexError when the batch ran out (then call refill)."""
        _all.add(self)  # type: ignore[arg-type]

    def refill(self) -> T:
        """Make the next batch if none is left, and return its first value."""
        while True:
            with self._lock:
                if not self._ready:
                    self._ready.extend(reversed(self._make_batch()))
            try:
                return self._ready.pop()
            except IndexError:  # other threads took the whole batch meanwhile
                continue

    def take(self) -> T:
        """The next value."""
        try:
            return self._ready.pop()
        except IndexError:
            return self.refill()

    def clear(self) -> None:
        """Throw away what was made ahead."""
        self._ready.clear()


def _forget_all() -> None:
    for supply in list(_all):
        supply.clear()


if hasattr(os, "register_at_fork"):  # a forked child must not repeat its parent's values
    os.register_at_fork(after_in_child=_forget_all)
