"""Sign and Verify: the signing algorithms, the rules of MessageType, and the signatures.

:data:`SIGNING_ALGORITHMS` says, for each SigningAlgorithm, how it signs
and which hash it uses; :func:`check_message` applies the MessageType rules
of Sign's and Verify's reference text:

- RAW: the message (up to 4,096 bytes, the model's limit) is hashed as the
  algorithm says; ED25519_SHA_512 and ML_DSA_SHAKE_256 sign it as it is;
- DIGEST: the message is the digest, which must be as long as the
  algorithm's hash ("Digest is invalid length for algorithm ..."); ML-DSA keys
  refuse it, ED25519_SHA_512 refuses it, and ED25519_PH_SHA_512 requires it;
- EXTERNAL_MU: only for ML-DSA keys, a 64-byte μ (FIPS 204, section 6.2).

Signatures are those of ``cryptography``: RSASSA-PSS with MGF1 and a salt as
long as the hash, RSASSA-PKCS1-v1_5, DER-encoded ECDSA, Ed25519, and pure
ML-DSA with an empty context. ``cryptography`` has no Ed25519ph and no SM2,
so ED25519_PH_SHA_512 and SM2DSA are refused with
:class:`~kmsmock.errors.UnimplementedOperationError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NamedTuple

from ..errors import UnimplementedOperationError
from .aws_error import AwsError

__all__ = ["SIGNING_ALGORITHMS", "Scheme", "check_message", "sign", "verify"]


class Scheme(NamedTuple):
    """How a signing algorithm signs: its kind, its hash and the length of a digest."""

    kind: str
    """PSS, PKCS1, ECDSA, ED25519, ED25519PH, ML_DSA or SM2."""
    hash: str | None
    """The name of its hash in ``cryptography.hazmat.primitives.hashes``."""
    digest_bytes: int | None
    """How long a DIGEST message must be (None: DIGEST is refused)."""


SIGNING_ALGORITHMS: Final[Mapping[str, Scheme]] = {
    "RSASSA_PSS_SHA_256":        Scheme("PSS",       "SHA256", 32),
    "RSASSA_PSS_SHA_384":        Scheme("PSS",       "SHA384", 48),
    "RSASSA_PSS_SHA_512":        Scheme("PSS",       "SHA512", 64),
    "RSASSA_PKCS1_V1_5_SHA_256": Scheme("PKCS1",     "SHA256", 32),
    "RSASSA_PKCS1_V1_5_SHA_384": Scheme("PKCS1",     "SHA384", 48),
    "RSASSA_PKCS1_V1_5_SHA_512": Scheme("PKCS1",     "SHA512", 64),
    "ECDSA_SHA_256":             Scheme("ECDSA",     "SHA256", 32),
    "ECDSA_SHA_384":             Scheme("ECDSA",     "SHA384", 48),
    "ECDSA_SHA_512":             Scheme("ECDSA",     "SHA512", 64),
    "ED25519_SHA_512":           Scheme("ED25519",   None,     None),
    "ED25519_PH_SHA_512":        Scheme("ED25519PH", "SHA512", 64),
    "ML_DSA_SHAKE_256":          Scheme("ML_DSA",    None,     None),
    "SM2DSA":                    Scheme("SM2",       "SM3",    32),
}  # fmt: skip
"""Every SigningAlgorithm of the model, and how it signs."""

_MU_BYTES: Final = 64


_ONLY_MESSAGE_TYPE: Final = {"ED25519": "RAW", "ED25519PH": "DIGEST"}
"""The one MessageType an Ed25519 algorithm takes (they cannot be used interchangeably)."""


def _incompatible(message_type: str, what: str) -> AwsError:
    return AwsError(
        "ValidationException", f"Message type {message_type} is incompatible with {what}."
    )


def _invalid_length(algorithm: str) -> AwsError:
    return AwsError("ValidationException", f"Digest is invalid length for algorithm {algorithm}.")


def check_message(
    operation: str, spec: str, algorithm: str, message_type: str, message: bytes
) -> None:
    """Raise AWS's error for a MessageType (or a message length) the algorithm refuses.

    Then refuse, as not simulated, an algorithm ``cryptography`` cannot do.
    """
    scheme = SIGNING_ALGORITHMS[algorithm]
    only = _ONLY_MESSAGE_TYPE.get(scheme.kind, message_type)
    if scheme.kind == "ML_DSA":
        if message_type == "DIGEST":
            raise _incompatible(message_type, f"key spec {spec}")
        if message_type == "EXTERNAL_MU" and len(message) != _MU_BYTES:
            raise _invalid_length(algorithm)
    elif message_type == "EXTERNAL_MU":
        raise _incompatible(message_type, f"key spec {spec}")
    elif message_type != only:
        raise _incompatible(message_type, f"signing algorithm {algorithm}")
    elif message_type == "DIGEST" and len(message) != scheme.digest_bytes:
        raise _invalid_length(algorithm)
    if scheme.kind == "ED25519PH":
        raise UnimplementedOperationError(
            operation, f"SigningAlgorithm {algorithm}: Ed25519ph (cryptography has no Ed25519ph)"
        )


def _hashing(scheme: Scheme, message_type: str) -> tuple[Any, Any]:
    """The hash of the scheme, and what ``cryptography`` signs with (Prehashed for DIGEST)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import utils

    digest = getattr(hashes, scheme.hash or "SHA256")()
    return digest, utils.Prehashed(digest) if message_type == "DIGEST" else digest


def _rsa_padding(scheme: Scheme, digest: Any) -> Any:
    from cryptography.hazmat.primitives.asymmetric import padding

    if scheme.kind == "PSS":
        return padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
    return padding.PKCS1v15()


def sign(private_key: Any, algorithm: str, message_type: str, message: bytes) -> bytes:
    """The signature of ``message`` (checked by :func:`check_message` first)."""
    scheme = SIGNING_ALGORITHMS[algorithm]
    signature: bytes
    if scheme.kind == "ED25519":
        signature = private_key.sign(message)
    elif scheme.kind == "ML_DSA":
        signature = (
            private_key.sign_mu(message)
            if message_type == "EXTERNAL_MU"
            else (private_key.sign(message))
        )
    elif scheme.kind == "ECDSA":
        from cryptography.hazmat.primitives.asymmetric import ec

        signature = private_key.sign(message, ec.ECDSA(_hashing(scheme, message_type)[1]))
    else:
        digest, hashing = _hashing(scheme, message_type)
        signature = private_key.sign(message, _rsa_padding(scheme, digest), hashing)
    return signature


def verify(
    public_key: Any, algorithm: str, message_type: str, message: bytes, signature: bytes
) -> bool:
    """Whether ``signature`` is the key's signature of ``message``."""
    from cryptography.exceptions import InvalidSignature

    scheme = SIGNING_ALGORITHMS[algorithm]
    try:
        if scheme.kind == "ED25519":
            public_key.verify(signature, message)
        elif scheme.kind == "ML_DSA":
            if message_type == "EXTERNAL_MU":
                public_key.verify_mu(signature, message)
            else:
                public_key.verify(signature, message)
        elif scheme.kind == "ECDSA":
            from cryptography.hazmat.primitives.asymmetric import ec

            public_key.verify(signature, message, ec.ECDSA(_hashing(scheme, message_type)[1]))
        else:
            digest, hashing = _hashing(scheme, message_type)
            public_key.verify(signature, message, _rsa_padding(scheme, digest), hashing)
    except (InvalidSignature, ValueError):
        return False
    return True
