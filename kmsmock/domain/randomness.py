"""Random ids and key material for the simulated KMS, without a system call each time.

Ids and the key material of simulated keys need to be unique and
unpredictable across a test run, not secret from the machine's owner, so a
generator seeded once from ``os.urandom`` serves them; each ``os.urandom``
call is a system call, which every CreateKey would otherwise pay.
``GenerateRandom``, whose answer *is* randomness, still reads ``os.urandom``.
"""

from __future__ import annotations

import os
import random

from ..prepared import Prepared

__all__ = ["KeyIdentity", "aes_256_keys", "key_identities", "random_bytes"]

_generator = random.Random(os.urandom(32))
if hasattr(os, "register_at_fork"):  # a forked child must not repeat its parent's ids
    os.register_at_fork(after_in_child=lambda: _generator.seed(os.urandom(32)))


def random_bytes(size: int) -> bytes:
    """``size`` random bytes."""
    return _generator.getrandbits(size * 8).to_bytes(size, "little")


KeyIdentity = tuple[str, bytes, str]
"""What a new KMS key draws at random: its id (a version 4 UUID), its AES-256 material, and
the material's id (64 hex digits)."""


_IDENTITY_SIZE = 80
"""Random bytes per identity: 16 for the key id, 32 for the material, 32 for the material id."""
_BATCH = 64
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
"""A UUID's variant digit (10xx in binary), from the random hex digit in its place."""


def _key_identity_batch() -> list[KeyIdentity]:
    # One draw and one hex text for the whole batch; each identity is slices of them.
    drawn = random_bytes(_IDENTITY_SIZE * _BATCH)
    text = drawn.hex()
    variant = _VARIANT
    return [
        (
            f"{text[i : i + 8]}-{text[i + 8 : i + 12]}-4{text[i + 13 : i + 16]}-"
            f"{variant[text[i + 16]]}{text[i + 17 : i + 20]}-{text[i + 20 : i + 32]}",
            drawn[i // 2 + 16 : i // 2 + 48],
            text[i + 96 : i + 160],
        )
        for i in range(0, 2 * _IDENTITY_SIZE * _BATCH, 2 * _IDENTITY_SIZE)
    ]


key_identities: Prepared[KeyIdentity] = Prepared(_key_identity_batch)
"""Identities for new keys, drawn ahead (see :mod:`kmsmock.prepared`)."""


def _aes_256_key_batch() -> list[bytes]:
    drawn = random_bytes(32 * 128)
    return [drawn[at : at + 32] for at in range(0, len(drawn), 32)]


aes_256_keys: Prepared[bytes] = Prepared(_aes_256_key_batch)
"""256-bit data keys (GenerateDataKey's usual KeySpec), drawn ahead."""
