"""The one path every KMS request takes, whatever transport brought it.

:meth:`Pipeline.answer` reads the request's operation and JSON body,
validates the parameters against botocore's model, runs the operation's
handler against the simulated KMS, records the call and encodes the answer;
an :class:`~kmsmock.domain.aws_error.AwsError` from any step becomes AWS's
error answer. An unexpected Python exception in a handler is a kmsmock bug:
it propagates and fails the test, rather than turning into an answer.
"""

from __future__ import annotations

import logging
from typing import Any

from ..api.registry import Context
from ..calls import Call
from ..domain.aws_error import AwsError
from ..model import error_status
from ..simulation import Simulation
from .json11 import error_response, read_operation, read_params
from .messages import Request, Response
from .operations import Operation, operation_named

__all__ = ["Pipeline"]

log = logging.getLogger("kmsmock")


class Pipeline:
    """Answers KMS requests from one simulation."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation

    @property
    def default_account_id(self) -> str:
        """The account a request acts as when its caller is not one of kmsmock's accounts."""
        return self.simulation.account_id

    def answer(self, request: Request) -> Response:
        """The answer to one request."""
        try:
            name = read_operation(request.headers)
            params = read_params(request.body)
            operation = operation_named(name)
        except AwsError as error:
            return error_response(error, error_status(error.code))
        account_id = request.account_id or self.simulation.account_id
        region = request.region or self.simulation.region
        return self._run(operation, params, account_id, region)

    def _run(self, operation: Operation, params: Any, account_id: str, region: str) -> Response:
        simulation = self.simulation
        kms = simulation.kms
        fault = simulation.faults.take(operation.name)
        try:
            if fault is not None:
                raise AwsError(fault.code, fault.message)
            valid = operation.validate(params)
            with kms.lock:
                now = kms.tick()
                context = Context(
                    operation=operation.name,
                    account_id=account_id,
                    region=region,
                    kms=kms,
                    scope=kms.scope(account_id, region),
                    now=now,
                )
                result = operation.handler(context, valid)
                simulation.record(
                    Call(
                        operation=operation.name,
                        account_id=account_id,
                        region=region,
                        params=_logged(operation, params),
                        error_code=None,
                        error_message=None,
                        time=now,
                    )
                )
            return operation.encode(result)
        except AwsError as error:
            if error.code not in operation.errors and fault is None:
                raise AssertionError(
                    f"kmsmock bug: {operation.name} raised {error.code}, which botocore's model "
                    f"does not list for it ({error.message})"
                ) from error
            with kms.lock:
                simulation.record(
                    Call(
                        operation=operation.name,
                        account_id=account_id,
                        region=region,
                        params=_logged(operation, params),
                        error_code=error.code,
                        error_message=error.message,
                        time=kms.clock.now(),
                    )
                )
            log.debug("%s %s %s: %s", operation.name, account_id, region, error.code)
            return error_response(error, error_status(error.code))


def _logged(operation: Operation, params: Any) -> Any:
    """The parameters as the call log shows them: secrets redacted, never a non-object."""
    if not isinstance(params, dict):
        return {}
    return params if operation.redact is None else operation.redact(params)
