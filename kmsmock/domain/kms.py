"""The simulated KMS of one mock activation: every account and region, the world, and time."""

from __future__ import annotations

import heapq
import itertools
import threading
from typing import NamedTuple

from . import backing, multi_region, multi_region_material, rotation
from .backing.world import World
from .clock import Clock
from .connection import Action, ConnectionState, complete, enter, gate
from .key_material import KeyMaterial
from .keys import KmsKey, start_waiting_period
from .scope import AccountRegion
from .stores import CustomKeyStore

__all__ = ["SimulatedKms"]


class _Transition(NamedTuple):
    """A CONNECTING or DISCONNECTING store, and when it completes (None: at ``settle()``)."""

    scope: AccountRegion
    store: CustomKeyStore
    due: float | None


class _Deletion(NamedTuple):
    """A key scheduled for deletion: removed for good once the clock passes ``date``."""

    date: float
    key_id: str
    """Unique, so that two deletions due at once never compare their scopes."""
    scope: AccountRegion
    key: KmsKey


class _Expiry(NamedTuple):
    """Imported key material that expires: deleted once the clock passes ``date``."""

    date: float
    order: int
    """Unique, so that two entries due at once never compare their scopes."""
    key_id: str
    material_id: str
    scope: AccountRegion
    key: KmsKey


class _Rotation(NamedTuple):
    """A key's automatic rotation, due at ``date``."""

    date: float
    order: int
    """Unique, so that two entries due at once never compare their scopes."""
    key_id: str
    scope: AccountRegion
    key: KmsKey


class SimulatedKms:
    """All state of the simulated KMS, scoped by (account, region), plus the world and clock.

    It starts and schedules what takes time; the rules themselves live in
    :mod:`~kmsmock.domain.connection` (connection states) and
    :mod:`~kmsmock.domain.backing` (what the backing stores answer). Timed
    work completes lazily: :meth:`tick` runs at the start of every request and
    completes each transition whose delay has run out on the mock clock,
    deletes each key whose deletion date has passed, deletes imported key
    material whose time is up, and rotates each key whose automatic rotation
    is due (see :mod:`~kmsmock.domain.rotation`). A delay of None waits for
    :meth:`settle`. Callers serialise access with :attr:`lock`.
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
        self.scopes: dict[tuple[str, str], AccountRegion] = {}
        self._transitions: dict[str, _Transition] = {}
        self._next_failures: dict[str, str] = {}
        self._deletions: list[_Deletion] = []
        self._expiries: list[_Expiry] = []
        self._rotations: list[_Rotation] = []
        self._order = itertools.count()

    def reset(self) -> None:
        """Forget every account, region and arrangement; the clock reads wall time again."""
        with self.lock:
            self.scopes.clear()
            self._transitions.clear()
            self._next_failures.clear()
            self._deletions.clear()
            self._expiries.clear()
            self._rotations.clear()
            self.world.clear()
            self.clock.reset()

    def scope(self, account_id: str, region: str) -> AccountRegion:
        """What one account holds in one region (created empty on first use)."""
        scope = self.scopes.get((account_id, region))
        if scope is None:
            scope = self.scopes[(account_id, region)] = AccountRegion(account_id, region)
        return scope

    def peek(self, account_id: str, region: str) -> AccountRegion:
        """What one account holds in one region, without creating it (an empty one if none)."""
        return self.scopes.get((account_id, region)) or AccountRegion(account_id, region)

    def related_keys(self, key: KmsKey) -> list[KmsKey]:
        """``key`` and every key related to it that exists (just ``key`` if single-Region)."""
        if key.related is None:
            return [key]
        found = (self.peek(key.account_id, r).keys.get(key.id) for r in key.related.regions)
        return [other for other in found if other is not None]

    def find_store(self, store_id: str) -> tuple[AccountRegion, CustomKeyStore] | None:
        """The store with this id in any account and region, with its scope."""
        for scope in self.scopes.values():
            store = scope.stores.get(store_id)
            if store is not None:
                return scope, store
        return None

    def fail_next_connect(self, store_id: str, error_code: str) -> None:
        """Make the store's next connection attempt end FAILED with ``error_code``."""
        self._next_failures[store_id] = error_code

    def arranged_failures(self) -> dict[str, str]:
        """The ConnectionErrorCode each store's next connection attempt is arranged to end with."""
        return dict(self._next_failures)

    def pending_transitions(self) -> list[tuple[str, float | None]]:
        """Each CONNECTING or DISCONNECTING store's id, and when it completes (None: at settle)."""
        return [(store_id, transition.due) for store_id, transition in self._transitions.items()]

    def resume_transition(
        self, scope: AccountRegion, store: CustomKeyStore, due: float | None
    ) -> None:
        """Carry on a transition of ``store`` that completes at ``due`` (restoring saved state)."""
        self._transitions[store.id] = _Transition(scope, store, due)

    # -- connection lifecycle ---------------------------------------------------------

    def connect(self, scope: AccountRegion, store: CustomKeyStore) -> None:
        """Start connecting ``store`` (nothing changes when it is connecting or connected)."""
        after = gate(store, Action.CONNECT)
        if after is store.state:
            return
        backing.check_connect(self.world, scope, store)
        enter(store, after)
        self._schedule(scope, store, self.connect_delay)

    def disconnect(self, scope: AccountRegion, store: CustomKeyStore) -> None:
        """Start disconnecting ``store``, abandoning a connection attempt in progress."""
        enter(store, gate(store, Action.DISCONNECT))
        self._schedule(scope, store, self.disconnect_delay)

    def forget(self, store: CustomKeyStore) -> None:
        """Drop the pending transition and arranged failure of a store being deleted."""
        self._transitions.pop(store.id, None)
        self._next_failures.pop(store.id, None)

    def _schedule(self, scope: AccountRegion, store: CustomKeyStore, delay: float | None) -> None:
        due = None if delay is None else self.clock.now() + delay
        self._transitions[store.id] = _Transition(scope, store, due)

    def _complete(self, transition: _Transition) -> None:
        store = transition.store
        failure = None
        if store.state is ConnectionState.CONNECTING:
            failure = self._next_failures.pop(store.id, None) or backing.connect_failure(
                self.world, transition.scope, store
            )
        complete(store, failure)

    # -- time -------------------------------------------------------------------------

    def schedule_removal(self, scope: AccountRegion, key: KmsKey) -> None:
        """Delete ``key`` for good once the clock passes its deletion date."""
        assert key.deletion_date is not None
        heapq.heappush(self._deletions, _Deletion(key.deletion_date, key.id, scope, key))

    def schedule_expiry(self, scope: AccountRegion, key: KmsKey, material: KeyMaterial) -> None:
        """Delete imported ``material`` once the clock passes its ``valid_to``."""
        assert material.valid_to is not None
        heapq.heappush(
            self._expiries,
            _Expiry(material.valid_to, next(self._order), key.id, material.id, scope, key),
        )

    def schedule_rotation(self, scope: AccountRegion, key: KmsKey) -> None:
        """Rotate ``key`` once the clock passes its ``next_rotation`` date."""
        assert key.next_rotation is not None
        heapq.heappush(
            self._rotations, _Rotation(key.next_rotation, next(self._order), key.id, scope, key)
        )

    def resume_rotation(self, scope: AccountRegion, key: KmsKey, now: float) -> None:
        """A key was enabled: a rotation it missed happens now (see :func:`rotation.resume`)."""
        if rotation.resume(key, now):
            self.schedule_rotation(scope, key)

    def tick(self) -> float:
        """Complete every transition, deletion, expiry and rotation that is due.

        Returns the mock clock's reading.
        """
        now = self.clock.now()
        for store_id, transition in list(self._transitions.items()):
            if transition.due is not None and transition.due <= now:
                del self._transitions[store_id]
                self._complete(transition)
        while self._deletions and self._deletions[0].date <= now:
            deletion = heapq.heappop(self._deletions)
            key = deletion.key
            if key.deletion_date == deletion.date and deletion.scope.keys.get(key.id) is key:
                deletion.scope.remove_key(key)
                self._replica_removed(key, deletion.date)
        while self._expiries and self._expiries[0].date <= now:
            expiry = heapq.heappop(self._expiries)
            key = expiry.key
            if expiry.scope.keys.get(expiry.key_id) is key:
                # Expired material is deleted as DeleteImportedKeyMaterial deletes it.
                related = self.related_keys(key)
                multi_region_material.expire(key, expiry.material_id, expiry.date, related)
        while self._rotations and self._rotations[0].date <= now:
            due = heapq.heappop(self._rotations)
            if due.scope.keys.get(due.key_id) is due.key and rotation.rotate_when_due(
                due.key, due.date
            ):
                self.schedule_rotation(due.scope, due.key)
        return now

    def _replica_removed(self, key: KmsKey, date: float) -> None:
        """A deleted key leaves its related multi-Region keys; a primary key that waited for
        its last replica to go (PendingReplicaDeletion) starts its waiting period then."""
        if not multi_region.removed(key):
            return
        assert key.related is not None
        scope = self.peek(key.account_id, key.related.primary_region)
        primary = scope.keys.get(key.id)
        if primary is not None and primary.pending_window_days is not None:
            start_waiting_period(primary, date)
            self.schedule_removal(scope, primary)

    def settle(self) -> None:
        """Complete every pending CONNECTING or DISCONNECTING now, whatever its delay."""
        transitions, self._transitions = self._transitions, {}
        for transition in transitions.values():
            self._complete(transition)

    def advance(self, seconds: float) -> None:
        """Move the mock clock forward and complete what became due."""
        self.clock.advance(seconds)
        self.tick()
