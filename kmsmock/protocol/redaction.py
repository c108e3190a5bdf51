"""Sensitive values out of the call log, as botocore's model marks them.

KeyStorePassword, the XKS proxy credential and plaintexts are ``sensitive``
in the model; the call log shows ``"<redacted>"`` in their place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["REDACTED", "compile_redactor"]

REDACTED = "<redacted>"
"""What the call log shows in place of a sensitive value."""

Redact = Callable[[Any], Any]


def compile_redactor(shape: Any) -> Redact | None:
    """Build a function that copies a request's parameters with sensitive values redacted.

    Works on raw (unvalidated) parameters too: a value of the wrong type where
    a shape holds secrets is redacted whole. For a shape without sensitive
    members (or no shape) there is nothing to redact: the answer is None.
    """
    if shape is None:
        return None
    return _find_redactor(shape, {})


def _redact_all(value: Any) -> Any:
    return REDACTED


def _find_redactor(shape: Any, memo: dict[str, Redact | None]) -> Redact | None:
    if shape.metadata.get("sensitive"):
        return _redact_all
    if shape.name in memo:
        return memo[shape.name]
    memo[shape.name] = None  # recursion guard: assume nothing sensitive below
    result: Redact | None = None
    if shape.type_name == "structure":
        inner = {
            name: found
            for name, member in shape.members.items()
            if (found := _find_redactor(member, memo)) is not None
        }
        if inner:
            result = _structure_redactor(inner)
    elif shape.type_name == "list":
        element = _find_redactor(shape.member, memo)
        if element is not None:
            result = _list_redactor(element)
    elif shape.type_name == "map":
        item = _find_redactor(shape.value, memo)
        if item is not None:
            result = _map_redactor(item)
    memo[shape.name] = result
    return result


def _structure_redactor(inner: dict[str, Redact]) -> Redact:
    hidden = [name for name, redact in inner.items() if redact is _redact_all]
    nested = {name: redact for name, redact in inner.items() if redact is not _redact_all}

    def redact(value: Any) -> Any:
        if not isinstance(value, dict):
            return REDACTED
        out = dict(value)
        for name in hidden:  # sensitive members: replaced whole, without a call
            if out.get(name) is not None:
                out[name] = REDACTED
        for name, redact_member in nested.items():
            item = out.get(name)
            if item is not None:
                out[name] = redact_member(item)
        return out

    return redact


def _list_redactor(element: Redact) -> Redact:
    def redact(value: Any) -> Any:
        if not isinstance(value, list):
            return REDACTED
        return [element(item) for item in value]

    return redact


def _map_redactor(item: Redact) -> Redact:
    def redact(value: Any) -> Any:
        if not isinstance(value, dict):
            return REDACTED
        return {key: item(entry) for key, entry in value.items()}

    return redact
