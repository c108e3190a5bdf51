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
from typing import NamedTuple

from ..prepared import Prepared

__all__ = ["KeyIdentity", "aes_256_keys", "key_identities", "random_bytes", "uuid_text"]

_generator = random.Random(os.urandom(32))
if hasattr(os, "register_at_fork"):  # a forked child must not repeat its parent's ids
    os.register_at_fork(after_in_child=lambda: _generator.seed(os.urandom(32)))


def random_bytes(size: int) -> bytes:
    """``size`` random bytes."""
    return _generator.getrandbits(size * 8).to_bytes(size, "little")


def uuid_text(data: bytes) -> str:
    """A random (version 4) UUID in its usual text form, made from 16 random bytes."""
    h = data[:16].hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[data[8] & 3]}{h[17:20]}-{h[20:]}"


class KeyIdentity(NamedTuple):
    """What a new KMS key draws at random: its id, its AES-256 material, the material's id."""

    key_id: str
    material: bytes
    material_id: str


def _key_identity_batch() -> list[KeyIdentity]:
    drawn = random_bytes(80 * 64)
    return [
        KeyIdentity(
            uuid_text(drawn[at : at + 16]), drawn[at + 16 : at + 48], drawn[at + 48 : at + 80].hex()
        )
        for at in range(0, len(drawn), 80)
    ]


key_identities: Prepared[KeyIdentity] = Prepared(_key_identity_batch)
"""Identities for new keys, drawn ahead (see :mod:`kmsmock.prepared`)."""


def _aes_256_key_batch() -> list[bytes]:
    drawn = random_bytes(32 * 128)
    return [drawn[at : at + 32] for at in range(0, len(drawn), 32)]


aes_256_keys: Prepared[bytes] = Prepared(_aes_256_key_batch)
"""256-bit data keys (GenerateDataKey's usual KeySpec), drawn ahead."""
