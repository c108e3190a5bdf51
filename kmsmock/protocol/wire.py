"""JSON 1.1 as KMS speaks it: the request's target and body, the answer and errors.

Every transport (the botocore hook, the ``responses`` hook, later the HTTP
server) turns its native request into a :class:`RawRequest` and hands it to
:func:`kmsmock.dispatch.serve`; these helpers do the protocol part.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..domain.errors import AwsError

__all__ = [
    "CONTENT_TYPE",
    "TARGET_PREFIX",
    "RawRequest",
    "RawResponse",
    "encode_error",
    "encode_result",
    "read_identity",
    "read_operation",
    "read_params",
    "request_id",
]

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "TrentService."

_HOST_REGION = re.compile(r"^kms(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$")


@dataclass(frozen=True, slots=True)
class RawRequest:
    """A request as it arrived, in transport-neutral form.

    ``headers`` needs only a case-insensitive ``get``; botocore's and
    requests' header classes both qualify.
    """

    url: str
    headers: Mapping[str, Any]
    body: bytes


@dataclass(frozen=True, slots=True)
class RawResponse:
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
    target = _header(raw.headers, "X-Amz-Target") or ""
    if not target.startswith(TARGET_PREFIX) or len(target) == len(TARGET_PREFIX):
        raise AwsError(
            "UnknownOperationException",
            f"The X-Amz-Target header {target!r} names no KMS operation; "
            f"expected '{TARGET_PREFIX}<Operation>'.",
        )
    return target[len(TARGET_PREFIX) :]


def read_params(raw: RawRequest) -> Any:
    """The JSON body, parsed (an empty body is ``{}``), or SerializationException."""
    if not raw.body or raw.body.isspace():
        return {}
    try:
        return json.loads(raw.body)
    except (ValueError, UnicodeDecodeError):
        raise AwsError("SerializationException", "The request body is not valid JSON.") from None


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
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"kmsmock cannot serialise {type(value).__name__} to JSON")


_encoder = json.JSONEncoder(default=_json_default, separators=(",", ":"))
_prefix = os.urandom(8).hex()
_request_prefix = f"{_prefix[:8]}-{_prefix[8:12]}-{_prefix[12:16]}-"
_request_numbers = itertools.count()


def request_id() -> str:
    """A fresh request id in AWS's UUID form: random per process, then a counter."""
    number = next(_request_numbers)
    return f"{_request_prefix}{number >> 48 & 0xFFFF:04x}-{number & 0xFFFFFFFFFFFF:012x}"


def _headers(body: bytes) -> dict[str, str]:
    return {
        "x-amzn-RequestId": request_id(),
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(body)),
    }


def encode_result(result: Mapping[str, Any]) -> RawResponse:
    """A 200 answer; blobs (bytes) become base64, timestamps are epoch seconds already."""
    body = _encoder.encode(result).encode()
    return RawResponse(200, _headers(body), body)


def encode_error(error: AwsError, status: int) -> RawResponse:
    """An error answer: ``{"__type": code, "message": message}`` with AWS's status."""
    body = json.dumps({"__type": error.code, "message": error.message}).encode()
    return RawResponse(status, _headers(body), body)
