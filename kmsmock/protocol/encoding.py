"""Answers as JSON: a handler's members, written as the operation's output shape types them.

A handler returns the response members as plain Python values: strings,
bytes for blobs (written as base64), booleans, numbers (timestamps as epoch
seconds), and lists and dicts for the structures, lists and maps of the
model. A member the model does not list is a kmsmock bug, and fails loudly;
a member whose value is None is left out.

Each member is written by the writer its shape calls for, built once per
operation by a fold over the output shape: a string, blob, number or boolean
directly, anything larger by the standard library's JSON encoder.

A handler may instead return a :class:`~kmsmock.api.registry.Memo`: a pure
function and its (hashable) argument, which make the members. The body
written from them is kept for the next answer with the same function and
argument, so a listing polled page after page, whose entries never change, is
written once. This is the protocol layer's one cache (see docs/performance.md).
"""

from __future__ import annotations

import binascii
import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

from ..api.registry import Memo
from .json11 import encode_json, response
from .messages import Response
from .shapes import ShapeFold

__all__ = ["Encoder", "encoder_for"]

Encoder = Callable[["Mapping[str, Any] | Memo"], Response]
"""Turns a handler's result into the operation's answer."""

Write = Callable[[Any], str]
"""Writes one value as JSON text."""


def encoder_for(shape: Any) -> Encoder:
    """The encoder of an operation's output shape (None: an answer with no members)."""
    writers = {} if shape is None else _Writers().members(shape)

    def body(result: Mapping[str, Any]) -> bytes:
        # A member the model in use does not list is left out: an older botocore
        # (aiobotocore pins one) has no such member, and its client could not read
        # it. The tests check every answer against the current model.
        parts = [
            f'"{name}":{writers[name](value)}'
            for name, value in result.items()
            if value is not None and name in writers
        ]
        return ("{" + ",".join(parts) + "}").encode()

    @functools.lru_cache(maxsize=256)
    def kept_body(memo: Memo) -> bytes:
        return body(memo.function(memo.argument))

    def encode(result: Mapping[str, Any] | Memo) -> Response:
        if isinstance(result, Memo):
            return response(200, kept_body(result))
        return response(200, body(result))

    return encode


def _blob(value: bytes) -> str:
    return '"' + binascii.b2a_base64(value, newline=False).decode("ascii") + '"'


def _boolean(value: bool) -> str:
    return "true" if value else "false"


_WRITERS: dict[str, Write] = {
    "string": json.encoder.encode_basestring_ascii,
    "blob": _blob,
    "boolean": _boolean,
}
"""How a value of each scalar type is written; numbers and timestamps as JSON numbers."""


class _Writers(ShapeFold[Write]):
    """The writer of each shape: scalars directly, anything larger by the JSON encoder."""

    def members(self, shape: Any) -> dict[str, Write]:
        """The writer of each member of an output structure, by member name."""
        return {name: self.build(member) for name, member in shape.members.items()}

    def structure(self, shape: Any, members: Mapping[str, Write]) -> Write:
        return encode_json

    def list(self, shape: Any, member: Write) -> Write:
        return encode_json

    def map(self, shape: Any, key: Write, value: Write) -> Write:
        return encode_json

    def scalar(self, shape: Any) -> Write:
        return _WRITERS.get(shape.type_name, encode_json)
