"""Real AES-256-GCM encryption for the simulated KMS, and its ciphertext blob format.

A blob names the ARN of its KMS key, so Decrypt needs no KeyId::

    b"KMSM" | version (1) | layers (1) | ARN length (2) | ARN | nonce (12) | ... | ciphertext+tag

Every layer authenticates the encryption context, as GCM's additional data.
The header is not fed to GCM: a blob whose header was altered names another
key, whose material fails the tag, or no key at all; and Decrypt requires the
ARN it names to be its key's ARN exactly. (Without context, GCM gets no
additional data, which saves a third of its cost per call.) A key in an
external key store encrypts twice: first with the KMS key's own material,
then with the external key its XKS proxy holds (``layers`` is 2).

``cryptography`` is imported on first use, so importing kmsmock stays light.
"""

from __future__ import annotations

import itertools
import json
import os
import struct
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

from ..prepared import Prepared

__all__ = ["Envelope", "InvalidBlob", "open_layer", "read_envelope", "seal"]

MAGIC: Final = b"KMSM"
VERSION: Final = 2
"""Version 1 blobs also fed the header to GCM; they no longer open."""
NONCE_SIZE: Final = 12
_HEADER = struct.Struct(">4sBBH")


class InvalidBlob(Exception):
    """The blob is not one kmsmock made, or it fails authentication."""


class Envelope(NamedTuple):
    """A parsed ciphertext blob."""

    key_arn: str
    layers: int
    nonces: tuple[bytes, ...]
    ciphertext: bytes


_nonce_numbers = itertools.count()


def _nonce_batch() -> list[bytes]:
    """GCM nonces never used before in this process: a random prefix per batch, and a counter."""
    prefix = os.urandom(4)
    return [prefix + next(_nonce_numbers).to_bytes(8, "big") for _ in range(256)]


_nonces: Prepared[bytes] = Prepared(_nonce_batch)


_new_tuple = tuple.__new__
_ciphers: dict[bytes, Any] = {}
_headers: dict[tuple[str, int], bytes] = {}
_AESGCM: Any = None
_InvalidTag: Any = None


def _aesgcm(key: bytes) -> Any:
    """An AES-GCM cipher for ``key``, kept for the next use of the same key."""
    cipher = _ciphers.get(key)
    if cipher is None:
        global _AESGCM, _InvalidTag
        if _AESGCM is None:
            from cryptography.exceptions import InvalidTag
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            _AESGCM, _InvalidTag = AESGCM, InvalidTag
        if len(_ciphers) >= 4096:
            _ciphers.clear()
        cipher = _ciphers[key] = _AESGCM(key)
    return cipher


def _aad(context: Mapping[str, str]) -> bytes:
    """The encryption context in one canonical form (its order does not matter)."""
    return json.dumps(sorted(context.items()), separators=(",", ":")).encode()


def seal(
    key_arn: str, keys: tuple[bytes, ...], plaintext: bytes, context: Mapping[str, str]
) -> bytes:
    """Encrypt ``plaintext`` with each of ``keys`` in turn and return the blob."""
    header = _headers.get((key_arn, len(keys)))
    if header is None:
        arn = key_arn.encode()
        header = _HEADER.pack(MAGIC, VERSION, len(keys), len(arn)) + arn
        if len(_headers) >= 4096:
            _headers.clear()
        _headers[(key_arn, len(keys))] = header
    aad = _aad(context) if context else None
    if len(keys) == 1:  # the usual case, without the loop
        try:
            nonce = _nonces.pop()
        except IndexError:  # the batch ran out
            nonce = _nonces.refill()
        cipher = _ciphers.get(keys[0]) or _aesgcm(keys[0])
        sealed: bytes = cipher.encrypt(nonce, plaintext, aad)
        return header + nonce + sealed
    nonces = [_nonces.take() for _ in keys]
    data = plaintext
    for material, nonce in zip(keys, nonces, strict=True):
        data = _aesgcm(material).encrypt(nonce, data, aad)
    return header + b"".join(nonces) + data


def read_envelope(blob: bytes) -> Envelope:
    """Parse a blob's header, or raise :class:`InvalidBlob`."""
    try:
        magic, version, layers, arn_size = _HEADER.unpack_from(blob)
    except struct.error:
        raise InvalidBlob("too short") from None
    if magic != MAGIC or version != VERSION or layers not in (1, 2):
        raise InvalidBlob("not a kmsmock ciphertext")
    body = _HEADER.size + arn_size
    nonce_end = body + layers * NONCE_SIZE
    if len(blob) < nonce_end + 16:
        raise InvalidBlob("truncated")
    try:
        key_arn = blob[_HEADER.size : body].decode()
    except UnicodeDecodeError:
        raise InvalidBlob("bad key ARN") from None
    if layers == 1:
        nonces: tuple[bytes, ...] = (blob[body:nonce_end],)
    else:
        nonces = (blob[body : body + NONCE_SIZE], blob[body + NONCE_SIZE : nonce_end])
    # tuple.__new__ builds the named tuple without its Python-level constructor.
    return _new_tuple(Envelope, (key_arn, layers, nonces, blob[nonce_end:]))


def open_layer(
    envelope: Envelope, material: bytes, layer: int, data: bytes, context: Mapping[str, str]
) -> bytes:
    """Decrypt one layer (0 is the innermost), or raise :class:`InvalidBlob`."""
    cipher = _ciphers.get(material) or _aesgcm(material)
    aad = _aad(context) if context else None
    try:
        result: bytes = cipher.decrypt(envelope.nonces[layer], data, aad)
    except _InvalidTag:
        raise InvalidBlob("authentication failed") from None
    return result
