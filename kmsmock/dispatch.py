"""The one dispatch every transport hands its requests to.

``serve`` reads a :class:`~kmsmock.protocol.wire.RawRequest` into
(operation, params, account, region); a transport that knows all but the
params already (botocore names the operation and signs the request) hands
the body to ``answer``. ``dispatch`` validates the parameters
against botocore's model, runs the operation's handler under the backend's
lock, records the call and encodes the answer. An unexpected Python exception
in a handler is a kmsmock bug: it propagates and fails the test, rather than
turning into a KMSInternalException.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NamedTuple

from .accounts import account_for
from .api.operations import HANDLERS
from .api.registry import Context, Handler
from .calls import Call
from .domain.errors import AwsError
from .errors import UnimplementedOperationError
from .protocol.encoding import compile_encoder
from .protocol.model import COMMON_ERRORS, error_status, service_model
from .protocol.redaction import compile_redactor
from .protocol.validation import compile_validator
from .protocol.wire import (
    RawRequest,
    RawResponse,
    encode_error,
    read_identity,
    read_operation,
    read_params,
)
from .simulation import Simulation

__all__ = ["answer", "dispatch", "serve"]

log = logging.getLogger("kmsmock")


class _Operation(NamedTuple):
    name: str
    handler: Handler
    validate: Callable[[Any], dict[str, Any]]
    redact: Callable[[Any], Any] | None
    """None when the operation has no sensitive members: the call log keeps the params."""
    encode: Callable[[Any], RawResponse]
    errors: frozenset[str]


_operations: dict[str, _Operation] = {}
_new_tuple = tuple.__new__


def _operation(name: str) -> _Operation:
    """The operation's handler and checks, compiled from the model on first use."""
    spec = _operations.get(name)
    if spec is not None:
        return spec
    model = service_model()
    if name not in model.operation_names:
        raise AwsError("UnknownOperationException", f"KMS has no operation named {name!r}.")
    handler = HANDLERS.get(name)
    if handler is None:
        raise UnimplementedOperationError(name)
    op_model = model.operation_model(name)
    spec = _operations[name] = _Operation(
        name=name,
        handler=handler,
        validate=compile_validator(op_model.input_shape),
        redact=compile_redactor(op_model.input_shape),
        encode=compile_encoder(op_model.output_shape),
        errors=frozenset(shape.name for shape in op_model.error_shapes) | COMMON_ERRORS,
    )
    return spec


def serve(sim: Simulation, raw: RawRequest) -> RawResponse:
    """Answer one raw KMS request from the simulation."""
    access_key, region = read_identity(raw)
    account_id = account_for(access_key, sim.options.account_id)
    try:
        operation = read_operation(raw)
    except AwsError as error:
        return encode_error(error, error_status(error.code))
    return answer(sim, operation, raw.body, account_id, region)


def answer(
    sim: Simulation, operation: str, body: bytes, account_id: str, region: str | None
) -> RawResponse:
    """Answer a request whose operation and caller the transport knows; the body is JSON."""
    try:
        params = read_params(body)
    except AwsError as error:
        return encode_error(error, error_status(error.code))
    return dispatch(sim, operation, params, account_id, region or sim.default_region)


def dispatch(
    sim: Simulation, operation: str, params: Any, account_id: str, region: str
) -> RawResponse:
    """Run ``operation`` for ``account_id`` in ``region`` and encode its answer."""
    spec = _operations.get(operation)
    if spec is None:
        try:
            spec = _operation(operation)
        except AwsError as error:
            return encode_error(error, error_status(error.code))
    backend = sim.backend
    fault = None
    try:
        if sim.faults.pending:
            fault = sim.faults.take(operation)
            if fault is not None:
                raise AwsError(fault.code, fault.message)
        valid = spec.validate(params)
        redact = spec.redact
        with backend.lock:
            now = backend.tick()
            state = backend.regions.get((account_id, region)) or backend.region(account_id, region)
            # tuple.__new__ builds the named tuples without their Python-level constructors.
            ctx = _new_tuple(
                Context, (operation, account_id, region, backend, sim.options, state, now)
            )
            result = spec.handler(ctx, valid)
            logged = params if redact is None else redact(params)
            sim.record(_new_tuple(Call, (operation, account_id, region, logged, None, None, now)))
        return spec.encode(result)
    except AwsError as error:
        if error.code not in spec.errors and fault is None:
            raise AssertionError(
                f"kmsmock bug: {operation} raised {error.code}, which botocore's model does not "
                f"list for it ({error.message})"
            ) from error
        if not isinstance(params, dict):
            params = {}
        elif spec.redact is not None:
            params = spec.redact(params)
        with backend.lock:
            sim.record(
                Call(
                    operation,
                    account_id,
                    region,
                    params,
                    error.code,
                    error.message,
                    backend.clock.now(),
                )
            )
        log.debug("%s %s %s: %s", operation, account_id, region, error.code)
        return encode_error(error, error_status(error.code))
