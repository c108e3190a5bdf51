"""Sign and Verify: every signature checked with cryptography and GetPublicKey's public key.

The expected schemes (PSS with a salt as long as the hash, PKCS #1 v1.5,
DER ECDSA, Ed25519, pure ML-DSA) are written here from Sign's reference
text, and the checks use only ``cryptography``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from asymmetric_helpers import new_key, public_key
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, mldsa, padding, utils
from kms_helpers import error_code, error_of

import kmsmock

MESSAGE = b"a message to sign"
HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
CASES = [
    *[("RSA_2048", f"RSASSA_PSS_SHA_{bits}") for bits in ("256", "384", "512")],
    *[("RSA_3072", f"RSASSA_PKCS1_V1_5_SHA_{bits}") for bits in ("256", "384", "512")],
    ("ECC_NIST_P256", "ECDSA_SHA_256"),
    ("ECC_NIST_P384", "ECDSA_SHA_384"),
    ("ECC_NIST_P521", "ECDSA_SHA_512"),
    ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
]


def check_locally(key: Any, algorithm: str, signature: bytes, message: bytes, digest: bool) -> None:
    """Raise InvalidSignature unless ``signature`` is right, as a verifier outside KMS checks."""
    hash_type = HASHES[algorithm[-3:]]()
    chosen: Any = utils.Prehashed(hash_type) if digest else hash_type
    if algorithm.startswith("ECDSA"):
        key.verify(signature, message, ec.ECDSA(chosen))
    elif "PSS" in algorithm:
        pss = padding.PSS(mgf=padding.MGF1(hash_type), salt_length=hash_type.digest_size)
        key.verify(signature, message, pss, chosen)
    else:
        key.verify(signature, message, padding.PKCS1v15(), chosen)


@pytest.mark.parametrize(("spec", "algorithm"), CASES)
def test_signatures_verify_outside_kms_for_raw_messages_and_digests(
    kms: Any, spec: str, algorithm: str
) -> None:
    key_id = new_key(kms, spec, "SIGN_VERIFY")
    key = public_key(kms, key_id)
    digest = hashlib.new(f"sha{algorithm[-3:]}", MESSAGE).digest()
    raw = kms.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm=algorithm)
    assert raw["SigningAlgorithm"] == algorithm
    assert raw["KeyId"] == kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    check_locally(key, algorithm, raw["Signature"], MESSAGE, digest=False)
    signed_digest = kms.sign(
        KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm=algorithm
    )["Signature"]
    check_locally(key, algorithm, signed_digest, digest, digest=True)
    # A message and its digest are the same message to Verify.
    for message, message_type in ((MESSAGE, "RAW"), (digest, "DIGEST")):
        for signature in (raw["Signature"], signed_digest):
            answer = kms.verify(
                KeyId=key_id,
                Message=message,
                MessageType=message_type,
                Signature=signature,
                SigningAlgorithm=algorithm,
            )
            assert answer["SignatureValid"] is True


def test_ed25519_signs_raw_messages(kms: Any) -> None:
    key_id = new_key(kms, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
    signature = kms.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="ED25519_SHA_512")
    assert len(signature["Signature"]) == 64
    public_key(kms, key_id).verify(signature["Signature"], MESSAGE)
    assert error_of(
        kms.sign,
        KeyId=key_id,
        Message=hashlib.sha512(MESSAGE).digest(),
        MessageType="DIGEST",
        SigningAlgorithm="ED25519_SHA_512",
    ) == (
        "ValidationException",
        "Message type DIGEST is incompatible with signing algorithm ED25519_SHA_512.",
    )


def test_ed25519ph_is_checked_then_refused_as_not_simulated(kms: Any) -> None:
    key_id = new_key(kms, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
    params = {"KeyId": key_id, "SigningAlgorithm": "ED25519_PH_SHA_512"}
    assert error_code(kms.sign, Message=MESSAGE, **params) == "ValidationException"  # needs DIGEST
    assert error_code(kms.sign, Message=b"short", MessageType="DIGEST", **params) == (
        "ValidationException"
    )
    with pytest.raises(kmsmock.UnimplementedOperationError, match="Ed25519ph"):
        kms.sign(Message=hashlib.sha512(MESSAGE).digest(), MessageType="DIGEST", **params)


@pytest.mark.parametrize("spec", ["ML_DSA_44", "ML_DSA_65", "ML_DSA_87"])
def test_ml_dsa_signs_raw_messages_and_external_mu(kms: Any, spec: str) -> None:
    key_id = new_key(kms, spec, "SIGN_VERIFY")
    key = public_key(kms, key_id)
    params = {"KeyId": key_id, "SigningAlgorithm": "ML_DSA_SHAKE_256"}
    signature = kms.sign(Message=MESSAGE, **params)["Signature"]
    key.verify(signature, MESSAGE)
    hasher = mldsa.MLDSAMuHasher(key)
    hasher.update(MESSAGE)
    mu = hasher.finalize()
    from_mu = kms.sign(Message=mu, MessageType="EXTERNAL_MU", **params)["Signature"]
    key.verify(from_mu, MESSAGE)  # a signature of μ is a signature of the message
    kms.verify(Message=mu, MessageType="EXTERNAL_MU", Signature=signature, **params)
    assert error_of(kms.sign, Message=b"d" * 64, MessageType="DIGEST", **params) == (
        "ValidationException",
        f"Message type DIGEST is incompatible with key spec {spec}.",
    )
    assert error_code(kms.sign, Message=mu[:32], MessageType="EXTERNAL_MU", **params) == (
        "ValidationException"
    )


def test_external_mu_is_for_ml_dsa_keys_only(kms: Any) -> None:
    key_id = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    assert error_of(
        kms.sign,
        KeyId=key_id,
        Message=b"m" * 64,
        MessageType="EXTERNAL_MU",
        SigningAlgorithm="ECDSA_SHA_256",
    ) == (
        "ValidationException",
        "Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_P256.",
    )


@pytest.mark.parametrize(("spec", "algorithm"), [CASES[0], CASES[6]])
def test_a_digest_of_the_wrong_length_is_refused(kms: Any, spec: str, algorithm: str) -> None:
    key_id = new_key(kms, spec, "SIGN_VERIFY")
    for call in (kms.sign, kms.verify):
        extra = {"Signature": b"s"} if call == kms.verify else {}
        assert error_of(
            call,
            KeyId=key_id,
            Message=b"d" * 20,
            MessageType="DIGEST",
            SigningAlgorithm=algorithm,
            **extra,
        ) == ("ValidationException", f"Digest is invalid length for algorithm {algorithm}.")


def test_raw_messages_are_limited_to_4096_bytes(kms: Any) -> None:
    key_id = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    params = {"KeyId": key_id, "SigningAlgorithm": "ECDSA_SHA_256"}
    signature = kms.sign(Message=b"m" * 4096, **params)["Signature"]
    public_key(kms, key_id).verify(signature, b"m" * 4096, ec.ECDSA(hashes.SHA256()))
    assert error_code(kms.sign, Message=b"m" * 4097, **params) == "ValidationException"


def test_a_bad_signature_is_kms_invalid_signature(kms: Any) -> None:
    key_id = new_key(kms, "RSA_2048", "SIGN_VERIFY")
    other = new_key(kms, "RSA_2048", "SIGN_VERIFY")
    params = {"SigningAlgorithm": "RSASSA_PSS_SHA_256"}
    signature = kms.sign(KeyId=key_id, Message=MESSAGE, **params)["Signature"]
    tampered = signature[:-1] + bytes([signature[-1] ^ 1])
    for key, message, candidate, algorithm in (
        (key_id, MESSAGE + b"!", signature, "RSASSA_PSS_SHA_256"),
        (key_id, MESSAGE, tampered, "RSASSA_PSS_SHA_256"),
        (other, MESSAGE, signature, "RSASSA_PSS_SHA_256"),
        (key_id, MESSAGE, signature, "RSASSA_PKCS1_V1_5_SHA_256"),
    ):
        assert error_of(
            kms.verify, KeyId=key, Message=message, Signature=candidate, SigningAlgorithm=algorithm
        ) == ("KMSInvalidSignatureException", "")


def test_a_key_for_something_else_or_a_foreign_algorithm_is_invalid_key_usage(kms: Any) -> None:
    encrypting = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    assert error_of(
        kms.sign, KeyId=encrypting["KeyId"], Message=MESSAGE, SigningAlgorithm="RSASSA_PSS_SHA_256"
    ) == (
        "InvalidKeyUsageException",
        f"{encrypting['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for Sign.",
    )
    symmetric = kms.create_key()["KeyMetadata"]
    assert error_of(
        kms.verify,
        KeyId=symmetric["KeyId"],
        Message=MESSAGE,
        Signature=b"s",
        SigningAlgorithm="ECDSA_SHA_256",
    ) == (
        "InvalidKeyUsageException",
        f"{symmetric['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for Verify.",
    )
    p256 = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    assert error_of(kms.sign, KeyId=p256, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_384") == (
        "InvalidKeyUsageException",
        "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.",
    )


@pytest.mark.parametrize("operation", ["sign", "verify"])
def test_sign_and_verify_follow_the_key_state(kms: Any, operation: str) -> None:
    key_id = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    params = {"KeyId": key_id, "Message": MESSAGE, "SigningAlgorithm": "ECDSA_SHA_256"}
    if operation == "verify":
        params["Signature"] = kms.sign(**params)["Signature"]
    call = getattr(kms, operation)
    kms.disable_key(KeyId=key_id)
    assert error_code(call, **params) == "DisabledException"
    kms.enable_key(KeyId=key_id)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    code, message = error_of(call, **params)
    assert (code, message.endswith("is pending deletion.")) == ("KMSInvalidStateException", True)


def test_dry_run_checks_everything_and_signs_nothing(kms: Any, kms_keystores: Any) -> None:
    key_id = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    params = {"KeyId": key_id, "Message": MESSAGE, "SigningAlgorithm": "ECDSA_SHA_256"}
    assert error_code(kms.sign, DryRun=True, **params) == "DryRunOperationException"
    assert error_code(kms.sign, DryRun=True, **{**params, "SigningAlgorithm": "ECDSA_SHA_512"}) == (
        "InvalidKeyUsageException"
    )
    assert all(call.params.get("Message") in (None, "<redacted>") for call in kms_keystores.calls)
