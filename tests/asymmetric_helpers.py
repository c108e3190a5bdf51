"""Helpers the asymmetric-key tests share: make keys, read their public keys, reach the domain."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.serialization import load_der_public_key

import kmsmock.activation


def new_key(kms: Any, spec: str, usage: str) -> str:
    """Create a key of ``spec`` and ``usage`` and return its id."""
    return str(kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"])


def public_key(kms: Any, key_id: str) -> Any:
    """The key's public key, as ``cryptography`` reads GetPublicKey's DER."""
    return load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])


def stored_key(key_id: str, account: str = "123456789012", region: str = "us-east-1") -> Any:
    """The simulated KMS's own record of a key (to look at what no API shows)."""
    simulation = kmsmock.activation.current()
    assert simulation is not None
    return simulation.kms.scopes[(account, region)].keys[key_id]
