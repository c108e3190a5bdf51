"""Default argument values that remember they were not given explicitly."""

from __future__ import annotations

from typing import Any

__all__ = ["Default", "default", "explicit"]


class Default:
    """A default value; its repr is the value's, so signatures read naturally."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


def default(value: Any) -> Any:
    """Wrap ``value`` as a default (typed Any so it fits any annotation)."""
    return Default(value)


def explicit(given: dict[str, Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """Unwrap defaults; return the values and the names that were given explicitly."""
    values = {name: v.value if isinstance(v, Default) else v for name, v in given.items()}
    return values, frozenset(name for name, v in given.items() if not isinstance(v, Default))
