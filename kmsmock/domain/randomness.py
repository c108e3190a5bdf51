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
import uuid

__all__ = ["new_key_id", "random_bytes"]

_generator = random.Random(os.urandom(32))
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _generator.seed(os.urandom(32)))


def random_bytes(size: int) -> bytes:
    """``size`` random bytes."""
    return _generator.randbytes(size)


def new_key_id() -> str:
    """A fresh KMS key id: a version 4 UUID, as KMS gives."""
    return str(uuid.UUID(int=_generator.getrandbits(128), version=4))
