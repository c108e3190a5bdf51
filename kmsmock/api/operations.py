"""Imports every module that declares operations, so that all of them are registered."""

from __future__ import annotations

from . import (
    alias_operations,
    crypto_operations,
    data_key_pair_operations,
    grant_operations,
    import_operations,
    key_agreement_operations,
    key_operations,
    mac_operations,
    multi_region_operations,
    policy_operations,
    public_key_operations,
    rotation_operations,
    store_operations,
    tag_operations,
    usage_operations,
)
from .registry import HANDLERS

__all__ = [
    "HANDLERS",
    "alias_operations",
    "crypto_operations",
    "data_key_pair_operations",
    "grant_operations",
    "import_operations",
    "key_agreement_operations",
    "key_operations",
    "mac_operations",
    "multi_region_operations",
    "policy_operations",
    "public_key_operations",
    "rotation_operations",
    "store_operations",
    "tag_operations",
    "usage_operations",
]
