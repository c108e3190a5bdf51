"""The schemas of the control API's bodies and answers, for :mod:`kmsmock.server.openapi`.

What KMS itself constrains, such as the form of a cluster id or a proxy
credential, is read from botocore's model, and the cluster states from the
simulated cluster, so nothing here copies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..accounts import ACCOUNT_ID_FORM
from ..domain.backing.cluster import CLUSTER_STATES
from ..options import REGION_FORM

__all__ = [
    "EMPTY",
    "ControlSchemas",
    "Schema",
    "control_schemas",
    "model_string",
    "object_schema",
    "view",
]

Schema = dict[str, Any]
"""A JSON Schema (OpenAPI 3.0's dialect), as the document holds it."""

_BOOLEAN: Schema = {"type": "boolean"}
_STRING: Schema = {"type": "string"}
EMPTY: Schema = {"type": "object", "additionalProperties": False, "maxProperties": 0}
"""An empty object: the body of a route that takes nothing, the answer that says nothing."""


def model_string(shape_name: str, description: str) -> Schema:
    """A string schema with the length and pattern botocore's model gives ``shape_name``."""
    from ..model import service_model

    metadata = service_model().shape_for(shape_name).metadata
    schema: Schema = {"type": "string", "description": description}
    if "min" in metadata:
        schema["minLength"] = metadata["min"]
    if "max" in metadata:
        schema["maxLength"] = metadata["max"]
    if "pattern" in metadata:
        schema["pattern"] = "^(?:" + metadata["pattern"] + ")$"
    return schema


def object_schema(properties: Schema, *required: str) -> Schema:
    """A request body: exactly these properties, the ``required`` ones required."""
    schema: Schema = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def view(properties: Schema, *required: str) -> Schema:
    """An answer: these properties, the ``required`` ones always present."""
    return {"type": "object", "required": list(required), "properties": properties}


@dataclass(frozen=True)
class ControlSchemas:
    """The schemas the control API's routes share."""

    cluster_request: Schema
    cluster_view: Schema
    access_key_id: Schema
    secret: Schema
    proxy_request: Schema
    external_key: Schema
    external_key_view: Schema
    proxy_view: Schema
    named_proxy: Schema
    call: Schema
    health: Schema
    now: Schema


def control_schemas() -> ControlSchemas:
    """The shared schemas, built afresh (the document is built once, by a command)."""
    scope = {
        "account_id": {
            "type": "string",
            "pattern": f"^(?:{ACCOUNT_ID_FORM.pattern})$",
            "description": "The account it belongs to (default: the server's).",
        },
        "region": {
            "type": "string",
            "pattern": f"^(?:{REGION_FORM.pattern})$",
            "description": "The region it belongs to (default: the server's).",
        },
    }
    cluster_id = model_string("CloudHsmClusterIdType", "The cluster's id.")
    cluster_attributes = {
        "state": {"type": "string", "enum": sorted(CLUSTER_STATES)},
        "trust_anchor_certificate": model_string(
            "TrustAnchorCertificateType", "The content of its customerCA.crt."
        ),
        "backup_lineage": _STRING,
        "kmsuser_exists": _BOOLEAN,
        "kmsuser_locked_out": _BOOLEAN,
        "kmsuser_logged_in": _BOOLEAN,
        "subnets_present": _BOOLEAN,
        "free_ip_addresses": {"type": "integer", "minimum": 0, "maximum": 65536},
        "subnet_zones": {"type": "array", "items": _STRING, "maxItems": 64},
        "security_group_ok": _BOOLEAN,
        "reachable": _BOOLEAN,
    }
    cluster_request = object_schema(
        {
            "cluster_id": {
                **cluster_id,
                "description": "The cluster's id; a new one is generated when left out. "
                "Naming an existing cluster changes it.",
            },
            "hsms": {
                "oneOf": [
                    {"type": "integer", "minimum": 0, "maximum": 64},
                    {"type": "array", "items": _STRING, "maxItems": 64},
                ],
                "description": "How many active HSMs (in distinct zones), or their zones.",
            },
            "kmsuser_password": model_string(
                "KeyStorePasswordType", "The kmsuser's password (never answered back)."
            ),
            "related_to": {
                **cluster_id,
                "description": "A cluster this one was restored from the same backup as.",
            },
            **cluster_attributes,
            **scope,
        }
    )
    cluster_view = view(
        {
            "cluster_id": _STRING,
            "account_id": _STRING,
            "region": _STRING,
            "hsms": {"type": "array", "items": _STRING},
            **cluster_attributes,
        },
        "cluster_id",
        "account_id",
        "region",
        "state",
        "hsms",
    )
    endpoint = model_string(
        "XksProxyUriEndpointType", "The proxy's endpoint, as a store's XksProxyUriEndpoint."
    )
    access_key_id = model_string(
        "XksProxyAuthenticationAccessKeyIdType", "The access key id of a proxy credential."
    )
    secret = model_string(
        "XksProxyAuthenticationRawSecretAccessKeyType",
        "The secret of a proxy credential (never answered back).",
    )
    proxy_attributes = {
        "uri_path": model_string("XksProxyUriPathType", "The proxy's base path."),
        "reachable": _BOOLEAN,
        "tls_valid": _BOOLEAN,
        "well_formed": _BOOLEAN,
        "responds_in_time": _BOOLEAN,
        "access_denied": _BOOLEAN,
        "key_manager_health": {
            "type": "array",
            "items": {"type": "string", "enum": ["ACTIVE", "DEGRADED", "UNAVAILABLE"]},
            "minItems": 1,
            "maxItems": 16,
        },
        "vpc_endpoint_service_name": {
            **model_string("XksProxyVpcEndpointServiceNameType", "Its VPC endpoint service."),
            "nullable": True,
        },
        "vpc_endpoint_service_exists": _BOOLEAN,
        "vpc_endpoint_service_valid": _BOOLEAN,
    }
    proxy_request = object_schema(
        {
            "uri_endpoint": endpoint,
            "access_key_id": access_key_id,
            "secret_access_key": secret,
            **proxy_attributes,
            **scope,
        },
        "uri_endpoint",
    )
    external_key = {
        "spec": {"type": "string", "maxLength": 64},
        "usages": {"type": "array", "items": {"type": "string", "maxLength": 64}, "maxItems": 8},
        "enabled": _BOOLEAN,
    }
    external_key_view = view({"id": _STRING, **external_key}, "id", "spec", "usages", "enabled")
    proxy_view = view(
        {
            "uri_endpoint": _STRING,
            "account_id": _STRING,
            "region": _STRING,
            "credentials": {"type": "integer", "description": "How many credentials it accepts."},
            "keys": {"type": "array", "items": external_key_view},
            **proxy_attributes,
        },
        "uri_endpoint",
        "uri_path",
        "account_id",
        "region",
        "credentials",
        "keys",
    )
    named_proxy = {"uri_endpoint": endpoint, **scope}
    now = view(
        {"now": {"type": "number", "description": "The mock clock, in seconds since the epoch."}},
        "now",
    )
    nullable_string = {"type": "string", "nullable": True}
    call = view(
        {
            "operation": _STRING,
            "account_id": _STRING,
            "region": _STRING,
            "params": {
                "type": "object",
                "description": 'The request\'s parameters, secrets shown as "<redacted>".',
            },
            "error_code": nullable_string,
            "error_message": nullable_string,
            "ok": _BOOLEAN,
            "time": {"type": "number"},
        },
        "operation",
        "account_id",
        "region",
        "params",
        "error_code",
        "error_message",
        "ok",
        "time",
    )
    health = view(
        {"status": {"type": "string", "enum": ["ok"]}, "account_id": _STRING, "region": _STRING},
        "status",
        "account_id",
        "region",
    )
    return ControlSchemas(
        cluster_request=cluster_request,
        cluster_view=cluster_view,
        access_key_id=access_key_id,
        secret=secret,
        proxy_request=proxy_request,
        external_key=external_key,
        external_key_view=external_key_view,
        proxy_view=proxy_view,
        named_proxy=named_proxy,
        call=call,
        health=health,
        now=now,
    )
