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

__all__ = ["random_bytes", "uuid_text"]

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
