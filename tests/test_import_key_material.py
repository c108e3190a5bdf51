"""Imported key material: CreateKey with Origin EXTERNAL, GetParametersForImport,
ImportKeyMaterial, DeleteImportedKeyMaterial, and expiry on the mock clock.

Each test makes its own AES key material, wraps it with ``cryptography`` and
the public key KMS handed out, and checks KMS's ciphertexts with that
material independently (docs/keys.md documents the blob format).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from kms_helpers import error_code, error_of
from material_helpers import (
    DAY,
    blob_material_id,
    external_key,
    frozen_wall_time,
    import_material,
    open_locally,
    parameters,
    seal_locally,
    wrap,
)
from test_docs_examples import python_blocks

import kmsmock

ALGORITHMS = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1"]
ALGORITHMS.append("RSA_AES_KEY_WRAP_SHA_256")


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[float]:
    with frozen_wall_time() as now:
        yield now


def metadata(kms: Any, key_id: str) -> dict[str, Any]:
    return dict(kms.describe_key(KeyId=key_id)["KeyMetadata"])


def test_a_key_for_imported_material_waits_for_it(kms: Any) -> None:
    key_id = external_key(kms)
    shown = metadata(kms, key_id)
    assert (shown["Origin"], shown["KeyState"], shown["Enabled"]) == (
        "EXTERNAL",
        "PendingImport",
        False,
    )
    for absent in ("CurrentKeyMaterialId", "ExpirationModel", "ValidTo"):
        assert absent not in shown
    code, message = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")
    assert (code, message) == ("KMSInvalidStateException", f"{shown['Arn']} is pending import.")
    assert error_code(kms.enable_key, KeyId=key_id) == "KMSInvalidStateException"
    assert error_code(kms.disable_key, KeyId=key_id) == "KMSInvalidStateException"


@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_3072", "RSA_4096"])
def test_the_wrapping_key_is_a_der_rsa_public_key_valid_for_24_hours(
    kms: Any, kms_keystores: Any, spec: str
) -> None:
    key_id = external_key(kms)
    answer = parameters(kms, key_id, spec=spec)
    public = serialization.load_der_public_key(answer["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == int(spec.removeprefix("RSA_"))
    assert answer["KeyId"] == metadata(kms, key_id)["Arn"]
    assert answer["ParametersValidTo"].timestamp() == kms_keystores.now() + DAY
    assert parameters(kms, key_id, spec=spec)["ImportToken"] != answer["ImportToken"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_imported_material_is_the_material_kms_encrypts_with(kms: Any, algorithm: str) -> None:
    material = os.urandom(32)
    key_id = external_key(kms)
    imported = import_material(kms, key_id, material, algorithm)
    shown = metadata(kms, key_id)
    assert (shown["KeyState"], shown["Enabled"]) == ("Enabled", True)
    assert shown["CurrentKeyMaterialId"] == imported["KeyMaterialId"]
    assert shown["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    assert "ValidTo" not in shown
    assert imported["KeyId"] == shown["Arn"]
    context = {"purpose": "import"}
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret", EncryptionContext=context)
    assert open_locally(blob["CiphertextBlob"], material, context) == b"secret"
    sealed = seal_locally(shown["Arn"], imported["KeyMaterialId"], material, b"mine")
    opened = kms.decrypt(CiphertextBlob=sealed)
    assert (opened["Plaintext"], opened["KeyMaterialId"]) == (b"mine", imported["KeyMaterialId"])


def test_the_material_id_follows_the_material_and_the_key(kms: Any) -> None:
    material = os.urandom(32)
    first, second = external_key(kms), external_key(kms)
    one = import_material(kms, first, material)["KeyMaterialId"]
    other = import_material(kms, second, material)["KeyMaterialId"]
    assert one != other  # AWS: distinct ids for the same material in different keys
    assert import_material(kms, first, material)["KeyMaterialId"] == one  # a reimport


def test_after_deletion_only_the_same_material_brings_the_key_back(kms: Any) -> None:
    material = os.urandom(32)
    key_id = external_key(kms, material)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
    deleted = kms.delete_imported_key_material(KeyId=key_id)
    assert deleted["KeyMaterialId"] == blob_material_id(blob)
    assert metadata(kms, key_id)["KeyState"] == "PendingImport"
    assert error_code(kms.decrypt, CiphertextBlob=blob) == "KMSInvalidStateException"
    other = os.urandom(32)
    refused = error_code(lambda: import_material(kms, key_id, other))
    assert refused == "IncorrectKeyMaterialException"
    assert metadata(kms, key_id)["KeyState"] == "PendingImport"  # the refusal changed nothing
    import_material(kms, key_id, material)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"before"
    assert metadata(kms, key_id)["KeyState"] == "Enabled"


def test_deleting_from_a_key_that_never_had_material_changes_nothing(kms: Any) -> None:
    key_id = external_key(kms)
    answer = kms.delete_imported_key_material(KeyId=key_id)
    assert "KeyMaterialId" not in answer
    assert metadata(kms, key_id)["KeyState"] == "PendingImport"
    unknown = "ab" * 32
    assert (
        error_code(kms.delete_imported_key_material, KeyId=key_id, KeyMaterialId=unknown)
        == "NotFoundException"
    )


def test_expiring_material_is_deleted_on_the_mock_clock(kms: Any, kms_keystores: Any) -> None:
    material = os.urandom(32)
    key_id = external_key(kms)
    valid_to = kms_keystores.now() + 3600
    import_material(kms, key_id, material, ValidTo=valid_to)
    shown = metadata(kms, key_id)
    assert shown["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert shown["ValidTo"].timestamp() == valid_to
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"data")["CiphertextBlob"]
    kms_keystores.advance(3599)
    assert metadata(kms, key_id)["KeyState"] == "Enabled"
    kms_keystores.advance(1)
    shown = metadata(kms, key_id)
    assert shown["KeyState"] == "PendingImport"
    assert "ExpirationModel" not in shown and "ValidTo" not in shown
    assert error_code(kms.decrypt, CiphertextBlob=blob) == "KMSInvalidStateException"
    import_material(kms, key_id, material)  # reimported, now without expiry
    kms_keystores.advance(400 * DAY)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"data"


def test_a_reimport_replaces_the_expiry(kms: Any, kms_keystores: Any) -> None:
    material = os.urandom(32)
    key_id = external_key(kms)
    import_material(kms, key_id, material, ValidTo=kms_keystores.now() + 60)
    import_material(kms, key_id, material, ValidTo=kms_keystores.now() + 7200)
    kms_keystores.advance(3600)
    assert metadata(kms, key_id)["KeyState"] == "Enabled"  # the first expiry no longer holds
    kms_keystores.advance(3600)
    assert metadata(kms, key_id)["KeyState"] == "PendingImport"


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ({}, "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"),
        ({"ValidTo": -1.0}, "future"),
        ({"ValidTo": 366 * DAY}, "365 days"),
        ({"ValidTo": 60.0, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}, "not valid"),
    ],
)
def test_the_expiry_must_make_sense(
    kms: Any, kms_keystores: Any, options: dict[str, Any], why: str
) -> None:
    key_id = external_key(kms)
    answer = parameters(kms, key_id)
    if "ValidTo" in options:
        options = {**options, "ValidTo": kms_keystores.now() + options["ValidTo"]}
    code, message = error_of(
        kms.import_key_material,
        KeyId=key_id,
        ImportToken=answer["ImportToken"],
        EncryptedKeyMaterial=wrap(answer["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_256"),
        **options,
    )
    assert code == "ValidationException" and why in message
    assert metadata(kms, key_id)["KeyState"] == "PendingImport"


def test_an_import_token_expires_after_24_hours(kms: Any, kms_keystores: Any) -> None:
    key_id = external_key(kms)
    answer = parameters(kms, key_id)
    wrapped = wrap(answer["PublicKey"], os.urandom(32), "RSAES_OAEP_SHA_256")
    request = {
        "KeyId": key_id,
        "ImportToken": answer["ImportToken"],
        "EncryptedKeyMaterial": wrapped,
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
    }
    kms_keystores.advance(DAY)
    assert error_code(kms.import_key_material, **request) == "ExpiredImportTokenException"
    assert metadata(kms, key_id)["KeyState"] == "PendingImport"


def test_a_token_works_only_for_its_own_key_and_wrapping_key(kms: Any) -> None:
    key_id, other_key = external_key(kms), external_key(kms)
    mine, theirs = parameters(kms, key_id), parameters(kms, other_key)
    material = os.urandom(32)

    def attempt(token: bytes, public: bytes) -> str:
        return error_code(
            kms.import_key_material,
            KeyId=key_id,
            ImportToken=token,
            EncryptedKeyMaterial=wrap(public, material, "RSAES_OAEP_SHA_256"),
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )

    assert attempt(theirs["ImportToken"], theirs["PublicKey"]) == "InvalidImportTokenException"
    assert attempt(b"not a token at all", mine["PublicKey"]) == "InvalidImportTokenException"
    tampered = mine["ImportToken"][:-1] + bytes([mine["ImportToken"][-1] ^ 1])
    assert attempt(tampered, mine["PublicKey"]) == "InvalidImportTokenException"
    # Material wrapped for another wrapping key does not unwrap with this token's.
    assert attempt(mine["ImportToken"], theirs["PublicKey"]) == "InvalidCiphertextException"
    assert metadata(kms, key_id)["KeyState"] == "PendingImport"


def test_the_material_must_be_a_256_bit_key(kms: Any) -> None:
    key_id = external_key(kms)
    code = error_code(lambda: import_material(kms, key_id, os.urandom(16)))
    assert code == "IncorrectKeyMaterialException"


@pytest.mark.parametrize(
    ("spec", "algorithm", "code"),
    [
        ("RSA_2048", "RSAES_PKCS1_V1_5", "UnsupportedOperationException"),  # since 2023-10-10
        ("SM2", "SM2PKE", "UnsupportedOperationException"),  # China Regions only
        ("SM2", "RSAES_OAEP_SHA_256", "ValidationException"),
        ("RSA_4096", "SM2PKE", "ValidationException"),
    ],
)
def test_wrapping_kms_does_not_offer_is_refused(
    kms: Any, spec: str, algorithm: str, code: str
) -> None:
    key_id = external_key(kms)
    assert error_code(lambda: parameters(kms, key_id, algorithm, spec)) == code


def test_only_keys_with_origin_external_take_imported_material(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    calls = [
        lambda: parameters(kms, key_id),
        lambda: kms.delete_imported_key_material(KeyId=key_id),
        lambda: kms.import_key_material(
            KeyId=key_id,
            ImportToken=b"t",
            EncryptedKeyMaterial=b"m",
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        ),
    ]
    for call in calls:
        code, message = error_of(call)
        assert code == "UnsupportedOperationException"
        assert "origin is AWS_KMS" in message


def test_import_operations_take_no_alias(kms: Any) -> None:
    key_id = external_key(kms)
    kms.create_alias(AliasName="alias/imported", TargetKeyId=key_id)
    assert error_code(lambda: parameters(kms, "alias/imported")) == "InvalidArnException"


def test_a_key_pending_deletion_keeps_its_state_when_its_material_goes(kms: Any) -> None:
    material = os.urandom(32)
    key_id = external_key(kms, material)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert error_code(lambda: parameters(kms, key_id)) == "KMSInvalidStateException"
    kms.delete_imported_key_material(KeyId=key_id)
    assert metadata(kms, key_id)["KeyState"] == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=key_id)
    assert metadata(kms, key_id)["KeyState"] == "PendingImport"
    import_material(kms, key_id, material)
    assert metadata(kms, key_id)["KeyState"] == "Enabled"


def test_a_disabled_key_whose_material_was_deleted_is_enabled_by_the_reimport(kms: Any) -> None:
    # ImportKeyMaterial: "When this operation is successful, the state of the KMS key
    # changes to Enabled."
    material = os.urandom(32)
    key_id = external_key(kms, material)
    kms.disable_key(KeyId=key_id)
    import_material(kms, key_id, material)  # a reimport of a key that lacks nothing
    assert metadata(kms, key_id)["KeyState"] == "Disabled"
    kms.delete_imported_key_material(KeyId=key_id)
    assert metadata(kms, key_id)["KeyState"] == "PendingImport"
    import_material(kms, key_id, material)
    assert metadata(kms, key_id)["KeyState"] == "Enabled"


def test_no_repr_shows_key_material_or_a_wrapping_key(kms: Any, kms_keystores: Any) -> None:
    import kmsmock.activation

    material = os.urandom(32)
    key_id = external_key(kms, material)
    parameters(kms, key_id)  # a wrapping key kept for a later import
    simulation = kmsmock.activation.current()
    assert simulation is not None
    key = simulation.kms.scopes[("123456789012", "us-east-1")].keys[key_id]
    shown = repr(key) + repr(key.materials.items) + repr(key.materials.import_parameters)
    assert material.hex() not in shown and repr(material) not in shown
    assert "private_key" not in shown and "secret" not in shown
    assert material.hex() not in repr(kms_keystores.calls)


def test_sm2_wrapping_in_a_china_region_is_not_simulated(make_client: Any) -> None:
    kms = make_client(region="cn-north-1")
    key_id = external_key(kms)
    with pytest.raises(kmsmock.UnimplementedOperationError, match="WrappingKeySpec SM2"):
        parameters(kms, key_id, "SM2PKE", "SM2")


def test_the_import_example_of_the_keys_page_runs(kms: Any, kms_keystores: Any) -> None:
    [block] = [b for b in python_blocks("keys.md") if "RSAES_OAEP_SHA_256" in b]
    namespace: dict[str, Any] = {"kms": kms, "ks": kms_keystores}
    exec(compile(block, "docs/keys.md", "exec"), namespace)
    assert metadata(kms, namespace["key_id"])["KeyState"] == "PendingImport"
    code = error_code(kms.decrypt, CiphertextBlob=namespace["blob"])
    assert code == "KMSInvalidStateException"
