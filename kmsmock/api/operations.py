"""Imports every module that declares operations, so that all of them are registered."""

from __future__ import annotations

from . import (
    alias_operations,
    crypto_operations,
    import_operations,
    key_operations,
    policy_operations,
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
    "import_operations",
    "key_operations",
    "policy_operations",
    "rotation_operations",
    "store_operations",
    "tag_operations",
    "usage_operations",
]
