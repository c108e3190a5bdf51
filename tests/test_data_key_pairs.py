"""GenerateDataKeyPair(WithoutPlaintext): the keys match, and Decrypt opens the private key."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mlkem, rsa
from cryptography.hazmat.primitives.serialization import load_der_private_key, load_der_public_key
from kms_helpers import connected_cloudhsm, error_code, error_of

import kmsmock

PAIRS = [
    ("RSA_2048", rsa.RSAPrivateKey),
    ("RSA_3072", rsa.RSAPrivateKey),
    ("RSA_4096", rsa.RSAPrivateKey),
    ("ECC_NIST_P256", ec.EllipticCurvePrivateKey),
    ("ECC_NIST_P384", ec.EllipticCurvePrivateKey),
    ("ECC_NIST_P521", ec.EllipticCurvePrivateKey),
    ("ECC_SECG_P256K1", ec.EllipticCurvePrivateKey),
    ("ECC_NIST_EDWARDS25519", ed25519.Ed25519PrivateKey),
    ("ML_KEM_768", mlkem.MLKEM768PrivateKey),
    ("ML_KEM_1024", mlkem.MLKEM1024PrivateKey),
]


def spki(key: Any) -> bytes:
    return bytes(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


@pytest.mark.parametrize(("spec", "kind"), PAIRS)
def test_the_pair_matches_and_decrypt_opens_the_private_key(
    kms: Any, spec: str, kind: type
) -> None:
    key = kms.create_key()["KeyMetadata"]
    context = {"purpose": "data key pair"}
    pair = kms.generate_data_key_pair(
        KeyId=key["KeyId"], KeyPairSpec=spec, EncryptionContext=context
    )
    private = load_der_private_key(pair["PrivateKeyPlaintext"], password=None)  # PKCS #8 DER
    assert isinstance(private, kind)
    assert spki(private.public_key()) == pair["PublicKey"]
    load_der_public_key(pair["PublicKey"])  # DER SubjectPublicKeyInfo
    assert (pair["KeyId"], pair["KeyPairSpec"]) == (key["Arn"], spec)
    assert pair["KeyMaterialId"] == key["CurrentKeyMaterialId"]
    opened = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext=context)
    assert opened["Plaintext"] == pair["PrivateKeyPlaintext"]
    assert error_code(kms.decrypt, CiphertextBlob=pair["PrivateKeyCiphertextBlob"]) == (
        "InvalidCiphertextException"
    )


def test_ml_kem_private_keys_are_in_seed_format(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    sizes = {
        len(kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec=spec)["PrivateKeyPlaintext"])
        for spec in ("ML_KEM_768", "ML_KEM_1024")
    }
    assert len(sizes) == 1  # "the same for all ML-KEM key pair specs"


def test_without_plaintext_gives_the_encrypted_private_key_only(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    pair = kms.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    assert "PrivateKeyPlaintext" not in pair
    private = load_der_private_key(
        kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"], password=None
    )
    assert spki(private.public_key()) == pair["PublicKey"]


def test_only_a_symmetric_key_outside_custom_key_stores_encrypts_the_pair(kms: Any) -> None:
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    assert error_of(kms.generate_data_key_pair, KeyId=rsa_key["KeyId"], KeyPairSpec="RSA_2048") == (
        "InvalidKeyUsageException",
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
    )
    hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    assert error_code(
        kms.generate_data_key_pair_without_plaintext,
        KeyId=hmac_key["KeyId"],
        KeyPairSpec="ECC_NIST_P256",
    ) == ("InvalidKeyUsageException")
    store_id = connected_cloudhsm(kms)
    in_store = kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")["KeyMetadata"]
    assert error_code(
        kms.generate_data_key_pair, KeyId=in_store["KeyId"], KeyPairSpec="ECC_NIST_P256"
    ) == ("UnsupportedOperationException")


def test_pairs_follow_the_key_state_and_dry_run(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    params = {"KeyId": key_id, "KeyPairSpec": "ECC_NIST_P256"}
    assert error_code(kms.generate_data_key_pair, DryRun=True, **params) == (
        "DryRunOperationException"
    )
    kms.disable_key(KeyId=key_id)
    assert error_code(kms.generate_data_key_pair, **params) == "DisabledException"
    kms.enable_key(KeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert error_code(kms.generate_data_key_pair_without_plaintext, **params) == (
        "KMSInvalidStateException"
    )


def test_sm2_and_ml_kem_512_pairs(make_client: Any) -> None:
    kms = make_client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert error_of(kms.generate_data_key_pair, KeyId=key_id, KeyPairSpec="SM2") == (
        "UnsupportedOperationException",
        "KeyPairSpec SM2 is not supported in this Region",
    )
    with pytest.raises(kmsmock.UnimplementedOperationError, match="KeyPairSpec ML_KEM_512"):
        kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ML_KEM_512")
    china = make_client(region="cn-north-1")
    china_key = china.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(kmsmock.UnimplementedOperationError, match="KeyPairSpec SM2"):
        china.generate_data_key_pair(KeyId=china_key, KeyPairSpec="SM2")
    assert error_code(china.generate_data_key_pair, KeyId=china_key, KeyPairSpec="ML_KEM_768") == (
        "UnsupportedOperationException"
    )


def test_the_plaintext_private_key_never_reaches_the_call_log(kms: Any, kms_keystores: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(kmsmock.UnimplementedOperationError):
        kms.generate_data_key_pair(
            KeyId=key_id,
            KeyPairSpec="ECC_NIST_P256",
            Recipient={"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": b"d"},
        )
    pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    assert pair["PrivateKeyPlaintext"].hex() not in repr(kms_keystores.calls)
