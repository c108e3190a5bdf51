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

__all__ = ["REDACTED", "compile_redactor", "compile_validator"]

REDACTED = "<redacted>"
"""What the call log shows in place of a sensitive value."""

Check = Callable[[Any, str, list[str]], Any]


def compile_validator(shape: Any) -> Callable[[Any], dict[str, Any]]:
    """Build the validator for an operation's input shape (None: no input members).

    The validator returns the request's parameters with blobs decoded to bytes
    and unknown members dropped, or raises :class:`AwsError`.
    """
    if shape is None:
        return _no_members
    check = _compile(shape, {})

    def validate(params: Any) -> dict[str, Any]:
        problems: list[str] = []
        value: dict[str, Any] = check(params, "", problems)
        if problems:
            count = len(problems)
            raise AwsError(
                "ValidationException",
                f"{count} validation error{'s' if count > 1 else ''} detected: "
                + "; ".join(problems),
            )
        return value

    return validate


def _no_members(params: Any) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise _serialization("a JSON object", "")
    return {}


def _compile(shape: Any, memo: dict[str, Check]) -> Check:
    key = shape.name
    if key in memo:
        return memo[key]
    # Recursive shapes refer to the entry while it is being built.
    memo[key] = lambda value, path, problems: memo[key + "#"](value, path, problems)
    builder = _BUILDERS.get(shape.type_name, _compile_any)
    check = builder(shape, memo)
    memo[key] = memo[key + "#"] = check
    return check


def _serialization(expected: str, path: str) -> AwsError:
    where = f" at '{path}'" if path else ""
    return AwsError("SerializationException", f"Unexpected value{where}: expected {expected}.")


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


Report = Callable[[Any, int, str, list[str]], None]


def _bounds(shape: Any, sensitive: bool, what: str = "length") -> tuple[float, float, Report]:
    """The model's min and max for a shape, and how to report a size outside them.

    A check compares ``low <= size <= high`` inline (the bounds are infinite
    where the model sets none) and calls the reporter only on failure. ``what``
    is "length" for strings, blobs, lists and maps and "value" for numbers,
    as AWS words the constraint.
    """
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    too_small = f"Member must have {what} greater than or equal to {low}"
    too_large = f"Member must have {what} less than or equal to {high}"

    def report(value: Any, size: int, path: str, problems: list[str]) -> None:
        if low is not None and size < low:
            problems.append(_problem(value, path, sensitive, too_small))
        if high is not None and size > high:
            problems.append(_problem(value, path, sensitive, too_large))

    return (
        float("-inf") if low is None else low,
        float("inf") if high is None else high,
        report,
    )


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _compile_structure(shape: Any, memo: dict[str, Check]) -> Check:
    members = {
        name: (_lower_first(name), _compile(member, memo)) for name, member in shape.members.items()
    }
    required = [(name, _lower_first(name)) for name in shape.required_members]

    def check(value: Any, path: str, problems: list[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _serialization("a JSON object", path)
        out: dict[str, Any] = {}
        for name, raw in value.items():
            member = members.get(name)
            if member is None or raw is None:
                continue
            lower, child = member
            out[name] = child(raw, f"{path}.{lower}" if path else lower, problems)
        for name, lower in required:
            if name not in out:
                where = f"{path}.{lower}" if path else lower
                problems.append(_problem(None, where, False, "Member must not be null"))
        return out

    return check


def _compile_string(shape: Any, memo: dict[str, Check]) -> Check:
    sensitive = bool(shape.metadata.get("sensitive"))
    low, high, report = _bounds(shape, sensitive)
    checks_size = low != float("-inf") or high != float("inf")
    pattern_text = shape.metadata.get("pattern")
    pattern = re.compile(pattern_text) if pattern_text is not None else None
    enum = frozenset(shape.enum) if shape.enum else None
    enum_text = "[" + ", ".join(shape.enum) + "]" if shape.enum else ""

    def check(value: Any, path: str, problems: list[str]) -> str:
        if not isinstance(value, str):
            raise _serialization("a string", path)
        if checks_size:
            # AWS counts UTF-16 code units, as Java strings do.
            size = len(value) if value.isascii() else _utf16_length(value, path)
            if not low <= size <= high:
                report(value, size, path, problems)
        if pattern is not None and pattern.fullmatch(value) is None:
            problems.append(
                _problem(
                    value,
                    path,
                    sensitive,
                    f"Member must satisfy regular expression pattern: {pattern_text}",
                )
            )
        if enum is not None and value not in enum:
            problems.append(
                _problem(value, path, sensitive, f"Member must satisfy enum value set: {enum_text}")
            )
        return value

    return check


def _utf16_length(value: str, path: str) -> int:
    try:
        return len(value.encode("utf-16-le")) // 2
    except UnicodeEncodeError:  # a lone surrogate: no valid UTF-16 string
        raise _serialization("a string of valid Unicode characters", path) from None


def _compile_integer(shape: Any, memo: dict[str, Check]) -> Check:
    low, high, report = _bounds(shape, False, "value")

    def check(value: Any, path: str, problems: list[str]) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _serialization("a number", path)
        if isinstance(value, float) and not value.is_integer():
            raise _serialization("an integer", path)
        number = int(value)
        if not low <= number <= high:
            report(number, number, path, problems)
        return number

    return check


def _compile_boolean(shape: Any, memo: dict[str, Check]) -> Check:
    def check(value: Any, path: str, problems: list[str]) -> bool:
        if not isinstance(value, bool):
            raise _serialization("true or false", path)
        return value

    return check


_b64decode: Callable[[str], bytes]
"""Strict base64, as AWS's deserializer reads blobs."""
if sys.version_info >= (3, 11):  # in C, without a Python frame per blob
    _b64decode = functools.partial(binascii.a2b_base64, strict_mode=True)
else:  # pragma: no cover - Python 3.10
    _b64decode = functools.partial(base64.b64decode, validate=True)


def _compile_blob(shape: Any, memo: dict[str, Check]) -> Check:
    low, high, report = _bounds(shape, bool(shape.metadata.get("sensitive")))

    def check(value: Any, path: str, problems: list[str]) -> bytes:
        if not isinstance(value, str):
            raise _serialization("a base64-encoded string", path)
        try:
            data = _b64decode(value)
        except (binascii.Error, ValueError):
            raise _serialization("a base64-encoded string", path) from None
        if not low <= len(data) <= high:
            report(data, len(data), path, problems)
        return data

    return check


def _compile_timestamp(shape: Any, memo: dict[str, Check]) -> Check:
    def check(value: Any, path: str, problems: list[str]) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _serialization("a timestamp in seconds since the epoch", path)
        return float(value)

    return check


def _compile_list(shape: Any, memo: dict[str, Check]) -> Check:
    low, high, report = _bounds(shape, False)
    element = _compile(shape.member, memo)

    def check(value: Any, path: str, problems: list[str]) -> list[Any]:
        if not isinstance(value, list):
            raise _serialization("a JSON array", path)
        out = [
            element(item, f"{path}.{index}.member", problems) for index, item in enumerate(value, 1)
        ]
        if not low <= len(value) <= high:
            report(value, len(value), path, problems)
        return out

    return check


def _compile_map(shape: Any, memo: dict[str, Check]) -> Check:
    low, high, report = _bounds(shape, False)
    key_check = _compile(shape.key, memo)
    value_check = _compile(shape.value, memo)

    def check(value: Any, path: str, problems: list[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _serialization("a JSON object", path)
        out = {
            key_check(key, path, problems): value_check(item, f"{path}.{key}", problems)
            for key, item in value.items()
        }
        if not low <= len(value) <= high:
            report(value, len(value), path, problems)
        return out

    return check


def _compile_any(shape: Any, memo: dict[str, Check]) -> Check:
    return lambda value, path, problems: value


_BUILDERS: dict[str, Callable[[Any, dict[str, Check]], Check]] = {
    "structure": _compile_structure,
    "string": _compile_string,
    "integer": _compile_integer,
    "long": _compile_integer,
    "boolean": _compile_boolean,
    "blob": _compile_blob,
    "timestamp": _compile_timestamp,
    "list": _compile_list,
    "map": _compile_map,
}


# -- redaction ---------------------------------------------------------------------------

Redact = Callable[[Any], Any]


def compile_redactor(shape: Any) -> Redact | None:
    """Build a function that copies a request's parameters with sensitive values redacted.

    Works on raw (unvalidated) parameters too: a value of the wrong type where
    a shape holds secrets is redacted whole. For a shape without sensitive
    members (or no shape) there is nothing to redact: the answer is None.
    """
    if shape is None:
        return None
    return _find_redactor(shape, {})


def _redact_all(value: Any) -> Any:
    return REDACTED


def _find_redactor(shape: Any, memo: dict[str, Redact | None]) -> Redact | None:
    if shape.metadata.get("sensitive"):
        return _redact_all
    if shape.name in memo:
        return memo[shape.name]
    memo[shape.name] = None  # recursion guard: assume nothing sensitive below
    result: Redact | None = None
    if shape.type_name == "structure":
        inner = {
            name: found
            for name, member in shape.members.items()
            if (found := _find_redactor(member, memo)) is not None
        }
        if inner:
            result = _structure_redactor(inner)
    elif shape.type_name == "list":
        element = _find_redactor(shape.member, memo)
        if element is not None:
            result = _list_redactor(element)
    elif shape.type_name == "map":
        item = _find_redactor(shape.value, memo)
        if item is not None:
            result = _map_redactor(item)
    memo[shape.name] = result
    return result


def _structure_redactor(inner: dict[str, Redact]) -> Redact:
    def redact(value: Any) -> Any:
        if not isinstance(value, dict):
            return REDACTED
        out = dict(value)
        for name, redact_member in inner.items():
            item = out.get(name)
            if item is not None:
                out[name] = redact_member(item)
        return out

    return redact


def _list_redactor(element: Redact) -> Redact:
    def redact(value: Any) -> Any:
        if not isinstance(value, list):
            return REDACTED
        return [element(item) for item in value]

    return redact


def _map_redactor(item: Redact) -> Redact:
    def redact(value: Any) -> Any:
        if not isinstance(value, dict):
            return REDACTED
        return {key: item(entry) for key, entry in value.items()}

    return redact
