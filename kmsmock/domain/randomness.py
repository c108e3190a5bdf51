"""Random ids and key material for the simulated KMS.

They must be unique and unpredictable across a test run, not secret from
the machine's owner: they come from one generator, seeded from
``os.urandom`` when kmsmock loads and again in every forked child (so a child
never repeats its parent's ids). ``GenerateRandom``, whose answer *is*
randomness, reads ``os.urandom`` itself.
"""

from __future__ import annotations

import os
import random

__all__ = ["new_key_id", "new_multi_region_key_id", "random_bytes"]

_generator = random.Random(os.urandom(32))
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _generator.seed(os.urandom(32)))


def random_bytes(size: int) -> bytes:
    """``size`` random bytes."""
    return _generator.randbytes(size)


def new_key_id() -> str:
    """A fresh KMS key id: a version 4 UUID, as KMS gives.

    The version bits are 0100 and the variant bits 10, as RFC 4122 sets
    them; the other 122 bits are random.
    """
    bits = _generator.getrandbits(128) & _UUID_RANDOM_BITS | _UUID_VERSION_4
    digits = f"{bits:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


_UUID_VERSION_4 = (0x4 << 76) | (0x2 << 62)
"""The version (4) and variant (RFC 4122) bits of a random UUID."""
_UUID_RANDOM_BITS = ~((0xF << 76) | (0x3 << 62)) & (2**128 - 1)
"""The bits of a UUID that are random."""


def new_multi_region_key_id() -> str:
    """A fresh multi-Region key id: ``mrk-`` and 32 hex digits, as KMS gives."""
    return "mrk-" + random_bytes(16).hex()
