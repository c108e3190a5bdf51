"""Sensitive values out of the call log, as botocore's model marks them.

KeyStorePassword, the XKS proxy credential and plaintexts are ``sensitive``
in the model; the call log shows ``"<redacted>"`` in their place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .shapes import ShapeFold

__all__ = ["REDACTED", "Redact", "redactor_for"]

REDACTED = "<redacted>"
"""What the call log shows in place of a sensitive value."""

Redact = Callable[[Any], Any]
"""Copies a value with its sensitive parts replaced by :data:`REDACTED`."""


def redactor_for(shape: Any) -> Redact | None:
    """The redactor of a request's parameters; None when the shape holds no secret.

    It works on raw (unvalidated) parameters too: a value of the wrong type
    where a shape holds secrets is redacted whole.
    """
    if shape is None:
        return None
    return _Redactors().build(shape)


def _redact_all(value: Any) -> Any:
    return REDACTED


class _Redactors(ShapeFold["Redact | None"]):
    """Builds the redactor of a shape from its members' (None: nothing to redact)."""

    def structure(self, shape: Any, members: Mapping[str, Redact | None]) -> Redact | None:
        if shape.metadata.get("sensitive"):
            return _redact_all
        inner = {name: redact for name, redact in members.items() if redact is not None}
        if not inner:
            return None

        def redact_structure(value: Any) -> Any:
            if not isinstance(value, dict):
                return REDACTED
            copy = dict(value)
            for name, redact in inner.items():
                if copy.get(name) is not None:
                    copy[name] = redact(copy[name])
            return copy

        return redact_structure

    def list(self, shape: Any, member: Redact | None) -> Redact | None:
        if shape.metadata.get("sensitive"):
            return _redact_all
        if member is None:
            return None
        redact_item = member

        def redact_list(value: Any) -> Any:
            if not isinstance(value, list):
                return REDACTED
            return [redact_item(item) for item in value]

        return redact_list

    def map(self, shape: Any, key: Redact | None, value: Redact | None) -> Redact | None:
        if shape.metadata.get("sensitive"):
            return _redact_all
        if value is None:
            return None
        redact_value = value

        def redact_map(entries: Any) -> Any:
            if not isinstance(entries, dict):
                return REDACTED
            return {name: redact_value(item) for name, item in entries.items()}

        return redact_map

    def scalar(self, shape: Any) -> Redact | None:
        return _redact_all if shape.metadata.get("sensitive") else None
