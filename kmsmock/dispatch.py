"""The one dispatch every transport hands its requests to.

``serve`` reads a :class:`~kmsmock.protocol.wire.RawRequest` into
(operation, params, account, region); ``dispatch`` validates the parameters
against botocore's model, runs the operation's handler under the backend's
lock, records the call and encodes the answer. An unexpected Python exception
in a handler is a kmsmock bug: it propagates and fails the test, rather than
turning into a KMSInternalException.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .accounts import account_for
from .api.operations import HANDLERS
from .api.registry import Context, Handler
from .calls import Call
from .domain.errors import AwsError
from .errors import UnimplementedOperationError
from .protocol.model import COMMON_ERRORS, error_status, service_model
from .protocol.validation import compile_redactor, compile_validator
from .protocol.wire import (
    RawRequest,
    RawResponse,
    encode_error,
    encode_result,
    read_identity,
    read_operation,
    read_params,
)
from .simulation import Simulation

__all__ = ["dispatch", "serve"]

log = logging.getLogger("kmsmock")


@dataclass(frozen=True, slots=True)
class _Operation:
    name: str
    handler: Handler
    validate: Callable[[Any], dict[str, Any]]
    redact: Callable[[Any], Any]
    errors: frozenset[str]


@functools.cache
def _operation(name: str) -> _Operation:
    model = service_model()
    if name not in model.operation_names:
        raise AwsError("UnknownOperationException", f"KMS has no operation named {name!r}.")
    handler = HANDLERS.get(name)
    if handler is None:
        raise UnimplementedOperationError(name)
    op_model = model.operation_model(name)
    return _Operation(
        name=name,
        handler=handler,
        validate=compile_validator(op_model.input_shape),
        redact=compile_redactor(op_model.input_shape),
        errors=frozenset(shape.name for shape in op_model.error_shapes) | COMMON_ERRORS,
    )


def serve(sim: Simulation, raw: RawRequest) -> RawResponse:
    """Answer one raw KMS request from the simulation."""
    access_key, region = read_identity(raw)
    account_id = account_for(access_key, sim.options.account_id)
    region = region or sim.default_region
    try:
        operation = read_operation(raw)
        params = read_params(raw)
    except AwsError as error:
        return encode_error(error, error_status(error.code))
    return dispatch(sim, operation, params, account_id, region)


def dispatch(
    sim: Simulation, operation: str, params: Any, account_id: str, region: str
) -> RawResponse:
    """Run ``operation`` for ``account_id`` in ``region`` and encode its answer."""
    try:
        spec = _operation(operation)
    except AwsError as error:
        return encode_error(error, error_status(error.code))
    backend = sim.backend
    fault = sim.faults.take(operation)
    if fault is not None:
        injected = AwsError(fault.code, fault.message)
        with backend.lock:
            _record(sim, spec, params, account_id, region, injected)
        return encode_error(injected, error_status(injected.code))
    try:
        valid = spec.validate(params)
        with backend.lock:
            backend.tick()
            ctx = Context(operation, account_id, region, backend, sim.options)
            result = spec.handler(ctx, valid)
            _record(sim, spec, params, account_id, region, None)
        log.debug("%s %s %s: ok", operation, account_id, region)
        return encode_result(result)
    except AwsError as error:
        if error.code not in spec.errors:
            raise AssertionError(
                f"kmsmock bug: {operation} raised {error.code}, which botocore's model does not "
                f"list for it ({error.message})"
            ) from error
        _record(sim, spec, params, account_id, region, error)
        log.debug("%s %s %s: %s", operation, account_id, region, error.code)
        return encode_error(error, error_status(error.code))


def _record(
    sim: Simulation,
    spec: _Operation,
    params: Any,
    account_id: str,
    region: str,
    error: AwsError | None,
) -> None:
    sim.record(
        Call(
            operation=spec.name,
            account_id=account_id,
            region=region,
            params=spec.redact(params) if isinstance(params, dict) else {},
            error_code=None if error is None else error.code,
            error_message=None if error is None else error.message,
            time=sim.backend.clock.now(),
        )
    )
