"""The botocore transport: KMS requests are answered at botocore's ``before-send`` event.

botocore's parameter validation, serialisation, signing, retries and error
parsing all run as they do against AWS; only the HTTP exchange is replaced.

Two handlers are added to ``botocore.handlers.BUILTIN_HANDLERS`` when kmsmock
is imported, ahead of every other handler, so every session created later,
and every client of those sessions, carries them (sessions copy the builtin
handlers when created, clients copy their session's emitter):

- ``before-sign.kms``: while the mock is active, the request is signed with
  fake credentials for the account the client's own access key names (see
  ``KmsKeystores.credentials``). Real credentials never sign a request, and a
  client with no credentials at all still reaches ``before-send``.
- ``before-send.kms``: while the mock is active, the request is answered by
  the simulated KMS and never reaches the network.

botocore calls every ``before-send`` handler and only then takes the first
answer, so handlers registered after ours (moto's, for one) would still see
the request and could act on it. Ours therefore points the answered request
at an address no mock owns before returning.
"""

from __future__ import annotations

import sys
from io import BytesIO
from typing import Any

from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.credentials import Credentials
from botocore.handlers import BUILTIN_HANDLERS, REGISTER_FIRST

from ..accounts import FAKE_SECRET_ACCESS_KEY, access_key_for, is_mock_access_key
from ..activation import current

__all__ = ["ANSWERED_URL", "install"]

ANSWERED_URL = "https://kmsmock.invalid/answered-by-kmsmock"
"""Where an answered request points afterwards, so no later handler claims it."""


class _Body(BytesIO):
    """The raw body botocore reads an answer from."""

    def stream(self, **kwargs: Any) -> Any:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def _declared_access_key(request_signer: Any) -> str | None:
    # Read the key id of plain credentials only: touching refreshable ones
    # could refresh them, which may mean a network call.
    credentials = getattr(request_signer, "_credentials", None)
    if type(credentials) is Credentials:
        access_key: str | None = vars(credentials).get("access_key")
        return access_key
    return None


def before_sign(request: Any, request_signer: Any = None, **kwargs: Any) -> None:
    """Sign KMS requests with fake credentials while the mock is active."""
    simulation = current()
    if simulation is None:
        return
    access_key = _declared_access_key(request_signer)
    if not is_mock_access_key(access_key):
        access_key = access_key_for(simulation.options.account_id)
    signing = dict(request.context.get("signing") or {})
    signing["request_credentials"] = Credentials(access_key, FAKE_SECRET_ACCESS_KEY)
    request.context["signing"] = signing


def before_send(request: Any, **kwargs: Any) -> AWSResponse | None:
    """Answer a KMS request from the simulated KMS while the mock is active."""
    simulation = current()
    if simulation is None:
        return None
    body = request.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, (bytes, bytearray)):
        body = body.read()
    from ..dispatch import serve
    from ..protocol.wire import RawRequest

    url = request.url
    answer = serve(simulation, RawRequest(url=url, headers=request.headers, body=bytes(body)))
    request.url = ANSWERED_URL
    return AWSResponse(url, answer.status, HeadersDict(answer.headers), _Body(answer.body))


_HANDLERS = (
    ("before-sign.kms", before_sign, REGISTER_FIRST),
    ("before-send.kms", before_send, REGISTER_FIRST),
)


def install() -> None:
    """Register the handlers for new sessions, and on boto3's existing default session."""
    for spec in _HANDLERS:
        if spec not in BUILTIN_HANDLERS:
            BUILTIN_HANDLERS.append(spec)
    boto3 = sys.modules.get("boto3")
    session = getattr(getattr(boto3, "DEFAULT_SESSION", None), "_session", None)
    if session is not None:
        for event, handler, _ in _HANDLERS:
            session.register_first(event, handler, unique_id=f"kmsmock-{event}")
