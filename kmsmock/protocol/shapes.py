"""The one walk over botocore's shapes that validation and redaction are built from.

A :class:`ShapeFold` turns a shape into a value (a checking function, a
redacting function) bottom-up: it first builds the value of each member,
then combines them with :meth:`~ShapeFold.structure`, :meth:`~ShapeFold.list`,
:meth:`~ShapeFold.map` or :meth:`~ShapeFold.scalar`. A structure, list or map
reached again by the same name is built once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

__all__ = ["ShapeFold", "lower_first"]

T = TypeVar("T")


def lower_first(name: str) -> str:
    """A member's name as AWS writes it in messages: ``KeyId`` becomes ``keyId``."""
    return name[:1].lower() + name[1:]


class ShapeFold(Generic[T]):
    """Builds one value per shape, from the values of the shapes inside it."""

    def __init__(self) -> None:
        self._built: dict[str, T] = {}
        self._building: set[str] = set()

    def build(self, shape: Any) -> T:
        """The value of ``shape`` (a botocore ``Shape``)."""
        kind = shape.type_name
        if kind not in ("structure", "list", "map"):
            return self.scalar(shape)
        if shape.name in self._built:
            return self._built[shape.name]
        if shape.name in self._building:  # the KMS model has no recursive shapes
            raise TypeError(f"the shape {shape.name} contains itself")
        self._building.add(shape.name)
        if kind == "structure":
            members = {name: self.build(member) for name, member in shape.members.items()}
            built = self.structure(shape, members)
        elif kind == "list":
            built = self.list(shape, self.build(shape.member))
        else:
            built = self.map(shape, self.build(shape.key), self.build(shape.value))
        self._building.discard(shape.name)
        self._built[shape.name] = built
        return built

    def structure(self, shape: Any, members: Mapping[str, T]) -> T:
        """Combine the values of a structure's members, by member name."""
        raise NotImplementedError

    def list(self, shape: Any, member: T) -> T:
        """Combine the value of a list's member shape."""
        raise NotImplementedError

    def map(self, shape: Any, key: T, value: T) -> T:
        """Combine the values of a map's key and value shapes."""
        raise NotImplementedError

    def scalar(self, shape: Any) -> T:
        """The value of a string, blob, number, boolean or timestamp shape."""
        raise NotImplementedError
