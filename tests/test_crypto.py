"""Encrypt, Decrypt, ReEncrypt, data keys and GenerateRandom: real AES-256-GCM, AWS's errors."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from kms_helpers import error_code, error_of

CONTEXT = {"purpose": "test", "tenant": "t-1"}


@pytest.fixture
def key(kms: Any) -> dict[str, Any]:
    return dict(kms.create_key()["KeyMetadata"])


def test_encrypt_decrypt_round_trip_without_a_key_id(kms: Any, key: dict[str, Any]) -> None:
    answer = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"attack at dawn", EncryptionContext=CONTEXT)
    assert answer["KeyId"] == key["Arn"]
    assert answer["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    blob = answer["CiphertextBlob"]
    assert b"attack at dawn" not in blob
    plain = kms.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)
    assert plain["Plaintext"] == b"attack at dawn"
    assert plain["KeyId"] == key["Arn"]


def test_each_encryption_is_fresh(kms: Any, key: dict[str, Any]) -> None:
    first = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"same")["CiphertextBlob"]
    second = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"same")["CiphertextBlob"]
    assert first != second


def test_encrypt_accepts_every_key_reference(kms: Any, key: dict[str, Any]) -> None:
    kms.create_alias(AliasName="alias/crypto", TargetKeyId=key["KeyId"])
    refs = [
        key["KeyId"],
        key["Arn"],
        "alias/crypto",
        "arn:aws:kms:us-east-1:123456789012:alias/crypto",
    ]
    for ref in refs:
        blob = kms.encrypt(KeyId=ref, Plaintext=b"x")["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob, KeyId=ref)["Plaintext"] == b"x"


def test_the_encryption_context_is_authenticated(kms: Any, key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p", EncryptionContext=CONTEXT)[
        "CiphertextBlob"
    ]
    assert error_of(kms.decrypt, CiphertextBlob=blob) == ("InvalidCiphertextException", "")
    wrong = {**CONTEXT, "tenant": "t-2"}
    assert error_code(kms.decrypt, CiphertextBlob=blob, EncryptionContext=wrong) == (
        "InvalidCiphertextException"
    )


@pytest.mark.parametrize("position", [0, 10, -1, -20])
def test_a_tampered_blob_is_invalid_ciphertext(
    kms: Any, key: dict[str, Any], position: int
) -> None:
    blob = bytearray(kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"])
    blob[position] ^= 0x01
    assert error_code(kms.decrypt, CiphertextBlob=bytes(blob)) == "InvalidCiphertextException"


def test_garbage_and_truncated_blobs_are_invalid_ciphertext(kms: Any, key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    for bad in (b"x", b"\x00" * 64, blob[:30], blob[:-1]):
        assert error_code(kms.decrypt, CiphertextBlob=bad) == "InvalidCiphertextException"


def test_decrypt_with_another_key_is_incorrect_key(kms: Any, key: dict[str, Any]) -> None:
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    assert error_of(kms.decrypt, CiphertextBlob=blob, KeyId=other) == (
        "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )


def test_a_disabled_key_is_refused_with_disabled_exception(kms: Any, key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    kms.disable_key(KeyId=key["KeyId"])
    expected = ("DisabledException", f"{key['Arn']} is disabled.")
    assert error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p") == expected
    assert error_of(kms.decrypt, CiphertextBlob=blob) == expected
    assert error_of(kms.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256") == expected
    kms.enable_key(KeyId=key["KeyId"])
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"


def test_a_key_pending_deletion_is_invalid_state(kms: Any, key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    kms.schedule_key_deletion(KeyId=key["KeyId"])
    expected = ("KMSInvalidStateException", f"{key['Arn']} is pending deletion.")
    assert error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p") == expected
    assert error_of(kms.decrypt, CiphertextBlob=blob) == expected


def test_plaintext_limit_is_4096_bytes(lenient_kms: Any) -> None:
    key_id = lenient_kms.create_key()["KeyMetadata"]["KeyId"]
    lenient_kms.encrypt(KeyId=key_id, Plaintext=b"x" * 4096)
    assert error_of(lenient_kms.encrypt, KeyId=key_id, Plaintext=b"x" * 4097) == (
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096",
    )


def test_asymmetric_algorithms_are_refused_for_symmetric_keys(
    kms: Any, key: dict[str, Any]
) -> None:
    assert (
        error_code(
            kms.encrypt,
            KeyId=key["KeyId"],
            Plaintext=b"p",
            EncryptionAlgorithm="RSAES_OAEP_SHA_256",
        )
        == "InvalidKeyUsageException"
    )


def test_re_encrypt_moves_a_ciphertext_to_another_key(kms: Any, key: dict[str, Any]) -> None:
    destination = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"move me", EncryptionContext=CONTEXT)[
        "CiphertextBlob"
    ]
    moved = kms.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext=CONTEXT,
        DestinationKeyId=destination["KeyId"],
        DestinationEncryptionContext={"new": "context"},
    )
    assert (moved["SourceKeyId"], moved["KeyId"]) == (key["Arn"], destination["Arn"])
    plain = kms.decrypt(
        CiphertextBlob=moved["CiphertextBlob"], EncryptionContext={"new": "context"}
    )
    assert (plain["Plaintext"], plain["KeyId"]) == (b"move me", destination["Arn"])
    assert (
        error_code(
            kms.re_encrypt,
            CiphertextBlob=blob,
            SourceEncryptionContext=CONTEXT,
            SourceKeyId=destination["KeyId"],
            DestinationKeyId=destination["KeyId"],
        )
        == "IncorrectKeyException"
    )


@pytest.mark.parametrize(
    ("params", "size"),
    [({"KeySpec": "AES_256"}, 32), ({"KeySpec": "AES_128"}, 16), ({"NumberOfBytes": 64}, 64)],
)
def test_generate_data_key(
    kms: Any, key: dict[str, Any], params: dict[str, Any], size: int
) -> None:
    answer = kms.generate_data_key(KeyId=key["KeyId"], EncryptionContext=CONTEXT, **params)
    assert len(answer["Plaintext"]) == size
    assert answer["KeyId"] == key["Arn"]
    opened = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert opened["Plaintext"] == answer["Plaintext"]


def test_generate_data_key_without_plaintext(kms: Any, key: dict[str, Any]) -> None:
    answer = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], KeySpec="AES_256")
    assert "Plaintext" not in answer
    assert len(kms.decrypt(CiphertextBlob=answer["CiphertextBlob"])["Plaintext"]) == 32


def test_data_key_needs_exactly_one_of_spec_and_size(kms: Any, key: dict[str, Any]) -> None:
    assert error_code(kms.generate_data_key, KeyId=key["KeyId"]) == "ValidationException"
    assert (
        error_code(kms.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256", NumberOfBytes=32)
        == "ValidationException"
    )


def test_dry_run_checks_everything_and_changes_nothing(kms: Any, key: dict[str, Any]) -> None:
    code, _ = error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p", DryRun=True)
    assert code == "DryRunOperationException"
    kms.disable_key(KeyId=key["KeyId"])
    assert error_code(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p", DryRun=True) == (
        "DisabledException"
    )


def test_generate_random(kms: Any, lenient_kms: Any) -> None:
    first = kms.generate_random(NumberOfBytes=1024)["Plaintext"]
    assert len(first) == 1024
    assert first != kms.generate_random(NumberOfBytes=1024)["Plaintext"]
    assert error_of(lenient_kms.generate_random, NumberOfBytes=1025) == (
        "ValidationException",
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy "
        "constraint: Member must have value less than or equal to 1024",
    )
    assert error_code(lenient_kms.generate_random, NumberOfBytes=0) == "ValidationException"
    assert error_of(lenient_kms.generate_random) == (
        "ValidationException",
        "NumberOfBytes is required.",
    )


def test_plaintexts_never_reach_the_call_log(
    kms: Any, key: dict[str, Any], kms_keystores: Any
) -> None:
    secret = b"the plaintext nobody may log"
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=secret)["CiphertextBlob"]
    data_key = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")["Plaintext"]
    kms.decrypt(CiphertextBlob=blob)
    logged = repr(kms_keystores.calls)
    for value in (secret, base64.b64encode(secret), data_key, base64.b64encode(data_key)):
        assert repr(value)[2:-1] not in logged
    encrypt_call = next(c for c in kms_keystores.calls if c.operation == "Encrypt")
    assert encrypt_call.params["Plaintext"] == "<redacted>"


def test_cross_account_decrypt_by_blob(make_client: Any) -> None:
    owner = make_client(account="111111111111")
    key = owner.create_key()["KeyMetadata"]
    blob = owner.encrypt(KeyId=key["KeyId"], Plaintext=b"shared")["CiphertextBlob"]
    other = make_client(account="222222222222")
    assert other.decrypt(CiphertextBlob=blob)["Plaintext"] == b"shared"
    assert other.encrypt(KeyId=key["Arn"], Plaintext=b"x")["KeyId"] == key["Arn"]
    # Another region cannot use the blob.
    assert error_code(
        make_client(account="111111111111", region="eu-west-1").decrypt, CiphertextBlob=blob
    ) == ("InvalidCiphertextException")


def test_crypto_with_an_unknown_key_is_not_found(kms: Any) -> None:
    missing = "11111111-2222-3333-4444-555555555555"
    for call, params in (
        (kms.encrypt, {"KeyId": missing, "Plaintext": b"p"}),
        (kms.generate_data_key, {"KeyId": missing, "KeySpec": "AES_256"}),
        (kms.encrypt, {"KeyId": "alias/none", "Plaintext": b"p"}),
    ):
        assert error_code(call, **params) == "NotFoundException"


def test_a_blob_moved_onto_another_key_is_invalid_ciphertext(kms: Any, key: dict[str, Any]) -> None:
    other = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    # Same length ARNs: swap the key the blob names, keep everything else.
    forged = blob.replace(key["Arn"].encode(), other["Arn"].encode())
    assert forged != blob
    assert error_code(kms.decrypt, CiphertextBlob=forged) == "InvalidCiphertextException"
    assert error_code(kms.decrypt, CiphertextBlob=forged, KeyId=other["KeyId"]) == (
        "InvalidCiphertextException"
    )


def test_a_blob_whose_header_names_its_key_another_way_is_invalid_ciphertext(
    kms: Any, key: dict[str, Any]
) -> None:
    # Another partition in the ARN still parses to the same account, region and
    # key id; KMS's blobs are opaque, so any change to one must fail to open.
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    arn = key["Arn"].encode()
    other = arn.replace(b"arn:aws:", b"arn:aws-cn:")
    start = blob.index(arn)
    size = start - 2  # the ARN's length, two bytes, comes just before it
    forged = blob[:size] + len(other).to_bytes(2, "big") + other + blob[start + len(arn) :]
    assert error_code(kms.decrypt, CiphertextBlob=forged) == "InvalidCiphertextException"
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"
