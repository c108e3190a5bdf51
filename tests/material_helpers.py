"""Helpers for key material tests: wrapping it as the KMS Developer Guide says, reading blobs.

Everything here is written from AWS's documentation and docs/keys.md with
``cryptography``, independently of kmsmock's code.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
from collections.abc import Iterator, Mapping
from typing import Any

import time_machine
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

FROZEN = 1_900_000_000.0
"""Wall time while a test runs under the ``frozen`` fixture (2030-03-17)."""
DAY = 86_400


@contextlib.contextmanager
def frozen_wall_time() -> Iterator[float]:
    """Stop wall time, so that only ``kms_keystores.advance`` moves the mock clock."""
    with time_machine.travel(FROZEN, tick=False):
        yield FROZEN


def _oaep(algorithm: str) -> padding.OAEP:
    digest: hashes.HashAlgorithm = (
        hashes.SHA256() if algorithm.endswith("SHA_256") else hashes.SHA1()
    )
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def wrap(public_der: bytes, material: bytes, algorithm: str) -> bytes:
    """Key material encrypted for import, as the Developer Guide's step 3 describes.

    RSAES_OAEP_SHA_*: encrypted with the RSA public key. RSA_AES_KEY_WRAP_SHA_*:
    a fresh 256-bit AES key encrypted with the public key (RSAES-OAEP), then
    the material wrapped with that AES key (AES key wrap with padding, RFC 5649).
    """
    public = serialization.load_der_public_key(public_der)
    assert isinstance(public, rsa.RSAPublicKey)
    if algorithm.startswith("RSAES_OAEP"):
        return public.encrypt(material, _oaep(algorithm))
    aes_key = os.urandom(32)
    return public.encrypt(aes_key, _oaep(algorithm)) + aes_key_wrap_with_padding(aes_key, material)


def parameters(
    kms: Any, key_id: str, algorithm: str = "RSAES_OAEP_SHA_256", spec: str = "RSA_2048"
) -> dict[str, Any]:
    """A GetParametersForImport answer."""
    return dict(
        kms.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=spec
        )
    )


def import_material(
    kms: Any,
    key_id: str,
    material: bytes,
    algorithm: str = "RSAES_OAEP_SHA_256",
    **options: Any,
) -> dict[str, Any]:
    """Import ``material`` (never expiring, unless ``options`` say otherwise); the answer."""
    answer = parameters(kms, key_id, algorithm)
    if "ValidTo" not in options:
        options.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    return dict(
        kms.import_key_material(
            KeyId=key_id,
            ImportToken=answer["ImportToken"],
            EncryptedKeyMaterial=wrap(answer["PublicKey"], material, algorithm),
            **options,
        )
    )


def external_key(kms: Any, material: bytes | None = None) -> str:
    """A key with Origin EXTERNAL, with ``material`` imported if given; its id."""
    key_id = str(kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"])
    if material is not None:
        import_material(kms, key_id, material)
    return key_id


_HEADER = struct.Struct(">4sBBH")


def blob_material_id(blob: bytes) -> str:
    """The key material id a version 3 blob names (docs/keys.md gives the format)."""
    magic, version, _layers, arn_size = _HEADER.unpack_from(blob)
    assert (magic, version) == (b"KMSM", 3)
    start = _HEADER.size + arn_size
    return blob[start : start + 32].hex()


def open_locally(blob: bytes, material: bytes, context: Mapping[str, str] | None = None) -> bytes:
    """Decrypt a one-layer blob with ``material``, as docs/keys.md describes the format."""
    _magic, _version, layers, arn_size = _HEADER.unpack_from(blob)
    assert layers == 1
    nonce_at = _HEADER.size + arn_size + 32
    nonce, sealed = blob[nonce_at : nonce_at + 12], blob[nonce_at + 12 :]
    return AESGCM(material).decrypt(nonce, sealed, _aad(context))


def seal_locally(
    key_arn: str,
    material_id: str,
    material: bytes,
    plaintext: bytes,
    context: Mapping[str, str] | None = None,
) -> bytes:
    """A one-layer blob sealed with ``material``, in the format docs/keys.md describes."""
    nonce = os.urandom(12)
    arn = key_arn.encode()
    header = _HEADER.pack(b"KMSM", 3, 1, len(arn)) + arn + bytes.fromhex(material_id)
    return header + nonce + AESGCM(material).encrypt(nonce, plaintext, _aad(context))


def _aad(context: Mapping[str, str] | None) -> bytes | None:
    """The encryption context as additional data: sorted pairs, compact JSON (docs/keys.md)."""
    if not context:
        return None
    return json.dumps(sorted(context.items()), separators=(",", ":")).encode()
