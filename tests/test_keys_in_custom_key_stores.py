"""KMS keys inside CloudHSM and external key stores, and how the store's state shows in them."""

from __future__ import annotations

from typing import Any

import pytest
from kms_helpers import (
    CLUSTER_ID,
    connected_cloudhsm,
    connected_xks,
    create_cloudhsm,
    error_code,
    error_of,
)


def hsm_key(kms: Any, store_id: str) -> dict[str, Any]:
    return dict(kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")["KeyMetadata"])


def test_a_cloudhsm_key_carries_store_and_cluster(kms: Any) -> None:
    store_id = connected_cloudhsm(kms)
    metadata = hsm_key(kms, store_id)
    assert metadata["Origin"] == "AWS_CLOUDHSM"
    assert metadata["CustomKeyStoreId"] == store_id
    assert metadata["CloudHsmClusterId"] == CLUSTER_ID
    assert "XksKeyConfiguration" not in metadata
    assert metadata["KeyState"] == "Enabled"


def test_an_external_key_carries_store_and_external_key_id(kms: Any) -> None:
    store_id = connected_xks(kms)
    metadata = kms.create_key(
        CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="ext-key-1"
    )["KeyMetadata"]
    assert metadata["Origin"] == "EXTERNAL_KEY_STORE"
    assert metadata["CustomKeyStoreId"] == store_id
    assert metadata["XksKeyConfiguration"] == {"Id": "ext-key-1"}
    assert "CloudHsmClusterId" not in metadata


def test_the_store_must_exist(kms: Any) -> None:
    assert (
        error_code(kms.create_key, CustomKeyStoreId="cks-1234567890abcdef0", Origin="AWS_CLOUDHSM")
        == "CustomKeyStoreNotFoundException"
    )


@pytest.mark.kms_keystores(connect_delay=None)
def test_the_store_must_be_connected(kms: Any, kms_keystores: Any) -> None:
    store_id = create_cloudhsm(kms)
    assert error_code(kms.create_key, CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM") == (
        "CustomKeyStoreInvalidStateException"
    )
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)  # CONNECTING
    assert error_code(kms.create_key, CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM") == (
        "CustomKeyStoreInvalidStateException"
    )
    kms_keystores.settle()
    hsm_key(kms, store_id)
    assert len(kms.list_keys()["Keys"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"Origin": "AWS_KMS"},
        {"Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "k"},
        {"Origin": "AWS_CLOUDHSM", "KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"},
        {"Origin": "AWS_CLOUDHSM", "KeyUsage": "GENERATE_VERIFY_MAC", "KeySpec": "HMAC_256"},
        {"Origin": "AWS_CLOUDHSM", "MultiRegion": True},
    ],
)
def test_only_matching_single_region_symmetric_keys(kms: Any, params: dict[str, Any]) -> None:
    store_id = connected_cloudhsm(kms)
    assert error_code(kms.create_key, CustomKeyStoreId=store_id, **params) == (
        "UnsupportedOperationException"
    )
    assert kms.list_keys()["Keys"] == []


def test_xks_key_id_is_required_for_external_and_refused_otherwise(kms: Any) -> None:
    xks = connected_xks(kms)
    assert error_code(kms.create_key, CustomKeyStoreId=xks, Origin="EXTERNAL_KEY_STORE") == (
        "ValidationException"
    )
    hsm = connected_cloudhsm(kms)
    assert (
        error_code(kms.create_key, CustomKeyStoreId=hsm, Origin="AWS_CLOUDHSM", XksKeyId="k")
        == "ValidationException"
    )


def test_an_external_key_backs_at_most_one_kms_key_per_store(kms: Any) -> None:
    store_id = connected_xks(kms)
    kms.create_key(CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="shared")
    assert (
        error_code(
            kms.create_key,
            CustomKeyStoreId=store_id,
            Origin="EXTERNAL_KEY_STORE",
            XksKeyId="shared",
        )
        == "XksKeyAlreadyInUseException"
    )


def test_the_cluster_needs_two_active_hsms(kms: Any, kms_keystores: Any) -> None:
    store_id = connected_cloudhsm(kms)
    kms_keystores.cloudhsm_cluster(CLUSTER_ID, hsms=1)
    assert error_code(kms.create_key, CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM") == (
        "CloudHsmClusterInvalidConfigurationException"
    )


def test_keys_are_unavailable_while_the_store_is_not_connected(kms: Any) -> None:
    store_id = connected_cloudhsm(kms)
    enabled = hsm_key(kms, store_id)
    disabled = hsm_key(kms, store_id)
    kms.disable_key(KeyId=disabled["KeyId"])
    doomed = hsm_key(kms, store_id)
    kms.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)

    def key_state(key: dict[str, Any]) -> str:
        return str(kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"])

    assert [key_state(k) for k in (enabled, disabled, doomed)] == [
        "Unavailable",
        "Unavailable",
        "PendingDeletion",
    ]
    assert kms.describe_key(KeyId=enabled["KeyId"])["KeyMetadata"]["Enabled"] is False
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert [key_state(k) for k in (enabled, disabled, doomed)] == [
        "Enabled",
        "Disabled",
        "PendingDeletion",
    ]


def test_crypto_on_an_unavailable_key_is_invalid_state_naming_the_arn(kms: Any) -> None:
    store_id = connected_cloudhsm(kms)
    key = hsm_key(kms, store_id)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    expected = ("KMSInvalidStateException", f"{key['Arn']} is unavailable.")
    assert error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p") == expected
    assert error_of(kms.decrypt, CiphertextBlob=blob) == expected
    assert error_of(kms.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256") == expected
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"


def test_enable_and_disable_while_unavailable_take_effect_on_reconnect(kms: Any) -> None:
    store_id = connected_cloudhsm(kms)
    key_id = hsm_key(kms, store_id)["KeyId"]
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.disable_key(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Unavailable"
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.enable_key(KeyId=key_id)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_cancel_key_deletion_works_while_disconnected(kms: Any) -> None:
    store_id = connected_cloudhsm(kms)
    key_id = hsm_key(kms, store_id)["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.cancel_key_deletion(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Unavailable"
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    # A cancelled deletion leaves the key Disabled, as in AWS.
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"


def test_external_keys_encrypt_twice_and_need_their_external_key(
    kms: Any, kms_keystores: Any
) -> None:
    store_id = connected_xks(kms)
    key = kms.create_key(CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="ext")[
        "KeyMetadata"
    ]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"outside aws")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"outside aws"
    proxy = kms_keystores.xks_proxy("https://xks.example.com")
    proxy.remove_key("ext")
    code, message = error_of(kms.decrypt, CiphertextBlob=blob)
    assert code == "KMSInvalidStateException"
    assert "was not found in its external key manager" in message
    # The same id with new material is another key: the old ciphertext stays unreadable.
    proxy.add_key("ext")
    assert error_code(kms.decrypt, CiphertextBlob=blob) == "KMSInvalidStateException"


def test_rotation_is_unsupported_in_custom_key_stores(kms: Any) -> None:
    store_id = connected_cloudhsm(kms)
    key = hsm_key(kms, store_id)
    for call in (kms.get_key_rotation_status, kms.enable_key_rotation, kms.disable_key_rotation):
        assert error_of(call, KeyId=key["KeyId"]) == (
            "UnsupportedOperationException",
            f"{key['Arn']} origin is AWS_CLOUDHSM which is not valid for this operation.",
        )


def test_generate_random_in_a_custom_key_store(kms: Any) -> None:
    hsm = create_cloudhsm(kms)
    assert error_code(kms.generate_random, NumberOfBytes=8, CustomKeyStoreId=hsm) == (
        "CustomKeyStoreInvalidStateException"
    )
    kms.connect_custom_key_store(CustomKeyStoreId=hsm)
    assert len(kms.generate_random(NumberOfBytes=8, CustomKeyStoreId=hsm)["Plaintext"]) == 8
    xks = connected_xks(kms)
    assert error_code(kms.generate_random, NumberOfBytes=8, CustomKeyStoreId=xks) == (
        "UnsupportedOperationException"
    )
    assert (
        error_code(kms.generate_random, NumberOfBytes=8, CustomKeyStoreId="cks-1234567890abcdef0")
        == "CustomKeyStoreNotFoundException"
    )


def test_a_store_with_keys_cannot_be_deleted(kms: Any) -> None:
    store_id = connected_cloudhsm(kms)
    key_id = hsm_key(kms, store_id)["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    # PendingDeletion keys still count.
    assert error_code(kms.delete_custom_key_store, CustomKeyStoreId=store_id) == (
        "CustomKeyStoreHasCMKsException"
    )
