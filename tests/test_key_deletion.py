"""ScheduleKeyDeletion and CancelKeyDeletion on the mock clock, and a realistic teardown."""

from __future__ import annotations

from typing import Any

from kms_helpers import connected_cloudhsm, connected_xks, error_code, error_of, own_aliases


def test_schedule_defaults_to_thirty_days_on_the_mock_clock(kms: Any, kms_keystores: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    answer = kms.schedule_key_deletion(KeyId=key["KeyId"])
    assert (answer["KeyId"], answer["KeyState"], answer["PendingWindowInDays"]) == (
        key["Arn"],
        "PendingDeletion",
        30,
    )
    assert abs(answer["DeletionDate"].timestamp() - (kms_keystores.now() + 30 * 86400)) < 5
    metadata = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("PendingDeletion", False)
    assert metadata["DeletionDate"] == answer["DeletionDate"]


def test_the_window_is_seven_to_thirty_days(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for days in (6, 31):
        assert error_of(kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=days) == (
            "ValidationException",
            "PendingWindowInDays must be between 7 and 30",
        )
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)


def test_the_key_is_gone_once_the_clock_passes_the_date(kms: Any, kms_keystores: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    keep = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=key["KeyId"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    kms_keystores.advance(7 * 86400 - 60)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    kms_keystores.advance(120)
    assert error_code(kms.describe_key, KeyId=key["KeyId"]) == "NotFoundException"
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [keep["KeyId"]]
    assert own_aliases(kms) == []


def test_cancel_key_deletion_leaves_the_key_disabled(kms: Any, kms_keystores: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    assert error_of(kms.cancel_key_deletion, KeyId=key["KeyId"]) == (
        "KMSInvalidStateException",
        f"{key['Arn']} is not pending deletion.",
    )
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert kms.cancel_key_deletion(KeyId=key["KeyId"])["KeyId"] == key["Arn"]
    metadata = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (metadata["KeyState"], "DeletionDate" in metadata) == ("Disabled", False)
    kms_keystores.advance(8 * 86400)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"


def test_scheduling_twice_is_invalid_state(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"])
    assert error_of(kms.schedule_key_deletion, KeyId=key["KeyId"]) == (
        "KMSInvalidStateException",
        f"{key['Arn']} is pending deletion.",
    )


def test_pending_deletion_refuses_changes_but_allows_reading(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"])
    for call, params in (
        (kms.enable_key, {}),
        (kms.disable_key, {}),
        (kms.update_key_description, {"Description": "d"}),
        (kms.tag_resource, {"Tags": [{"TagKey": "k", "TagValue": "v"}]}),
        (kms.enable_key_rotation, {}),
    ):
        assert error_code(call, KeyId=key["KeyId"], **params) == "KMSInvalidStateException"
    assert error_code(kms.create_alias, AliasName="alias/late", TargetKeyId=key["KeyId"]) == (
        "KMSInvalidStateException"
    )
    kms.get_key_policy(KeyId=key["KeyId"])
    kms.list_resource_tags(KeyId=key["KeyId"])
    kms.get_key_rotation_status(KeyId=key["KeyId"])


def test_realistic_teardown_of_custom_key_stores(kms: Any, kms_keystores: Any) -> None:
    """Page through ListKeys, find the keys in stores, delete them, then the stores."""
    hsm = connected_cloudhsm(kms)
    xks = connected_xks(kms)
    for _ in range(3):
        kms.create_key(CustomKeyStoreId=hsm, Origin="AWS_CLOUDHSM")
        kms.create_key()  # a standard key that must survive
    for n in range(2):
        kms.create_key(CustomKeyStoreId=xks, Origin="EXTERNAL_KEY_STORE", XksKeyId=f"ext-{n}")

    in_stores: list[str] = []
    for page in kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 2}):
        for entry in page["Keys"]:
            metadata = kms.describe_key(KeyId=entry["KeyId"])["KeyMetadata"]
            if metadata.get("CustomKeyStoreId") in (hsm, xks):
                in_stores.append(entry["KeyId"])
    assert len(in_stores) == 5
    for key_id in in_stores:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    for store_id in (hsm, xks):
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        assert error_code(kms.delete_custom_key_store, CustomKeyStoreId=store_id) == (
            "CustomKeyStoreHasCMKsException"
        )
    kms_keystores.advance(7 * 86400 + 1)
    for store_id in (hsm, xks):
        kms.delete_custom_key_store(CustomKeyStoreId=store_id)
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
    assert len(kms.list_keys()["Keys"]) == 3
