"""Automatic key rotation: GetKeyRotationStatus, EnableKeyRotation, DisableKeyRotation."""

from __future__ import annotations

from ..domain.aws_error import AwsError
from ..domain.key_states import KeyUse
from ..domain.keys import KmsKey
from .key_reference import find_key
from .registry import Context, Params, Result, epoch, operation

__all__: list[str] = []

DEFAULT_PERIOD_DAYS = 365


def _rotatable(ctx: Context, params: Params, use: KeyUse) -> KmsKey:
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    if key.origin != "AWS_KMS":
        raise AwsError(
            "UnsupportedOperationException",
            f"{key.arn} origin is {key.origin} which is not valid for this operation.",
        )
    if key.key_spec != "SYMMETRIC_DEFAULT":  # asymmetric and HMAC keys do not rotate
        raise AwsError(
            "UnsupportedOperationException",
            f"{key.arn} key spec is {key.key_spec} which is not valid for this operation.",
        )
    return find_key(ctx, params["KeyId"], use)


@operation("GetKeyRotationStatus")
def get_key_rotation_status(ctx: Context, params: Params) -> Result:
    """GetKeyRotationStatus: whether automatic rotation is on, and when next."""
    key = _rotatable(ctx, params, KeyUse.READ)
    result: Result = {"KeyRotationEnabled": key.rotation_period_days is not None, "KeyId": key.arn}
    if key.rotation_period_days is not None and key.rotation_enabled_at is not None:
        result["RotationPeriodInDays"] = key.rotation_period_days
        result["NextRotationDate"] = epoch(
            key.rotation_enabled_at + key.rotation_period_days * 86400
        )
    return result


@operation("EnableKeyRotation")
def enable_key_rotation(ctx: Context, params: Params) -> Result:
    """EnableKeyRotation: rotate every RotationPeriodInDays (365 by default)."""
    key = _rotatable(ctx, params, KeyUse.ROTATION)
    key.rotation_period_days = params.get("RotationPeriodInDays", DEFAULT_PERIOD_DAYS)
    key.rotation_enabled_at = ctx.now
    return {}


@operation("DisableKeyRotation")
def disable_key_rotation(ctx: Context, params: Params) -> Result:
    """DisableKeyRotation: stop automatic rotation."""
    key = _rotatable(ctx, params, KeyUse.ROTATION)
    key.rotation_period_days = None
    key.rotation_enabled_at = None
    return {}
