"""The simulated KMS of one mock activation: every account and region, and time."""

from __future__ import annotations

import threading
from collections.abc import Callable

from .clock import Clock
from .connection import COMPLETIONS, Action, ConnectionState
from .keystore import CustomKeyStore
from .keystores import require
from .region import RegionState

__all__ = ["Backend", "ConnectOutcome"]

ConnectOutcome = Callable[[RegionState, CustomKeyStore], "str | None"]
"""Decides a connection attempt: None to connect, or the ConnectionErrorCode it fails with."""


def _always_connects(region: RegionState, store: CustomKeyStore) -> str | None:
    return None


class Backend:
    """All state of the simulated KMS, scoped by (account, region), plus the mock clock.

    Transitional connection states complete lazily: :meth:`tick` runs at the
    start of every request and completes each CONNECTING or DISCONNECTING
    store whose delay has run out on the mock clock. A delay of None waits for
    :meth:`settle`. Callers serialise access with :attr:`lock`.
    """

    def __init__(
        self,
        *,
        connect_delay: float | None = 0.0,
        disconnect_delay: float | None = 0.0,
        clock: Clock | None = None,
        connect_outcome: ConnectOutcome = _always_connects,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.connect_delay = connect_delay
        self.disconnect_delay = disconnect_delay
        self.connect_outcome = connect_outcome
        self._regions: dict[tuple[str, str], RegionState] = {}
        self._pending: dict[str, tuple[RegionState, CustomKeyStore]] = {}
        self._next_failures: dict[str, str] = {}

    def reset(self) -> None:
        """Forget every account and region, and set the clock back to wall time."""
        with self.lock:
            self._regions.clear()
            self._pending.clear()
            self._next_failures.clear()
            self.clock.reset()

    def region(self, account_id: str, region: str) -> RegionState:
        """Return the state of one account in one region (created empty on first use)."""
        key = (account_id, region)
        state = self._regions.get(key)
        if state is None:
            state = self._regions[key] = RegionState(account_id, region)
        return state

    def regions(self) -> list[RegionState]:
        """Every account and region that has been touched, in first-use order."""
        return list(self._regions.values())

    def find_store(self, store_id: str) -> tuple[RegionState, CustomKeyStore] | None:
        """The store with this id in any account and region, with its region."""
        for region in self._regions.values():
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
        if after is not store.state:
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

    def tick(self) -> None:
        """Complete every transition whose delay has run out on the mock clock."""
        if not self._pending:
            return
        now = self.clock.now()
        for store_id, (region, store) in list(self._pending.items()):
            if store.due is not None and store.due <= now:
                del self._pending[store_id]
                self._complete(region, store)

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
            error_code = self._next_failures.pop(store.id, None) or self.connect_outcome(
                region, store
            )
            if error_code is not None:
                store.state = ConnectionState.FAILED
                store.error_code = error_code
                return
        store.state = COMPLETIONS[store.state]
        store.error_code = None
