"""What KMS answers, derived from the state of the backing stores.

Each rule reads the simulated world (:mod:`kmsmock.domain.world`) the way KMS
probes it: at create and update time, when a connection attempt completes,
when a key is created, and on every cryptographic operation. Failures of an
XKS proxy are one :class:`ProxyFault`; the tables below give what each fault
becomes for each kind of request, following the "KMS Considerations" table
of the External Key Store Proxy API Specification and the KMS Developer Guide.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Final

from .errors import AwsError
from .keys import KmsKey
from .keystore import CloudHsmSettings, CustomKeyStore, XksConnectivity, XksSettings
from .region import RegionState
from .world import CloudHsmCluster, ExternalKey, World, XksProxy

__all__ = [
    "CONNECT_CODES",
    "CREATE_KEY_ERRORS",
    "MANAGEMENT_ERRORS",
    "ProxyFault",
    "check_cluster_for_create",
    "check_cluster_for_update",
    "check_cluster_reachable",
    "check_connect",
    "check_create_key",
    "check_proxy_for_store",
    "cluster_for",
    "connect_failure",
    "crypto_materials",
    "proxy_for",
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

MANAGEMENT_ERRORS: Final[Mapping[ProxyFault, str | None]] = {
    F.NOT_REACHABLE: "XksProxyUriUnreachableException",
    F.TLS: "XksProxyUriUnreachableException",
    F.TIMED_OUT: "XksProxyUriUnreachableException",
    F.AUTHENTICATION: "XksProxyIncorrectAuthenticationCredentialException",
    F.ACCESS_DENIED: None,  # GetHealthStatus is exempt from the proxy's authorization
    F.URI_PATH: "XksProxyInvalidConfigurationException",
    F.INVALID_RESPONSE: "XksProxyInvalidResponseException",
    F.KEY_MANAGER_UNAVAILABLE: "XksProxyUriUnreachableException",
}
"""CreateCustomKeyStore and UpdateCustomKeyStore (PUBLIC_ENDPOINT connectivity)."""

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
"""

# Cryptographic operations always answer KMSInvalidStateException, with the fault's message.


def cluster_for(
    world: World,
    region: RegionState,
    cluster_id: str,
    *,
    trust_anchor_certificate: str | None = None,
    password: object = None,
    related_to: CloudHsmCluster | None = None,
) -> CloudHsmCluster | None:
    """The cluster a request names, provisioned healthy on first use unless strict.

    A cluster the test did not arrange follows the request: it takes on the
    trust anchor and kmsuser password the request gives, and a cluster first
    named to replace another is provisioned as its relative (same backup).
    """
    cluster = world.cluster(region.account_id, region.region, cluster_id)
    if cluster is None:
        if world.strict:
            return None
        cluster = world.add_cluster(
            CloudHsmCluster(
                cluster_id,
                account_id=region.account_id,
                region=region.region,
                trust_anchor_certificate=(
                    related_to.trust_anchor_certificate
                    if related_to is not None
                    else trust_anchor_certificate
                ),
                backup_lineage=None if related_to is None else related_to.backup_lineage,
                arranged=False,
            )
        )
    if not cluster.arranged:
        if trust_anchor_certificate is not None:
            cluster.trust_anchor_certificate = trust_anchor_certificate
        if password is not None:
            cluster.kmsuser_password = password  # type: ignore[assignment]
    return cluster


def proxy_for(world: World, region: RegionState, settings: XksSettings) -> XksProxy | None:
    """The proxy a store names, provisioned healthy on first use unless strict.

    A proxy the test did not arrange follows the store's settings: its path,
    credential and VPC endpoint service.
    """
    proxy = world.proxy(region.account_id, region.region, settings.uri_endpoint)
    if proxy is None:
        if world.strict:
            return None
        proxy = world.add_proxy(
            XksProxy(
                settings.uri_endpoint,
                settings.uri_path,
                account_id=region.account_id,
                region=region.region,
                access_key_id=settings.credential.access_key_id,
                secret_access_key=settings.credential.secret_access_key.reveal(),
                vpc_endpoint_service_name=settings.vpc_endpoint_service_name,
                arranged=False,
            )
        )
    if not proxy.arranged:
        proxy.uri_path = settings.uri_path
        proxy.accept_credential(
            settings.credential.access_key_id, settings.credential.secret_access_key.reveal()
        )
        if settings.vpc_endpoint_service_name is not None:
            proxy.vpc_endpoint_service_name = settings.vpc_endpoint_service_name
    return proxy


# -- CloudHSM ---------------------------------------------------------------------------


def _not_found(cluster_id: str) -> AwsError:
    return AwsError(
        "CloudHsmClusterNotFoundException",
        f"KMS cannot find the CloudHSM cluster with cluster ID '{cluster_id}'.",
    )


def _check_active_and_configured(cluster: CloudHsmCluster, *, hsms_needed: int) -> None:
    if cluster.state != "ACTIVE":
        raise AwsError(
            "CloudHsmClusterNotActiveException",
            f"CloudHSM cluster '{cluster.cluster_id}' is {cluster.state}, not ACTIVE.",
        )
    if len(set(cluster.subnet_zones)) < 2:
        raise AwsError(
            "CloudHsmClusterInvalidConfigurationException",
            f"CloudHSM cluster '{cluster.cluster_id}' must have private subnets in at least two "
            "different Availability Zones.",
        )
    if not cluster.security_group_ok:
        raise AwsError(
            "CloudHsmClusterInvalidConfigurationException",
            f"The security group of CloudHSM cluster '{cluster.cluster_id}' must allow TCP "
            "traffic on ports 2223-2225.",
        )
    if cluster.distinct_hsm_zones() < hsms_needed:
        raise AwsError(
            "CloudHsmClusterInvalidConfigurationException",
            f"CloudHSM cluster '{cluster.cluster_id}' must contain at least {hsms_needed} "
            f"active HSMs, each in a different Availability Zone; it has "
            f"{len(cluster.hsms)} in {cluster.distinct_hsm_zones()}.",
        )


def _cluster_of(world: World, region: RegionState, store: CustomKeyStore) -> CloudHsmCluster | None:
    settings = store.settings
    assert isinstance(settings, CloudHsmSettings)
    # The cluster is there already, as a rule; cluster_for provisions one when it is not.
    cluster = world.clusters.get((region.account_id, region.region, settings.cluster_id))
    if cluster is None:
        cluster = cluster_for(world, region, settings.cluster_id)
    if cluster is None or cluster.state == "DELETED":
        return None
    return cluster


def check_cluster_for_create(world: World, region: RegionState, settings: CloudHsmSettings) -> None:
    """The checks CreateCustomKeyStore makes of a CloudHSM cluster."""
    cluster = cluster_for(
        world,
        region,
        settings.cluster_id,
        trust_anchor_certificate=settings.trust_anchor_certificate,
        password=settings.password,
    )
    if cluster is None or cluster.state == "DELETED":
        raise _not_found(settings.cluster_id)
    for other in region.stores.values():
        theirs = other.settings
        if not isinstance(theirs, CloudHsmSettings):
            continue
        used = world.cluster(region.account_id, region.region, theirs.cluster_id)
        if used is not None and used.is_related_to(cluster):
            raise AwsError(
                "CloudHsmClusterInUseException",
                f"CloudHSM cluster '{settings.cluster_id}' shares a backup history with cluster "
                f"'{theirs.cluster_id}' of custom key store '{other.id}'.",
            )
    _check_active_and_configured(cluster, hsms_needed=2)
    if cluster.trust_anchor_certificate != settings.trust_anchor_certificate:
        raise AwsError(
            "IncorrectTrustAnchorException",
            f"The trust anchor certificate is not the one of CloudHSM cluster "
            f"'{settings.cluster_id}'.",
        )


def check_cluster_for_update(
    world: World, region: RegionState, store: CustomKeyStore, settings: CloudHsmSettings
) -> None:
    """The checks UpdateCustomKeyStore makes when it changes a CloudHSM store."""
    current = store.settings
    assert isinstance(current, CloudHsmSettings)
    original = world.cluster(region.account_id, region.region, current.cluster_id)
    cluster = cluster_for(
        world, region, settings.cluster_id, password=settings.password, related_to=original
    )
    if cluster is None or cluster.state == "DELETED":
        raise _not_found(settings.cluster_id)
    if (
        settings.cluster_id != current.cluster_id
        and original is not None
        and not cluster.is_related_to(original)
    ):
        raise AwsError(
            "CloudHsmClusterNotRelatedException",
            f"CloudHSM cluster '{settings.cluster_id}' does not share a backup history with "
            f"cluster '{current.cluster_id}'.",
        )
    _check_active_and_configured(cluster, hsms_needed=2)


def check_connect(world: World, region: RegionState, store: CustomKeyStore) -> None:
    """Failures ConnectCustomKeyStore raises at once, leaving the store DISCONNECTED."""
    if not isinstance(store.settings, CloudHsmSettings):
        return
    cluster = _cluster_of(world, region, store)
    if cluster is None:
        return  # reported by the attempt: CLUSTER_NOT_FOUND
    if cluster.state != "ACTIVE":
        raise AwsError(
            "CloudHsmClusterNotActiveException",
            f"CloudHSM cluster '{cluster.cluster_id}' is {cluster.state}, not ACTIVE.",
        )
    if len(set(cluster.subnet_zones)) < 2 or not cluster.security_group_ok:
        _check_active_and_configured(cluster, hsms_needed=0)


def _cloudhsm_connect_failure(
    world: World, region: RegionState, store: CustomKeyStore
) -> str | None:
    settings = store.settings
    assert isinstance(settings, CloudHsmSettings)
    cluster = _cluster_of(world, region, store)
    # The first failure, in the order KMS checks (written as a chain: every
    # connection attempt runs it, and most pass every check).
    if cluster is None:
        return "CLUSTER_NOT_FOUND"
    if not cluster.reachable:
        return "NETWORK_ERRORS"
    if cluster.state != "ACTIVE":
        return "INTERNAL_ERROR"
    if not cluster.subnets_present:
        return "SUBNET_NOT_FOUND"
    if cluster.free_ip_addresses < 1:
        return "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET"
    if not cluster.hsms:
        return "INSUFFICIENT_CLOUDHSM_HSMS"
    if not cluster.kmsuser_exists:
        return "USER_NOT_FOUND"
    if cluster.kmsuser_locked_out:
        return "USER_LOCKED_OUT"
    if cluster.kmsuser_logged_in:
        return "USER_LOGGED_IN"
    if cluster.kmsuser_password != settings.password:
        return "INVALID_CREDENTIALS"
    return None


# -- XKS proxies --------------------------------------------------------------------------


def _proxy_fault(
    proxy: XksProxy | None, settings: XksSettings, *, health: bool
) -> ProxyFault | None:
    if proxy is None or not proxy.reachable:
        return F.NOT_REACHABLE
    checks = (
        (not proxy.tls_valid, F.TLS),
        (not proxy.responds_in_time, F.TIMED_OUT),
        (
            not proxy.accepts(
                settings.credential.access_key_id, settings.credential.secret_access_key
            ),
            F.AUTHENTICATION,
        ),
        (not health and proxy.access_denied, F.ACCESS_DENIED),
        (proxy.uri_path != settings.uri_path, F.URI_PATH),
        (not proxy.well_formed, F.INVALID_RESPONSE),
        (proxy.all_instances_unavailable(), F.KEY_MANAGER_UNAVAILABLE),
    )
    for failed, fault in checks:  # the first failure, in the order KMS checks
        if failed:
            return fault
    return None


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


def check_proxy_for_store(world: World, region: RegionState, settings: XksSettings) -> None:
    """What CreateCustomKeyStore and UpdateCustomKeyStore find when they contact the proxy.

    With VPC_ENDPOINT_SERVICE connectivity KMS checks the endpoint service
    here and contacts the proxy only when connecting.
    """
    proxy = proxy_for(world, region, settings)
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
    fault = _proxy_fault(proxy, settings, health=True)
    code = None if fault is None else MANAGEMENT_ERRORS[fault]
    if fault is not None and code is not None:
        raise AwsError(code, fault.value)


def _xks_connect_failure(world: World, region: RegionState, store: CustomKeyStore) -> str | None:
    settings = store.settings
    assert isinstance(settings, XksSettings)
    proxy = proxy_for(world, region, settings)
    problem = _vpc_problem(proxy, settings)
    if problem is not None:
        return (
            "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND"
            if problem == "NOT_FOUND"
            else "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION"
        )
    fault = _proxy_fault(proxy, settings, health=False)
    return None if fault is None else CONNECT_CODES[fault]


def connect_failure(world: World, region: RegionState, store: CustomKeyStore) -> str | None:
    """The ConnectionErrorCode a connection attempt ends with, or None when it connects."""
    if isinstance(store.settings, CloudHsmSettings):
        return _cloudhsm_connect_failure(world, region, store)
    return _xks_connect_failure(world, region, store)


# -- keys -----------------------------------------------------------------------------------


def _external_key(
    world: World, region: RegionState, settings: XksSettings, xks_key_id: str
) -> tuple[XksProxy | None, ExternalKey | None]:
    proxy = proxy_for(world, region, settings)
    if proxy is None:
        return None, None
    key = proxy.keys.get(xks_key_id)
    if key is None and not proxy.arranged and not world.strict:
        key = proxy.add_key(xks_key_id)
    return proxy, key


def check_create_key(
    world: World, region: RegionState, store: CustomKeyStore, xks_key_id: str | None
) -> None:
    """The checks CreateKey makes of the backing store of a CONNECTED custom key store."""
    settings = store.settings
    if isinstance(settings, CloudHsmSettings):
        cluster = _cluster_of(world, region, store)
        if cluster is None or not cluster.reachable:
            raise AwsError(
                "CustomKeyStoreInvalidStateException",
                f"KMS cannot communicate with the CloudHSM cluster of custom key store "
                f"'{store.id}'.",
            )
        _check_active_and_configured(cluster, hsms_needed=2)
        return
    assert xks_key_id is not None
    proxy, external = _external_key(world, region, settings, xks_key_id)
    fault = _proxy_fault(proxy, settings, health=False)
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


def check_cluster_reachable(world: World, region: RegionState, store: CustomKeyStore) -> None:
    """GenerateRandom in a CloudHSM key store: the cluster must answer."""
    cluster = _cluster_of(world, region, store)
    if cluster is None or not cluster.reachable or not cluster.hsms:
        raise AwsError(
            "CustomKeyStoreInvalidStateException",
            f"KMS cannot communicate with the CloudHSM cluster of custom key store '{store.id}'.",
        )


def _invalid_state(message: str) -> AwsError:
    return AwsError("KMSInvalidStateException", message)


def crypto_materials(
    world: World, region: RegionState, key: KmsKey, store: CustomKeyStore | None
) -> tuple[bytes, ...]:
    """The AES keys a cryptographic operation with ``key`` uses, innermost first.

    Raises KMSInvalidStateException when the backing store cannot serve it.
    """
    if store is None:
        return (key.material,)
    settings = store.settings
    if isinstance(settings, CloudHsmSettings):
        cluster = _cluster_of(world, region, store)
        if cluster is None or not cluster.reachable or not cluster.hsms:
            raise _invalid_state(
                "KMS cannot communicate with your CloudHSM cluster. This might be a transient "
                "network issue. If you see this error repeatedly, verify that the cluster is "
                "active and has at least one active HSM."
            )
        return (key.material,)
    assert key.xks_key_id is not None
    proxy, external = _external_key(world, region, settings, key.xks_key_id)
    fault = _proxy_fault(proxy, settings, health=False)
    if fault is not None:
        raise _invalid_state(fault.value)
    if external is None:
        raise _invalid_state(
            "The external key associated with this KMS key in an external key store was not "
            "found in its external key manager. If the external key ID associated with this KMS "
            "key is incorrect, create a new KMS key with the correct external key ID."
        )
    if not external.enabled:
        raise _invalid_state(
            "The external key associated with this KMS key in an external key store is not "
            "enabled in the external key manager. Enable the external key in the external key "
            "manager and retry the request."
        )
    if not {"ENCRYPT", "DECRYPT"} <= set(external.usages):
        raise _invalid_state(
            "The external key associated with this KMS key in an external key store does not "
            "support the requested operation. Enable the operation on the key in your external "
            "key manager, and try the request again."
        )
    return (key.material, external.material)
