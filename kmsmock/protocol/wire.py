"""JSON 1.1 as KMS speaks it: the request's target and body, the answer and errors.

Every transport (the botocore hook, the ``responses`` hook, later the HTTP
server) turns its native request into a :class:`RawRequest` and hands it to
:func:`kmsmock.dispatch.serve`; these helpers do the protocol part.
"""

from __future__ import annotations

import binascii
import itertools
import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ..domain.errors import AwsError
from ..prepared import Prepared

__all__ = [
    "CONTENT_TYPE",
    "TARGET_PREFIX",
    "Encoded",
    "RawRequest",
    "RawResponse",
    "encode_error",
    "encode_json",
    "headers_for",
    "read_identity",
    "read_operation",
    "read_params",
    "request_id",
]

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "TrentService."

_HOST_REGION = re.compile(r"^kms(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$")


class RawRequest(NamedTuple):
    """A request as it arrived, in transport-neutral form.

    ``headers`` needs only a case-insensitive ``get``; botocore's and
    requests' header classes both qualify. A transport that already knows
    the operation passes it as ``operation``; otherwise it is read from
    ``X-Amz-Target``.
    """

    url: str
    headers: Mapping[str, Any]
    body: bytes
    operation: str | None = None


class RawResponse(NamedTuple):
    """An answer ready for a transport to send back."""

    status: int
    headers: dict[str, str]
    body: bytes


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    value = headers.get(name)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def read_operation(raw: RawRequest) -> str:
    """The operation named by ``X-Amz-Target``, or UnknownOperationException."""
    if raw.operation is not None:
        return raw.operation
    target = _header(raw.headers, "X-Amz-Target") or ""
    if not target.startswith(TARGET_PREFIX) or len(target) == len(TARGET_PREFIX):
        raise AwsError(
            "UnknownOperationException",
            f"The X-Amz-Target header {target!r} names no KMS operation; "
            f"expected '{TARGET_PREFIX}<Operation>'.",
        )
    return target[len(TARGET_PREFIX) :]


_scan_json: Callable[[str, int], tuple[Any, int]] = getattr(json.JSONDecoder(), "scan_once")  # noqa: B009 - untyped in typeshed
_JSON_SPACE = " \t\n\r"


def read_params(body: bytes) -> Any:
    """A request's JSON body, parsed (an empty body is ``{}``), or SerializationException.

    The body is UTF-8 JSON, as AWS requires; it is read with the standard
    library's C scanner directly, without ``json.loads``'s encoding detection.
    """
    try:
        text = body.decode("utf-8").strip(_JSON_SPACE)
        if not text:
            return {}
        value, end = _scan_json(text, 0)
        if end != len(text):
            raise ValueError("extra data after the JSON value")
    except (ValueError, RecursionError, StopIteration):  # UnicodeDecodeError is a ValueError
        raise AwsError("SerializationException", "The request body is not valid JSON.") from None
    return value


def read_identity(raw: RawRequest) -> tuple[str | None, str | None]:
    """The access key id and region a SigV4-signed request carries.

    The region falls back to the host name (``kms.<region>.amazonaws.com``);
    either value is None when the request does not say.
    """
    access_key = region = None
    authorization = _header(raw.headers, "Authorization")
    start = -1 if authorization is None else authorization.find("Credential=")
    if start >= 0:
        assert authorization is not None
        scope = authorization[start + 11 :].split(",", 1)[0].split("/")
        if len(scope) >= 4:
            access_key, region = scope[0], scope[2]
    if region is None:
        host = raw.url.split("://", 1)[-1].split("/", 1)[0]
        host_match = _HOST_REGION.match(host)
        if host_match is not None:
            region = host_match.group(1)
    return access_key, region


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return binascii.b2a_base64(value, newline=False).decode("ascii")
    raise TypeError(f"kmsmock cannot serialise {type(value).__name__} to JSON")


json_string: Callable[[str], str] = json.encoder.encode_basestring_ascii
"""A string as JSON text (quoted and escaped, in C)."""


def _make_encode_json() -> Any:
    """A compact JSON encoder (blobs as base64), built once and reused.

    The standard library builds a new C encoder for every ``json.dumps``;
    reusing one saves about a microsecond on each answer.
    """
    from json import encoder as json_encoder

    c_make_encoder = getattr(json_encoder, "c_make_encoder", None)  # untyped in typeshed
    encode_basestring_ascii = json_encoder.encode_basestring_ascii
    if c_make_encoder is None:  # pragma: no cover - CPython always has it
        return json.JSONEncoder(default=_json_default, separators=(",", ":")).encode
    encoder = c_make_encoder(
        None, _json_default, encode_basestring_ascii, None, ":", ",", False, False, True
    )
    return lambda value: "".join(encoder(value, 0))


_encode_json: Callable[[Any], str] = _make_encode_json()


def encode_json(value: Any) -> str:
    """JSON text of a value: compact, blobs as base64."""
    return _encode_json(value)


class Encoded(str):
    """A top-level member value given as JSON text already.

    Handlers use it for parts of an answer that they keep encoded, such as the
    entries of a long listing: Python 3.11's JSON encoder spends about half a
    microsecond on each small object, which a page of 100 keys would pay on
    every call. It is a ``str`` whose type marks it, so making one runs no
    Python code; only the encoders of :mod:`kmsmock.protocol.encoding` tell
    it from a plain string, and only as a top-level member.
    """

    __slots__ = ()

    @classmethod
    def array(cls, items: list[str]) -> Encoded:
        """A JSON array of items that are each JSON text already."""
        return cls("[" + ",".join(items) + "]")

    @classmethod
    def merged(cls, members: str, more: Mapping[str, Any]) -> Encoded:
        """A JSON object: ``members`` (encoded, without braces) followed by ``more``."""
        if not more:
            return cls("{" + members + "}")
        return cls("{" + members + "," + encode_json(more)[1:])


_request_numbers = itertools.count()


def _request_id_batch() -> list[str]:
    """Request ids in AWS's UUID form: a random prefix per batch, then a counter."""
    hexes = os.urandom(10).hex()
    prefix = f"{hexes[:8]}-{hexes[8:12]}-{hexes[12:16]}-{hexes[16:20]}-"
    return [prefix + next(_request_numbers).to_bytes(6, "big").hex() for _ in range(256)]


_request_ids: Prepared[str] = Prepared(_request_id_batch)


def request_id() -> str:
    """A fresh request id."""
    return _request_ids.take()


_LENGTHS = [str(size) for size in range(8192)]
"""Content-Length values, written out once for the usual sizes."""


def headers_for(body: bytes) -> dict[str, str]:
    """The headers of an answer with this body: a fresh request id, type and length."""
    size = len(body)
    try:
        request = _request_ids.pop()
    except IndexError:  # the batch ran out
        request = _request_ids.refill()
    return {
        "x-amzn-RequestId": request,
        "Content-Type": CONTENT_TYPE,
        "Content-Length": _LENGTHS[size] if size < 8192 else str(size),
    }


def encode_error(error: AwsError, status: int) -> RawResponse:
    """An error answer: ``{"__type": code, "message": message}`` with AWS's status."""
    body = json.dumps({"__type": error.code, "message": error.message}).encode()
    return RawResponse(status, headers_for(body), body)
