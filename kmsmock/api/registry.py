"""Where each KMS operation is declared, once, with the ``@operation`` decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ..domain.backend import Backend
from ..domain.region import RegionState
from ..options import Options

__all__ = ["HANDLERS", "Context", "Handler", "Params", "Result", "operation"]

Params = dict[str, Any]
Result = dict[str, Any]


class Context(NamedTuple):
    """What a handler knows about the request besides its parameters."""

    operation: str
    account_id: str
    region_name: str
    backend: Backend
    options: Options
    region: RegionState
    """The caller's account in the caller's region."""
    now: float
    """The mock clock's reading when the request is answered."""


Handler = Callable[[Context, Params], Result]

HANDLERS: dict[str, Handler] = {}
"""Every implemented operation, by its name in botocore's KMS model."""


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of the KMS operation ``name``.

    It receives the validated parameters (blobs already decoded) and returns
    the response members; raising :class:`kmsmock.domain.errors.AwsError`
    answers with that error.
    """

    def register(handler: Handler) -> Handler:
        if name in HANDLERS:
            raise RuntimeError(f"KMS operation {name} is declared twice")
        HANDLERS[name] = handler
        return handler

    return register
