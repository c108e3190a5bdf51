"""The process-wide activation: reference-counted, so nested mocks share one simulation.

The outermost start creates the :class:`~kmsmock.simulation.Simulation`,
puts fake credentials in the environment, and starts the ``requests`` hook
and the botocore endpoint guard (for clients made before kmsmock was
imported); the outermost stop undoes all of it. The botocore hooks are always
registered and read :data:`active` on every KMS request.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the simulation and its layers load on first activation, not at import
    from .environment import EnvironmentPatch
    from .options import Options
    from .simulation import Simulation
    from .transport.requests_hook import RequestsHook

__all__ = ["activate", "current", "deactivate", "depth"]

_lock = threading.RLock()
active: Simulation | None = None
"""The active simulation, or None (read on every request; use :func:`current` elsewhere)."""
_depth = 0
_environment: EnvironmentPatch | None = None
_requests_hook: RequestsHook | None = None


def current() -> Simulation | None:
    """The active simulation, or None when no mock is active."""
    return active


def depth() -> int:
    """How many activations are open (0 when the mock is inactive)."""
    return _depth


def activate(options: Options, explicit: frozenset[str]) -> Simulation:
    """Open an activation: create the simulation, or join the active one."""
    global active, _depth, _environment, _requests_hook
    with _lock:
        if active is not None:
            options.check_joinable(active.options, explicit)
            _depth += 1
            return active
        from .environment import EnvironmentPatch
        from .simulation import Simulation
        from .transport.requests_hook import RequestsHook

        resolved = options.resolved()
        simulation = Simulation(resolved)
        environment = EnvironmentPatch(resolved)
        environment.apply()
        from .transport.botocore_hook import endpoint_guard

        hook = _requests_hook or RequestsHook(current)
        try:
            hook.start()
            try:
                endpoint_guard.start()
            except BaseException:
                hook.stop()
                raise
        except BaseException:
            environment.restore()
            raise
        _environment, _requests_hook = environment, hook
        active, _depth = simulation, 1
        return simulation


def deactivate() -> None:
    """Close an activation; the outermost one discards the simulation."""
    global active, _depth, _environment
    with _lock:
        if _depth == 0:
            raise RuntimeError("kmsmock is not active")
        _depth -= 1
        if _depth:
            return
        active = None
        try:
            from .transport.botocore_hook import endpoint_guard

            endpoint_guard.stop()
            if _requests_hook is not None:
                _requests_hook.stop()
        finally:
            if _environment is not None:
                _environment.restore()
                _environment = None
