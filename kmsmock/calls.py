"""The call log: every request the simulated KMS answered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = ["REFUSED", "Call"]

REFUSED = "UnimplementedOperationError"
"""The ``error_code`` of a call kmsmock refused because it does not simulate it."""


class Call(NamedTuple):
    """One request to the simulated KMS and its outcome.

    ``params`` are the request's parameters with every value botocore's model
    marks sensitive (KeyStorePassword, the XKS credential, plaintexts) replaced
    by ``"<redacted>"``. ``error_code`` is None when the call succeeded, the
    AWS error code when it was answered with an error, and :data:`REFUSED`
    when kmsmock raised :class:`~kmsmock.UnimplementedOperationError` for it.
    ``time`` is the mock clock's reading when it was answered.
    """

    operation: str
    account_id: str
    region: str
    params: Mapping[str, Any]
    error_code: str | None
    error_message: str | None
    time: float

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return self.error_code is None
