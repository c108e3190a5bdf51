"""What key material each kind of KMS key takes, and how it may be wrapped for import.

The rules come from botocore's model text of GetParametersForImport and
ImportKeyMaterial, and the Developer Guide's "Requirements for imported key
material":

- A symmetric encryption key takes a 256-bit AES key; an HMAC key a secret
  whose length is in its spec's range (:data:`HMAC_MATERIAL_BYTES`); an RSA or
  ECC key a private key, as PKCS #8 DER, of its spec's size or curve.
- An RSA private key is too big for RSAES-OAEP: it must be wrapped with an
  RSA_AES_KEY_WRAP algorithm. Neither may an RSA_2048 wrapping key wrap an
  ECC_NIST_P521 private key directly.

Imported asymmetric material is kept as the key's key material (canonical
PKCS #8 DER, so that a reimport of the same private key is recognised however
it was encoded); :func:`kmsmock.domain.key_pairs.private_key_of` reads it.

``cryptography`` is imported on first use, so importing kmsmock stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ..errors import UnimplementedOperationError
from .aws_error import AwsError
from .key_material import MATERIAL_BYTES
from .key_specs import SYMMETRIC_DEFAULT

__all__ = [
    "HMAC_MATERIAL_BYTES",
    "IMPORTABLE_KEY_PAIRS",
    "check_importable",
    "check_wrapping_for",
    "read_material",
]

HMAC_MATERIAL_BYTES: Final[Mapping[str, tuple[int, int]]] = {
    "HMAC_224": (28, 64),
    "HMAC_256": (32, 64),
    "HMAC_384": (48, 128),
    "HMAC_512": (64, 128),
}
"""The shortest and longest imported material of an HMAC key, in bytes, by key spec."""

IMPORTABLE_KEY_PAIRS: Final[Mapping[str, tuple[str, int | str]]] = {
    "RSA_2048": ("RSA", 2048),
    "RSA_3072": ("RSA", 3072),
    "RSA_4096": ("RSA", 4096),
    "ECC_NIST_P256": ("EC", "secp256r1"),
    "ECC_NIST_P384": ("EC", "secp384r1"),
    "ECC_NIST_P521": ("EC", "secp521r1"),
    "ECC_SECG_P256K1": ("EC", "secp256k1"),
}
"""The asymmetric key specs kmsmock imports, and the private key each takes: RSA and its
modulus size, or EC and its curve (``cryptography``'s curve name)."""

_AES_WRAP = ("RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256")


def check_importable(spec: str) -> None:
    """Refuse, as not simulated, Origin EXTERNAL with a key spec kmsmock does not import.

    SM2 (China Regions) is importable in KMS, but no Python library has SM2.
    ML-DSA, ML-KEM and Edwards25519 keys are not in the Developer Guide's list
    of imported key material kmsmock follows.
    """
    if spec == SYMMETRIC_DEFAULT or spec in HMAC_MATERIAL_BYTES or spec in IMPORTABLE_KEY_PAIRS:
        return
    why = (
        "no Python library implements SM2"
        if spec == "SM2"
        else "kmsmock imports symmetric, HMAC, RSA and ECC key material only"
    )
    raise UnimplementedOperationError("CreateKey", f"Origin EXTERNAL with KeySpec {spec} ({why})")


def check_wrapping_for(key_arn: str, spec: str, wrapping_spec: str, algorithm: str) -> None:
    """Refuse a wrapping algorithm that cannot carry the material of a key of ``spec``."""
    kind = IMPORTABLE_KEY_PAIRS.get(spec, ("", 0))[0]
    if kind == "RSA" and algorithm not in _AES_WRAP:
        raise AwsError(
            "UnsupportedOperationException",
            f"{key_arn} key spec is {spec}: RSA private key material must be wrapped with "
            f"an RSA_AES_KEY_WRAP algorithm, not {algorithm}.",
        )
    if spec == "ECC_NIST_P521" and wrapping_spec == "RSA_2048" and algorithm not in _AES_WRAP:
        raise AwsError(
            "UnsupportedOperationException",
            f"WrappingKeySpec RSA_2048 cannot wrap ECC_NIST_P521 key material with {algorithm}. "
            "Use an RSA_AES_KEY_WRAP algorithm or a longer RSA wrapping key.",
        )


def _incorrect(message: str) -> AwsError:
    return AwsError("IncorrectKeyMaterialException", message)


def read_material(spec: str, secret: bytes) -> bytes:
    """The key material to keep for a key of ``spec``, from the unwrapped ``secret``.

    Raises IncorrectKeyMaterialException for material that does not fit the
    key spec. A private key is kept as canonical PKCS #8 DER.
    """
    if spec == SYMMETRIC_DEFAULT:
        if len(secret) != MATERIAL_BYTES:
            raise _incorrect(
                f"The key material must be a 256-bit symmetric key; this one has "
                f"{len(secret) * 8} bits."
            )
        return secret
    if spec in HMAC_MATERIAL_BYTES:
        shortest, longest = HMAC_MATERIAL_BYTES[spec]
        if not shortest <= len(secret) <= longest:
            raise _incorrect(
                f"The key material of a {spec} key must be {shortest * 8} to {longest * 8} "
                f"bits long; this one has {len(secret) * 8} bits."
            )
        return secret
    return _private_key_material(spec, secret)


def _looks_like_pkcs8(der: bytes) -> bool:
    """Whether ``der`` opens as a PKCS #8 PrivateKeyInfo (RFC 5208), not PKCS #1 or SEC 1.

    All three are a SEQUENCE that opens with a version INTEGER; only in
    PKCS #8 does an AlgorithmIdentifier SEQUENCE come next (``cryptography``
    would load the other two as well, and KMS takes PKCS #8 only).
    """
    if len(der) < 2 or der[0] != 0x30:
        return False
    head = 2 + (der[1] & 0x7F if der[1] & 0x80 else 0)
    return (
        der[head : head + 3] in (b"\x02\x01\x00", b"\x02\x01\x01")
        and der[head + 3 : head + 4] == b"\x30"
    )


def _private_key_material(spec: str, secret: bytes) -> bytes:
    """A private key of ``spec`` in PKCS #8 DER, re-encoded canonically, or the error."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    not_pkcs8 = _incorrect("The key material is not a private key in PKCS #8 DER format.")
    if not _looks_like_pkcs8(secret):
        raise not_pkcs8
    try:
        private: Any = serialization.load_der_private_key(secret, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise not_pkcs8 from None
    kind, size = IMPORTABLE_KEY_PAIRS[spec]
    if kind == "RSA":
        fits = isinstance(private, rsa.RSAPrivateKey) and private.key_size == size
    else:
        fits = isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name == size
    if not fits:
        raise _incorrect(f"The key material is not a private key of key spec {spec}.")
    der: bytes = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return der
