"""botocore's KMS service model, loaded once, on first use rather than at import.

The protocol validates against it, the operations read their reference text from it, and
the handle checks what a test arranges against its patterns and errors.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from typing import Any

__all__ = [
    "COMMON_ERRORS",
    "connection_error_codes",
    "connection_error_codes_for",
    "error_description",
    "error_status",
    "key_reference_rules",
    "kms_regions",
    "modeled_errors",
    "service_model",
    "shape_pattern",
    "string_problem",
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

                description = create_loader().load_service_model("kms", "service-2")
                loaded = ServiceModel(description, service_name="kms")
                # botocore's Shape.metadata leaves out "fault", so read the model itself.
                _status.update(
                    {
                        shape.name: 500 if description["shapes"][shape.name].get("fault") else 400
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
    return _STATUS_OVERRIDES.get(code) or _status.get(code, 400)


_STATUS_OVERRIDES = {"DryRunOperationException": 412}
"""Statuses the KMS API Reference gives that the JSON model cannot carry."""


COMMON_ERRORS = frozenset({"ValidationException", "SerializationException", "ThrottlingException"})
"""Errors every KMS operation may answer although the model does not list them."""


def connection_error_codes() -> tuple[str, ...]:
    """The ConnectionErrorCode values the model defines, in model order."""
    return tuple(service_model().shape_for("ConnectionErrorCodeType").enum)


_CROSS_ACCOUNT = re.compile(r"Cross-account use\s*</b>\s*:?\s*Yes", re.IGNORECASE)
# The sentence after "Cross-account use: Yes." that offers an alias ARN as the KeyId
# ("specify the key ARN or alias ARN in the value of the KeyId parameter").
_CROSS_ACCOUNT_ALIAS = re.compile(
    r"Cross-account use\s*</b>\s*:?\s*Yes\.[^.]*\balias ARN\b", re.IGNORECASE
)


@functools.cache
def key_reference_rules(operation: str, member: str) -> tuple[bool, bool, str]:
    """How ``operation`` reads a key reference in ``member``, from the model's own text.

    Returns ``(aliases, cross_account, invalid_arn_code)``:

    - ``aliases``: the member's documentation offers an alias name (and does not
      say "Alias names are not supported", as GetKeyLastUsage's does), or the
      operation's "Cross-account use: Yes" sentence offers an alias ARN as the
      KeyId. GenerateMac and VerifyMac say so only there; the Developer Guide
      ("Learn how to use aliases in your applications") says the KeyId of every
      cryptographic operation accepts an alias name or alias ARN;
    - ``cross_account``: the operation's documentation says "Cross-account use: Yes";
    - ``invalid_arn_code``: InvalidArnException if the operation models it,
      else NotFoundException.
    """
    op = service_model().operation_model(operation)
    doc = op.input_shape.members[member].documentation or ""
    errors = {shape.name for shape in op.error_shapes}
    text = doc.lower()
    offers_alias = "alias name" in text and "alias names are not supported" not in text
    return (
        offers_alias or _CROSS_ACCOUNT_ALIAS.search(op.documentation or "") is not None,
        _CROSS_ACCOUNT.search(op.documentation or "") is not None,
        "InvalidArnException" if "InvalidArnException" in errors else "NotFoundException",
    )


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def error_description(code: str) -> str | None:
    """The first sentence-or-so of the model's documentation of an error, as plain text."""
    from botocore.model import NoShapeFoundError

    try:
        shape = service_model().shape_for(code)
    except NoShapeFoundError:
        return None
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", shape.documentation or ""))).strip()
    first, _, _ = text.partition(". ")
    return first.rstrip(".") + "." if first else None


def shape_pattern(shape_name: str) -> re.Pattern[str]:
    """The compiled pattern a string shape of the model must fully match."""
    return re.compile(service_model().shape_for(shape_name).metadata["pattern"])


def string_problem(shape_name: str, value: object) -> str | None:
    """What makes ``value`` unfit for a string shape of the model, or None when it fits.

    Secrets are never repeated: the answer names the rule, not the value.
    """
    metadata = service_model().shape_for(shape_name).metadata
    low, high, pattern = metadata.get("min"), metadata.get("max"), metadata.get("pattern")
    if not isinstance(value, str):
        return f"a string is required, not {type(value).__name__}"
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        return f"it must be {low or 0} to {high or 'any number of'} characters long"
    if pattern is not None and re.fullmatch(pattern, value) is None:
        return f"it must match the pattern {pattern}"
    return None


_STORE_TYPE_SECTIONS = {
    "All custom key stores": ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"),
    "CloudHSM key stores": ("AWS_CLOUDHSM",),
    "External key stores": ("EXTERNAL_KEY_STORE",),
}
_SECTION = re.compile(r"<b>\s*([^<:]+?):?\s*</b>")
_LISTED_CODE = re.compile(r"<li>\s*<p>\s*<code>([A-Z_]+)</code>")


@functools.cache
def connection_error_codes_for(store_type: str) -> tuple[str, ...]:
    """The ConnectionErrorCode values the model documents for a CustomKeyStoreType, in order.

    Read from the documentation of ``CustomKeyStoresListEntry.ConnectionErrorCode``,
    which lists them under "All custom key stores", "CloudHSM key stores" and
    "External key stores".
    """
    entry = service_model().shape_for("CustomKeyStoresListEntry")
    text = entry.members["ConnectionErrorCode"].documentation or ""
    sections = _SECTION.split(text)  # prose, heading, section, heading, section, ...
    listed: set[str] = set()
    for heading, section in zip(sections[1::2], sections[2::2], strict=True):
        if store_type in _STORE_TYPE_SECTIONS.get(heading.strip(), ()):
            listed.update(_LISTED_CODE.findall(section))
    return tuple(code for code in connection_error_codes() if code in listed)


@functools.cache
def kms_regions(region: str) -> frozenset[str]:
    """The Regions of ``region``'s partition that botocore's endpoints offer KMS in.

    Empty when botocore knows no partition for ``region`` (a made-up Region
    a test calls from): then no Region can be told apart as unknown.
    """
    from botocore.exceptions import UnknownRegionError
    from botocore.loaders import create_loader
    from botocore.regions import EndpointResolver

    resolver = EndpointResolver(create_loader().load_data("endpoints"))
    try:
        partition = resolver.get_partition_for_region(region)
    except UnknownRegionError:
        return frozenset()
    return frozenset(resolver.get_available_endpoints("kms", partition))
