"""KMS keys: CreateKey, DescribeKey, ListKeys, enabling, describing and deleting them."""

from __future__ import annotations

import json
import operator
from typing import Any

from ..domain import backing, keyring
from ..domain.errors import AwsError
from ..domain.keys import KeyState, KeyUse, KmsKey
from ..domain.region import RegionState
from ..errors import UnimplementedOperationError
from ..protocol.wire import Encoded, json_string
from .keyref import find_key, key_state_of
from .paging import paginate
from .registry import Context, Params, Result, operation
from .tags import checked_tags

__all__ = ["check_policy", "key_metadata"]

SYMMETRIC = "SYMMETRIC_DEFAULT"
ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"


def _unchanging(key: KmsKey) -> str:
    """The KeyMetadata members that never change for a key, as JSON text.

    Written out directly: every value here is an id, ARN, number or enum
    from a safe alphabet (ids and names were validated against the model's
    patterns), so nothing needs escaping, and this runs for every new key.
    Timestamps are epoch seconds to the millisecond, as KMS gives them.
    """
    text = (
        f'"AWSAccountId":"{key.account_id}","KeyId":"{key.id}","Arn":"{key.arn}",'
        f'"CreationDate":{key.created:.3f},"KeyUsage":"{ENCRYPT_DECRYPT}",'
        f'"Origin":"{key.origin}","KeyManager":"CUSTOMER","CustomerMasterKeySpec":"{SYMMETRIC}",'
        f'"KeySpec":"{SYMMETRIC}","EncryptionAlgorithms":["{SYMMETRIC}"],"MultiRegion":false'
    )
    if key.store_id is not None:
        text += f',"CustomKeyStoreId":"{key.store_id}"'
    if key.cloudhsm_cluster_id is not None:
        text += f',"CloudHsmClusterId":"{key.cloudhsm_cluster_id}"'
    if key.xks_key_id is not None:
        text += f',"XksKeyConfiguration":{{"Id":"{key.xks_key_id}"}}'
    if key.origin == "AWS_KMS":
        text += f',"CurrentKeyMaterialId":"{key.material_id}"'
    return text


def key_metadata(ctx: Context, key: KmsKey, state: KeyState | None = None) -> Encoded:
    """The KeyMetadata of a key: the model's fields for a symmetric encryption key.

    ``state`` is the key's key state, for a caller that knows it already.
    """
    unchanging = key.renderings.get("metadata")
    if unchanging is None:
        unchanging = key.renderings["metadata"] = _unchanging(key)
    if state is None:
        state = key_state_of(ctx, key)
    # Written out, like the unchanging part: only the description needs escaping.
    # (``_value_`` is what ``value`` reads, without the descriptor's two calls.)
    description = key.description
    deletion = key.deletion_date
    return Encoded(
        f'{{{unchanging},"Enabled":{"true" if state is KeyState.ENABLED else "false"},'
        f'"Description":{json_string(description) if description else _EMPTY},'
        f'"KeyState":"{state._value_}"'
        + ("}" if deletion is None else f',"DeletionDate":{deletion:.3f}}}')
    )


_EMPTY = '""'
_RENDERINGS = operator.attrgetter("renderings")
_ENTRY = operator.itemgetter("entry")


def list_entry(key: KmsKey) -> str:
    """The key's ListKeys entry, as JSON text (kept: it never changes)."""
    entry = key.renderings.get("entry")
    if entry is None:  # ids and ARNs need no escaping
        entry = key.renderings["entry"] = f'{{"KeyId":"{key.id}","KeyArn":"{key.arn}"}}'
    return entry


def check_policy(policy: str) -> None:
    """Refuse a key policy that is not a JSON object."""
    try:
        document = json.loads(policy)
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict):
        raise AwsError("MalformedPolicyDocumentException", "The key policy is not a JSON document.")


_SHAPE_MEMBERS = frozenset(("KeySpec", "CustomerMasterKeySpec", "KeyUsage"))
"""The CreateKey members that give the key spec and usage; without them, the defaults."""
_DEFAULT_KIND = (SYMMETRIC, ENCRYPT_DECRYPT)


def _key_kind(params: Params) -> tuple[str, str]:
    if _SHAPE_MEMBERS.isdisjoint(params):
        return _DEFAULT_KIND
    spec = params.get("KeySpec")
    legacy = params.get("CustomerMasterKeySpec")
    if spec is not None and legacy is not None:
        raise AwsError(
            "ValidationException",
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
            "CustomerMasterKeySpec is deprecated.",
        )
    return spec or legacy or SYMMETRIC, params.get("KeyUsage", ENCRYPT_DECRYPT)


def _store_for_key(ctx: Context, params: Params, origin: str) -> Any:
    region = ctx.region
    store = region.store(params["CustomKeyStoreId"])
    spec, usage = _key_kind(params)
    if spec != SYMMETRIC or usage != ENCRYPT_DECRYPT or params.get("MultiRegion"):
        raise AwsError(
            "UnsupportedOperationException",
            "A custom key store holds only single-Region symmetric encryption keys: KeySpec "
            "SYMMETRIC_DEFAULT with KeyUsage ENCRYPT_DECRYPT.",
        )
    keyring.check_store_for_new_key(store, origin)
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
        holder = region.key_for_external_key(store.id, xks_key_id)
        if holder is not None:
            raise AwsError(
                "XksKeyAlreadyInUseException",
                f"External key '{xks_key_id}' is already associated with KMS key "
                f"'{region.arn('key/' + holder)}' in custom key store '{store.id}'.",
            )
    backing.check_create_key(ctx.backend.world, region, store, xks_key_id)
    return store


_KIND_MEMBERS = frozenset(
    ("KeySpec", "CustomerMasterKeySpec", "KeyUsage", "Origin", "XksKeyId", "MultiRegion")
)
"""The CreateKey members that say what kind of key to make; without them, the default kind."""


def _check_standard_key(params: Params, origin: str) -> None:
    if _KIND_MEMBERS.isdisjoint(params):
        return  # a symmetric encryption key with key material from KMS: nothing to check
    spec, usage = _key_kind(params)
    if origin in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"):
        raise AwsError("ValidationException", f"Origin {origin} requires a CustomKeyStoreId.")
    if "XksKeyId" in params:
        raise AwsError(
            "ValidationException", "XksKeyId is valid only with Origin EXTERNAL_KEY_STORE."
        )
    if spec == SYMMETRIC and usage != ENCRYPT_DECRYPT:
        raise AwsError(
            "ValidationException",
            f"KeyUsage {usage} is not compatible with KeySpec {SYMMETRIC}.",
        )
    if spec != SYMMETRIC:
        raise UnimplementedOperationError("CreateKey", f"KeySpec {spec}")
    if origin != "AWS_KMS":
        raise UnimplementedOperationError("CreateKey", f"Origin {origin} (imported key material)")
    if params.get("MultiRegion"):
        raise UnimplementedOperationError("CreateKey", "MultiRegion=True")


@operation("CreateKey")
def create_key(ctx: Context, params: Params) -> Result:
    """CreateKey: a symmetric encryption key, standard or in a custom key store."""
    origin = params.get("Origin", "AWS_KMS")
    policy = params.get("Policy")
    if policy is not None:
        check_policy(policy)
    tags = checked_tags(params["Tags"]) if "Tags" in params else None
    store = None
    if "CustomKeyStoreId" in params:
        store = _store_for_key(ctx, params, origin)
    else:
        _check_standard_key(params, origin)
    key = keyring.new_key(
        ctx.region,
        now=ctx.now,
        description=params.get("Description", ""),
        policy=policy,
        origin=origin,
        store=store,
        xks_key_id=params.get("XksKeyId"),
        tags=tags,
    )
    list_entry(key)  # written now, so ListKeys finds it ready
    # A new key is Enabled: its store, if any, was CONNECTED, or CreateKey failed.
    return {"KeyMetadata": key_metadata(ctx, key, KeyState.ENABLED)}


@operation("DescribeKey")
def describe_key(ctx: Context, params: Params) -> Result:
    """DescribeKey: the key's KeyMetadata."""
    return {"KeyMetadata": key_metadata(ctx, find_key(ctx, params["KeyId"], KeyUse.READ))}


@operation("ListKeys")
def list_keys(ctx: Context, params: Params) -> Result:
    """ListKeys: the keys of the account and region, paged in creation order."""
    region: RegionState = ctx.region
    page = paginate(ctx, params, region.key_list, default_limit=100)
    # The page's text is kept until a key is added or removed: a listing polled
    # again, page by page, reads no key at all.
    version = (region.keys_version(), page.start, page.stop)
    kept: Any = region.renderings.get("ListKeys")
    if kept is not None and kept[0] == version:
        return page.result("Keys", kept[1])
    items = page.items
    try:  # CreateKey wrote each key's entry: gather them in C, without a call per key
        entries = list(map(_ENTRY, map(_RENDERINGS, items)))
    except KeyError:  # a key made some other way (kmsmock's own setup) has none yet
        entries = [list_entry(key) for key in items]
    text = Encoded.array(entries)
    region.renderings["ListKeys"] = (version, text)
    return page.result("Keys", text)


@operation("EnableKey")
def enable_key(ctx: Context, params: Params) -> Result:
    """EnableKey: the key is Enabled (once available, for a key in a custom key store)."""
    find_key(ctx, params["KeyId"], KeyUse.ENABLE_DISABLE).enabled = True
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
    """ScheduleKeyDeletion: PendingDeletion for 7 to 30 days on the mock clock."""
    days = params.get("PendingWindowInDays", 30)
    if not 7 <= days <= 30:
        raise AwsError("ValidationException", "PendingWindowInDays must be between 7 and 30")
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    region = ctx.backend.region(key.account_id, key.region)
    keyring.schedule_deletion(region, key, now=ctx.now, days=days)
    ctx.backend.schedule_removal(region, key)
    assert key.deletion_date is not None
    return {
        "KeyId": key.arn,
        "DeletionDate": round(key.deletion_date, 3),
        "KeyState": KeyState.PENDING_DELETION.value,
        "PendingWindowInDays": days,
    }


@operation("CancelKeyDeletion")
def cancel_key_deletion(ctx: Context, params: Params) -> Result:
    """CancelKeyDeletion: out of PendingDeletion, and Disabled."""
    key = find_key(ctx, params["KeyId"], KeyUse.READ)
    keyring.cancel_deletion(ctx.backend.region(key.account_id, key.region), key)
    return {"KeyId": key.arn}
