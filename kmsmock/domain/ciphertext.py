"""Real AES-256-GCM encryption for the simulated KMS, and its ciphertext blob format.

A blob names the ARN of its KMS key and the key material that sealed it, so
Decrypt needs no KeyId, and a key whose material rotated still decrypts
what its older materials sealed::

    b"KMSM" | version (1) | layers (1) | ARN length (2) | ARN | key material id (32)
            | nonce (12) | ... | ciphertext+tag

Every layer authenticates the encryption context, as GCM's additional data.
The header is not fed to GCM: a blob whose header was altered names another
key or material, whose secret fails the tag, or none at all; and Decrypt
requires the ARN it names to be its key's ARN exactly. A key in an external
key store encrypts twice: first with the KMS key's own material, then with
the external key its XKS proxy holds (``layers`` is 2).

Version 2 blobs (kmsmock before key material rotation) have no material id:
each key then had one material, which is its first.

``cryptography`` is imported on first use, so importing kmsmock stays light.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import struct
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

__all__ = ["Envelope", "InvalidBlob", "open_layer", "read_envelope", "seal"]

MAGIC: Final = b"KMSM"
VERSION: Final = 3
"""The version :func:`seal` writes: the header names the key material."""
READABLE_VERSIONS: Final = (2, 3)
"""Version 1 blobs also fed the header to GCM; they no longer open."""
NONCE_SIZE: Final = 12
MATERIAL_ID_SIZE: Final = 32
"""A key material id is 64 hex digits: 32 bytes in the header."""
_HEADER = struct.Struct(">4sBBH")


class InvalidBlob(Exception):
    """The blob is not one kmsmock made, or it fails authentication."""


class Envelope(NamedTuple):
    """A parsed ciphertext blob."""

    key_arn: str
    layers: int
    nonces: bytes
    """Each layer's nonce, innermost first, one after the other."""
    ciphertext: bytes
    material_id: str | None = None
    """The id of the key material that sealed the blob; None in a version 2 blob."""


class _Nonces:
    """GCM nonces never used before in this process: a random prefix, then a counter.

    A counter is how NIST SP 800-38D builds unique nonces; the random prefix,
    drawn again in a forked child, keeps two processes apart.
    """

    def __init__(self) -> None:
        self._renew()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._renew)

    def _renew(self) -> None:
        self._prefix = os.urandom(NONCE_SIZE - 8)
        self._numbers = itertools.count()

    def next(self) -> bytes:
        """A nonce not handed out before in this process."""
        return self._prefix + next(self._numbers).to_bytes(8, "big")


_nonces = _Nonces()


@functools.lru_cache(maxsize=1024)
def _cipher(material: bytes) -> Any:
    """An AES-GCM cipher for a key's material (kept: the same keys are used call after call)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(material)


def _aad(context: Mapping[str, str]) -> bytes | None:
    """The encryption context in one canonical form (its order does not matter)."""
    if not context:
        return None
    return json.dumps(sorted(context.items()), separators=(",", ":")).encode()


def seal(
    key_arn: str,
    materials: tuple[bytes, ...],
    plaintext: bytes,
    context: Mapping[str, str],
    *,
    material_id: str,
) -> bytes:
    """Encrypt ``plaintext`` with each of ``materials`` in turn and return the blob.

    ``material_id`` names the KMS key's own material (the innermost layer).
    """
    aad = _aad(context)
    nonces = b""
    data = plaintext
    for material in materials:
        nonce = _nonces.next()
        data = _cipher(material).encrypt(nonce, data, aad)
        nonces += nonce
    arn = key_arn.encode()
    header = _HEADER.pack(MAGIC, VERSION, len(materials), len(arn))
    return header + arn + bytes.fromhex(material_id) + nonces + data


def read_envelope(blob: bytes) -> Envelope:
    """Parse a blob's header, or raise :class:`InvalidBlob`."""
    try:
        magic, version, layers, arn_size = _HEADER.unpack_from(blob)
    except struct.error:
        raise InvalidBlob("too short") from None
    if magic != MAGIC or version not in READABLE_VERSIONS or layers not in (1, 2):
        raise InvalidBlob("not a kmsmock ciphertext")
    arn_end = _HEADER.size + arn_size
    body = arn_end + (MATERIAL_ID_SIZE if version >= 3 else 0)
    nonce_end = body + layers * NONCE_SIZE
    if len(blob) < nonce_end + 16:
        raise InvalidBlob("truncated")
    try:
        key_arn = blob[_HEADER.size : arn_end].decode()
    except UnicodeDecodeError:
        raise InvalidBlob("bad key ARN") from None
    return Envelope(
        key_arn=key_arn,
        layers=layers,
        nonces=blob[body:nonce_end],
        ciphertext=blob[nonce_end:],
        material_id=blob[arn_end:body].hex() if version >= 3 else None,
    )


@functools.cache
def _invalid_tag() -> type[Exception]:
    """The exception AES-GCM raises when the tag does not match (imported when first needed)."""
    from cryptography.exceptions import InvalidTag

    return InvalidTag


def open_layer(
    envelope: Envelope, material: bytes, layer: int, data: bytes, context: Mapping[str, str]
) -> bytes:
    """Decrypt one layer (0 is the innermost), or raise :class:`InvalidBlob`."""
    try:
        nonce = envelope.nonces[layer * NONCE_SIZE : (layer + 1) * NONCE_SIZE]
        result: bytes = _cipher(material).decrypt(nonce, data, _aad(context))
    except _invalid_tag():  # evaluated only when decrypt raises
        raise InvalidBlob("authentication failed") from None
    return result
