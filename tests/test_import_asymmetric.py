"""Imported key material for asymmetric (RSA, ECC) and HMAC keys.

Each test makes its own private key or HMAC secret with ``cryptography`` (or
``os.urandom``), wraps it as the Developer Guide says (material_helpers), and
checks what KMS does with it against its own key: signatures verify with the
test's public key, GetPublicKey answers exactly that key, MACs equal
``hmac``'s.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from kms_helpers import error_code, error_of
from material_helpers import frozen_wall_time, parameters, wrap
from test_docs_examples import python_blocks

import kmsmock

AES_WRAP = ("RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256")
OAEP = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
NEVER = {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[float]:
    with frozen_wall_time() as now:
        yield now


def pkcs8(private: Any, form: Any = serialization.PrivateFormat.PKCS8) -> bytes:
    """The private key as unencrypted DER (PKCS #8 unless ``form`` says otherwise)."""
    der: bytes = private.private_bytes(
        serialization.Encoding.DER, form, serialization.NoEncryption()
    )
    return der


def spki(public: Any) -> bytes:
    """The public key as DER SubjectPublicKeyInfo."""
    der: bytes = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def new_key(kms: Any, spec: str, usage: str) -> str:
    """A key with Origin EXTERNAL of ``spec`` and ``usage``; its id."""
    answer = kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)
    return str(answer["KeyMetadata"]["KeyId"])


def send(
    kms: Any,
    key_id: str,
    material: bytes,
    algorithm: str = "RSA_AES_KEY_WRAP_SHA_256",
    wrapping_spec: str = "RSA_4096",
    **options: Any,
) -> dict[str, Any]:
    """Wrap ``material`` for the key and import it (never expiring unless ``options`` say)."""
    answer = parameters(kms, key_id, algorithm, wrapping_spec)
    if "ValidTo" not in options:
        options = {**NEVER, **options}
    return dict(
        kms.import_key_material(
            KeyId=key_id,
            ImportToken=answer["ImportToken"],
            EncryptedKeyMaterial=wrap(answer["PublicKey"], material, algorithm),
            **options,
        )
    )


def state(kms: Any, key_id: str) -> str:
    return str(kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"])


@pytest.mark.parametrize("algorithm", AES_WRAP)
def test_an_imported_rsa_key_signs_with_the_test_s_private_key(kms: Any, algorithm: str) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_id = new_key(kms, "RSA_2048", "SIGN_VERIFY")
    assert state(kms, key_id) == "PendingImport"
    assert error_code(kms.get_public_key, KeyId=key_id) == "KMSInvalidStateException"
    send(kms, key_id, pkcs8(private), algorithm)
    assert state(kms, key_id) == "Enabled"
    assert kms.get_public_key(KeyId=key_id)["PublicKey"] == spki(private.public_key())
    message = b"signed by imported material"
    signature = kms.sign(KeyId=key_id, Message=message, SigningAlgorithm="RSASSA_PSS_SHA_256")[
        "Signature"
    ]
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    private.public_key().verify(signature, message, pss, hashes.SHA256())  # raises if not
    local = private.sign(message, padding.PKCS1v15(), hashes.SHA384())
    verified = kms.verify(
        KeyId=key_id,
        Message=message,
        Signature=local,
        SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_384",
    )
    assert verified["SignatureValid"] is True


def test_an_imported_rsa_key_encrypts_and_decrypts_with_the_test_s_key_pair(kms: Any) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    key_id = new_key(kms, "RSA_3072", "ENCRYPT_DECRYPT")
    send(kms, key_id, pkcs8(private), "RSA_AES_KEY_WRAP_SHA_1", "RSA_2048")
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"to me", EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert private.decrypt(blob["CiphertextBlob"], oaep) == b"to me"
    mine = private.public_key().encrypt(b"to kms", oaep)
    answer = kms.decrypt(
        KeyId=key_id, CiphertextBlob=mine, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )
    assert answer["Plaintext"] == b"to kms"


@pytest.mark.parametrize(
    ("spec", "curve", "digest", "algorithm"),
    [
        ("ECC_NIST_P256", ec.SECP256R1(), hashes.SHA256(), "RSAES_OAEP_SHA_256"),
        ("ECC_NIST_P384", ec.SECP384R1(), hashes.SHA384(), "RSAES_OAEP_SHA_1"),
        ("ECC_NIST_P521", ec.SECP521R1(), hashes.SHA512(), "RSA_AES_KEY_WRAP_SHA_256"),
        ("ECC_SECG_P256K1", ec.SECP256K1(), hashes.SHA256(), "RSA_AES_KEY_WRAP_SHA_1"),
    ],
)
def test_an_imported_ecc_key_signs_with_the_test_s_private_key(
    kms: Any, spec: str, curve: ec.EllipticCurve, digest: hashes.HashAlgorithm, algorithm: str
) -> None:
    private = ec.generate_private_key(curve)
    key_id = new_key(kms, spec, "SIGN_VERIFY")
    send(kms, key_id, pkcs8(private), algorithm, "RSA_2048" if "AES" in algorithm else "RSA_3072")
    assert kms.get_public_key(KeyId=key_id)["PublicKey"] == spki(private.public_key())
    signing = f"ECDSA_SHA_{digest.digest_size * 8}"
    signature = kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm=signing)["Signature"]
    private.public_key().verify(signature, b"m", ec.ECDSA(digest))  # raises if not


def test_an_imported_ecc_key_agrees_the_test_s_shared_secret(kms: Any) -> None:
    private = ec.generate_private_key(ec.SECP384R1())
    peer = ec.generate_private_key(ec.SECP384R1())
    key_id = new_key(kms, "ECC_NIST_P384", "KEY_AGREEMENT")
    send(kms, key_id, pkcs8(private))
    answer = kms.derive_shared_secret(
        KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=spki(peer.public_key())
    )
    assert answer["SharedSecret"] == peer.exchange(ec.ECDH(), private.public_key())


@pytest.mark.parametrize(
    ("spec", "size", "hash_name"),
    [("HMAC_224", 28, "sha224"), ("HMAC_256", 64, "sha256"), ("HMAC_384", 100, "sha384")],
)
def test_an_imported_hmac_key_macs_with_the_test_s_secret(
    kms: Any, spec: str, size: int, hash_name: str
) -> None:
    secret = os.urandom(size)
    key_id = new_key(kms, spec, "GENERATE_VERIFY_MAC")
    send(kms, key_id, secret, "RSAES_OAEP_SHA_256", "RSA_2048")
    algorithm = f"HMAC_SHA_{spec[5:]}"
    mac = kms.generate_mac(KeyId=key_id, Message=b"msg", MacAlgorithm=algorithm)["Mac"]
    assert mac == hmac.new(secret, b"msg", getattr(hashlib, hash_name)).digest()
    assert kms.verify_mac(KeyId=key_id, Message=b"msg", MacAlgorithm=algorithm, Mac=mac)["MacValid"]


@pytest.mark.parametrize(
    ("spec", "usage", "wrapping_spec", "algorithm"),
    [
        *[("RSA_2048", "SIGN_VERIFY", "RSA_4096", a) for a in OAEP],
        ("RSA_4096", "ENCRYPT_DECRYPT", "RSA_4096", "RSAES_OAEP_SHA_256"),
        *[("ECC_NIST_P521", "SIGN_VERIFY", "RSA_2048", a) for a in OAEP],
    ],
)
def test_a_wrapping_algorithm_that_cannot_carry_the_material_is_refused(
    kms: Any, spec: str, usage: str, wrapping_spec: str, algorithm: str
) -> None:
    key_id = new_key(kms, spec, usage)
    code, message = error_of(
        kms.get_parameters_for_import,
        KeyId=key_id,
        WrappingAlgorithm=algorithm,
        WrappingKeySpec=wrapping_spec,
    )
    assert code == "UnsupportedOperationException"
    assert "RSA_AES_KEY_WRAP" in message


def test_ecc_p521_material_fits_rsaes_oaep_under_a_longer_wrapping_key(kms: Any) -> None:
    private = ec.generate_private_key(ec.SECP521R1())
    key_id = new_key(kms, "ECC_NIST_P521", "SIGN_VERIFY")
    send(kms, key_id, pkcs8(private), "RSAES_OAEP_SHA_256", "RSA_3072")
    assert state(kms, key_id) == "Enabled"


def _wrong_materials() -> list[tuple[str, str, bytes]]:
    rsa_2048 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    p384 = ec.generate_private_key(ec.SECP384R1())
    p256 = ec.generate_private_key(ec.SECP256R1())
    return [
        ("RSA_3072", "SIGN_VERIFY", pkcs8(rsa_2048)),  # too small
        ("RSA_2048", "SIGN_VERIFY", pkcs8(p256)),  # not RSA
        (
            "RSA_2048",
            "SIGN_VERIFY",
            pkcs8(rsa_2048, serialization.PrivateFormat.TraditionalOpenSSL),
        ),
        ("ECC_NIST_P256", "SIGN_VERIFY", pkcs8(p384)),  # another curve
        (
            "ECC_NIST_P256",
            "SIGN_VERIFY",
            pkcs8(p256, serialization.PrivateFormat.TraditionalOpenSSL),
        ),
        ("ECC_SECG_P256K1", "SIGN_VERIFY", pkcs8(p256)),
        ("ECC_NIST_P256", "SIGN_VERIFY", os.urandom(32)),  # not DER at all
        ("HMAC_256", "GENERATE_VERIFY_MAC", os.urandom(31)),
        ("HMAC_256", "GENERATE_VERIFY_MAC", os.urandom(65)),
        ("HMAC_512", "GENERATE_VERIFY_MAC", os.urandom(63)),
        ("HMAC_224", "GENERATE_VERIFY_MAC", os.urandom(27)),
    ]


@pytest.mark.parametrize("case", range(len(_wrong_materials())))
def test_material_that_does_not_fit_the_key_spec_is_refused_and_changes_nothing(
    kms: Any, case: int
) -> None:
    spec, usage, material = _wrong_materials()[case]
    key_id = new_key(kms, spec, usage)
    before = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    code = error_code(lambda: send(kms, key_id, material))
    assert code == "IncorrectKeyMaterialException"
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"] == before


@pytest.mark.parametrize(
    "option",
    [
        {"ImportType": "NEW_KEY_MATERIAL"},
        {"ImportType": "EXISTING_KEY_MATERIAL"},
        {"KeyMaterialId": "ab" * 32},
        {"KeyMaterialDescription": "mine"},
    ],
)
def test_symmetric_only_parameters_are_refused_for_other_keys(kms: Any, option: Any) -> None:
    key_id = new_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")
    code, message = error_of(
        lambda: send(kms, key_id, os.urandom(32), "RSAES_OAEP_SHA_1", **option)
    )
    assert code == "ValidationException"
    assert "symmetric" in message
    assert state(kms, key_id) == "PendingImport"


def test_only_the_same_private_key_may_be_reimported(kms: Any, kms_keystores: Any) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    key_id = new_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    answer = send(kms, key_id, pkcs8(private), ValidTo=kms_keystores.now() + 3600)
    shown = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert shown["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert "CurrentKeyMaterialId" not in shown  # asymmetric material does not rotate
    other = ec.generate_private_key(ec.SECP256R1())
    code = error_code(lambda: send(kms, key_id, pkcs8(other)))
    assert code == "IncorrectKeyMaterialException"
    kms_keystores.advance(3600)  # the material expires
    assert state(kms, key_id) == "PendingImport"
    assert error_code(kms.sign, KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256") == (
        "KMSInvalidStateException"
    )
    assert error_code(lambda: send(kms, key_id, pkcs8(other))) == "IncorrectKeyMaterialException"
    again = send(kms, key_id, pkcs8(private))  # the same key, reimported
    assert again["KeyMaterialId"] == answer["KeyMaterialId"]
    assert state(kms, key_id) == "Enabled"
    assert kms.get_public_key(KeyId=key_id)["PublicKey"] == spki(private.public_key())
    kms.delete_imported_key_material(KeyId=key_id)
    assert state(kms, key_id) == "PendingImport"
    send(kms, key_id, pkcs8(private))
    signature = kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    private.public_key().verify(signature, b"m", ec.ECDSA(hashes.SHA256()))


def test_imported_asymmetric_and_hmac_keys_do_not_rotate(kms: Any) -> None:
    key_id = new_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")
    send(kms, key_id, os.urandom(32), "RSAES_OAEP_SHA_256")
    assert error_code(kms.rotate_key_on_demand, KeyId=key_id) == "UnsupportedOperationException"
    assert error_code(kms.enable_key_rotation, KeyId=key_id) == "UnsupportedOperationException"


@pytest.mark.parametrize(
    ("spec", "usage", "region"),
    [
        ("ML_DSA_44", "SIGN_VERIFY", "us-east-1"),
        ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY", "us-east-1"),
        ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE", "us-east-1"),
        ("SM2", "SIGN_VERIFY", "cn-north-1"),
    ],
)
def test_key_specs_kmsmock_does_not_import_are_refused_as_not_simulated(
    make_client: Any, spec: str, usage: str, region: str
) -> None:
    kms = make_client(region=region)
    with pytest.raises(kmsmock.UnimplementedOperationError, match=f"Origin EXTERNAL.*{spec}"):
        kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)
    assert kms.list_keys()["Keys"] == []


def test_the_imported_asymmetric_example_of_the_keys_page_runs(kms: Any) -> None:
    [block] = [b for b in python_blocks("keys.md") if "RSA_AES_KEY_WRAP_SHA_256" in b]
    namespace: dict[str, Any] = {"kms": kms}
    exec(compile(block, "docs/keys.md", "exec"), namespace)  # its own Verify raises if wrong
    public = namespace["private"].public_key()
    assert kms.get_public_key(KeyId=namespace["key_id"])["PublicKey"] == spki(public)
