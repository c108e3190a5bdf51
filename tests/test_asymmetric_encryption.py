"""Encrypt, Decrypt and ReEncrypt with RSA keys: RSAES-OAEP, checked against cryptography.

No private key leaves KMS, so the checks go the other way: a ciphertext
made locally with GetPublicKey's public key must decrypt in KMS, and KMS's
own ciphertext must be as long as the modulus and round-trip.
"""

from __future__ import annotations

from typing import Any

import pytest
from asymmetric_helpers import new_key, public_key
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from kms_helpers import error_code, error_of

OAEP = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}
# RFC 8017: k - 2·hLen - 2 bytes, the limits the Encrypt reference lists.
LIMITS = {
    ("RSA_2048", "RSAES_OAEP_SHA_1"): 214,
    ("RSA_2048", "RSAES_OAEP_SHA_256"): 190,
    ("RSA_3072", "RSAES_OAEP_SHA_1"): 342,
    ("RSA_3072", "RSAES_OAEP_SHA_256"): 318,
    ("RSA_4096", "RSAES_OAEP_SHA_1"): 470,
    ("RSA_4096", "RSAES_OAEP_SHA_256"): 446,
}


def local_oaep(algorithm: str) -> padding.OAEP:
    digest = OAEP[algorithm]()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


@pytest.mark.parametrize(("spec", "algorithm"), list(LIMITS))
def test_kms_decrypts_what_the_public_key_encrypted_up_to_the_limit(
    kms: Any, spec: str, algorithm: str
) -> None:
    key_id = new_key(kms, spec, "ENCRYPT_DECRYPT")
    limit = LIMITS[(spec, algorithm)]
    plaintext = bytes(range(256)) * 2
    local = public_key(kms, key_id).encrypt(plaintext[:limit], local_oaep(algorithm))
    answer = kms.decrypt(KeyId=key_id, CiphertextBlob=local, EncryptionAlgorithm=algorithm)
    assert answer["Plaintext"] == plaintext[:limit]
    assert answer["EncryptionAlgorithm"] == algorithm
    assert "KeyMaterialId" not in answer  # only for symmetric encryption keys
    made = kms.encrypt(KeyId=key_id, Plaintext=plaintext[:limit], EncryptionAlgorithm=algorithm)
    assert made["EncryptionAlgorithm"] == algorithm
    assert len(made["CiphertextBlob"]) == int(spec[4:]) // 8  # raw RSA: the modulus's length
    assert made["CiphertextBlob"] != local  # OAEP is randomised
    assert (
        kms.decrypt(
            KeyId=key_id, CiphertextBlob=made["CiphertextBlob"], EncryptionAlgorithm=algorithm
        )["Plaintext"]
        == plaintext[:limit]
    )
    assert error_of(
        kms.encrypt, KeyId=key_id, Plaintext=plaintext[: limit + 1], EncryptionAlgorithm=algorithm
    ) == (
        "ValidationException",
        f"Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {limit} bytes.",
    )


def test_decrypt_needs_the_key_and_the_algorithm_of_the_ciphertext(kms: Any) -> None:
    key_id = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")
    other = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret", EncryptionAlgorithm="RSAES_OAEP_SHA_1")[
        "CiphertextBlob"
    ]
    assert error_of(kms.decrypt, CiphertextBlob=blob) == ("InvalidCiphertextException", "")
    for key, algorithm in ((key_id, "RSAES_OAEP_SHA_256"), (other, "RSAES_OAEP_SHA_1")):
        assert error_of(
            kms.decrypt, KeyId=key, CiphertextBlob=blob, EncryptionAlgorithm=algorithm
        ) == ("InvalidCiphertextException", "")
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert error_of(kms.decrypt, KeyId=key_id, CiphertextBlob=blob) == (
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
    )
    assert (
        kms.decrypt(KeyId=arn, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_1")["KeyId"]
        == arn
    )


def test_encrypt_with_an_rsa_key_needs_one_of_its_algorithms(kms: Any) -> None:
    key_id = new_key(kms, "RSA_3072", "ENCRYPT_DECRYPT")
    expected = (
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_3072.",
    )
    assert error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x") == expected
    assert (
        error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x", EncryptionAlgorithm="SYMMETRIC_DEFAULT")
        == expected
    )
    symmetric = kms.create_key()["KeyMetadata"]["KeyId"]
    assert error_code(
        kms.encrypt, KeyId=symmetric, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    ) == ("InvalidKeyUsageException")
    assert error_code(
        kms.encrypt,
        KeyId=key_id,
        Plaintext=b"x",
        EncryptionAlgorithm="RSAES_OAEP_SHA_256",
        EncryptionContext={"purpose": "test"},
    ) == ("ValidationException")


def test_a_signing_key_cannot_encrypt_and_rsa_keys_make_no_data_keys(kms: Any) -> None:
    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert error_of(
        kms.encrypt, KeyId=signing["KeyId"], Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_1"
    ) == (
        "InvalidKeyUsageException",
        f"{signing['Arn']} key usage is SIGN_VERIFY which is not valid for Encrypt.",
    )
    encrypting = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")
    for call in (kms.generate_data_key, kms.generate_data_key_without_plaintext):
        assert error_of(call, KeyId=encrypting, KeySpec="AES_256") == (
            "InvalidKeyUsageException",
            "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
        )
    hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    assert error_of(kms.generate_data_key, KeyId=hmac_key["KeyId"], KeySpec="AES_256") == (
        "InvalidKeyUsageException",
        f"{hmac_key['Arn']} key usage is GENERATE_VERIFY_MAC which is not valid for "
        "GenerateDataKey.",
    )


def test_re_encrypt_moves_data_between_rsa_and_symmetric_keys(kms: Any) -> None:
    rsa_key = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")
    symmetric = kms.create_key()["KeyMetadata"]["KeyId"]
    local = public_key(kms, rsa_key).encrypt(b"moving", local_oaep("RSAES_OAEP_SHA_256"))
    to_symmetric = kms.re_encrypt(
        CiphertextBlob=local,
        SourceKeyId=rsa_key,
        SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
        DestinationKeyId=symmetric,
    )
    assert to_symmetric["SourceEncryptionAlgorithm"] == "RSAES_OAEP_SHA_256"
    assert to_symmetric["DestinationEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert "SourceKeyMaterialId" not in to_symmetric and "DestinationKeyMaterialId" in to_symmetric
    assert kms.decrypt(CiphertextBlob=to_symmetric["CiphertextBlob"])["Plaintext"] == b"moving"
    back = kms.re_encrypt(
        CiphertextBlob=to_symmetric["CiphertextBlob"],
        DestinationKeyId=rsa_key,
        DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1",
    )
    assert len(back["CiphertextBlob"]) == 256
    assert (
        kms.decrypt(
            KeyId=rsa_key,
            CiphertextBlob=back["CiphertextBlob"],
            EncryptionAlgorithm="RSAES_OAEP_SHA_1",
        )["Plaintext"]
        == b"moving"
    )
    assert error_code(
        kms.re_encrypt, CiphertextBlob=to_symmetric["CiphertextBlob"], DestinationKeyId=rsa_key
    ) == ("InvalidKeyUsageException")


def test_rsa_encryption_follows_the_key_state(kms: Any) -> None:
    key_id = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")
    params = {"KeyId": key_id, "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}
    blob = kms.encrypt(Plaintext=b"x", **params)["CiphertextBlob"]
    kms.disable_key(KeyId=key_id)
    assert error_code(kms.encrypt, Plaintext=b"x", **params) == "DisabledException"
    assert error_code(kms.decrypt, CiphertextBlob=blob, **params) == "DisabledException"
    kms.enable_key(KeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert error_code(kms.decrypt, CiphertextBlob=blob, **params) == "KMSInvalidStateException"


def test_a_dry_run_decrypt_with_an_rsa_key_checks_the_algorithm(kms: Any) -> None:
    key_id = new_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")
    dry = {"KeyId": key_id, "DryRun": True, "DryRunModifiers": ["IGNORE_CIPHERTEXT"]}
    assert error_code(kms.decrypt, EncryptionAlgorithm="RSAES_OAEP_SHA_1", **dry) == (
        "DryRunOperationException"
    )
    assert error_code(kms.decrypt, **dry) == "InvalidKeyUsageException"
