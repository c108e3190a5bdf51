"""Checks a control request's JSON body against its schema in ``openapi.json``.

The control API's document is the one declaration of what each route takes,
so the server checks bodies against it rather than against rules of its own.
The check knows the part of JSON Schema the document uses (:data:`KEYWORDS`;
a test keeps the two in step) and names what is wrong and what is valid.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["KEYWORDS", "openapi_document", "problem"]

KEYWORDS = frozenset(
    {
        "type",
        "nullable",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "properties",
        "required",
        "additionalProperties",
        "maxProperties",
        "items",
        "minItems",
        "maxItems",
        "oneOf",
        "description",
    }
)
"""The schema keywords :func:`problem` checks (``description`` only describes)."""

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}
_NAMES = {"object": "an object", "array": "an array", "integer": "a whole number"}


@cache
def openapi_document() -> dict[str, Any]:
    """The control API's OpenAPI document, as shipped in the package."""
    document: dict[str, Any] = json.loads(
        files("kmsmock.server").joinpath("openapi.json").read_text(encoding="utf-8")
    )
    return document


def problem(schema: dict[str, Any], value: Any, where: str = "the body") -> str | None:
    """What makes ``value`` unfit for ``schema``, or None when it fits."""
    if value is None:
        return None if schema.get("nullable") else f"{where} must not be null"
    if "oneOf" in schema:
        fits = [option for option in schema["oneOf"] if problem(option, value, where) is None]
        if len(fits) == 1:
            return None
        return problem(schema["oneOf"][0], value, where) if not fits else f"{where} is ambiguous"
    kind = schema.get("type")
    if kind is not None:
        wrong = _type_problem(kind, value, where)
        if wrong is not None:
            return wrong
    if "enum" in schema and value not in schema["enum"]:
        return f"{where} must be one of {', '.join(map(str, schema['enum']))}, not {value!r}"
    if isinstance(value, str):
        return _string_problem(schema, value, where)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_problem(schema, value, where)
    if isinstance(value, list):
        return _array_problem(schema, value, where)
    if isinstance(value, dict):
        return _object_problem(schema, value, where)
    return None


def _type_problem(kind: str, value: Any, where: str) -> str | None:
    fits = isinstance(value, _TYPES[kind]) and (kind == "boolean") == isinstance(value, bool)
    if kind == "number" and isinstance(value, float) and not math.isfinite(value):
        fits = False
    if fits:
        return None
    return f"{where} must be {_NAMES.get(kind, f'a {kind}')}, not {json.dumps(value)[:64]}"


def _string_problem(schema: dict[str, Any], value: str, where: str) -> str | None:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if len(value) < low or (high is not None and len(value) > high):
        span = f"{low} to {high}" if high is not None else f"at least {low}"
        return f"{where} must be {span} characters long"
    pattern = schema.get("pattern")
    if pattern is not None and re.search(pattern, value) is None:
        return f"{where} must match the pattern {pattern}"
    return None


def _number_problem(schema: dict[str, Any], value: float, where: str) -> str | None:
    low, high = schema.get("minimum"), schema.get("maximum")
    if (low is not None and value < low) or (high is not None and value > high):
        return f"{where} must be from {low} to {high}, not {value!r}"
    return None


def _array_problem(schema: dict[str, Any], value: list[Any], where: str) -> str | None:
    low, high = schema.get("minItems", 0), schema.get("maxItems")
    if len(value) < low or (high is not None and len(value) > high):
        return f"{where} must hold {low} to {high} items"
    items = schema.get("items")
    for index, item in enumerate(value):
        found = None if items is None else problem(items, item, f"{where}[{index}]")
        if found is not None:
            return found
    return None


def _object_problem(schema: dict[str, Any], value: dict[str, Any], where: str) -> str | None:
    properties: dict[str, Any] = schema.get("properties", {})
    if schema.get("additionalProperties", True) is False:
        unknown = sorted(set(value) - set(properties))
        if unknown:
            valid = ", ".join(properties) if properties else "nothing"
            return f"{where} has no field {', '.join(unknown)}; it takes: {valid}"
    if len(value) > schema.get("maxProperties", len(value)):
        return f"{where} must hold at most {schema['maxProperties']} fields"
    for name in schema.get("required", ()):
        if name not in value:
            return f"{name} is required"
    for name, item in value.items():
        if name in properties:
            found = problem(properties[name], item, name)
            if found is not None:
                return found
    return None
