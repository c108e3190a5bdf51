"""One activation's simulated KMS, with its options, arranged faults and call log."""

from __future__ import annotations

from .calls import Call
from .domain.kms import SimulatedKms
from .faults import Faults
from .options import Options

__all__ = ["Simulation"]


class Simulation:
    """What every nested activation of the mock shares.

    It lives from the outermost ``start()`` to the outermost ``stop()``.
    """

    def __init__(self, options: Options) -> None:
        assert options.region is not None, "the options must be resolved"
        self.options = options
        self.kms = SimulatedKms(
            connect_delay=options.connect_delay,
            disconnect_delay=options.disconnect_delay,
            strict=options.strict,
        )
        self.faults = Faults()
        self.alive = True
        """False once whatever ran the simulation (a mock, a server) has stopped with it."""
        self._calls: list[Call] = []

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
        self.kms.reset()
        self.faults.clear()
        self._calls.clear()
