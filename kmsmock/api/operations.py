"""Imports every module that declares operations, so that all of them are registered."""

from __future__ import annotations

from . import keystores
from .registry import HANDLERS

__all__ = ["HANDLERS", "keystores"]
