"""Builds ``openapi.json``, the document that describes the control API.

The document ships in the package and is the control API's one declaration:
the server finds each route's handler by its ``operationId`` and checks each
request body against the route's schema before it runs (see
:mod:`kmsmock.server.control`). The schemas its routes share are built by
:mod:`kmsmock.server.openapi_schemas`, from botocore's model and the
simulated cluster, so nothing here copies them.

Regenerate the file after changing this module (a test fails until then)::

    python -m kmsmock.server.openapi > kmsmock/server/openapi.json
"""

from __future__ import annotations

import json

from .openapi_schemas import EMPTY, Schema, control_schemas, model_string, object_schema, view

__all__ = ["document"]

_REFUSALS = {
    400: "The request cannot be done; the message says why and what is valid.",
    404: "What the request names is not there.",
    405: "The route takes another method.",
}


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
    s = control_schemas()
    refused = (400, 405)
    refused_or_missing = (400, 404, 405)
    paths = {
        "/_kmsmock/health": {
            "get": _route(
                "health",
                "Whether the server answers, and its default account and region.",
                s.health,
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
                EMPTY,
                "Reset.",
                body=EMPTY,
                body_required=False,
                refusals=refused,
            )
        },
        "/_kmsmock/calls": {
            "get": _route(
                "calls",
                "The call log, oldest first, secrets redacted.",
                view({"calls": {"type": "array", "items": s.call}}, "calls"),
                "The calls.",
            )
        },
        "/_kmsmock/clock": {
            "get": _route("clock", "The mock clock's reading.", s.now, "The time."),
        },
        "/_kmsmock/clock/advance": {
            "post": _route(
                "advance",
                "Move the mock clock forward, and complete what became due. The clock "
                "cannot pass 9999-12-31.",
                s.now,
                "The time after advancing.",
                body=object_schema({"seconds": {"type": "number", "minimum": 0}}, "seconds"),
                refusals=refused,
            )
        },
        "/_kmsmock/clock/settle": {
            "post": _route(
                "settle",
                "Complete every pending CONNECTING and DISCONNECTING now.",
                s.now,
                "Settled.",
                body=EMPTY,
                body_required=False,
                refusals=refused,
            )
        },
        "/_kmsmock/clusters": {
            "post": _route(
                "arrangeCluster",
                "Arrange a simulated CloudHSM cluster, or change an existing one.",
                s.cluster_view,
                "The cluster, without its kmsuser password.",
                body=s.cluster_request,
                body_required=False,
                refusals=refused_or_missing,
            )
        },
        "/_kmsmock/proxies": {
            "post": _route(
                "arrangeProxy",
                "Arrange a simulated XKS proxy, or change an existing one.",
                s.proxy_view,
                "The proxy, without its credentials.",
                body=s.proxy_request,
                refusals=refused,
            )
        },
        "/_kmsmock/proxies/keys": {
            "post": _route(
                "externalKey",
                "Add an external key to a proxy's key manager, or change one.",
                s.external_key_view,
                "The external key.",
                body=object_schema(
                    {
                        **s.named_proxy,
                        "key_id": {"type": "string", "minLength": 1, "maxLength": 128},
                        **s.external_key,
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
                s.proxy_view,
                "The proxy.",
                body=object_schema(
                    {
                        **s.named_proxy,
                        "access_key_id": s.access_key_id,
                        "secret_access_key": s.secret,
                    },
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
                s.proxy_view,
                "The proxy.",
                body=object_schema(
                    {**s.named_proxy, "access_key_id": s.access_key_id},
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
                EMPTY,
                "Arranged.",
                body=object_schema(
                    {
                        "custom_key_store_id": model_string(
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
                EMPTY,
                "Injected.",
                body=object_schema(
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
                "Error": view(
                    {"error": {"type": "string", "description": "What was wrong; what is valid."}},
                    "error",
                )
            }
        },
    }


if __name__ == "__main__":  # pragma: no cover - the regeneration command
    print(json.dumps(document(), indent=2))
