"""Key rotation: automatic (Enable/Disable/GetKeyRotationStatus), on demand, and ListKeyRotations.

A multi-Region key rotates on its primary key, and its replicas share the
rotated material (with imported material, each related key rotates to the
same material: :mod:`kmsmock.domain.multi_region_material`); a replica
answers GetKeyRotationStatus with its primary's.

Automatic rotation runs on the mock clock (:mod:`kmsmock.domain.rotation`);
an on-demand rotation completes at once. Keys in a custom key store rotate
neither way; keys with imported key material (Origin EXTERNAL) rotate only
on demand, to material imported for it (:mod:`kmsmock.domain.key_material`).
"""

from __future__ import annotations

from typing import Final

from ..domain import multi_region, multi_region_material, rotation
from ..domain.aws_error import AwsError
from ..domain.key_material import (
    ON_DEMAND_ROTATION_QUOTA,
    KeyMaterial,
)
from ..domain.key_states import KeyState, KeyUse
from ..domain.keys import KmsKey
from .key_reference import find_key, key_owner
from .paging import Page, paginate
from .registry import Context, Params, Result, epoch, operation

__all__: list[str] = []

CONFLICT_WINDOW: Final = 20 * 60
"""RotateKeyOnDemand is refused this close to a scheduled automatic rotation."""


def _unsupported(key: KmsKey) -> AwsError:
    return AwsError(
        "UnsupportedOperationException",
        f"{key.arn} origin is {key.origin} which is not valid for this operation.",
    )


def _rotatable(ctx: Context, params: Params, use: KeyUse, origins: tuple[str, ...]) -> KmsKey:
    """The key the request names, if its origin rotates this way and its state allows ``use``.

    The key state is checked before the key spec: AWS answers RotateKeyOnDemand
    of an RSA key pending import with "... is pending import.", and of an
    asymmetric or HMAC key with an UnsupportedOperationException that has an
    empty message.
    """
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    if key.origin not in origins:
        raise _unsupported(key)
    if use is not KeyUse.READ:  # rotation happens on the primary, and applies to its replicas
        multi_region.primary_of(key, ctx.operation)
    key = find_key(ctx, params["KeyId"], use)
    if key.key_spec != "SYMMETRIC_DEFAULT":  # asymmetric and HMAC keys do not rotate
        raise AwsError("UnsupportedOperationException", "")
    return key


def _primary(ctx: Context, key: KmsKey) -> KmsKey:
    """The key whose automatic rotation status ``key`` shares: its primary key, or itself."""
    if key.related is None or key.related.primary_region == key.region:
        return key
    found = ctx.kms.peek(key.account_id, key.related.primary_region).keys.get(key.id)
    return key if found is None else found


AUTOMATIC_ORIGINS: Final = ("AWS_KMS",)
"""Automatic rotation: only keys whose material KMS generates."""
ON_DEMAND_ORIGINS: Final = ("AWS_KMS", "EXTERNAL")
"""On-demand rotation: those, and keys with imported key material."""


@operation("GetKeyRotationStatus")
def get_key_rotation_status(ctx: Context, params: Params) -> Result:
    """GetKeyRotationStatus: whether automatic rotation is on, and when next.

    While a key is pending deletion its rotation status is false; it returns
    if the deletion is cancelled.
    """
    key = _rotatable(ctx, params, KeyUse.READ, AUTOMATIC_ORIGINS)
    shared = _primary(ctx, key)
    enabled = shared.next_rotation is not None and key.state is not KeyState.PENDING_DELETION
    result: Result = {"KeyRotationEnabled": enabled, "KeyId": key.arn}
    if enabled and shared.next_rotation is not None and shared.rotation_period_days is not None:
        result["RotationPeriodInDays"] = shared.rotation_period_days
        result["NextRotationDate"] = epoch(shared.next_rotation)
    return result


@operation("EnableKeyRotation")
def enable_key_rotation(ctx: Context, params: Params) -> Result:
    """EnableKeyRotation: rotate every RotationPeriodInDays (365 by default)."""
    key = _rotatable(ctx, params, KeyUse.ROTATION, AUTOMATIC_ORIGINS)
    rotation.enable(key, params.get("RotationPeriodInDays", rotation.DEFAULT_PERIOD_DAYS), ctx.now)
    ctx.kms.schedule_rotation(key_owner(ctx, key), key)
    return {}


@operation("DisableKeyRotation")
def disable_key_rotation(ctx: Context, params: Params) -> Result:
    """DisableKeyRotation: stop automatic rotation."""
    rotation.disable(_rotatable(ctx, params, KeyUse.ROTATION, AUTOMATIC_ORIGINS))
    return {}


@operation("RotateKeyOnDemand")
def rotate_key_on_demand(ctx: Context, params: Params) -> Result:
    """RotateKeyOnDemand: a new current key material now (imported keys: the pending one).

    The answer's KeyId is the key ARN, as AWS answers.
    """
    key = _rotatable(ctx, params, KeyUse.ROTATE_ON_DEMAND, ON_DEMAND_ORIGINS)
    if key.materials.on_demand_rotations >= ON_DEMAND_ROTATION_QUOTA:
        raise AwsError(
            "LimitExceededException",
            "The on-demand rotations limit has been reached for the given keyId. No more "
            f"on-demand rotations can be performed for this key: {key.arn}",
        )
    if key.next_rotation is not None and key.next_rotation - ctx.now < CONFLICT_WINDOW:
        raise AwsError(
            "ConflictException",
            f"An automatic rotation of {key.arn} is scheduled to begin within 20 minutes.",
        )
    if key.origin == "EXTERNAL" and key.materials.pending_rotation() is None:
        raise AwsError(
            "KMSInvalidStateException",
            f"No available key material pending rotation for the key: {key.arn}.",
        )
    multi_region_material.rotate_on_demand(key, ctx.kms.related_keys(key), ctx.now)
    return {"KeyId": key.arn}


def _rotation_entry(key: KmsKey, material: KeyMaterial, related: list[KmsKey]) -> Result:
    entry: Result = {
        "KeyId": key.id,
        "KeyMaterialId": material.id,
        "KeyMaterialState": multi_region_material.shown_state(key, material, related),
    }
    if material.rotation_date is not None and material.rotation_type is not None:
        entry["RotationDate"] = epoch(material.rotation_date)
        entry["RotationType"] = material.rotation_type.value
    if key.origin == "EXTERNAL":
        entry["ImportState"] = "IMPORTED" if material.imported else "PENDING_IMPORT"
        if material.description is not None:
            entry["KeyMaterialDescription"] = material.description
        if material.expiration_model is not None:
            entry["ExpirationModel"] = material.expiration_model
        if material.valid_to is not None:
            entry["ValidTo"] = epoch(material.valid_to)
    return entry


@operation("ListKeyRotations")
def list_key_rotations(ctx: Context, params: Params) -> Result:
    """ListKeyRotations: the key's rotated materials, or with ALL_KEY_MATERIAL every one."""
    key = _rotatable(ctx, params, KeyUse.READ, ON_DEMAND_ORIGINS)
    include = params.get("IncludeKeyMaterial", "ROTATIONS_ONLY")
    materials = [
        material
        for material in key.materials.items
        if include == "ALL_KEY_MATERIAL" or material.rotation_date is not None
    ]
    page: Page[KeyMaterial] = paginate(
        ctx, params, materials, default_limit=100, filters=(key.arn, include)
    )
    related = ctx.kms.related_keys(key)
    return page.result("Rotations", [_rotation_entry(key, m, related) for m in page.items])
