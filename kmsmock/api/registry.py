"""Where each KMS operation is declared, once, with the ``@operation`` decorator."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ..domain.kms import SimulatedKms
    from ..domain.scope import AccountRegion

__all__ = ["HANDLERS", "Context", "Handler", "Memo", "Params", "Result", "epoch", "operation"]

Params = dict[str, Any]
"""The members of a request, as plain values, after validation against the model."""
Result = dict[str, Any]
"""The members of an answer, as plain values (see :mod:`kmsmock.protocol.encoding`)."""


class Context(NamedTuple):
    """What a handler knows about the request besides its parameters."""

    operation: str
    account_id: str
    region: str
    kms: SimulatedKms
    scope: AccountRegion
    """What the caller's account holds in the caller's region."""
    now: float
    """The mock clock's reading when the request is answered."""


Handler = Callable[[Context, Params], "Result | Memo"]
"""What an operation runs: the request context and params in, an answer (or a memo) out."""


class Memo(NamedTuple):
    """An answer whose members ``function(argument)`` makes, so that its JSON may be kept.

    ``function`` must give equal answers for equal arguments, such as a page
    of keys, whose ids and ARNs never change; the protocol layer then writes
    the page once, however often it is asked for.
    """

    function: Callable[[Any], Any]
    argument: Hashable


def epoch(timestamp: float) -> float:
    """A timestamp as KMS answers it: epoch seconds, to the millisecond."""
    return round(timestamp, 3)


HANDLERS: dict[str, Handler] = {}
"""Every implemented operation, by its name in botocore's KMS model."""


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of the KMS operation ``name``.

    It receives the validated parameters (blobs already decoded) and returns
    the response members as plain values; raising
    :class:`~kmsmock.domain.aws_error.AwsError` answers with that error.
    """

    def register(handler: Handler) -> Handler:
        if name in HANDLERS:
            raise RuntimeError(f"KMS operation {name} is declared twice")
        HANDLERS[name] = handler
        return handler

    return register
