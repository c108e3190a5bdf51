"""JSON 1.1 as KMS speaks it: the operation a request names, its body, answers and errors.

This module is the only place kmsmock writes JSON.
"""

from __future__ import annotations

import binascii
import itertools
import json
import os
from collections.abc import Callable, Mapping
from typing import Any

from ..domain.aws_error import AwsError
from .messages import Response

__all__ = [
    "CONTENT_TYPE",
    "TARGET_PREFIX",
    "encode_json",
    "error_response",
    "header",
    "read_operation",
    "read_params",
    "response",
]

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "TrentService."
"""The JSON 1.1 content type, and the prefix of KMS operations in X-Amz-Target."""


def header(headers: Mapping[str, Any], name: str) -> str | None:
    """A header's value as text (botocore holds header values as bytes), or None."""
    try:
        value = headers[name]
    except KeyError:
        return None
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value  # type: ignore[no-any-return]


def read_operation(headers: Mapping[str, Any]) -> str:
    """The operation ``X-Amz-Target`` names, or UnknownOperationException."""
    target = header(headers, "X-Amz-Target") or ""
    operation = target.removeprefix(TARGET_PREFIX)
    if operation == target or not operation:
        raise AwsError(
            "UnknownOperationException",
            f"The X-Amz-Target header {target!r} names no KMS operation; "
            f"expected '{TARGET_PREFIX}<Operation>'.",
        )
    return operation


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


_decoder = json.JSONDecoder(parse_constant=_not_json)
"""Python's decoder, without the NaN and Infinity that JSON does not have."""
_JSON_SPACE = " \t\n\r"
"""What JSON counts as white space (``str.strip`` alone would take more)."""


def read_params(body: bytes) -> Any:
    """A request's JSON body, parsed (an empty body is ``{}``), or SerializationException.

    The body is UTF-8 JSON, as AWS requires.
    """
    try:
        text = body.decode("utf-8").strip(_JSON_SPACE)
        if not text:
            return {}
        value, end = _decoder.raw_decode(text)
        if end != len(text):
            raise ValueError("extra data after the JSON value")
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise AwsError("SerializationException", "The request body is not valid JSON.") from None
    return value


def _blob_as_base64(value: Any) -> Any:
    if isinstance(value, bytes):
        return binascii.b2a_base64(value, newline=False).decode("ascii")
    raise TypeError(f"kmsmock cannot write {type(value).__name__} as JSON")


def _reused_encoder() -> Callable[[Any], str]:
    """The standard library's C encoder, made once.

    ``json.dumps`` and ``JSONEncoder.encode`` make a new one for every value;
    every answer is written with one, so kmsmock keeps it (docs/performance.md).
    """
    make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if make_encoder is None:  # pragma: no cover - CPython always has it
        return json.JSONEncoder(separators=(",", ":"), default=_blob_as_base64).encode
    encoder = make_encoder(
        None,
        _blob_as_base64,
        json.encoder.encode_basestring_ascii,
        None,
        ":",
        ",",
        False,
        False,
        True,
    )
    return lambda value: "".join(encoder(value, 0))


encode_json: Callable[[Any], str] = _reused_encoder()
"""JSON text of a value: compact, blobs (bytes) as base64, as JSON 1.1 sends them."""


class _RequestIds:
    """Request ids in AWS's UUID form: a random prefix for this process, then a counter.

    A forked child draws a new prefix, so it never repeats its parent's ids.
    """

    def __init__(self) -> None:
        self._renew()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._renew)

    def _renew(self) -> None:
        drawn = os.urandom(10).hex()
        self._prefix = f"{drawn[:8]}-{drawn[8:12]}-{drawn[12:16]}-{drawn[16:20]}-"
        self._numbers = itertools.count()

    def next(self) -> str:
        """A request id not handed out before in this process."""
        return self._prefix + next(self._numbers).to_bytes(6, "big").hex()


_request_ids = _RequestIds()


def response(status: int, body: bytes) -> Response:
    """An answer with AWS's headers: a fresh request id, the content type and length."""
    headers = {
        "x-amzn-RequestId": _request_ids.next(),
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(body)),
    }
    return Response(status, headers, body)


def error_response(error: AwsError, status: int) -> Response:
    """An error answer: ``{"__type": code, "message": message}`` with AWS's status."""
    return response(status, encode_json({"__type": error.code, "message": error.message}).encode())
