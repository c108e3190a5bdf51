"""Imports every module that declares operations, so that all of them are registered."""

from __future__ import annotations

from . import aliases, crypto, keys, keystores, policies, rotation, tags
from .registry import HANDLERS

__all__ = ["HANDLERS", "aliases", "crypto", "keys", "keystores", "policies", "rotation", "tags"]
