"""The HTTP transport: KMS requests that arrive over the network, at ``kmsmock serve``.

An HTTP request is turned into the neutral :class:`~kmsmock.protocol.messages.Request`
as every other transport turns its own, with one difference: over the
network an SDK always signs, so a request without a SigV4 ``Authorization``
header, or with one that names no credential, gets the answer AWS gives
(MissingAuthenticationTokenException, IncompleteSignatureException) instead
of acting as the default account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..domain.aws_error import AwsError
from ..protocol.caller import caller_of
from ..protocol.json11 import error_response, header
from ..protocol.messages import Request, Response
from .base import Answerer

__all__ = ["AUTHENTICATION_ERRORS", "answer_http"]

AUTHENTICATION_ERRORS = {
    "MissingAuthenticationTokenException": 403,
    "IncompleteSignatureException": 400,
}
"""The errors (and HTTP statuses) AWS answers a request that is not signed, or not fully."""


def _refusal(headers: Mapping[str, Any]) -> AwsError | None:
    """What AWS answers a request whose signature is missing or incomplete, if anything."""
    authorization = header(headers, "Authorization")
    if not authorization:
        return AwsError(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token: sign the request with AWS Signature Version 4.",
        )
    if (
        not authorization.startswith("AWS4-HMAC-SHA256 ")
        or "Signature=" not in authorization
        or "SignedHeaders=" not in authorization
    ):
        return AwsError(
            "IncompleteSignatureException",
            "The request signature does not conform to AWS standards: an AWS4-HMAC-SHA256 "
            "Authorization header needs Credential, SignedHeaders and Signature.",
        )
    return None


def answer_http(answerer: Answerer, headers: Mapping[str, Any], body: bytes, host: str) -> Response:
    """The answer to a KMS request that arrived over HTTP (``host``: the Host it was sent to)."""
    refusal = _refusal(headers)
    caller = caller_of(headers, f"https://{host}/")
    if refusal is None and caller.access_key is None:
        refusal = AwsError(
            "IncompleteSignatureException",
            "The request signature does not conform to AWS standards: its Credential must be "
            "<access key>/<date>/<region>/kms/aws4_request.",
        )
    if refusal is not None:
        return error_response(refusal, AUTHENTICATION_ERRORS[refusal.code])
    request = Request(
        operation=None,
        headers=headers,
        body=body,
        account_id=caller.account_id,
        region=caller.region,
    )
    return answerer.answer(request)
