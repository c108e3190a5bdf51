"""The floor every benchmark measures against: botocore answered by a canned response.

- ``Floor``: a client whose KMS calls are answered at ``before-send`` by canned
  responses (the very bodies and headers kmsmock answered), with no backend,
  as cheaply as a before-send answer can be: the response parts are ready,
  and botocore's ``AWSResponse`` wraps them, as it does kmsmock's.
- ``capture``: kmsmock's raw answers to a call, to can them for the floor.
- ``timed_batch``: the CPU time per call of a batch of calls.
"""

from __future__ import annotations

import gc
import itertools
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from kmsmock.transport.botocore_transport import before_send, before_sign

REGION = "us-east-1"
CLUSTER = "cluster-234567abcdef"


class _Body(tuple):  # type: ignore[type-arg]
    """The leanest body botocore reads an answer from: the payload as one chunk."""

    __slots__ = ()

    def stream(self, **kwargs: Any) -> Any:
        return self

    def read(self, amt: int | None = None) -> bytes:
        return b"".join(self)

    def close(self) -> None:
        pass


def without_kmsmock(client: Any) -> Any:
    client.meta.events.unregister("before-send.kms", before_send)
    client.meta.events.unregister("before-sign.kms", before_sign)
    return client


def without_moto(client: Any) -> Any:
    """Measure kmsmock alone: moto's handler would also run (and cost) on every call."""
    moto_models = sys.modules.get("moto.core.models")
    if moto_models is not None:
        client.meta.events.unregister("before-send", moto_models.botocore_stubber)
    return client


def without_mocks(client: Any) -> Any:
    """A client that neither kmsmock nor moto answers (for the floor)."""
    return without_kmsmock(without_moto(client))


class Floor:
    """A client whose KMS calls are answered by canned responses, in order."""

    def __init__(self) -> None:
        self.client = without_mocks(
            boto3.client(
                "kms",
                region_name=REGION,
                aws_access_key_id="AKIAFLOORFLOORFLOOR0",
                aws_secret_access_key="floor-secret",
            )
        )
        self._answers: Any = None
        self.client.meta.events.register_first("before-send.kms", self._answer)

    def can(self, answers: list[tuple[int, dict[str, str], bytes]]) -> None:
        """Answer with these, in turn: the response objects are made here, not per call."""
        self._answers = itertools.cycle(
            (status, headers, _Body((body,) if body else ())) for status, headers, body in answers
        )

    def _answer(self, request: Any, **kwargs: Any) -> AWSResponse:
        # As little as a before-send answer can do: botocore's AWSResponse around a
        # plain dict of headers (AWSResponse wraps it, as for kmsmock) and a ready body.
        status, headers, body = next(self._answers)
        return AWSResponse(request.url, status, headers, body)


def capture(client: Any, call: Callable[[Any], Any]) -> list[tuple[int, dict[str, str], bytes]]:
    """Run ``call`` once and return kmsmock's raw answers, to can them for the floor."""
    answers: list[tuple[int, dict[str, str], bytes]] = []

    def record(http_response: Any, **kwargs: Any) -> None:
        answers.append(
            (http_response.status_code, dict(http_response.headers), http_response.content)
        )

    client.meta.events.register("after-call.kms", record)
    try:
        call(client)
    finally:
        client.meta.events.unregister("after-call.kms", record)
    return answers


def timed_batch(call: Callable[[], Any], size: int) -> float:
    """CPU time per call of a batch, in µs (CPU time: other processes' load adds less noise)."""
    gc.collect()
    gc.disable()
    try:
        start = time.thread_time_ns()
        for _ in range(size):
            call()
        elapsed = time.thread_time_ns() - start
    finally:
        gc.enable()
    return elapsed / size / 1000.0  # microseconds per call
