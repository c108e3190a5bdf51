"""The HTTP transport: KMS requests that arrive over the network, at ``kmsmock serve``.

An HTTP request is turned into the neutral :class:`~kmsmock.protocol.messages.Request`
as every other transport turns its own, with one difference: over the
network an SDK always signs, so a request without a SigV4 ``Authorization``
header, or with one that names no credential, gets the answer AWS gives
(see :func:`~kmsmock.protocol.caller.signature_refusal`) instead of acting
as the default account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..protocol.caller import caller_of, signature_refusal
from ..protocol.messages import Request, Response
from .base import Answerer

__all__ = ["answer_http"]


def answer_http(answerer: Answerer, headers: Mapping[str, Any], body: bytes, host: str) -> Response:
    """The answer to a KMS request that arrived over HTTP (``host``: the Host it was sent to)."""
    caller = caller_of(headers, f"https://{host}/")
    refused = signature_refusal(headers, caller)
    if refused is not None:
        return refused
    request = Request(
        operation=None,
        headers=headers,
        body=body,
        account_id=caller.account_id,
        region=caller.region,
    )
    return answerer.answer(request)
