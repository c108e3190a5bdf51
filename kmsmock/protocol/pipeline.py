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
import time
from typing import Any

from ..api.registry import Context
from ..calls import REFUSED, Call
from ..domain.aws_error import AwsError
from ..errors import UnimplementedOperationError
from ..model import error_status
from ..simulation import Simulation
from .json11 import error_response, read_operation, read_params
from .messages import Request, Response
from .operations import Operation, operation_named, redactor_named
from .redaction import Redact

__all__ = ["Pipeline"]

log = logging.getLogger("kmsmock")


class Pipeline:
    """Answers KMS requests from one simulation."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation
        self.default_account_id = simulation.account_id
        """The account a request acts as when its caller is not one of kmsmock's accounts."""
        self.default_region = simulation.region
        """The region a request acts in when it names none."""

    def wait_before_retry(self, seconds: float) -> None:
        """A client backs off before retrying one of kmsmock's answers: on the mock clock.

        The clock moves forward by ``seconds`` (so connections due meanwhile
        complete, as they would have in real time), unless the mock was
        started with ``real_retry_sleep=True``.
        """
        if self.simulation.options.real_retry_sleep:
            time.sleep(seconds)
            return
        kms = self.simulation.kms
        with kms.lock:
            kms.advance(seconds)

    def answer(self, request: Request) -> Response:
        """The answer to one request."""
        account_id = request.account_id or self.default_account_id
        region = request.region or self.default_region
        try:
            name = request.operation or read_operation(request.headers)
            params = read_params(request.body)
            operation = operation_named(name)
        except AwsError as error:
            return error_response(error, error_status(error.code))
        except UnimplementedOperationError as refusal:  # the test fails, and the log shows why
            self._refused(name, params, account_id, region, refusal)
            raise
        return self._run(operation, params, account_id, region)

    def _run(self, operation: Operation, params: Any, account_id: str, region: str) -> Response:
        kms = self.simulation.kms
        fault = self.simulation.faults.take(operation.name)
        try:
            if fault is not None:
                raise AwsError(fault.code, fault.message)
            valid = operation.validate(params)
            if "GrantTokens" in valid and "InvalidGrantTokenException" in operation.errors:
                from ..domain.grants import check_grant_tokens  # loaded when first needed

                check_grant_tokens(valid["GrantTokens"])
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
                self._record(operation.name, operation.redact, account_id, region, params, now)
            return operation.encode(result)
        except AwsError as error:
            if error.code not in operation.errors and fault is None:
                raise AssertionError(
                    f"kmsmock bug: {operation.name} raised {error.code}, which botocore's model "
                    f"does not list for it ({error.message})"
                ) from error
            with kms.lock:
                self._record(
                    operation.name,
                    operation.redact,
                    account_id,
                    region,
                    params,
                    kms.clock.now(),
                    error,
                )
            log.debug("%s %s %s: %s", operation.name, account_id, region, error.code)
            return error_response(error, error_status(error.code))
        except UnimplementedOperationError as refusal:  # a feature kmsmock does not simulate
            self._refused(operation.name, params, account_id, region, refusal)
            raise

    def _refused(
        self,
        name: str,
        params: Any,
        account_id: str,
        region: str,
        refusal: UnimplementedOperationError,
    ) -> None:
        """Log a call kmsmock refused to simulate (it raises at the caller)."""
        kms = self.simulation.kms
        with kms.lock:
            self._record(
                name, redactor_named(name), account_id, region, params, kms.clock.now(), refusal
            )

    def _record(
        self,
        name: str,
        redact: Redact | None,
        account_id: str,
        region: str,
        params: Any,
        time: float,
        error: AwsError | UnimplementedOperationError | None = None,
    ) -> None:
        """Add the call to the log, its secrets redacted (a body that is no object logs as {})."""
        logged = {} if not isinstance(params, dict) else params
        if redact is not None and logged:
            logged = redact(logged)
        code = message = None
        if isinstance(error, AwsError):
            code, message = error.code, error.message
        elif error is not None:
            code, message = REFUSED, str(error)
        self.simulation.record(
            Call(
                operation=name,
                account_id=account_id,
                region=region,
                params=logged,
                error_code=code,
                error_message=message,
                time=time,
            )
        )
