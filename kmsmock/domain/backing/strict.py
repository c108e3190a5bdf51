"""Objects a test changes by hand, which refuse an attribute they do not have."""

from __future__ import annotations

from typing import Any

__all__ = ["StrictAttributes"]


class StrictAttributes:
    """Refuses to set a public attribute the object does not have, and names those it has.

    A simulated cluster or proxy is broken by setting its attributes, so a
    typo such as ``cluster.reachble = False`` must fail, not be ignored.
    Subclasses set their attributes in ``__init__`` and end it with
    ``self._settled = True``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_") and self.__dict__.get("_settled") and not hasattr(self, name):
            raise AttributeError(
                f"{type(self).__name__} has no attribute {name!r}; its attributes are: "
                + ", ".join(self.attribute_names())
            )
        object.__setattr__(self, name, value)

    def attribute_names(self) -> list[str]:
        """The attributes a test may set, in alphabetical order."""
        cls = type(self)
        names = {name for name in vars(self) if not name.startswith("_")}
        names |= {
            name
            for name in dir(cls)
            if not name.startswith("_") and isinstance(getattr(cls, name), property)
        }
        return sorted(names)
