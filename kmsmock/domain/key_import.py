"""Importing key material: RSA wrapping keys, import tokens, and unwrapping.

GetParametersForImport hands out the public half of a fresh RSA wrapping key
and an import token; ImportKeyMaterial unwraps the key material with the
private half. The private half never leaves the simulated KMS (it is kept as
DER in :class:`ImportParameters`, with ``repr=False``).

An import token is opaque to its holder, but kmsmock reads it back::

    b"KMIT" | version (1) | valid until (8, epoch seconds) | token id (16) | ARN length (2) | ARN

so that a token of another key answers InvalidImportTokenException and an
expired one ExpiredImportTokenException, even after the parameters it names
are gone. The token carries no secret; the wrapping key is found by its id.

``cryptography`` is imported on first use, so importing kmsmock stays light.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from .randomness import random_bytes

__all__ = [
    "PARAMETERS_LIFETIME",
    "WRAPPING_ALGORITHMS",
    "WRAPPING_KEY_BITS",
    "ImportParameters",
    "ImportToken",
    "InvalidToken",
    "UnwrapFailed",
    "import_token",
    "new_parameters",
    "public_key_der",
    "read_import_token",
    "unwrap",
]

PARAMETERS_LIFETIME: Final = 24 * 3600
"""A wrapping key and its import token are valid for 24 hours."""

WRAPPING_KEY_BITS: Final = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
"""The RSA wrapping key specs, and their sizes."""

WRAPPING_ALGORITHMS: Final = (
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
)
"""The wrapping algorithms KMS accepts for an RSA wrapping key (RSAES_PKCS1_V1_5 no longer)."""

_MAGIC: Final = b"KMIT"
_VERSION: Final = 1
_TOKEN = struct.Struct(">4sBd16sH")
_AES_KEY_BYTES: Final = 32
"""RSA_AES_KEY_WRAP wraps the key material with a 256-bit AES key."""


class InvalidToken(Exception):
    """The import token is not one kmsmock issued."""


class UnwrapFailed(Exception):
    """The encrypted key material does not unwrap with the wrapping key and algorithm."""


@dataclass(eq=False, slots=True)
class ImportParameters:
    """One GetParametersForImport answer: a wrapping key pair, its algorithm, and its lifetime."""

    token_id: str
    """32 hex digits: what the import token names."""
    spec: str
    algorithm: str
    valid_to: float
    private_key: bytes = field(repr=False)
    """The RSA private key, DER (PKCS #8)."""


class ImportToken(NamedTuple):
    """What an import token says."""

    key_arn: str
    token_id: str
    valid_to: float


def new_parameters(spec: str, algorithm: str, now: float) -> ImportParameters:
    """A fresh RSA wrapping key of ``spec``, valid for 24 hours from ``now``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=WRAPPING_KEY_BITS[spec])
    return ImportParameters(
        token_id=random_bytes(16).hex(),
        spec=spec,
        algorithm=algorithm,
        valid_to=now + PARAMETERS_LIFETIME,
        private_key=private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def _private_key(parameters: ImportParameters) -> Any:
    """The wrapping key pair, loaded; kmsmock made it, so OpenSSL's slow RSA checks are skipped."""
    from cryptography.hazmat.primitives import serialization

    return serialization.load_der_private_key(
        parameters.private_key, password=None, unsafe_skip_rsa_key_validation=True
    )


def public_key_der(parameters: ImportParameters) -> bytes:
    """The wrapping public key as KMS hands it out: DER SubjectPublicKeyInfo."""
    from cryptography.hazmat.primitives import serialization

    public = _private_key(parameters).public_key()
    der: bytes = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def import_token(key_arn: str, parameters: ImportParameters) -> bytes:
    """The import token that names ``parameters`` of the key ``key_arn``."""
    arn = key_arn.encode()
    head = _TOKEN.pack(
        _MAGIC, _VERSION, parameters.valid_to, bytes.fromhex(parameters.token_id), len(arn)
    )
    return head + arn


def read_import_token(blob: bytes) -> ImportToken:
    """What an import token says, or :class:`InvalidToken`."""
    try:
        magic, version, valid_to, token_id, arn_size = _TOKEN.unpack_from(blob)
        arn = blob[_TOKEN.size :].decode()
    except (struct.error, UnicodeDecodeError):
        raise InvalidToken("not an import token") from None
    if magic != _MAGIC or version != _VERSION or len(arn) != arn_size:
        raise InvalidToken("not an import token")
    return ImportToken(key_arn=arn, token_id=token_id.hex(), valid_to=valid_to)


def _oaep(algorithm: str) -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    digest = hashes.SHA256() if algorithm.endswith("SHA_256") else hashes.SHA1()
    return padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)


def unwrap(parameters: ImportParameters, wrapped: bytes) -> bytes:
    """The key material ``wrapped`` holds, or :class:`UnwrapFailed`.

    RSAES_OAEP_SHA_*: the material is encrypted with the RSA public key.
    RSA_AES_KEY_WRAP_SHA_*: an RSA-OAEP-encrypted 256-bit AES key (as long as
    the modulus), then the material wrapped with it by AES key wrap with
    padding (RFC 5649), as PKCS #11's CKM_RSA_AES_KEY_WRAP does.
    """
    from cryptography.hazmat.primitives.keywrap import (
        InvalidUnwrap,
        aes_key_unwrap_with_padding,
    )

    private = _private_key(parameters)
    oaep = _oaep(parameters.algorithm)
    try:
        if parameters.algorithm.startswith("RSAES_OAEP"):
            material: bytes = private.decrypt(wrapped, oaep)
            return material
        size = private.key_size // 8
        aes_key = private.decrypt(wrapped[:size], oaep)
        if len(aes_key) != _AES_KEY_BYTES:
            raise UnwrapFailed("the wrapping AES key is not 256 bits")
        return aes_key_unwrap_with_padding(aes_key, wrapped[size:])
    except (ValueError, InvalidUnwrap):
        raise UnwrapFailed("the key material does not unwrap") from None
