"""Key usage tracking: GetKeyLastUsage, and :func:`note_use`, which cryptographic operations call.

Which operations count as use is botocore's model's own list (the
KeyLastUsageTrackingOperation enum); a key's last use is its last successful
one of them, on the mock clock. kmsmock tracks every key from its creation,
so TrackingStartDate is the key's CreationDate.
"""

from __future__ import annotations

import functools

from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey, LastUse
from ..model import service_model
from .key_reference import find_key
from .registry import Context, Params, Result, epoch, operation

__all__ = ["note_use", "tracked_operations"]


@functools.cache
def tracked_operations() -> frozenset[str]:
    """The operations GetKeyLastUsage reports, from the model's KeyLastUsageTrackingOperation.

    An older botocore (such as the one aiobotocore pins) has neither the shape
    nor GetKeyLastUsage, so there is nothing to report and nothing to track.
    """
    model = service_model()
    if "KeyLastUsageTrackingOperation" not in model.shape_names:
        return frozenset()
    return frozenset(model.shape_for("KeyLastUsageTrackingOperation").enum)


def note_use(ctx: Context, key: KmsKey) -> None:
    """Record a successful cryptographic operation with ``key`` (call it once it succeeded)."""
    if ctx.operation in tracked_operations():
        key.last_used = LastUse(ctx.operation, ctx.now)


@operation("GetKeyLastUsage")
def get_key_last_usage(ctx: Context, params: Params) -> Result:
    """GetKeyLastUsage: the key's last successful cryptographic operation, if any."""
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    usage: Result = {}
    if key.last_used is not None:
        usage = {"Operation": key.last_used.operation, "Timestamp": epoch(key.last_used.time)}
    return {
        "KeyId": key.id,
        "KeyLastUsage": usage,
        "TrackingStartDate": epoch(key.created),
        "KeyCreationDate": epoch(key.created),
    }
