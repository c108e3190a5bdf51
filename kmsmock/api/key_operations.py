"""KMS keys: CreateKey, DescribeKey, ListKeys, enabling, describing and deleting them."""

from __future__ import annotations

import json
from typing import NamedTuple

from ..domain import backing, multi_region
from ..domain.aws_error import AwsError
from ..domain.imported_material import check_importable
from ..domain.key_specs import ALGORITHM_MEMBERS, LEGACY_SPECS, algorithms, check_key_kind
from ..domain.key_states import KeyState, KeyUse
from ..domain.keys import (
    KmsKey,
    cancel_deletion,
    check_store_for_new_key,
    new_key,
    schedule_deletion,
)
from ..domain.stores import CustomKeyStore
from .key_reference import find_key, key_owner
from .paging import Page, paginate
from .registry import Context, Memo, Params, Result, epoch, operation
from .tag_operations import checked_tags

__all__ = ["KeyView", "check_policy", "key_kind", "key_metadata", "key_view"]

SYMMETRIC = "SYMMETRIC_DEFAULT"
ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"


class KeyView(NamedTuple):
    """Everything a key's KeyMetadata shows, as one value: equal views, equal metadata.

    DescribeKey answers with a :class:`Memo` of the view, so the metadata of
    a key is written once until something it shows changes.
    """

    account_id: str
    key_id: str
    arn: str
    created: float
    origin: str
    store_id: str | None
    cloudhsm_cluster_id: str | None
    xks_key_id: str | None
    material_id: str | None
    state: KeyState
    description: str
    deletion_date: float | None
    expiration_model: str | None
    valid_to: float | None
    key_spec: str = SYMMETRIC
    key_usage: str = ENCRYPT_DECRYPT
    multi_region: multi_region.MultiRegionConfiguration | None = None
    pending_window_days: int | None = None
    """Shown only while the key waits for its replicas (PendingReplicaDeletion)."""


def key_view(key: KmsKey) -> KeyView:
    """What the key's KeyMetadata shows now."""
    expiration_model, valid_to = key.materials.expiry()
    return KeyView(
        account_id=key.account_id,
        key_id=key.id,
        arn=key.arn,
        created=key.created,
        origin=key.origin,
        store_id=None if key.store is None else key.store.id,
        cloudhsm_cluster_id=key.cloudhsm_cluster_id,
        xks_key_id=key.xks_key_id,
        material_id=key.material_id,
        state=key.state,
        description=key.description,
        deletion_date=key.deletion_date,
        expiration_model=expiration_model if key.origin == "EXTERNAL" else None,
        valid_to=valid_to if key.origin == "EXTERNAL" else None,
        key_spec=key.key_spec,
        key_usage=key.key_usage,
        multi_region=multi_region.configuration(key),
        pending_window_days=(
            key.pending_window_days if key.state is KeyState.PENDING_REPLICA_DELETION else None
        ),
    )


def key_kind(spec: str, usage: str) -> Result:
    """What KeyMetadata and GetPublicKey show of a kind of key: its spec, usage and algorithms.

    CustomerMasterKeySpec only for the specs its (deprecated) enum has, and
    the one list of algorithms the key's usage calls for.
    """
    kind: Result = {"KeyUsage": usage}
    if spec in LEGACY_SPECS:
        kind["CustomerMasterKeySpec"] = spec
    kind["KeySpec"] = spec
    kind[ALGORITHM_MEMBERS[usage]] = list(algorithms(spec, usage))
    return kind


def key_metadata(view: KeyView) -> Result:
    """The KeyMetadata of a key: the model's fields for its kind of key."""
    metadata: Result = {
        "AWSAccountId": view.account_id,
        "KeyId": view.key_id,
        "Arn": view.arn,
        "CreationDate": epoch(view.created),
        "Enabled": view.state is KeyState.ENABLED,
        "Description": view.description,
        "KeyState": view.state.value,
        "Origin": view.origin,
        "KeyManager": "CUSTOMER",
        **key_kind(view.key_spec, view.key_usage),
        "MultiRegion": view.multi_region is not None,
    }
    if view.multi_region is not None:
        key_type, (primary_arn, primary_region), replicas = view.multi_region
        metadata["MultiRegionConfiguration"] = {
            "MultiRegionKeyType": key_type,
            "PrimaryKey": {"Arn": primary_arn, "Region": primary_region},
            "ReplicaKeys": [{"Arn": arn, "Region": region} for arn, region in replicas],
        }
    if view.deletion_date is not None:
        metadata["DeletionDate"] = epoch(view.deletion_date)
    if view.pending_window_days is not None:
        metadata["PendingDeletionWindowInDays"] = view.pending_window_days
    if view.store_id is not None:
        metadata["CustomKeyStoreId"] = view.store_id
    if view.cloudhsm_cluster_id is not None:
        metadata["CloudHsmClusterId"] = view.cloudhsm_cluster_id
    if view.xks_key_id is not None:
        metadata["XksKeyConfiguration"] = {"Id": view.xks_key_id}
    if view.expiration_model is not None:
        metadata["ExpirationModel"] = view.expiration_model
    if view.valid_to is not None:
        metadata["ValidTo"] = epoch(view.valid_to)
    # Only symmetric encryption keys have key materials that rotate, with ids.
    shows_material = view.key_spec == SYMMETRIC and view.origin in ("AWS_KMS", "EXTERNAL")
    if shows_material and view.material_id is not None:
        metadata["CurrentKeyMaterialId"] = view.material_id
    return metadata


def _key_answer(view: KeyView) -> Result:
    """An answer that is one key's KeyMetadata."""
    return {"KeyMetadata": key_metadata(view)}


def _key_list(page: Page[KmsKey]) -> Result:
    """A ListKeys answer: a key's id and ARN never change, so a page's answer is kept."""
    return page.result("Keys", [{"KeyId": key.id, "KeyArn": key.arn} for key in page.items])


def check_policy(policy: str) -> None:
    """Refuse a key policy that is not a JSON object."""
    try:
        document = json.loads(policy)
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict):
        raise AwsError("MalformedPolicyDocumentException", "The key policy is not a JSON document.")


def _key_kind(params: Params) -> tuple[str, str]:
    """The KeySpec and KeyUsage CreateKey asks for (KeySpec or its deprecated name)."""
    spec = params.get("KeySpec")
    legacy = params.get("CustomerMasterKeySpec")
    if spec is not None and legacy is not None:
        raise AwsError(
            "ValidationException",
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
            "CustomerMasterKeySpec is deprecated.",
        )
    return spec or legacy or SYMMETRIC, params.get("KeyUsage", ENCRYPT_DECRYPT)


def _store_for_key(ctx: Context, params: Params, origin: str) -> CustomKeyStore:
    scope = ctx.scope
    store = scope.store(params["CustomKeyStoreId"])
    spec, usage = _key_kind(params)
    if spec != SYMMETRIC or usage != ENCRYPT_DECRYPT or params.get("MultiRegion"):
        raise AwsError(
            "UnsupportedOperationException",
            "A custom key store holds only single-Region symmetric encryption keys: KeySpec "
            "SYMMETRIC_DEFAULT with KeyUsage ENCRYPT_DECRYPT.",
        )
    check_store_for_new_key(store, origin)
    xks_key_id = params.get("XksKeyId")
    if origin == "EXTERNAL_KEY_STORE" and xks_key_id is None:
        raise AwsError(
            "ValidationException",
            "XksKeyId is required for a KMS key with Origin EXTERNAL_KEY_STORE.",
        )
    if origin != "EXTERNAL_KEY_STORE" and xks_key_id is not None:
        raise AwsError(
            "ValidationException", "XksKeyId is valid only with Origin EXTERNAL_KEY_STORE."
        )
    if xks_key_id is not None:
        holder = scope.key_for_external_key(store.id, xks_key_id)
        if holder is not None:
            raise AwsError(
                "XksKeyAlreadyInUseException",
                f"External key '{xks_key_id}' is already associated with KMS key "
                f"'{scope.arn('key/' + holder)}' in custom key store '{store.id}'.",
            )
    backing.check_create_key(ctx.kms.world, scope, store, xks_key_id)
    return store


def _check_standard_key(ctx: Context, params: Params, origin: str) -> tuple[str, str]:
    """The CreateKey rules for a key outside custom key stores; its KeySpec and KeyUsage."""
    spec, _ = _key_kind(params)
    if origin in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"):
        raise AwsError("ValidationException", f"Origin {origin} requires a CustomKeyStoreId.")
    if "XksKeyId" in params:
        raise AwsError(
            "ValidationException", "XksKeyId is valid only with Origin EXTERNAL_KEY_STORE."
        )
    usage = check_key_kind(spec, params.get("KeyUsage"), ctx.region)
    if origin == "EXTERNAL":
        check_importable(spec)
    return spec, usage


@operation("CreateKey")
def create_key(ctx: Context, params: Params) -> Result:
    """CreateKey: a key of any KeySpec and KeyUsage (or for imported material), or in a store."""
    origin = params.get("Origin", "AWS_KMS")
    policy = params.get("Policy")
    if policy is not None:
        check_policy(policy)
    tags = checked_tags(params["Tags"]) if "Tags" in params else None
    store = None
    spec, usage = SYMMETRIC, ENCRYPT_DECRYPT
    if "CustomKeyStoreId" in params:
        store = _store_for_key(ctx, params, origin)
    else:
        spec, usage = _check_standard_key(ctx, params, origin)
    scope = ctx.scope
    key = new_key(
        account_id=scope.account_id,
        region=scope.region,
        seq=scope.next_seq(),
        now=ctx.now,
        description=params.get("Description", ""),
        policy=policy,
        origin=origin,
        store=store,
        xks_key_id=params.get("XksKeyId"),
        tags=tags,
        key_spec=spec,
        key_usage=usage,
        multi_region=bool(params.get("MultiRegion")),
    )
    scope.add_key(key)
    return _key_answer(key_view(key))


@operation("DescribeKey")
def describe_key(ctx: Context, params: Params) -> Memo:
    """DescribeKey: the key's KeyMetadata."""
    return Memo(_key_answer, key_view(find_key(ctx, params["KeyId"], KeyUse.READ)))


@operation("ListKeys")
def list_keys(ctx: Context, params: Params) -> Memo:
    """ListKeys: the keys of the account and region, paged in creation order."""
    return Memo(_key_list, paginate(ctx, params, ctx.scope.key_list, default_limit=100))


@operation("EnableKey")
def enable_key(ctx: Context, params: Params) -> Result:
    """EnableKey: the key is Enabled (once available, for a key in a custom key store).

    An automatic rotation the key missed while it was not Enabled happens now.
    """
    key = find_key(ctx, params["KeyId"], KeyUse.ENABLE_DISABLE)
    key.enabled = True
    ctx.kms.resume_rotation(key_owner(ctx, key), key, ctx.now)
    return {}


@operation("DisableKey")
def disable_key(ctx: Context, params: Params) -> Result:
    """DisableKey: the key is Disabled (once available, for a key in a custom key store)."""
    find_key(ctx, params["KeyId"], KeyUse.ENABLE_DISABLE).enabled = False
    return {}


@operation("UpdateKeyDescription")
def update_key_description(ctx: Context, params: Params) -> Result:
    """UpdateKeyDescription: replace the key's description."""
    find_key(ctx, params["KeyId"], KeyUse.MODIFY).description = params["Description"]
    return {}


@operation("ScheduleKeyDeletion")
def schedule_key_deletion(ctx: Context, params: Params) -> Result:
    """ScheduleKeyDeletion: PendingDeletion for 7 to 30 days on the mock clock.

    A multi-Region primary key with replicas is PendingReplicaDeletion, with no
    deletion date, until the last of them is deleted.
    """
    days = params.get("PendingWindowInDays", 30)
    if not 7 <= days <= 30:
        raise AwsError("ValidationException", "PendingWindowInDays must be between 7 and 30")
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    schedule_deletion(key, now=ctx.now, days=days)
    result: Result = {"KeyId": key.arn, "KeyState": key.state.value, "PendingWindowInDays": days}
    if key.deletion_date is not None:
        ctx.kms.schedule_removal(key_owner(ctx, key), key)
        result["DeletionDate"] = epoch(key.deletion_date)
    return result


@operation("CancelKeyDeletion")
def cancel_key_deletion(ctx: Context, params: Params) -> Result:
    """CancelKeyDeletion: out of PendingDeletion, and Disabled."""
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    cancel_deletion(key)
    return {"KeyId": key.arn}
