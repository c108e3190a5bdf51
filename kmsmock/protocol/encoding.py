"""Answers as JSON: the members a handler returns, checked against the operation's output shape.

A handler returns the response members as plain Python values: strings,
bytes for blobs (written as base64), booleans, numbers (timestamps as epoch
seconds), lists and dicts. A member the model does not list is a kmsmock
bug, and fails loudly.

A member may also be a :class:`~kmsmock.api.registry.Memo`: a pure function
and its (hashable) argument. The JSON text of its value is kept for the next
answer with the same function and argument, so a listing polled page after
page, whose entries never change, is written once. This is the protocol
layer's one cache (see docs/performance.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from ..api.registry import Memo
from .json11 import encode_json, response
from .messages import Response

__all__ = ["Encoder", "encoder_for"]

Encoder = Callable[[Mapping[str, Any]], Response]
"""Turns a handler's result into the operation's answer."""


@functools.lru_cache(maxsize=256)
def _memo_text(memo: Memo) -> str:
    return encode_json(memo.function(memo.argument))


def encoder_for(shape: Any) -> Encoder:
    """The encoder of an operation's output shape (None: an answer with no members)."""
    members = frozenset(() if shape is None else shape.members)

    def encode(result: Mapping[str, Any]) -> Response:
        present = {name: value for name, value in result.items() if value is not None}
        unknown = present.keys() - members
        if unknown:
            raise AssertionError(
                f"kmsmock bug: the model lists no answer members {sorted(unknown)}"
            )
        if not any(type(value) is Memo for value in present.values()):
            return response(200, encode_json(present).encode())
        parts = [
            f'"{name}":' + (_memo_text(value) if type(value) is Memo else encode_json(value))
            for name, value in present.items()
        ]
        return response(200, ("{" + ",".join(parts) + "}").encode())

    return encode
