"""HMAC keys: GenerateMac and VerifyMac, checked against the standard library's hmac."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from asymmetric_helpers import new_key, stored_key
from kms_helpers import error_code, error_of

SIZES = {"224": 28, "256": 32, "384": 48, "512": 64}


@pytest.mark.parametrize("bits", list(SIZES))
def test_generate_mac_is_rfc_2104_hmac_under_the_keys_secret(kms: Any, bits: str) -> None:
    key = kms.create_key(KeySpec=f"HMAC_{bits}", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    secret = stored_key(key["KeyId"]).material  # no API shows it: read the simulation's record
    assert len(secret) == SIZES[bits]
    algorithm = f"HMAC_SHA_{bits}"
    answer = kms.generate_mac(KeyId=key["KeyId"], Message=b"message", MacAlgorithm=algorithm)
    assert answer["Mac"] == hmac.new(secret, b"message", getattr(hashlib, f"sha{bits}")).digest()
    assert (answer["KeyId"], answer["MacAlgorithm"]) == (key["Arn"], algorithm)
    verified = kms.verify_mac(
        KeyId=key["KeyId"], Message=b"message", MacAlgorithm=algorithm, Mac=answer["Mac"]
    )
    assert verified["MacValid"] is True


def test_a_wrong_mac_is_kms_invalid_mac(kms: Any) -> None:
    key_id = new_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")
    other = new_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")
    mac = kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    for key, message, candidate in (
        (key_id, b"n", mac),
        (key_id, b"m", mac[:-1]),
        (other, b"m", mac),
    ):
        assert error_of(
            kms.verify_mac, KeyId=key, Message=message, MacAlgorithm="HMAC_SHA_256", Mac=candidate
        ) == ("KMSInvalidMacException", "")


def test_the_algorithm_and_usage_must_fit_the_key(kms: Any) -> None:
    key_id = new_key(kms, "HMAC_224", "GENERATE_VERIFY_MAC")
    assert error_of(kms.generate_mac, KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256") == (
        "InvalidKeyUsageException",
        "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.",
    )
    symmetric = kms.create_key()["KeyMetadata"]
    assert error_of(
        kms.generate_mac, KeyId=symmetric["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_224"
    ) == (
        "InvalidKeyUsageException",
        f"{symmetric['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.",
    )
    assert error_code(kms.encrypt, KeyId=key_id, Plaintext=b"m") == "InvalidKeyUsageException"
    arn = stored_key(key_id).arn
    assert error_of(
        kms.sign, KeyId=key_id, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256"
    ) == (
        "InvalidKeyUsageException",
        f"{arn} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.",
    )


@pytest.mark.parametrize("operation", ["generate_mac", "verify_mac"])
def test_mac_operations_follow_the_key_state_and_dry_run(kms: Any, operation: str) -> None:
    key_id = new_key(kms, "HMAC_512", "GENERATE_VERIFY_MAC")
    params = {"KeyId": key_id, "Message": b"m", "MacAlgorithm": "HMAC_SHA_512"}
    if operation == "verify_mac":
        params["Mac"] = kms.generate_mac(**params)["Mac"]
    call = getattr(kms, operation)
    assert error_code(call, DryRun=True, **params) == "DryRunOperationException"
    kms.disable_key(KeyId=key_id)
    assert error_code(call, **params) == "DisabledException"
    kms.enable_key(KeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert error_code(call, **params) == "KMSInvalidStateException"


def test_no_repr_shows_an_hmac_secret(kms: Any, kms_keystores: Any) -> None:
    key_id = new_key(kms, "HMAC_384", "GENERATE_VERIFY_MAC")
    secret = stored_key(key_id).material
    assert secret.hex() not in repr(stored_key(key_id)) and repr(secret) not in repr(
        stored_key(key_id)
    )
    kms.generate_mac(KeyId=key_id, Message=b"secret message", MacAlgorithm="HMAC_SHA_384")
    assert kms_keystores.calls[-1].params["Message"] == "<redacted>"


def test_mac_operations_accept_an_alias_name_or_alias_arn(kms: Any) -> None:
    # GenerateMac's and VerifyMac's reference: "specify the key ARN or alias ARN in
    # the value of the KeyId parameter"; the Developer Guide: the KeyId of every
    # cryptographic operation "accepts an alias name or alias ARN".
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    kms.create_alias(AliasName="alias/mac-key", TargetKeyId=key["KeyId"])
    alias_arn = key["Arn"].replace(f"key/{key['KeyId']}", "alias/mac-key")
    params = {"Message": b"m", "MacAlgorithm": "HMAC_SHA_256"}
    for ref in ("alias/mac-key", alias_arn):
        answer = kms.generate_mac(KeyId=ref, **params)
        assert answer["KeyId"] == key["Arn"]
        verified = kms.verify_mac(KeyId=ref, Mac=answer["Mac"], **params)
        assert (verified["KeyId"], verified["MacValid"]) == (key["Arn"], True)
    assert error_code(kms.generate_mac, KeyId="alias/no-such-alias", **params) == (
        "NotFoundException"
    )
