"""Exceptions kmsmock raises at its users (AWS's own errors arrive as botocore ClientErrors)."""

from __future__ import annotations

__all__ = [
    "InactiveMockError",
    "KmsMockError",
    "OptionsConflictError",
    "UnimplementedOperationError",
]


class KmsMockError(Exception):
    """Base class of the errors kmsmock raises about its own use."""


class OptionsConflictError(KmsMockError, ValueError):
    """A nested mock asked for options that differ from the active mock's.

    A nested activation joins the simulated KMS that is already active, so it
    cannot change its account, region, strictness or delays.
    """


class InactiveMockError(KmsMockError, RuntimeError):
    """A handle was asked to change a simulated KMS whose mock has stopped.

    A handle stays readable after its mock stops (its ``calls`` and ``now``),
    but arranging, advancing or resetting a simulation nobody uses any more
    would silently do nothing.
    """


class UnimplementedOperationError(KmsMockError, NotImplementedError):
    """The code under test called a KMS operation that kmsmock does not simulate.

    The request never leaves the process: the test fails with this error,
    which names the operation.
    """

    def __init__(self, operation: str, feature: str | None = None) -> None:
        what = f"the KMS operation {operation!r}"
        if feature is not None:
            what += f" with {feature}"
        super().__init__(
            f"kmsmock does not implement {what}; the request was not sent anywhere. See the "
            "kmsmock documentation for what it simulates."
        )
        self.operation = operation
        self.feature = feature
