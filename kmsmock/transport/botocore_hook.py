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
import threading
from typing import Any

from botocore import UNSIGNED
from botocore.awsrequest import AWSResponse
from botocore.credentials import Credentials
from botocore.handlers import BUILTIN_HANDLERS, REGISTER_FIRST

from .. import activation
from ..accounts import FAKE_SECRET_ACCESS_KEY, access_key_for, known_accounts, mock_account

__all__ = ["ANSWERED_URL", "EndpointGuard", "endpoint_guard", "install"]

ANSWERED_URL = "https://kmsmock.invalid/answered-by-kmsmock"
"""Where an answered request points afterwards, so no later handler claims it."""


class _Body(tuple):  # type: ignore[type-arg]
    """The raw body botocore reads an answer from: one chunk, the whole payload.

    A tuple, so making one runs no Python code.
    """

    __slots__ = ()

    def stream(self, **kwargs: Any) -> tuple[bytes, ...]:
        """The whole body, as one chunk (what botocore joins)."""
        return self

    def read(self, amt: int | None = None) -> bytes:
        """The whole body, whatever ``amt`` asks for."""
        return b"".join(self)

    def close(self) -> None:
        """Nothing to release."""


_signing_credentials: dict[str, Credentials] = {}
_signed = threading.local()
"""The caller (account, region) of the request this thread just signed, for before_send."""


def _credentials_for(access_key: str) -> Credentials:
    credentials = _signing_credentials.get(access_key)
    if credentials is None:
        credentials = _signing_credentials[access_key] = Credentials(
            access_key, FAKE_SECRET_ACCESS_KEY
        )
    return credentials


def before_sign(
    request: Any,
    signing_name: str | None = None,
    region_name: str | None = None,
    signature_version: Any = None,
    request_signer: Any = None,
    operation_name: str | None = None,
    event_name: str | None = None,
    **kwargs: Any,
) -> None:
    """Sign KMS requests with fake credentials while the mock is active.

    Every argument botocore passes is named: matching names costs less than
    collecting them into ``kwargs``, which is there for ones botocore may add.
    """
    simulation = activation.active
    if simulation is None:
        return
    if signature_version is UNSIGNED:
        _signed.caller = (simulation.options.account_id, region_name)  # the default account
        return
    # Read the key id of plain credentials only: touching refreshable ones
    # could refresh them, which may mean a network call.
    credentials: Any = getattr(request_signer, "_credentials", None)
    account = None
    if type(credentials) is Credentials:  # plain credentials: their attributes are plain too
        access_key = credentials.access_key
        account = known_accounts.get(access_key) or mock_account(access_key)
        if account is not None and credentials.secret_key == FAKE_SECRET_ACCESS_KEY:
            _signed.caller = (account, region_name)
            return  # the client's own credentials are kmsmock's fakes already
    if account is None:
        account = simulation.options.account_id
    _signed.caller = (account, region_name)
    signing = dict(request.context.get("signing") or {})
    signing["request_credentials"] = _credentials_for(access_key_for(account))
    request.context["signing"] = signing


_answer: Any = None
_serve: Any = None
_raw_request: Any = None


def _load_dispatch() -> None:
    """Load the dispatch with the first answered request, not at import."""
    global _answer, _serve, _raw_request
    if _answer is None:
        from ..dispatch import answer, serve
        from ..protocol.wire import RawRequest

        _answer, _serve, _raw_request = answer, serve, RawRequest


def _body_bytes(body: Any) -> bytes:
    """A prepared request's body as bytes, whatever botocore holds it as."""
    if type(body) is bytes:
        return body
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    return bytes(body if isinstance(body, bytearray) else body.read())


def _response(url: str, reply: Any) -> AWSResponse:
    """An answer as botocore's response; an empty body is no chunk at all."""
    status, headers, payload = reply  # a RawResponse, or any (status, headers, body)
    return AWSResponse(url, status, headers, _Body((payload,) if payload else ()))


def before_send(request: Any, event_name: str = "", **kwargs: Any) -> AWSResponse | None:
    """Answer a KMS request from the simulated KMS while the mock is active."""
    simulation = activation.active
    if simulation is None:
        return None
    _load_dispatch()
    body = _body_bytes(request.body)
    url = request.url
    caller = getattr(_signed, "caller", None)
    _signed.caller = None
    # botocore names the operation in the event: before-send.kms.<Operation>
    operation = event_name.rpartition(".")[2]
    if caller is not None and caller[1] is not None and operation:
        account, region = caller
        reply = _answer(simulation, operation, body, account, region)
    else:  # not signed here: the request itself says who calls what
        reply = _serve(simulation, _raw_request(url, request.headers, body, operation or None))
    request.url = ANSWERED_URL
    return _response(url, reply)


class EndpointGuard:
    """The last line for clients whose events lack the hooks: botocore's ``Endpoint._send``.

    A client keeps a copy of its session's handlers from when it was made, so
    a client made before kmsmock was imported never emits to ``before_send``.
    While started, this guard answers every KMS request that reaches
    ``Endpoint._send`` (the step that would open a socket) from the simulated
    KMS, reading the caller from the request's own ``Authorization`` header,
    and passes every other request to the ``_send`` that was installed before.
    Starting and stopping are idempotent.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._installed: Any = None

    def start(self) -> None:
        """Patch ``Endpoint._send``, chaining to the one installed before."""
        from botocore.endpoint import Endpoint

        with self._lock:
            if self._installed is not None:
                return
            installed = self._installed = Endpoint._send

            def _send(endpoint: Any, request: Any) -> Any:
                simulation = activation.active
                if simulation is None or getattr(endpoint, "_endpoint_prefix", None) != "kms":
                    return installed(endpoint, request)
                _load_dispatch()
                url = request.url
                body = _body_bytes(request.body)
                reply = _serve(simulation, _raw_request(url, request.headers, body))
                return _response(url, reply)

            Endpoint._send = _send

    def stop(self) -> None:
        """Undo :meth:`start`."""
        from botocore.endpoint import Endpoint

        with self._lock:
            installed, self._installed = self._installed, None
            if installed is not None:
                Endpoint._send = installed


endpoint_guard = EndpointGuard()
"""The process's one guard; :mod:`kmsmock.activation` starts and stops it."""


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
    if session is not None:  # a botocore session: its emitter is where register_first lives
        events = session.get_component("event_emitter")
        for event, handler, _ in _HANDLERS:
            events.register_first(event, handler, unique_id=f"kmsmock-{event}")
