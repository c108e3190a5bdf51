"""One activation's simulated KMS, with its options, arranged faults and call log."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .calls import Call
from .faults import Faults
from .options import Options

if TYPE_CHECKING:  # the domain loads with the first request that needs it (see kms)
    from .domain.kms import SimulatedKms

__all__ = ["Simulation"]


class Simulation:
    """What every nested activation of the mock shares.

    It lives from the outermost ``start()`` to the outermost ``stop()``.
    """

    def __init__(self, options: Options) -> None:
        assert options.region is not None, "the options must be resolved"
        self.options = options
        self._kms: SimulatedKms | None = None
        self._kms_lock = threading.Lock()
        self.faults = Faults()
        self.alive = True
        """False once whatever ran the simulation (a mock, a server) has stopped with it."""
        self._calls: list[Call] = []

    @property
    def kms(self) -> SimulatedKms:
        """The simulated KMS: its stores, keys, backing world and clock.

        It is made when first needed (by a request, or by the handle), not
        when the mock starts: a test that activates the mock and never calls
        KMS, and every pytest-xdist worker's first activation, do not pay
        for loading the domain (docs/performance.md, "The first activation").
        """
        kms = self._kms
        if kms is None:
            with self._kms_lock:
                kms = self._kms
                if kms is None:
                    from .domain.kms import SimulatedKms

                    kms = self._kms = SimulatedKms(
                        connect_delay=self.options.connect_delay,
                        disconnect_delay=self.options.disconnect_delay,
                        strict=self.options.strict,
                    )
        return kms

    @property
    def account_id(self) -> str:
        """The default account: unsigned requests and unknown access keys act as it."""
        return self.options.account_id

    @property
    def region(self) -> str:
        """The default region: the handle's helpers, and requests that name none."""
        assert self.options.region is not None
        return self.options.region

    def record(self, call: Call) -> None:
        """Add a call to the log (appending to a list is atomic, so no lock is needed)."""
        self._calls.append(call)

    def calls(self) -> list[Call]:
        """A copy of the call log, oldest first."""
        return list(self._calls)

    def reset(self) -> None:
        """Forget every store, key, arrangement and call; the clock reads wall time again."""
        if self._kms is not None:  # a KMS not made yet has nothing to forget
            self._kms.reset()
        self.faults.clear()
        self._calls.clear()
