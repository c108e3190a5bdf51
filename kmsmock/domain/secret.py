"""A value that must never show up in output, reprs, logs or the call log."""

from __future__ import annotations

import hmac

__all__ = ["Secret"]


class Secret:
    """Holds a secret string; its repr and str are redacted.

    Compare two secrets with ``==`` (constant time) and read the value with
    :meth:`reveal` only where the simulated KMS really needs it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret value."""
        return self._value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> str:  # pragma: no cover - guard only
        raise TypeError("a Secret cannot be pickled")
