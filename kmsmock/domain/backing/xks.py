"""What KMS answers for an external key store, derived from the state of its XKS proxy.

Every failure of a proxy is one :class:`ProxyFault`, found by the checks of
:data:`PROXY_CHECKS` in the order KMS meets them. The tables below give what
each fault becomes for each kind of request, following the "KMS
Considerations" table of the External Key Store Proxy API Specification and
the KMS Developer Guide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Final

from ..aws_error import AwsError
from ..keys import KmsKey
from ..scope import AccountRegion
from ..stores import CustomKeyStore, XksConnectivity, XksSettings
from .proxy import ExternalKey, XksProxy
from .world import World

__all__ = [
    "CONNECT_CODES",
    "CREATE_KEY_ERRORS",
    "EXTERNAL_KEY_PROBLEMS",
    "HEALTH_CHECK_EXEMPT",
    "MANAGEMENT_ERRORS",
    "PROXY_CHECKS",
    "ProxyFault",
    "check_create_key",
    "check_for_store",
    "connect_failure",
    "external_material",
    "proxy_fault",
]


class ProxyFault(str, Enum):
    """A way an XKS proxy fails a request, with the message KMS gives for it."""

    NOT_REACHABLE = (
        "AWS KMS cannot communicate with the external key store proxy. This might be a "
        "transient network issue. If you see this error repeatedly, verify that your external "
        "key store proxy is active and is connected to the network, and that its endpoint URI "
        "is correct in your external keystore."
    )
    TLS = (
        "AWS KMS cannot establish a TLS connection to the external key store proxy. Verify the "
        "TLS configuration, including its certificate."
    )
    TIMED_OUT = (
        "AWS KMS rejected the request because the external key store proxy did not respond in "
        "time. Retry the request. If you see this error repeatedly, report it to your external "
        "key store proxy administrator."
    )
    AUTHENTICATION = (
        "The external key store proxy rejected the request because it could not authenticate "
        "AWS KMS. Verify the XKS proxy authentication credentials for your external key store "
        "and update if necessary."
    )
    ACCESS_DENIED = (
        "The external key store proxy denied access to the operation. Verify that the user and "
        "the external key are both authorized for this operation, and try the request again."
    )
    URI_PATH = (
        "The external key store proxy rejected the request because of an invalid URI path. "
        "Verify the URI path for your external key store and update if necessary."
    )
    INVALID_RESPONSE = (
        "AWS KMS cannot interpret the response from the external key store proxy. If you see "
        "this error repeatedly, report it to your external key store proxy administrator."
    )
    KEY_MANAGER_UNAVAILABLE = (
        "The external key store proxy rejected the request because it cannot communicate with "
        "the external key manager. Verify that the external key store proxy configuration is "
        "correct and that the external key manager is available."
    )


F = ProxyFault

PROXY_CHECKS: Final[tuple[tuple[ProxyFault, Callable[[XksProxy, XksSettings], bool]], ...]] = (
    (F.TLS, lambda proxy, settings: not proxy.tls_valid),
    (F.TIMED_OUT, lambda proxy, settings: not proxy.responds_in_time),
    (F.AUTHENTICATION, lambda proxy, settings: not proxy.accepts(settings.credential)),
    (F.ACCESS_DENIED, lambda proxy, settings: proxy.access_denied),
    (F.URI_PATH, lambda proxy, settings: proxy.uri_path != settings.uri_path),
    (F.INVALID_RESPONSE, lambda proxy, settings: not proxy.well_formed),
    (F.KEY_MANAGER_UNAVAILABLE, lambda proxy, settings: proxy.all_instances_unavailable()),
)
"""How a reachable proxy fails a request, in the order KMS meets the failures."""

HEALTH_CHECK_EXEMPT: Final = frozenset({F.ACCESS_DENIED})
"""Faults GetHealthStatus does not meet: it is exempt from the proxy's authorization."""

MANAGEMENT_ERRORS: Final[Mapping[ProxyFault, str]] = {
    F.NOT_REACHABLE: "XksProxyUriUnreachableException",
    F.TLS: "XksProxyUriUnreachableException",
    F.TIMED_OUT: "XksProxyUriUnreachableException",
    F.AUTHENTICATION: "XksProxyIncorrectAuthenticationCredentialException",
    F.URI_PATH: "XksProxyInvalidConfigurationException",
    F.INVALID_RESPONSE: "XksProxyInvalidResponseException",
    F.KEY_MANAGER_UNAVAILABLE: "XksProxyUriUnreachableException",
}
"""CreateCustomKeyStore and UpdateCustomKeyStore (PUBLIC_ENDPOINT connectivity): a health check."""

CONNECT_CODES: Final[Mapping[ProxyFault, str]] = {
    F.NOT_REACHABLE: "XKS_PROXY_NOT_REACHABLE",
    F.TLS: "XKS_PROXY_INVALID_TLS_CONFIGURATION",
    F.TIMED_OUT: "XKS_PROXY_TIMED_OUT",
    F.AUTHENTICATION: "INVALID_CREDENTIALS",
    F.ACCESS_DENIED: "XKS_PROXY_ACCESS_DENIED",
    F.URI_PATH: "XKS_PROXY_INVALID_CONFIGURATION",
    F.INVALID_RESPONSE: "XKS_PROXY_INVALID_RESPONSE",
    F.KEY_MANAGER_UNAVAILABLE: "XKS_PROXY_NOT_REACHABLE",
}
"""The ConnectionErrorCode a connection attempt ends FAILED with."""

CREATE_KEY_ERRORS: Final[Mapping[ProxyFault, str]] = {
    fault: "CustomKeyStoreInvalidStateException" for fault in ProxyFault
}
"""CreateKey in a CONNECTED external key store.

The specification lists KMSInvalidStateException for an AccessDeniedException
at CreateKey, but botocore's model lists no KMSInvalidStateException for
CreateKey, so the model's CustomKeyStoreInvalidStateException is used.
Cryptographic operations always answer KMSInvalidStateException, with the
fault's message.
"""

EXTERNAL_KEY_PROBLEMS: Final[tuple[tuple[Callable[[ExternalKey], bool], str], ...]] = (
    (
        lambda key: not key.enabled,
        "The external key associated with this KMS key in an external key store is not "
        "enabled in the external key manager. Enable the external key in the external key "
        "manager and retry the request.",
    ),
    (
        lambda key: not {"ENCRYPT", "DECRYPT"} <= set(key.usages),
        "The external key associated with this KMS key in an external key store does not "
        "support the requested operation. Enable the operation on the key in your external "
        "key manager, and try the request again.",
    ),
)
"""Why a cryptographic operation fails with an external key the proxy holds, in KMS's order."""

_KEY_NOT_FOUND = (
    "The external key associated with this KMS key in an external key store was not found in "
    "its external key manager. If the external key ID associated with this KMS key is "
    "incorrect, create a new KMS key with the correct external key ID."
)


def proxy_fault(
    proxy: XksProxy | None, settings: XksSettings, *, health_check: bool = False
) -> ProxyFault | None:
    """The first way the proxy fails a request made with the store's settings, if any."""
    if proxy is None or not proxy.reachable:
        return F.NOT_REACHABLE
    for fault, fails in PROXY_CHECKS:
        if fails(proxy, settings) and not (health_check and fault in HEALTH_CHECK_EXEMPT):
            return fault
    return None


def _proxy(world: World, account_id: str, region: str, settings: XksSettings) -> XksProxy | None:
    return world.provide_proxy(
        account_id,
        region,
        settings.uri_endpoint,
        uri_path=settings.uri_path,
        credential=settings.credential,
        vpc_endpoint_service_name=settings.vpc_endpoint_service_name,
    )


def _vpc_problem(proxy: XksProxy | None, settings: XksSettings) -> str | None:
    """``"NOT_FOUND"`` or ``"INVALID"`` when the store's VPC endpoint service fails."""
    if settings.connectivity is not XksConnectivity.VPC_ENDPOINT_SERVICE:
        return None
    if (
        proxy is None
        or not proxy.vpc_endpoint_service_exists
        or proxy.vpc_endpoint_service_name != settings.vpc_endpoint_service_name
    ):
        return "NOT_FOUND"
    if not proxy.vpc_endpoint_service_valid:
        return "INVALID"
    return None


def check_for_store(world: World, scope: AccountRegion, settings: XksSettings) -> None:
    """What CreateCustomKeyStore and UpdateCustomKeyStore find when they contact the proxy.

    With VPC_ENDPOINT_SERVICE connectivity KMS checks the endpoint service
    here and contacts the proxy only when connecting.
    """
    proxy = _proxy(world, scope.account_id, scope.region, settings)
    problem = _vpc_problem(proxy, settings)
    if problem == "NOT_FOUND":
        raise AwsError(
            "XksProxyVpcEndpointServiceNotFoundException",
            f"KMS could not find the VPC endpoint service {settings.vpc_endpoint_service_name}.",
        )
    if problem == "INVALID":
        raise AwsError(
            "XksProxyVpcEndpointServiceInvalidConfigurationException",
            f"The VPC endpoint service {settings.vpc_endpoint_service_name} does not fulfil the "
            "requirements for an external key store.",
        )
    if settings.connectivity is XksConnectivity.VPC_ENDPOINT_SERVICE:
        return
    fault = proxy_fault(proxy, settings, health_check=True)
    if fault is not None:
        raise AwsError(MANAGEMENT_ERRORS[fault], fault.value)


def connect_failure(world: World, scope: AccountRegion, store: CustomKeyStore) -> str | None:
    """The ConnectionErrorCode a connection attempt ends with, or None when it connects."""
    settings = store.settings
    assert isinstance(settings, XksSettings)
    proxy = _proxy(world, scope.account_id, scope.region, settings)
    problem = _vpc_problem(proxy, settings)
    if problem == "NOT_FOUND":
        return "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND"
    if problem == "INVALID":
        return "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION"
    fault = proxy_fault(proxy, settings)
    return None if fault is None else CONNECT_CODES[fault]


def _external_key(
    world: World, account_id: str, region: str, settings: XksSettings, xks_key_id: str
) -> tuple[XksProxy | None, ExternalKey | None]:
    """The proxy and its external key; a proxy nobody arranged provides the key on first use."""
    proxy = _proxy(world, account_id, region, settings)
    if proxy is None:
        return None, None
    key = proxy.keys.get(xks_key_id)
    if key is None and not proxy.arranged and not world.strict:
        key = proxy.add_key(xks_key_id)
    return proxy, key


def check_create_key(
    world: World, scope: AccountRegion, store: CustomKeyStore, xks_key_id: str
) -> None:
    """The checks CreateKey makes of the proxy of a CONNECTED external key store."""
    settings = store.settings
    assert isinstance(settings, XksSettings)
    proxy, external = _external_key(world, scope.account_id, scope.region, settings, xks_key_id)
    fault = proxy_fault(proxy, settings)
    if fault is not None:
        raise AwsError(CREATE_KEY_ERRORS[fault], fault.value)
    if external is None:
        raise AwsError(
            "XksKeyNotFoundException",
            "The external key store proxy rejected the request because it could not find the "
            "external key.",
        )
    problem = external.problem()
    if problem is not None:
        raise AwsError("XksKeyInvalidConfigurationException", problem)


def external_material(world: World, key: KmsKey) -> bytes:
    """The material of the external key behind ``key``, or KMSInvalidStateException."""
    store = key.store
    assert store is not None and key.xks_key_id is not None
    settings = store.settings
    assert isinstance(settings, XksSettings)
    proxy, external = _external_key(world, key.account_id, key.region, settings, key.xks_key_id)
    fault = proxy_fault(proxy, settings)
    if fault is not None:
        raise AwsError("KMSInvalidStateException", fault.value)
    if external is None:
        raise AwsError("KMSInvalidStateException", _KEY_NOT_FOUND)
    for fails, message in EXTERNAL_KEY_PROBLEMS:
        if fails(external):
            raise AwsError("KMSInvalidStateException", message)
    return external.material
