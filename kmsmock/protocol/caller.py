"""Who sends a request: the account and region a SigV4 signature names.

Every transport resolves the caller of a request with :func:`caller_of`, the
one place this is decided. A request that arrives over the network must be
signed: :func:`signature_refusal` gives AWS's answer to one that is not.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..accounts import mock_account
from ..domain.aws_error import AwsError
from .json11 import error_response, header
from .messages import Response

__all__ = ["AUTHENTICATION_ERRORS", "Caller", "caller_of", "signature_refusal"]

AUTHENTICATION_ERRORS = {
    "MissingAuthenticationTokenException": 403,
    "IncompleteSignatureException": 400,
}
"""The errors (and HTTP statuses) AWS answers a request that is not signed, or not fully."""

_HOST_REGION = re.compile(r"^kms(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$")


class Caller(NamedTuple):
    """The caller of a request.

    ``account_id`` is the account of one of kmsmock's access keys; None means
    the mock's default account (an unsigned request, or any other key).
    ``region`` comes from the signature's credential scope, else from a
    ``kms.<region>.amazonaws.com`` host; None means the mock's default region.
    ``access_key`` is the signature's access key id, None for an unsigned request.
    """

    account_id: str | None
    region: str | None
    access_key: str | None


def caller_of(headers: Mapping[str, Any], url: str) -> Caller:
    """The caller of a request with these headers, sent to ``url``."""
    authorization = header(headers, "Authorization") or ""
    # The credential comes first, before the signature, which differs for every request.
    caller = _signed_by(authorization.partition(",")[0])
    if caller.region is not None:
        return caller
    host = url.split("://", 1)[-1].split("/", 1)[0]
    host_match = _HOST_REGION.match(host)
    return caller._replace(region=None if host_match is None else host_match.group(1))


@functools.lru_cache(maxsize=256)
def _signed_by(credential: str) -> Caller:
    """The caller a SigV4 ``Credential=<access key>/<date>/<region>/<service>/...`` names."""
    _, found, scope_text = credential.partition("Credential=")
    scope = scope_text.split("/")
    if not found or len(scope) < 4:
        return Caller(account_id=None, region=None, access_key=None)
    access_key, region = scope[0], scope[2]
    return Caller(account_id=mock_account(access_key), region=region, access_key=access_key)


def signature_refusal(headers: Mapping[str, Any], caller: Caller) -> Response | None:
    """AWS's answer to a request whose SigV4 signature is missing or incomplete, else None.

    kmsmock checks the form of the ``Authorization`` header, not the
    signature itself: it has no secret to check it with.
    """
    authorization = header(headers, "Authorization")
    if not authorization:
        refusal = AwsError(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token: sign the request with AWS Signature Version 4.",
        )
    elif (
        not authorization.startswith("AWS4-HMAC-SHA256 ")
        or "Signature=" not in authorization
        or "SignedHeaders=" not in authorization
    ):
        refusal = AwsError(
            "IncompleteSignatureException",
            "The request signature does not conform to AWS standards: an AWS4-HMAC-SHA256 "
            "Authorization header needs Credential, SignedHeaders and Signature.",
        )
    elif caller.access_key is None:
        refusal = AwsError(
            "IncompleteSignatureException",
            "The request signature does not conform to AWS standards: its Credential must be "
            "<access key>/<date>/<region>/kms/aws4_request.",
        )
    else:
        return None
    return error_response(refusal, AUTHENTICATION_ERRORS[refusal.code])
