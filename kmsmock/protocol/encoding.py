"""Answers as JSON, written out once per operation from its output shape in botocore's model.

A handler returns the response members as Python values: strings, bytes for
blobs (sent as base64), booleans, numbers (timestamps as epoch seconds), and
:class:`~kmsmock.protocol.wire.Encoded` JSON text for the parts it keeps
encoded. The encoder knows each member's type from the model, so it writes
each one out directly, with no type tests and no general JSON encoder. A
member the model does not list is a kmsmock bug, and fails loudly.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Mapping
from typing import Any

from .codegen import compile_source
from .wire import Encoded, RawResponse, encode_json, headers_for, json_string

__all__ = ["compile_encoder"]

Encoder = Callable[[Mapping[str, Any]], RawResponse]

_quoted: dict[str, str] = {}
"""JSON text of short strings answered before: the same ARNs and ids come back call after call."""


def _quote(value: str) -> str:
    text = json_string(value)
    if len(value) <= 256:
        if len(_quoted) >= 4096:
            _quoted.clear()
        _quoted[value] = text
    return text


def _unexpected(result: Mapping[str, Any], members: frozenset[str]) -> None:
    """Fail on members the output shape does not list (None values are left out, as absent)."""
    extra = sorted(name for name, value in result.items() if value is not None)
    extra = [name for name in extra if name not in members]
    if extra:
        raise AssertionError(f"kmsmock bug: the model lists no answer members {extra}")


_RUNTIME: dict[str, Any] = {
    "Encoded": Encoded,
    "_b2a": binascii.b2a_base64,
    "_encode_json": encode_json,
    "_quote": _quote,
    "_quoted": _quoted,
    "RawResponse": RawResponse,
    "_headers": headers_for,
    "_new_tuple": tuple.__new__,  # builds the named tuple without a Python-level call
    "_unexpected": _unexpected,
}

_TEXT = {
    # How each type of top-level member becomes JSON text, from its value ``v``.
    "string": "(_quoted.get(v) or _quote(v))",
    "blob": "'\"' + _b2a(v, newline=False).decode('ascii') + '\"'",
    "boolean": "('true' if v else 'false')",
}
_NESTED = "(v if type(v) is Encoded else _encode_json(v))"
"""Structures, lists and maps: kept encoded by the handler, or encoded here."""


def compile_encoder(shape: Any) -> Encoder:
    """Build the encoder of an operation's output shape (None: an empty answer)."""
    members = {} if shape is None else dict(shape.members)
    namespace = dict(_RUNTIME, _members=frozenset(members))
    lines = ["def encode(result):", "    parts = []"]
    for name, member in members.items():
        text = _TEXT.get(member.type_name)
        if text is None:
            simple = member.type_name in ("integer", "long", "timestamp", "double", "float")
            text = "_encode_json(v)" if simple else _NESTED
        label = f'"{name}":'  # member names are the model's: plain ASCII letters
        lines += [
            f"    v = result.get({name!r})",
            "    if v is not None:",
            f"        parts.append({label!r} + {text})",
        ]
    lines += [
        "    if len(parts) != len(result):",
        "        _unexpected(result, _members)",
        "    body = ('{' + ','.join(parts) + '}').encode()",
        "    return _new_tuple(RawResponse, (200, _headers(body), body))",
    ]
    where = f"<kmsmock encoder {shape.name if shape is not None else 'of no members'}>"
    encode: Encoder = compile_source(lines, "encode", namespace, where)
    return encode
