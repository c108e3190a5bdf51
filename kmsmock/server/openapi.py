"""Builds ``openapi.json``, the document that describes the control API.

The document ships in the package and is the control API's one declaration:
the server finds each route's handler by its ``operationId`` and checks each
request body against the route's schema before it runs (see
:mod:`kmsmock.server.control`). What KMS itself constrains, such as the form
of a cluster id or a proxy credential, is read from botocore's model, and
the cluster states from the simulated cluster, so nothing here copies them.

Regenerate the file after changing this module (a test fails until then)::

    python -m kmsmock.server.openapi > kmsmock/server/openapi.json
"""

from __future__ import annotations

import json
from typing import Any

from ..accounts import ACCOUNT_ID_FORM
from ..domain.backing.cluster import CLUSTER_STATES
from ..options import REGION_FORM

__all__ = ["document"]

Schema = dict[str, Any]

_BOOLEAN: Schema = {"type": "boolean"}
_STRING: Schema = {"type": "string"}
_EMPTY: Schema = {"type": "object", "additionalProperties": False, "maxProperties": 0}
_REFUSALS = {
    400: "The request cannot be done; the message says why and what is valid.",
    404: "What the request names is not there.",
    405: "The route takes another method.",
}


def _model_string(shape_name: str, description: str) -> Schema:
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


def _object(properties: Schema, *required: str) -> Schema:
    schema: Schema = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _view(properties: Schema, *required: str) -> Schema:
    return {"type": "object", "required": list(required), "properties": properties}


def _route(
    operation_id: str,
    summary: str,
    answer: Schema,
    answered: str,
    *,
    body: Schema | None = None,
    body_required: bool = True,
    refusals: tuple[int, ...] = (405,),
) -> Schema:
    route: Schema = {"summary": summary, "operationId": operation_id}
    if body is not None:
        route["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": body}},
        }
    route["responses"] = {
        "200": {"description": answered, "content": {"application/json": {"schema": answer}}},
        **{
            str(status): {
                "description": _REFUSALS[status],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
            for status in refusals
        },
    }
    return route


def document() -> Schema:
    """The OpenAPI 3.0 document of the control API."""
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
    cluster_id = _model_string("CloudHsmClusterIdType", "The cluster's id.")
    cluster_attributes = {
        "state": {"type": "string", "enum": sorted(CLUSTER_STATES)},
        "trust_anchor_certificate": _model_string(
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
    cluster_request = _object(
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
            "kmsuser_password": _model_string(
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
    cluster_view = _view(
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
    endpoint = _model_string(
        "XksProxyUriEndpointType", "The proxy's endpoint, as a store's XksProxyUriEndpoint."
    )
    access_key_id = _model_string(
        "XksProxyAuthenticationAccessKeyIdType", "The access key id of a proxy credential."
    )
    secret = _model_string(
        "XksProxyAuthenticationRawSecretAccessKeyType",
        "The secret of a proxy credential (never answered back).",
    )
    proxy_attributes = {
        "uri_path": _model_string("XksProxyUriPathType", "The proxy's base path."),
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
            **_model_string("XksProxyVpcEndpointServiceNameType", "Its VPC endpoint service."),
            "nullable": True,
        },
        "vpc_endpoint_service_exists": _BOOLEAN,
        "vpc_endpoint_service_valid": _BOOLEAN,
    }
    proxy_request = _object(
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
    external_key_view = _view({"id": _STRING, **external_key}, "id", "spec", "usages", "enabled")
    proxy_view = _view(
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
    now = _view(
        {"now": {"type": "number", "description": "The mock clock, in seconds since the epoch."}},
        "now",
    )
    nullable_string = {"type": "string", "nullable": True}
    call = _view(
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
    health = _view(
        {"status": {"type": "string", "enum": ["ok"]}, "account_id": _STRING, "region": _STRING},
        "status",
        "account_id",
        "region",
    )
    refused = (400, 405)
    refused_or_missing = (400, 404, 405)
    paths = {
        "/_kmsmock/health": {
            "get": _route(
                "health",
                "Whether the server answers, and its default account and region.",
                health,
                "The server is ready.",
            )
        },
        "/_kmsmock/openapi.json": {
            "get": _route(
                "openapi",
                "This document.",
                {"type": "object"},
                "The OpenAPI document of the control API.",
            )
        },
        "/_kmsmock/reset": {
            "post": _route(
                "reset",
                "Forget every store, key, arrangement, injected error and call; the clock "
                "reads wall time again.",
                _EMPTY,
                "Reset.",
                body=_EMPTY,
                body_required=False,
                refusals=refused,
            )
        },
        "/_kmsmock/calls": {
            "get": _route(
                "calls",
                "The call log, oldest first, secrets redacted.",
                _view({"calls": {"type": "array", "items": call}}, "calls"),
                "The calls.",
            )
        },
        "/_kmsmock/clock": {
            "get": _route("clock", "The mock clock's reading.", now, "The time."),
        },
        "/_kmsmock/clock/advance": {
            "post": _route(
                "advance",
                "Move the mock clock forward, and complete what became due. The clock "
                "cannot pass 9999-12-31.",
                now,
                "The time after advancing.",
                body=_object({"seconds": {"type": "number", "minimum": 0}}, "seconds"),
                refusals=refused,
            )
        },
        "/_kmsmock/clock/settle": {
            "post": _route(
                "settle",
                "Complete every pending CONNECTING and DISCONNECTING now.",
                now,
                "Settled.",
                body=_EMPTY,
                body_required=False,
                refusals=refused,
            )
        },
        "/_kmsmock/clusters": {
            "post": _route(
                "arrangeCluster",
                "Arrange a simulated CloudHSM cluster, or change an existing one.",
                cluster_view,
                "The cluster, without its kmsuser password.",
                body=cluster_request,
                body_required=False,
                refusals=refused_or_missing,
            )
        },
        "/_kmsmock/proxies": {
            "post": _route(
                "arrangeProxy",
                "Arrange a simulated XKS proxy, or change an existing one.",
                proxy_view,
                "The proxy, without its credentials.",
                body=proxy_request,
                refusals=refused,
            )
        },
        "/_kmsmock/proxies/keys": {
            "post": _route(
                "externalKey",
                "Add an external key to a proxy's key manager, or change one.",
                external_key_view,
                "The external key.",
                body=_object(
                    {
                        **named_proxy,
                        "key_id": {"type": "string", "minLength": 1, "maxLength": 128},
                        **external_key,
                    },
                    "uri_endpoint",
                    "key_id",
                ),
                refusals=refused_or_missing,
            )
        },
        "/_kmsmock/proxies/credentials/accept": {
            "post": _route(
                "acceptCredential",
                "Make a proxy also accept a credential, as during a rotation.",
                proxy_view,
                "The proxy.",
                body=_object(
                    {**named_proxy, "access_key_id": access_key_id, "secret_access_key": secret},
                    "uri_endpoint",
                    "access_key_id",
                    "secret_access_key",
                ),
                refusals=refused_or_missing,
            )
        },
        "/_kmsmock/proxies/credentials/revoke": {
            "post": _route(
                "revokeCredential",
                "Make a proxy stop accepting a credential.",
                proxy_view,
                "The proxy.",
                body=_object(
                    {**named_proxy, "access_key_id": access_key_id},
                    "uri_endpoint",
                    "access_key_id",
                ),
                refusals=refused_or_missing,
            )
        },
        "/_kmsmock/stores/fail-next-connect": {
            "post": _route(
                "failNextConnect",
                "Make a store's next connection attempt end FAILED with a ConnectionErrorCode.",
                _EMPTY,
                "Arranged.",
                body=_object(
                    {
                        "custom_key_store_id": _model_string(
                            "CustomKeyStoreIdType", "The store's id."
                        ),
                        "connection_error_code": {
                            "type": "string",
                            "description": "A ConnectionErrorCode KMS gives this type of store.",
                        },
                    },
                    "custom_key_store_id",
                    "connection_error_code",
                ),
                refusals=refused_or_missing,
            )
        },
        "/_kmsmock/errors": {
            "post": _route(
                "injectError",
                "Answer the next attempts of an operation with an error its model lists.",
                _EMPTY,
                "Injected.",
                body=_object(
                    {
                        "operation": {"type": "string", "description": "A KMS operation."},
                        "error_code": {"type": "string", "description": "An error it may give."},
                        "times": {"type": "integer", "minimum": 1, "maximum": 1000000},
                        "message": {"type": "string", "maxLength": 2048},
                    },
                    "operation",
                    "error_code",
                ),
                refusals=refused,
            )
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "kmsmock control API",
            "version": "1",
            "description": (
                "What kmsmock's Python handle does, over HTTP, for tests in any language. KMS "
                "itself answers at / in its JSON 1.1 protocol; these routes live under "
                "/_kmsmock. Every request body and answer is JSON. Secrets can be given but "
                "are never answered back."
            ),
        },
        "servers": [{"url": "http://127.0.0.1:4566"}],
        "paths": paths,
        "components": {
            "schemas": {
                "Error": _view(
                    {"error": {"type": "string", "description": "What was wrong; what is valid."}},
                    "error",
                )
            }
        },
    }


if __name__ == "__main__":  # pragma: no cover - the regeneration command
    print(json.dumps(document(), indent=2))
