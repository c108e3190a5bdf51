"""The control API: what the Python handle does, as JSON over HTTP, under ``/_kmsmock/``.

A test in any language arranges the simulated world through it: reset, the
clock, CloudHSM clusters and XKS proxies, a failed connection, injected
errors, the call log. ``openapi.json`` in this package describes every route.
Secrets (kmsuser passwords, proxy credentials) can be given but are never
answered back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain.aws_error import AwsError
from ..errors import KmsMockError
from ..handle import KmsKeystores
from ..protocol.json11 import read_params
from .schema import openapi_document, problem

__all__ = ["HANDLERS", "PREFIX", "ControlError", "route"]

PREFIX = "/_kmsmock"
"""Where the control API lives; KMS itself answers at ``/``."""


class ControlError(Exception):
    """A control request that cannot be done: its HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


Route = Callable[[KmsKeystores, dict[str, Any]], dict[str, Any]]


def _cluster_view(cluster: Any) -> dict[str, Any]:
    return {
        "cluster_id": cluster.cluster_id,
        "account_id": cluster.account_id,
        "region": cluster.region,
        "state": cluster.state,
        "hsms": list(cluster.hsms),
        "trust_anchor_certificate": cluster.trust_anchor_certificate,
        "backup_lineage": cluster.backup_lineage,
        "kmsuser_exists": cluster.kmsuser_exists,
        "kmsuser_locked_out": cluster.kmsuser_locked_out,
        "kmsuser_logged_in": cluster.kmsuser_logged_in,
        "subnets_present": cluster.subnets_present,
        "free_ip_addresses": cluster.free_ip_addresses,
        "subnet_zones": list(cluster.subnet_zones),
        "security_group_ok": cluster.security_group_ok,
        "reachable": cluster.reachable,
    }


def _external_key_view(key: Any) -> dict[str, Any]:
    return {"id": key.id, "spec": key.spec, "usages": list(key.usages), "enabled": key.enabled}


def _proxy_view(proxy: Any) -> dict[str, Any]:
    return {
        "uri_endpoint": proxy.uri_endpoint,
        "uri_path": proxy.uri_path,
        "account_id": proxy.account_id,
        "region": proxy.region,
        "credentials": len(proxy.credentials),
        "reachable": proxy.reachable,
        "tls_valid": proxy.tls_valid,
        "well_formed": proxy.well_formed,
        "responds_in_time": proxy.responds_in_time,
        "access_denied": proxy.access_denied,
        "key_manager_health": list(proxy.key_manager_health),
        "vpc_endpoint_service_name": proxy.vpc_endpoint_service_name,
        "vpc_endpoint_service_exists": proxy.vpc_endpoint_service_exists,
        "vpc_endpoint_service_valid": proxy.vpc_endpoint_service_valid,
        "keys": [_external_key_view(key) for key in proxy.keys.values()],
    }


def _health(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "account_id": ks.account_id, "region": ks.region}


def _openapi(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    return openapi_document()


def _reset(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    ks.reset()
    return {}


def _calls(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "calls": [
            {
                "operation": call.operation,
                "account_id": call.account_id,
                "region": call.region,
                "params": call.params,
                "error_code": call.error_code,
                "error_message": call.error_message,
                "ok": call.ok,
                "time": call.time,
            }
            for call in ks.calls
        ]
    }


def _clock(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    return {"now": ks.now()}


def _advance(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    ks.advance(body["seconds"])
    return {"now": ks.now()}


def _settle(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    ks.settle()
    return {"now": ks.now()}


def _cluster(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    arguments = dict(body)
    related = arguments.pop("related_to", None)
    if related is not None:
        arguments["related_to"] = _find_cluster(ks, related, arguments)
    return _cluster_view(ks.cloudhsm_cluster(**arguments))


def _find_cluster(ks: KmsKeystores, cluster_id: Any, body: dict[str, Any]) -> Any:
    cluster = ks.find_cluster(
        cluster_id, account_id=body.get("account_id"), region=body.get("region")
    )
    if cluster is None:
        raise ControlError(404, f"no CloudHSM cluster {cluster_id!r} is arranged there")
    return cluster


def _proxy(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    arguments = dict(body)
    endpoint = arguments.pop("uri_endpoint")
    return _proxy_view(ks.xks_proxy(endpoint, **arguments))


def _existing_proxy(ks: KmsKeystores, body: dict[str, Any]) -> Any:
    endpoint = body["uri_endpoint"]
    proxy = ks.find_proxy(endpoint, account_id=body.get("account_id"), region=body.get("region"))
    if proxy is None:
        raise ControlError(404, f"no XKS proxy is arranged at {endpoint!r}")
    return proxy


def _external_key(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    proxy = _existing_proxy(ks, body)
    key_id = body["key_id"]
    key = proxy.keys.get(key_id) or proxy.add_key(key_id)
    for name in ("spec", "enabled"):
        if name in body:
            setattr(key, name, body[name])
    if "usages" in body:
        key.usages = tuple(body["usages"])
    return _external_key_view(key)


def _accept_credential(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    proxy = _existing_proxy(ks, body)
    proxy.accept_credential(body["access_key_id"], body["secret_access_key"])
    return _proxy_view(proxy)


def _revoke_credential(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    proxy = _existing_proxy(ks, body)
    proxy.revoke_credential(body["access_key_id"])
    return _proxy_view(proxy)


def _fail_next_connect(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    ks.fail_next_connect(body["custom_key_store_id"], body["connection_error_code"])
    return {}


def _inject_error(ks: KmsKeystores, body: dict[str, Any]) -> dict[str, Any]:
    ks.inject_error(
        body["operation"],
        body["error_code"],
        times=body.get("times", 1),
        message=body.get("message"),
    )
    return {}


HANDLERS: dict[str, Route] = {
    "health": _health,
    "openapi": _openapi,
    "reset": _reset,
    "calls": _calls,
    "clock": _clock,
    "advance": _advance,
    "settle": _settle,
    "arrangeCluster": _cluster,
    "arrangeProxy": _proxy,
    "externalKey": _external_key,
    "acceptCredential": _accept_credential,
    "revokeCredential": _revoke_credential,
    "failNextConnect": _fail_next_connect,
    "injectError": _inject_error,
}
"""The handler of each route, by the ``operationId`` ``openapi.json`` gives it."""


def route(ks: KmsKeystores, method: str, path: str, payload: bytes) -> dict[str, Any]:
    """Run one control request; :class:`ControlError` carries the status of a refusal.

    ``payload`` is the request's body, JSON or nothing.

    The route, and what its body may hold, are those of ``openapi.json``; a
    body that does not fit is refused before anything changes.
    """
    routes = openapi_document()["paths"].get(path)
    if routes is None:
        raise ControlError(404, f"no control route {path}; the routes are in {PREFIX}/openapi.json")
    found = routes.get(method.lower())
    if found is None:
        raise ControlError(405, f"{path} takes {', '.join(m.upper() for m in sorted(routes))}")
    declared = found.get("requestBody", {})
    body: Any = {}
    if payload and not payload.strip():  # only an absent body is no body
        raise ControlError(400, "the body is not valid JSON: whitespace is not a JSON value")
    if payload:
        try:
            body = read_params(payload)
        except AwsError:
            raise ControlError(400, "the body is not valid JSON") from None
    elif declared.get("required"):
        raise ControlError(400, f"{method} {path} takes a JSON object as its body")
    schema = declared.get("content", {}).get("application/json", {}).get("schema", _NO_BODY)
    wrong = problem(schema, body)
    if wrong is not None:
        raise ControlError(400, wrong)
    try:
        return HANDLERS[found["operationId"]](ks, body)
    except (KmsMockError, ValueError, TypeError, AttributeError) as error:
        raise ControlError(400, str(error)) from None
    except LookupError as error:
        raise ControlError(404, str(error.args[0] if error.args else error)) from None


_NO_BODY = {"type": "object", "additionalProperties": False, "maxProperties": 0}
