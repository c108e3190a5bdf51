"""DeriveSharedSecret (ECDH) and Encapsulate/Decapsulate (ML-KEM), checked with cryptography."""

from __future__ import annotations

from typing import Any

import pytest
from asymmetric_helpers import new_key, public_key
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from kms_helpers import error_code, error_of

import kmsmock

CURVES = {
    "ECC_NIST_P256": ec.SECP256R1,
    "ECC_NIST_P384": ec.SECP384R1,
    "ECC_NIST_P521": ec.SECP521R1,
}


def der(key: Any) -> bytes:
    return bytes(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


@pytest.mark.parametrize("spec", list(CURVES))
def test_ecdh_gives_the_shared_secret_a_local_peer_computes(kms: Any, spec: str) -> None:
    key = kms.create_key(KeySpec=spec, KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    peer = ec.generate_private_key(CURVES[spec]())
    answer = kms.derive_shared_secret(
        KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=der(peer.public_key())
    )
    assert answer["SharedSecret"] == peer.exchange(ec.ECDH(), public_key(kms, key["KeyId"]))
    assert (answer["KeyId"], answer["KeyOrigin"], answer["KeyAgreementAlgorithm"]) == (
        key["Arn"],
        "AWS_KMS",
        "ECDH",
    )


def test_two_kms_keys_agree_on_one_secret(kms: Any) -> None:
    alice, bob = (new_key(kms, "ECC_NIST_P384", "KEY_AGREEMENT") for _ in range(2))
    secrets = [
        kms.derive_shared_secret(
            KeyId=mine,
            KeyAgreementAlgorithm="ECDH",
            PublicKey=kms.get_public_key(KeyId=theirs)["PublicKey"],
        )["SharedSecret"]
        for mine, theirs in ((alice, bob), (bob, alice))
    ]
    assert secrets[0] == secrets[1] and len(secrets[0]) == 48


def test_a_peer_key_that_is_not_der_or_on_another_curve_is_refused(kms: Any) -> None:
    key_id = new_key(kms, "ECC_NIST_P256", "KEY_AGREEMENT")
    other_curve = der(ec.generate_private_key(ec.SECP384R1()).public_key())
    for peer in (b"InvalidPublicKey", other_curve):
        assert error_of(
            kms.derive_shared_secret, KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=peer
        ) == ("ValidationException", "")


def test_only_key_agreement_keys_derive_secrets(kms: Any) -> None:
    peer = der(ec.generate_private_key(ec.SECP256R1()).public_key())
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert error_of(
        kms.derive_shared_secret,
        KeyId=signing["KeyId"],
        KeyAgreementAlgorithm="ECDH",
        PublicKey=peer,
    ) == (
        "InvalidKeyUsageException",
        f"{signing['Arn']} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.",
    )
    key_id = new_key(kms, "ECC_NIST_P256", "KEY_AGREEMENT")
    kms.disable_key(KeyId=key_id)
    assert error_code(
        kms.derive_shared_secret, KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=peer
    ) == ("DisabledException")
    kms.enable_key(KeyId=key_id)
    assert error_code(
        kms.derive_shared_secret,
        KeyId=key_id,
        KeyAgreementAlgorithm="ECDH",
        PublicKey=peer,
        DryRun=True,
    ) == ("DryRunOperationException")
    with pytest.raises(kmsmock.UnimplementedOperationError, match="Recipient"):
        kms.derive_shared_secret(
            KeyId=key_id,
            KeyAgreementAlgorithm="ECDH",
            PublicKey=peer,
            Recipient={"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": b"d"},
        )


@pytest.mark.parametrize(("spec", "length"), [("ML_KEM_768", 1088), ("ML_KEM_1024", 1568)])
def test_ml_kem_encapsulation_and_decapsulation_agree(kms: Any, spec: str, length: int) -> None:
    key = kms.create_key(KeySpec=spec, KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"]
    params = {"KeyId": key["KeyId"], "EncapsulationAlgorithm": "ML_KEM"}
    sent = kms.encapsulate(**params)
    assert len(sent["SharedSecret"]) == 32 and len(sent["SharedSecretCiphertextBlob"]) == length
    received = kms.decapsulate(
        SharedSecretCiphertextBlob=sent["SharedSecretCiphertextBlob"], **params
    )
    assert received["SharedSecret"] == sent["SharedSecret"]
    assert received["KeyId"] == key["Arn"]
    # A sender outside KMS encapsulates with the public key from GetPublicKey.
    secret, ciphertext = public_key(kms, key["KeyId"]).encapsulate()
    assert (
        kms.decapsulate(SharedSecretCiphertextBlob=ciphertext, **params)["SharedSecret"] == secret
    )
    # Implicit rejection: an altered ciphertext of the right length gives another secret.
    altered = bytes([ciphertext[0] ^ 1]) + ciphertext[1:]
    rejected = kms.decapsulate(SharedSecretCiphertextBlob=altered, **params)["SharedSecret"]
    assert len(rejected) == 32 and rejected != secret
    assert error_of(kms.decapsulate, SharedSecretCiphertextBlob=ciphertext[:-1], **params) == (
        "InvalidCiphertextException",
        "",
    )


def test_ml_kem_512_is_refused_as_not_simulated_and_usage_is_checked(kms: Any) -> None:
    small = new_key(kms, "ML_KEM_512", "ENCAPSULATE_DECAPSULATE")
    with pytest.raises(kmsmock.UnimplementedOperationError, match="ML-KEM-512"):
        kms.encapsulate(KeyId=small, EncapsulationAlgorithm="ML_KEM")
    signing = new_key(kms, "ML_DSA_44", "SIGN_VERIFY")
    assert error_code(kms.encapsulate, KeyId=signing, EncapsulationAlgorithm="ML_KEM") == (
        "InvalidKeyUsageException"
    )
    key_id = new_key(kms, "ML_KEM_768", "ENCAPSULATE_DECAPSULATE")
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert error_code(kms.encapsulate, KeyId=key_id, EncapsulationAlgorithm="ML_KEM") == (
        "KMSInvalidStateException"
    )
