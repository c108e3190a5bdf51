"""Checks every KMS answer the tests see against botocore's model.

Registered on every botocore session the test process creates (conftest adds
it to botocore's builtin handlers), so no test client escapes it:

- a success's raw JSON body must fit the operation's output shape exactly:
  no member the model lacks, every value of the right type, within the
  model's enums, lengths, ranges and patterns;
- an error must be one of the operation's modeled errors (or one every
  operation may return), with the HTTP status the model implies.

The checks read botocore's model directly and share no code with kmsmock.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import botocore.session

_SESSION = botocore.session.get_session()
MODEL = _SESSION.get_service_model("kms")
# Shape.metadata leaves out "fault", so read it from the model file itself.
FAULTS = {
    name
    for name, shape in _SESSION.get_component("data_loader")
    .load_service_model("kms", "service-2")["shapes"]
    .items()
    if shape.get("fault")
}
ALWAYS_POSSIBLE = {"ValidationException", "SerializationException", "ThrottlingException"}
# Statuses the KMS API Reference gives that the JSON model cannot carry.
REFERENCE_STATUS = {"DryRunOperationException": 412}


def allowed_errors(operation: str) -> set[str]:
    """Every error code ``operation`` may answer with."""
    return {shape.name for shape in MODEL.operation_model(operation).error_shapes} | ALWAYS_POSSIBLE


def check_answer(operation: str, status: int, body: bytes) -> None:
    """Assert that an HTTP answer is one KMS could give to ``operation``."""
    document = json.loads(body) if body else {}
    if status >= 300:
        assert isinstance(document, dict), document
        assert set(document) <= {"__type", "message"}, document
        code = document["__type"]
        assert code in allowed_errors(operation), f"{operation} may not answer {code}"
        assert isinstance(document.get("message", ""), str)
        fault = code in FAULTS
        assert status == REFERENCE_STATUS.get(code, 500 if fault else 400), (code, status)
        return
    assert status == 200, status
    output = MODEL.operation_model(operation).output_shape
    if output is None:
        assert document == {}, document
    else:
        check_shape(output, document, operation)


def check_shape(shape: Any, value: Any, path: str) -> None:
    """Assert that ``value`` (decoded JSON) fits ``shape``."""
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        assert isinstance(value, dict), f"{path}: {value!r} is not an object"
        extra = set(value) - set(shape.members)
        assert not extra, f"{path}: members the model lacks: {sorted(extra)}"
        for name in shape.required_members:
            assert name in value, f"{path}: required member {name} is missing"
        for name, item in value.items():
            assert item is not None, f"{path}.{name} is null"
            check_shape(shape.members[name], item, f"{path}.{name}")
    elif kind == "string":
        assert isinstance(value, str), f"{path}: {value!r} is not a string"
        if shape.enum:
            assert value in shape.enum, f"{path}: {value!r} not in {shape.enum}"
        if "min" in meta:
            assert len(value) >= meta["min"], f"{path}: shorter than {meta['min']}"
        if "max" in meta:
            assert len(value) <= meta["max"], f"{path}: longer than {meta['max']}"
        if "pattern" in meta:
            assert re.fullmatch(meta["pattern"], value), f"{path}: {value!r} !~ {meta['pattern']}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: {value!r}"
        if "min" in meta:
            assert value >= meta["min"], path
        if "max" in meta:
            assert value <= meta["max"], path
    elif kind == "boolean":
        assert isinstance(value, bool), f"{path}: {value!r} is not a boolean"
    elif kind == "timestamp":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), path
    elif kind == "blob":
        assert isinstance(value, str), path
        decoded = base64.b64decode(value, validate=True)
        if "min" in meta:
            assert len(decoded) >= meta["min"], path
        if "max" in meta:
            assert len(decoded) <= meta["max"], path
    elif kind == "list":
        assert isinstance(value, list), f"{path}: {value!r} is not a list"
        for index, item in enumerate(value):
            check_shape(shape.member, item, f"{path}[{index}]")
    elif kind == "map":
        assert isinstance(value, dict), path
        for key, item in value.items():
            check_shape(shape.key, key, f"{path} key")
            check_shape(shape.value, item, f"{path}[{key}]")
    else:  # pragma: no cover - the KMS model has no other kinds
        raise AssertionError(f"{path}: unknown shape kind {kind}")


def after_call(http_response: Any, model: Any, **kwargs: Any) -> None:
    """botocore ``after-call`` handler: check the answer just received."""
    check_answer(model.name, http_response.status_code, http_response.content)
