"""The simulated KMS of one mock activation: every account and region, the world, and time."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable

from . import backing
from .clock import Clock
from .connection import COMPLETIONS, Action, ConnectionState
from .keys import KmsKey
from .keystore import CustomKeyStore
from .keystores import require
from .region import RegionState
from .world import World

__all__ = ["Backend", "ConnectOutcome"]

ConnectOutcome = Callable[[RegionState, CustomKeyStore], "str | None"]
"""Decides a connection attempt: None to connect, or the ConnectionErrorCode it fails with."""


class Backend:
    """All state of the simulated KMS, scoped by (account, region), plus the world and clock.

    Timed work completes lazily: :meth:`tick` runs at the start of every
    request and completes each CONNECTING or DISCONNECTING store whose delay
    has run out on the mock clock, and deletes each key whose deletion date
    has passed. A delay of None waits for :meth:`settle`. Callers serialise
    access with :attr:`lock`.
    """

    def __init__(
        self,
        *,
        connect_delay: float | None = 0.0,
        disconnect_delay: float | None = 0.0,
        strict: bool = False,
        clock: Clock | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.connect_delay = connect_delay
        self.disconnect_delay = disconnect_delay
        self.world = World(strict=strict)
        self.regions: dict[tuple[str, str], RegionState] = {}
        self._pending: dict[str, tuple[RegionState, CustomKeyStore]] = {}
        self._next_failures: dict[str, str] = {}
        self._deletions: list[tuple[float, int, str, RegionState, KmsKey]] = []

    def reset(self) -> None:
        """Forget every account, region and arrangement; the clock reads wall time again."""
        with self.lock:
            self.regions.clear()
            self._pending.clear()
            self._next_failures.clear()
            self._deletions.clear()
            self.world.clear()
            self.clock.reset()

    def region(self, account_id: str, region: str) -> RegionState:
        """Return the state of one account in one region (created empty on first use)."""
        key = (account_id, region)
        state = self.regions.get(key)
        if state is None:
            state = self.regions[key] = RegionState(account_id, region)
        return state

    def find_store(self, store_id: str) -> tuple[RegionState, CustomKeyStore] | None:
        """The store with this id in any account and region, with its region."""
        for region in self.regions.values():
            store = region.stores.get(store_id)
            if store is not None:
                return region, store
        return None

    def fail_next_connect(self, store_id: str, error_code: str) -> None:
        """Make the store's next connection attempt end FAILED with ``error_code``."""
        self._next_failures[store_id] = error_code

    # -- connection lifecycle ---------------------------------------------------------

    def connect(self, region: RegionState, store: CustomKeyStore) -> None:
        """Start connecting ``store`` (a no-op when it is already connecting or connected)."""
        after = require(store, Action.CONNECT)
        if after is store.state:
            return
        backing.check_connect(self.world, region, store)
        self._begin(region, store, after, self.connect_delay)

    def disconnect(self, region: RegionState, store: CustomKeyStore) -> None:
        """Start disconnecting ``store``, abandoning a connection attempt in progress."""
        after = require(store, Action.DISCONNECT)
        store.error_code = None
        self._begin(region, store, after, self.disconnect_delay)

    def forget(self, store: CustomKeyStore) -> None:
        """Drop the pending transition and arranged failure of a store being deleted."""
        self._pending.pop(store.id, None)
        self._next_failures.pop(store.id, None)

    def schedule_removal(self, region: RegionState, key: KmsKey) -> None:
        """Delete ``key`` for good once the clock passes its deletion date."""
        assert key.deletion_date is not None
        heapq.heappush(self._deletions, (key.deletion_date, key.seq, key.id, region, key))

    def tick(self) -> float:
        """Complete every transition and deletion that is due; return the mock clock's reading."""
        now = self.clock.now()
        if not self._pending and not self._deletions:
            return now
        for store_id, (region, store) in list(self._pending.items()):
            if store.due is not None and store.due <= now:
                del self._pending[store_id]
                self._complete(region, store)
        while self._deletions and self._deletions[0][0] <= now:
            date, _, key_id, region, key = heapq.heappop(self._deletions)
            if key.deletion_date == date and region.keys.get(key_id) is key:
                region.remove_key(key)
        return now

    def settle(self) -> None:
        """Complete every pending CONNECTING or DISCONNECTING now, whatever its delay."""
        pending, self._pending = self._pending, {}
        for region, store in pending.values():
            self._complete(region, store)

    def advance(self, seconds: float) -> None:
        """Move the mock clock forward and complete what became due."""
        self.clock.advance(seconds)
        self.tick()

    def _begin(
        self,
        region: RegionState,
        store: CustomKeyStore,
        state: ConnectionState,
        delay: float | None,
    ) -> None:
        store.state = state
        store.due = None if delay is None else self.clock.now() + delay
        self._pending[store.id] = (region, store)

    def _complete(self, region: RegionState, store: CustomKeyStore) -> None:
        store.due = None
        if store.state is ConnectionState.CONNECTING:
            error_code = self._next_failures.pop(store.id, None) or backing.connect_failure(
                self.world, region, store
            )
            if error_code is not None:
                store.state = ConnectionState.FAILED
                store.error_code = error_code
                return
        store.state = COMPLETIONS[store.state]
        store.error_code = None
