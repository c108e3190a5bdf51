"""Automatic key rotation on the mock clock.

A key with automatic rotation on has a ``next_rotation`` date; the simulated
KMS rotates it when the clock passes that date (:meth:`SimulatedKms.tick
<kmsmock.domain.kms.SimulatedKms.tick>`), dated when it was due, and every
``rotation_period_days`` after. As the KMS reference says:

- a key that is not Enabled when its rotation is due (Disabled, or
  PendingDeletion) is not rotated; when it is enabled again, a rotation it
  missed happens at once, and the schedule counts from then;
- on-demand rotations do not change the schedule;
- enabling rotation again after disabling it counts from the new date; a new
  period for a key whose rotation is on counts from its last automatic
  rotation (or from when rotation was turned on), and a date already past
  rotates at the next request.
"""

from __future__ import annotations

from typing import Final

from .key_material import RotationType, rotate
from .key_states import KeyState
from .keys import KmsKey

__all__ = ["DAY", "DEFAULT_PERIOD_DAYS", "disable", "enable", "resume", "rotate_when_due"]

DAY: Final = 86_400
DEFAULT_PERIOD_DAYS: Final = 365
"""Seconds in a day, and the rotation period KMS uses when none is given."""


def enable(key: KmsKey, period_days: int, now: float) -> None:
    """EnableKeyRotation: rotate every ``period_days`` days."""
    if key.next_rotation is not None and key.rotation_period_days is not None:
        last = key.next_rotation - key.rotation_period_days * DAY
        key.next_rotation = max(last + period_days * DAY, now)
    else:
        key.next_rotation = now + period_days * DAY
    key.rotation_period_days = period_days


def disable(key: KmsKey) -> None:
    """DisableKeyRotation: no automatic rotation."""
    key.next_rotation = None
    key.rotation_period_days = None


def rotate_when_due(key: KmsKey, due: float) -> bool:
    """The rotation due at ``due``, if the key can rotate now; True if it rotated.

    The next rotation is then one period later.
    """
    if key.next_rotation != due or key.rotation_period_days is None:
        return False  # rotation was turned off or rescheduled since
    if key.state is not KeyState.ENABLED:
        return False  # missed: :func:`resume` rotates it once it is enabled
    rotate(key.materials, now=due, how=RotationType.AUTOMATIC)
    key.next_rotation = due + key.rotation_period_days * DAY
    return True


def resume(key: KmsKey, now: float) -> bool:
    """EnableKey: a rotation the key missed while it could not rotate happens now.

    True if it rotated (the schedule then counts from ``now``).
    """
    if key.next_rotation is None or key.next_rotation > now or key.state is not KeyState.ENABLED:
        return False
    key.next_rotation = now
    return rotate_when_due(key, now)
