"""The neutral request and response every transport exchanges with the pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = ["Request", "Response"]


class Request(NamedTuple):
    """A KMS request as a transport hands it to :func:`~kmsmock.protocol.pipeline.Pipeline.answer`.

    ``operation`` is the KMS operation, when the transport knows it (botocore
    names it in its events); None means the pipeline reads it from the
    ``X-Amz-Target`` header. ``headers`` needs only a case-insensitive
    ``get`` (botocore's, requests' and werkzeug's header classes all
    qualify). ``account_id`` and ``region`` are the caller, as
    :func:`kmsmock.protocol.caller.caller_of` resolves it; None stands for
    the mock's default account or region.
    """

    operation: str | None
    headers: Mapping[str, Any]
    body: bytes
    account_id: str | None
    region: str | None


class Response(NamedTuple):
    """An answer, ready for a transport to turn into its own response type."""

    status: int
    headers: dict[str, str]
    body: bytes
