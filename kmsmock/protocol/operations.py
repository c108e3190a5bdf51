"""Each KMS operation as the pipeline runs it: its handler, and what the model says of it.

An operation is built on its first request: the handler modules, and the
checks written from botocore's model, load then rather than when a mock starts.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, NamedTuple

from ..domain.aws_error import AwsError
from ..errors import UnimplementedOperationError
from ..model import COMMON_ERRORS, service_model

if TYPE_CHECKING:
    from ..api.registry import Handler
    from .encoding import Encoder
    from .redaction import Redact
    from .validation import Validator

__all__ = ["Operation", "operation_named", "redactor_named"]


class Operation(NamedTuple):
    """An implemented operation, with its checks built from botocore's model."""

    name: str
    handler: Handler
    validate: Validator
    redact: Redact | None
    """None when the operation has no sensitive members: the call log keeps the params."""
    encode: Encoder
    errors: frozenset[str]
    """Every error code the operation may answer."""


@functools.cache
def operation_named(name: str) -> Operation:
    """The operation named ``name``, built on first use.

    Raises UnknownOperationException (an :class:`AwsError`) for a name the
    model does not have, and :class:`UnimplementedOperationError` for one
    kmsmock does not simulate.
    """
    from ..api.operations import HANDLERS
    from .encoding import encoder_for
    from .validation import validator_for

    model = service_model()
    if name not in model.operation_names:
        raise AwsError("UnknownOperationException", f"KMS has no operation named {name!r}.")
    handler = HANDLERS.get(name)
    if handler is None:
        raise UnimplementedOperationError(name)
    op_model = model.operation_model(name)
    return Operation(
        name=name,
        handler=handler,
        validate=validator_for(op_model.input_shape),
        redact=redactor_named(name),
        encode=encoder_for(op_model.output_shape),
        errors=frozenset(shape.name for shape in op_model.error_shapes) | COMMON_ERRORS,
    )


@functools.cache
def redactor_named(name: str) -> Redact | None:
    """The redactor of an operation of the model, implemented or not."""
    from .redaction import redactor_for

    return redactor_for(service_model().operation_model(name).input_shape)
