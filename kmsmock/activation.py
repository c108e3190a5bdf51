"""The process-wide activation: reference-counted, so nested mocks share one simulation.

The outermost start creates the :class:`~kmsmock.simulation.Simulation` and
its pipeline, puts fake credentials in the environment, and starts every
transport with the pipeline; the outermost stop undoes all of it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .transport.aiobotocore_transport import aiobotocore_transport
from .transport.base import Transport
from .transport.botocore_transport import botocore_transport
from .transport.requests_transport import requests_transport

if TYPE_CHECKING:  # the simulation and its layers load on first activation, not at import
    from .environment import EnvironmentPatch
    from .options import Options
    from .simulation import Simulation

__all__ = ["TRANSPORTS", "activate", "current", "deactivate", "depth"]

TRANSPORTS: tuple[Transport, ...] = (botocore_transport, requests_transport, aiobotocore_transport)
"""Every transport an activation starts, in order."""

_lock = threading.RLock()
_active: Simulation | None = None
_depth = 0
_environment: EnvironmentPatch | None = None


def current() -> Simulation | None:
    """The active simulation, or None when no mock is active."""
    return _active


def depth() -> int:
    """How many activations are open (0 when the mock is inactive)."""
    return _depth


def activate(options: Options, explicit: frozenset[str]) -> Simulation:
    """Open an activation: create the simulation, or join the active one."""
    global _active, _depth, _environment
    with _lock:
        if _active is not None:
            options.check_joinable(_active.options, explicit)
            _depth += 1
            return _active
        from .environment import EnvironmentPatch
        from .protocol.pipeline import Pipeline
        from .simulation import Simulation

        resolved = options.resolved()
        simulation = Simulation(resolved)
        pipeline = Pipeline(simulation)
        environment = EnvironmentPatch(resolved)
        environment.apply()
        started: list[Transport] = []
        try:
            for transport in TRANSPORTS:
                transport.start(pipeline)
                started.append(transport)
        except BaseException:
            for transport in reversed(started):
                transport.stop()
            environment.restore()
            raise
        _environment, _active, _depth = environment, simulation, 1
        return simulation


def deactivate() -> None:
    """Close an activation; the outermost one discards the simulation."""
    global _active, _depth, _environment
    with _lock:
        if _depth == 0:
            raise RuntimeError("kmsmock is not active")
        _depth -= 1
        if _depth:
            return
        if _active is not None:
            _active.alive = False
        _active = None
        try:
            for transport in reversed(TRANSPORTS):
                transport.stop()
        finally:
            if _environment is not None:
                _environment.restore()
                _environment = None
