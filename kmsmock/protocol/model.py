"""botocore's KMS service model, loaded once, on first use rather than at import."""

from __future__ import annotations

import threading
from typing import Any

__all__ = [
    "COMMON_ERRORS",
    "connection_error_codes",
    "error_status",
    "modeled_errors",
    "service_model",
]

_lock = threading.Lock()
_model: Any = None
_status: dict[str, int] = {}


def service_model() -> Any:
    """Return botocore's ``ServiceModel`` for KMS (the same one boto3 clients use)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from botocore.loaders import create_loader
                from botocore.model import ServiceModel

                loaded = ServiceModel(
                    create_loader().load_service_model("kms", "service-2"), service_name="kms"
                )
                _status.update(
                    {
                        shape.name: 500 if shape.metadata.get("fault") else 400
                        for shape in loaded.error_shapes
                    }
                )
                _model = loaded
    return _model


def modeled_errors(operation: str) -> frozenset[str]:
    """The error codes botocore's model lists for ``operation``."""
    return frozenset(
        shape.name for shape in service_model().operation_model(operation).error_shapes
    )


def error_status(code: str) -> int:
    """AWS's HTTP status for an error code: 500 for the model's faults, 400 otherwise."""
    service_model()
    return _status.get(code, 400)


COMMON_ERRORS = frozenset({"ValidationException", "SerializationException", "ThrottlingException"})
"""Errors every KMS operation may answer although the model does not list them."""


def connection_error_codes() -> tuple[str, ...]:
    """The ConnectionErrorCode values the model defines, in model order."""
    return tuple(service_model().shape_for("ConnectionErrorCodeType").enum)
