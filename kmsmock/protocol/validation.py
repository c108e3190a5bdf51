"""Server-side request validation, generated once per operation from botocore's model.

AWS checks every request against its model: types, required members, string
lengths, integer ranges, enums and patterns. botocore's client checks only
some of these and other SDKs check none, so the mock checks them all.

A value of the wrong JSON type is a SerializationException, raised at once,
as AWS's deserializer does. Constraint violations are collected and reported
together as one ValidationException in AWS's words::

    1 validation error detected: Value 'x' at 'customKeyStoreName' failed to
    satisfy constraint: Member must have length less than or equal to 256

Values of members the model marks sensitive never appear in the message.

The checks of an operation are written out as Python source from its input
shape and compiled once, on the operation's first request: every request
runs them, and straight-line code, with each member's path and limits
written in, costs a fraction of walking the shapes or calling a function for
each member. Path strings are only built for a message.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import sys
from collections.abc import Callable
from typing import Any

from ..domain.errors import AwsError
from .codegen import compile_source

__all__ = ["compile_validator"]

Validator = Callable[[Any], dict[str, Any]]


def compile_validator(shape: Any) -> Validator:
    """Build the validator for an operation's input shape (None: no input members).

    The validator returns the request's parameters with blobs decoded to bytes
    and unknown and null members dropped, or raises :class:`AwsError`.
    """
    if shape is None:
        return _no_members
    return _Generator(shape).validator()


def _no_members(params: Any) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise _serialization("a JSON object", "")
    return {}


# -- what the generated code calls -------------------------------------------------------


def _serialization(expected: str, path: str) -> AwsError:
    where = f" at '{path}'" if path else ""
    return AwsError("SerializationException", f"Unexpected value{where}: expected {expected}.")


def _failure(problems: list[str]) -> AwsError:
    count = len(problems)
    return AwsError(
        "ValidationException",
        f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems),
    )


def _render(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    if isinstance(value, bytes):
        return f"'java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]'"
    if isinstance(value, list):
        return "'[" + ", ".join(str(item) for item in value) + "]'"
    if isinstance(value, dict):
        return "'{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}'"
    return f"'{value}'"


def _problem(value: Any, path: str, sensitive: bool, constraint: str) -> str:
    shown = " " if sensitive and value is not None else f" {_render(value)} "
    return f"Value{shown}at '{path}' failed to satisfy constraint: {constraint}"


def _utf16_length(value: str, path: str) -> int:
    """A string's length as AWS counts it: UTF-16 code units, as Java strings have."""
    try:
        return len(value.encode("utf-16-le")) // 2
    except UnicodeEncodeError:  # a lone surrogate: no valid UTF-16 string
        raise _serialization("a string of valid Unicode characters", path) from None


_b64decode: Callable[[str], bytes]
"""Strict base64, as AWS's deserializer reads blobs."""
if sys.version_info >= (3, 11):  # in C, without a Python frame per blob
    _b64decode = functools.partial(binascii.a2b_base64, strict_mode=True)
else:  # pragma: no cover - Python 3.10
    _b64decode = functools.partial(base64.b64decode, validate=True)

Report = Callable[[Any, int, str, list[str]], None]


def _reporter(shape: Any, sensitive: bool, what: str) -> Report:
    """How to report a size outside the model's min and max (``what``: "length" or "value")."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    too_small = f"Member must have {what} greater than or equal to {low}"
    too_large = f"Member must have {what} less than or equal to {high}"

    def report(value: Any, size: int, path: str, problems: list[str]) -> None:
        if low is not None and size < low:
            problems.append(_problem(value, path, sensitive, too_small))
        if high is not None and size > high:
            problems.append(_problem(value, path, sensitive, too_large))

    return report


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


_RUNTIME: dict[str, Any] = {
    "AwsError": AwsError,
    "binascii": binascii,
    "_b64decode": _b64decode,
    "_failure": _failure,
    "_problem": _problem,
    "_serialization": _serialization,
    "_utf16_length": _utf16_length,
}

# -- the generator ------------------------------------------------------------------------


class _Generator:
    """Writes the checks of one operation's input shape as Python source, and compiles them.

    ``_check(shape, var, path, ...)`` writes statements that check the value
    in variable ``var`` and leave the checked value there; ``path`` is a
    Python expression for the member's path in messages (``'keyId'``,
    ``path + '.name'``), evaluated only when a message needs it. Each nested
    structure becomes a function of its own, written once.
    """

    def __init__(self, shape: Any) -> None:
        self._input = shape
        self._namespace = dict(_RUNTIME)
        self._functions: dict[str, str] = {}
        self._source: list[str] = []
        self._names = 0

    def validator(self) -> Validator:
        body = self._structure(self._input, "params", None, "    ")
        self._source += [
            "def validate(params):",
            "    problems = []",
            *body,
            "    if problems:",
            "        raise _failure(problems)",
            "    return out",
            "",
        ]
        validate: Validator = compile_source(
            self._source, "validate", self._namespace, f"<kmsmock validator {self._input.name}>"
        )
        return validate

    def _constant(self, value: Any) -> str:
        """Put ``value`` in the generated code's namespace; return its name there."""
        self._names += 1
        name = f"_c{self._names}"
        self._namespace[name] = value
        return name

    def _variable(self, stem: str) -> str:
        self._names += 1
        return f"_{stem}{self._names}"

    def _structure(self, shape: Any, var: str, path: str | None, pad: str) -> list[str]:
        """Check a structure in ``var``; the checked copy is left in ``out``.

        ``path`` is None at the top level, where member paths are bare names.
        """
        where = "''" if path is None else path
        lines = [
            f"{pad}if not isinstance({var}, dict):",
            f"{pad}    raise _serialization('a JSON object', {where})",
            f"{pad}out = {{}}",
        ]
        if shape.members:
            lines += [
                f"{pad}for name, value in {var}.items():",
                f"{pad}    if value is None:",
                f"{pad}        continue",
            ]
            keyword = "if"
            for name, member in shape.members.items():
                lower = _lower_first(name)
                member_path = repr(lower) if path is None else f"({path} + {'.' + lower!r})"
                lines.append(f"{pad}    {keyword} name == {name!r}:")
                lines += self._check(member, "value", member_path, pad + "        ") or [
                    f"{pad}        pass"
                ]
                keyword = "elif"
            lines += [f"{pad}    else:", f"{pad}        continue", f"{pad}    out[name] = value"]
        for name in shape.required_members:
            lower = _lower_first(name)
            if path is None:
                missing = self._constant(_problem(None, lower, False, "Member must not be null"))
                lines.append(f"{pad}if {name!r} not in out:")
                lines.append(f"{pad}    problems.append({missing})")
            else:
                lines.append(f"{pad}if {name!r} not in out:")
                lines.append(
                    f"{pad}    problems.append(_problem(None, {path} + {'.' + lower!r}, False, "
                    f"'Member must not be null'))"
                )
        return lines

    def _structure_function(self, shape: Any) -> str:
        """The name of the function that checks a nested structure (written once)."""
        name = self._functions.get(shape.name)
        if name is None:
            name = self._functions[shape.name] = self._variable("structure")
            body = self._structure(shape, "value", "path", "    ")
            self._source += [
                f"def {name}(value, path, problems):",
                *body,
                "    return out",
                "",
            ]
        return name

    def _check(self, shape: Any, var: str, path: str, pad: str) -> list[str]:
        kind = shape.type_name
        sensitive = bool(shape.metadata.get("sensitive"))
        if kind == "structure":
            return [f"{pad}{var} = {self._structure_function(shape)}({var}, {path}, problems)"]
        if kind == "string":
            return self._string(shape, var, path, pad, sensitive)
        if kind == "blob":
            return [
                f"{pad}if not isinstance({var}, str):",
                f"{pad}    raise _serialization('a base64-encoded string', {path})",
                f"{pad}try:",
                f"{pad}    {var} = _b64decode({var})",
                f"{pad}except (binascii.Error, ValueError):",
                f"{pad}    raise _serialization('a base64-encoded string', {path}) from None",
                *self._size(shape, var, f"len({var})", path, pad, sensitive, "length"),
            ]
        if kind == "boolean":
            return [
                f"{pad}if not isinstance({var}, bool):",
                f"{pad}    raise _serialization('true or false', {path})",
            ]
        if kind in ("integer", "long"):
            return [
                f"{pad}if isinstance({var}, bool) or not isinstance({var}, (int, float)):",
                f"{pad}    raise _serialization('a number', {path})",
                f"{pad}if isinstance({var}, float) and not {var}.is_integer():",
                f"{pad}    raise _serialization('an integer', {path})",
                f"{pad}{var} = int({var})",
                *self._size(shape, var, var, path, pad, False, "value"),
            ]
        if kind == "timestamp":
            return [
                f"{pad}if isinstance({var}, bool) or not isinstance({var}, (int, float)):",
                f"{pad}    raise _serialization('a timestamp in seconds since the epoch', {path})",
                f"{pad}{var} = float({var})",
            ]
        if kind == "list":
            return self._list(shape, var, path, pad)
        if kind == "map":
            return self._map(shape, var, path, pad)
        return []  # a type the model does not use for input: taken as it is

    def _size(
        self, shape: Any, var: str, size: str, path: str, pad: str, sensitive: bool, what: str
    ) -> list[str]:
        """Compare a size with the model's bounds, written in; report only on failure."""
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is None and high is None:
            return []
        report = self._constant(_reporter(shape, sensitive, what))
        if low is not None and high is not None:
            test = f"not {low!r} <= {size} <= {high!r}"
        elif low is not None:
            test = f"{size} < {low!r}"
        else:
            test = f"{size} > {high!r}"
        return [f"{pad}if {test}:", f"{pad}    {report}({var}, {size}, {path}, problems)"]

    def _string(self, shape: Any, var: str, path: str, pad: str, sensitive: bool) -> list[str]:
        lines = [
            f"{pad}if not isinstance({var}, str):",
            f"{pad}    raise _serialization('a string', {path})",
        ]
        if shape.metadata.get("min") is not None or shape.metadata.get("max") is not None:
            size = self._variable("size")
            lines.append(
                f"{pad}{size} = len({var}) if {var}.isascii() else _utf16_length({var}, {path})"
            )
            lines += self._size(shape, var, size, path, pad, sensitive, "length")
        pattern_text = shape.metadata.get("pattern")
        if pattern_text is not None:
            pattern = self._constant(re.compile(pattern_text))
            message = self._constant(
                f"Member must satisfy regular expression pattern: {pattern_text}"
            )
            lines += [
                f"{pad}if {pattern}.fullmatch({var}) is None:",
                f"{pad}    problems.append(_problem({var}, {path}, {sensitive}, {message}))",
            ]
        if shape.enum:
            values = self._constant(frozenset(shape.enum))
            message = self._constant(
                "Member must satisfy enum value set: [" + ", ".join(shape.enum) + "]"
            )
            lines += [
                f"{pad}if {var} not in {values}:",
                f"{pad}    problems.append(_problem({var}, {path}, {sensitive}, {message}))",
            ]
        return lines

    def _list(self, shape: Any, var: str, path: str, pad: str) -> list[str]:
        items, index, item = self._variable("items"), self._variable("i"), self._variable("e")
        item_path = f"({path} + '.' + str({index}) + '.member')"
        return [
            f"{pad}if not isinstance({var}, list):",
            f"{pad}    raise _serialization('a JSON array', {path})",
            f"{pad}{items} = []",
            f"{pad}for {index}, {item} in enumerate({var}, 1):",
            *self._check(shape.member, item, item_path, pad + "    "),
            f"{pad}    {items}.append({item})",
            *self._size(shape, var, f"len({var})", path, pad, False, "length"),
            f"{pad}{var} = {items}",
        ]

    def _map(self, shape: Any, var: str, path: str, pad: str) -> list[str]:
        entries, key, item = self._variable("entries"), self._variable("k"), self._variable("v")
        return [
            f"{pad}if not isinstance({var}, dict):",
            f"{pad}    raise _serialization('a JSON object', {path})",
            f"{pad}{entries} = {{}}",
            f"{pad}for {key}, {item} in {var}.items():",
            *self._check(shape.key, key, path, pad + "    "),
            *self._check(shape.value, item, f"({path} + '.' + {key})", pad + "    "),
            f"{pad}    {entries}[{key}] = {item}",
            *self._size(shape, var, f"len({var})", path, pad, False, "length"),
            f"{pad}{var} = {entries}",
        ]
