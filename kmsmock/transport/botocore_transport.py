"""The botocore transport: KMS requests are answered at botocore's ``before-send`` event.

botocore's parameter validation, serialisation, signing, retries and error
parsing all run as they do against AWS; only the HTTP exchange is replaced.

Two handlers are added to ``botocore.handlers.BUILTIN_HANDLERS`` when kmsmock
is imported (and to boto3's default session, if it exists already), ahead of
every other handler, so every session created later, and every client of
those sessions, carries them:

- ``before-sign.kms``: while started, the request is signed with fake
  credentials for the account the client's own access key names (see
  ``KmsKeystores.credentials``), else for the default account. Real
  credentials never sign a request, and a client with no credentials at all
  still reaches ``before-send``.
- ``before-send.kms``: while started, the request is answered by the
  pipeline and never reaches the network. botocore calls every
  ``before-send`` handler and only then takes the first answer, so handlers
  registered after ours (moto's, for one) would still see the request; ours
  therefore points the answered request at an address no mock owns.

A client made before kmsmock was imported carries no copy of these handlers.
For those, the transport also patches ``Endpoint._send`` while started, the
step that would open a socket: every KMS request that reaches it is answered
the same way; every other request goes to the ``_send`` installed before.

botocore still decides every retry of an answer, with its own delays. Only
the wait changes: while started, the ``time`` that ``botocore.endpoint``
sleeps with hands the backoff before retrying one of kmsmock's answers to the
pipeline (which waits on the mock clock), and sleeps for real otherwise.

aiobotocore sessions carry the same two handlers (they copy botocore's
builtin handlers too), so the same hooks answer aiobotocore's clients: the
answer's content can be awaited, and an aiobotocore signer gets credentials
it can await. The rest of aiobotocore (clients made before import, backoff)
is :mod:`kmsmock.transport.aiobotocore_transport`'s.
"""

from __future__ import annotations

import functools
import inspect
import sys
import time
from collections.abc import Generator
from types import ModuleType
from typing import Any

from botocore import UNSIGNED
from botocore.awsrequest import AWSResponse
from botocore.credentials import Credentials
from botocore.handlers import BUILTIN_HANDLERS, REGISTER_FIRST

from ..accounts import FAKE_SECRET_ACCESS_KEY, access_key_for, mock_account
from ..protocol.caller import caller_of
from ..protocol.messages import Request, Response
from .base import Answerer, Transport

__all__ = [
    "ANSWERED_URL",
    "AnsweredResponse",
    "AwaitableBytes",
    "BotocoreTransport",
    "answered",
    "before_send",
    "before_sign",
    "botocore_transport",
    "fake_credentials",
    "hand_back_off",
    "install",
    "neutral_request",
]

ANSWERED_URL = "https://kmsmock.invalid/answered-by-kmsmock"
"""Where an answered request points afterwards, so no later handler claims it."""


class AwaitableBytes(bytes):
    """An answer's body: bytes to botocore, and an awaitable that gives them to aiobotocore."""

    def __await__(self) -> Generator[Any, None, AwaitableBytes]:
        yield from ()  # a generator that yields nothing: awaiting it returns at once
        return self


class AnsweredBody(tuple):  # type: ignore[type-arg]
    """The raw body of an answer: the whole payload as one chunk."""

    __slots__ = ()

    def stream(self, **kwargs: Any) -> tuple[bytes, ...]:
        """The whole body, as one chunk (what botocore joins)."""
        return self

    def read(self, amt: int | None = None) -> bytes:
        """The whole body, whatever ``amt`` asks for."""
        return AwaitableBytes(b"".join(self))

    def close(self) -> None:
        """Nothing to release."""


class AnsweredResponse(AWSResponse):  # type: ignore[misc]
    """kmsmock's answer, as botocore and aiobotocore read a response.

    botocore reads ``content`` as bytes; aiobotocore awaits it.
    """

    def __init__(self, url: str, response: Response) -> None:
        super().__init__(url, response.status, response.headers, AnsweredBody((response.body,)))
        self._content = AwaitableBytes(response.body)


def answered(response: Any) -> bool:
    """Whether a ``(http_response, parsed)`` pair a retry is decided on is kmsmock's answer."""
    http_response = response[0] if isinstance(response, tuple) and response else None
    return type(http_response) is AnsweredResponse


def hand_back_off(answerer: Answerer | None, seconds: float, response: Any) -> bool:
    """Let ``answerer`` wait a retry's backoff (on the mock clock) if ``response`` is its answer.

    False when it is not kmsmock's answer: the client then sleeps as it would.
    """
    if answerer is None or not answered(response):
        return False
    answerer.wait_before_retry(seconds)
    return True


def neutral_request(prepared: Any, operation: str | None = None) -> Request:
    """A botocore (or aiobotocore) prepared request as the pipeline takes it."""
    body = prepared.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = bytes(body if isinstance(body, bytearray) else body.read())
    caller = caller_of(prepared.headers, prepared.url)
    return Request(
        operation=operation,
        headers=prepared.headers,
        body=body,
        account_id=caller.account_id,
        region=caller.region,
    )


@functools.lru_cache(maxsize=256)
def fake_credentials(account_id: str, awaited: bool = False) -> Credentials:
    """The fake credentials that sign as ``account_id``.

    ``awaited``: for an aiobotocore signer, which awaits its credentials.
    """
    if awaited:
        from aiobotocore.credentials import AioCredentials

        credentials: Credentials = AioCredentials(
            access_key_for(account_id), FAKE_SECRET_ACCESS_KEY
        )
        return credentials
    return Credentials(access_key_for(account_id), FAKE_SECRET_ACCESS_KEY)


class BotocoreTransport(Transport):
    """Answers the KMS requests of every botocore client in the process while started."""

    def __init__(self) -> None:
        super().__init__()
        self._installed_send: Any = None
        self._installed_time: ModuleType | None = None

    def answer(self, prepared: Any, operation: str | None = None) -> AWSResponse | None:
        """The answer to a prepared request (an ``AWSPreparedRequest``); None while stopped."""
        answerer = self.answerer
        if answerer is None:
            return None
        return AnsweredResponse(prepared.url, answerer.answer(neutral_request(prepared, operation)))

    def signing_credentials(self, request_signer: Any) -> Credentials | None:
        """The fake credentials a KMS request must be signed with; None to keep the client's."""
        answerer = self.answerer
        if answerer is None:
            return None
        awaited = inspect.iscoroutinefunction(getattr(request_signer, "sign", None))
        # Plain credentials only: reading refreshable ones could refresh them over the network.
        credentials: Any = getattr(request_signer, "_credentials", None)
        if type(credentials).__name__ in _PLAIN_CREDENTIALS:
            account = mock_account(credentials.access_key)
            if account is not None:
                if credentials.secret_key == FAKE_SECRET_ACCESS_KEY:
                    return None  # the client's own credentials are kmsmock's fakes already
                return fake_credentials(account, awaited)
        return fake_credentials(answerer.default_account_id, awaited)

    def _install(self) -> None:
        import botocore.endpoint
        from botocore.endpoint import Endpoint

        installed = self._installed_send = Endpoint._send
        transport = self

        def _send(endpoint: Any, request: Any) -> Any:
            if getattr(endpoint, "_endpoint_prefix", None) == "kms":
                answered = transport.answer(request)
                if answered is not None:
                    return answered
            return installed(endpoint, request)

        Endpoint._send = _send
        self._installed_time = botocore.endpoint.time
        botocore.endpoint.time = _RetryTime(self, Endpoint._needs_retry.__code__)

    def _uninstall(self) -> None:
        import botocore.endpoint
        from botocore.endpoint import Endpoint

        Endpoint._send = self._installed_send
        self._installed_send = None
        if self._installed_time is not None:
            botocore.endpoint.time = self._installed_time
            self._installed_time = None

    def back_off(self, seconds: float, response: Any) -> bool:
        """Hand a retry's backoff to the pipeline if ``response`` is one of kmsmock's answers."""
        return hand_back_off(self.answerer, seconds, response)


class _RetryTime:
    """What ``botocore.endpoint`` sees as the ``time`` module while the transport is started.

    Everything is the real module's, except :meth:`sleep`: called by
    ``Endpoint._needs_retry`` to back off before retrying one of kmsmock's
    answers, it hands the wait to the pipeline. The answer is found in the
    caller's frame, so no request pays for this unless it is retried.
    """

    def __init__(self, transport: BotocoreTransport, needs_retry: Any) -> None:
        self._transport = transport
        self._needs_retry = needs_retry

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        """Back off on the mock clock before retrying kmsmock's answer; otherwise sleep."""
        caller = sys._getframe(1)
        if caller.f_code is self._needs_retry and self._transport.back_off(
            seconds, caller.f_locals.get("response")
        ):
            return
        time.sleep(seconds)


_PLAIN_CREDENTIALS = frozenset({"Credentials", "AioCredentials"})
"""Credentials whose attributes are plain values (botocore's and aiobotocore's)."""

botocore_transport = BotocoreTransport()
"""The process's one botocore transport; :mod:`kmsmock.activation` starts and stops it."""


def before_sign(
    request: Any,
    signature_version: Any = None,
    request_signer: Any = None,
    **kwargs: Any,
) -> None:
    """``before-sign.kms``: sign with fake credentials while the transport is started."""
    if signature_version is UNSIGNED:
        return
    credentials = botocore_transport.signing_credentials(request_signer)
    if credentials is not None:
        signing = dict(request.context.get("signing") or {})
        signing["request_credentials"] = credentials
        request.context["signing"] = signing


def before_send(request: Any, event_name: str = "", **kwargs: Any) -> AWSResponse | None:
    """``before-send.kms``: answer the request while the transport is started."""
    parts = event_name.split(".")  # botocore names the operation: before-send.kms.<Operation>
    answered = botocore_transport.answer(request, parts[2] if len(parts) == 3 else None)
    if answered is not None:
        request.url = ANSWERED_URL
    return answered


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
