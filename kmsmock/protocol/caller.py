"""Who sends a request: the account and region a SigV4 signature names.

Every transport resolves the caller of a request with :func:`caller_of`, the
one place this is decided.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..accounts import mock_account
from .json11 import header

__all__ = ["Caller", "caller_of"]

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
