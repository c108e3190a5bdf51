"""Encrypt, Decrypt and ReEncrypt with an asymmetric key: RSAES-OAEP under an RSA key pair.

The ciphertext is the raw RSAES-OAEP ciphertext, as long as the modulus, as
AWS gives it: it names no key, so Decrypt needs the KeyId and the algorithm.
A ciphertext made outside KMS with the public key from GetPublicKey
decrypts the same way. SM2PKE (China Regions) is refused as not simulated.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..domain import key_pairs
from ..domain.aws_error import AwsError
from ..domain.key_specs import ENCRYPT_DECRYPT, SYMMETRIC_DEFAULT, check_algorithm, check_usage
from ..domain.keys import KmsKey
from .registry import Context

__all__ = ["decrypt", "encrypt", "encryption_algorithm"]


def encryption_algorithm(ctx: Context, key: KmsKey, algorithm: str | None) -> str:
    """The algorithm a request uses with ``key``: its usage must be ENCRYPT_DECRYPT, and
    an asymmetric key needs one of its own algorithms (the default, SYMMETRIC_DEFAULT, is not).
    """
    check_usage(key.arn, key.key_usage, ENCRYPT_DECRYPT, ctx.operation)
    chosen = algorithm or SYMMETRIC_DEFAULT
    check_algorithm(key.key_spec, key.key_usage, chosen)
    return chosen


def _no_context(context: Mapping[str, str] | None) -> None:
    if context:
        raise AwsError(
            "ValidationException",
            "EncryptionContext is valid only with a symmetric encryption KMS key; the "
            "asymmetric encryption algorithms take none.",
        )


def encrypt(
    ctx: Context,
    key: KmsKey,
    algorithm: str,
    plaintext: bytes,
    context: Mapping[str, str] | None,
) -> bytes:
    """The RSAES-OAEP ciphertext of ``plaintext`` under the key's public key."""
    _no_context(context)
    key_pairs.check_available(ctx.operation, key.key_spec)
    limit = key_pairs.OAEP_LIMITS[(key.key_spec, algorithm)]
    if len(plaintext) > limit:
        raise AwsError(
            "ValidationException",
            f"Algorithm {algorithm} and key spec {key.key_spec} cannot encrypt data larger "
            f"than {limit} bytes.",
        )
    public_key = key_pairs.public_key_of(ctx.operation, key)
    return key_pairs.oaep_encrypt(public_key, algorithm, plaintext)


def decrypt(
    ctx: Context,
    key: KmsKey,
    algorithm: str,
    blob: bytes,
    context: Mapping[str, str] | None,
) -> bytes:
    """The plaintext of an RSAES-OAEP ciphertext, or InvalidCiphertextException."""
    _no_context(context)
    key_pairs.check_available(ctx.operation, key.key_spec)
    private_key = key_pairs.private_key_of(ctx.operation, key)
    plaintext = key_pairs.oaep_decrypt(private_key, algorithm, blob)
    if plaintext is None:
        raise AwsError("InvalidCiphertextException", "")
    return plaintext
