"""Server-side request validation, built once per operation from botocore's model.

AWS checks every request against its model: types, required members, string
lengths, integer ranges, enums and patterns. botocore's client checks only
some of these and other SDKs check none, so the mock checks them all.

A value of the wrong JSON type is a SerializationException, raised at once,
as AWS's deserializer does. Constraint violations are collected and reported
together as one ValidationException in AWS's words::

    1 validation error detected: Value 'x' at 'customKeyStoreName' failed to
    satisfy constraint: Member must have length less than or equal to 256

Values of members the model marks sensitive never appear in the message.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

from ..domain.aws_error import AwsError
from .shapes import ShapeFold, lower_first

__all__ = ["Validator", "validator_for"]

Validator = Callable[[Any], dict[str, Any]]
"""Checks a request's parameters; returns them with blobs decoded to bytes and unknown and
null members dropped, or raises :class:`~kmsmock.domain.aws_error.AwsError`."""

Check = Callable[[Any, str, list[str]], Any]
"""Checks one value at a path (as AWS names it in messages); returns the checked value.

A wrong JSON type raises at once; a broken constraint is added to the problems.
"""


def validator_for(shape: Any) -> Validator:
    """The validator of an operation's input shape (None: an operation without input)."""
    if shape is None:
        return _no_members
    check = _Checks().build(shape)

    def validate(params: Any) -> dict[str, Any]:
        problems: list[str] = []
        checked: dict[str, Any] = check(params, "", problems)
        if problems:
            raise _failure(problems)
        return checked

    return validate


def _no_members(params: Any) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise _serialization("a JSON object", "")
    return {}


# -- AWS's messages ------------------------------------------------------------------------


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
    """A value as AWS's Java service prints it in a message."""
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
if sys.version_info >= (3, 11):
    _b64decode = functools.partial(binascii.a2b_base64, strict_mode=True)
else:  # pragma: no cover - Python 3.10
    _b64decode = functools.partial(base64.b64decode, validate=True)


def _bounds(shape: Any) -> tuple[int | None, int | None]:
    """The model's min and max for a shape (of a length or a value)."""
    return shape.metadata.get("min"), shape.metadata.get("max")


def _check_size(
    value: Any,
    size: int,
    bounds: tuple[int | None, int | None],
    path: str,
    problems: list[str],
    sensitive: bool = False,
    what: str = "length",
) -> None:
    """Report a size (``what``: "length" or "value") outside the model's min and max."""
    low, high = bounds
    if low is not None and size < low:
        constraint = f"Member must have {what} greater than or equal to {low}"
        problems.append(_problem(value, path, sensitive, constraint))
    if high is not None and size > high:
        constraint = f"Member must have {what} less than or equal to {high}"
        problems.append(_problem(value, path, sensitive, constraint))


# -- the checks of each kind of shape --------------------------------------------------------


class _Checks(ShapeFold[Check]):
    """Builds the :data:`Check` of a shape from the checks of its members."""

    def structure(self, shape: Any, members: Mapping[str, Check]) -> Check:
        named = {name: (check, lower_first(name)) for name, check in members.items()}
        required = [(name, lower_first(name)) for name in shape.required_members]

        def check_structure(value: Any, path: str, problems: list[str]) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise _serialization("a JSON object", path)
            checked: dict[str, Any] = {}
            for name, item in value.items():
                member = named.get(name)
                if item is None or member is None:
                    continue  # null and unknown members are dropped, as AWS drops them
                check, lower = member
                checked[name] = check(item, f"{path}.{lower}" if path else lower, problems)
            for name, lower in required:
                if name not in checked:
                    where = f"{path}.{lower}" if path else lower
                    problems.append(_problem(None, where, False, "Member must not be null"))
            return checked

        return check_structure

    def list(self, shape: Any, member: Check) -> Check:
        low, high = bounds = _bounds(shape)

        def check_list(value: Any, path: str, problems: list[str]) -> list[Any]:
            if not isinstance(value, list):
                raise _serialization("a JSON array", path)
            checked = [
                member(item, f"{path}.{index}.member", problems)
                for index, item in enumerate(value, 1)
            ]
            if (low is not None and len(value) < low) or (high is not None and len(value) > high):
                _check_size(value, len(value), bounds, path, problems)
            return checked

        return check_list

    def map(self, shape: Any, key: Check, value: Check) -> Check:
        low, high = bounds = _bounds(shape)

        def check_map(entries: Any, path: str, problems: list[str]) -> dict[Any, Any]:
            if not isinstance(entries, dict):
                raise _serialization("a JSON object", path)
            checked = {
                key(name, path, problems): value(item, f"{path}.{name}", problems)
                for name, item in entries.items()
            }
            size = len(entries)
            if (low is not None and size < low) or (high is not None and size > high):
                _check_size(entries, size, bounds, path, problems)
            return checked

        return check_map

    def scalar(self, shape: Any) -> Check:
        kind = shape.type_name
        sensitive = bool(shape.metadata.get("sensitive"))
        if kind == "string":
            return _string_check(shape, sensitive)
        if kind == "blob":
            return _blob_check(shape, sensitive)
        if kind == "boolean":
            return _boolean_check
        if kind in ("integer", "long"):
            return _integer_check(shape)
        if kind == "timestamp":
            return _timestamp_check
        return _unchecked  # a type the model does not use for input


def _string_check(shape: Any, sensitive: bool) -> Check:
    low, high = bounds = _bounds(shape)
    sized = low is not None or high is not None
    pattern_text = shape.metadata.get("pattern")
    pattern = None if pattern_text is None else re.compile(pattern_text)
    pattern_rule = f"Member must satisfy regular expression pattern: {pattern_text}"
    enum = frozenset(shape.enum) if shape.enum else None
    enum_rule = "Member must satisfy enum value set: [" + ", ".join(shape.enum or ()) + "]"

    def check_string(value: Any, path: str, problems: list[str]) -> str:
        if not isinstance(value, str):
            raise _serialization("a string", path)
        if sized:
            size = len(value) if value.isascii() else _utf16_length(value, path)
            if (low is not None and size < low) or (high is not None and size > high):
                _check_size(value, size, bounds, path, problems, sensitive)
        if pattern is not None and pattern.fullmatch(value) is None:
            problems.append(_problem(value, path, sensitive, pattern_rule))
        if enum is not None and value not in enum:
            problems.append(_problem(value, path, sensitive, enum_rule))
        return value

    return check_string


def _blob_check(shape: Any, sensitive: bool) -> Check:
    low, high = bounds = _bounds(shape)

    def check_blob(value: Any, path: str, problems: list[str]) -> bytes:
        if not isinstance(value, str):
            raise _serialization("a base64-encoded string", path)
        try:
            data = _b64decode(value)
        except (binascii.Error, ValueError):
            raise _serialization("a base64-encoded string", path) from None
        size = len(data)
        if (low is not None and size < low) or (high is not None and size > high):
            _check_size(data, size, bounds, path, problems, sensitive)
        return data

    return check_blob


def _boolean_check(value: Any, path: str, problems: list[str]) -> bool:
    if not isinstance(value, bool):
        raise _serialization("true or false", path)
    return value


def _integer_check(shape: Any) -> Check:
    low, high = bounds = _bounds(shape)

    def check_integer(value: Any, path: str, problems: list[str]) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _serialization("a number", path)
        if isinstance(value, float) and not value.is_integer():
            raise _serialization("an integer", path)
        number = int(value)
        if (low is not None and number < low) or (high is not None and number > high):
            _check_size(number, number, bounds, path, problems, what="value")
        return number

    return check_integer


def _timestamp_check(value: Any, path: str, problems: list[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _serialization("a timestamp in seconds since the epoch", path)
    return float(value)


def _unchecked(value: Any, path: str, problems: list[str]) -> Any:
    return value
