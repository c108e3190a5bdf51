"""What KMS answers for a CloudHSM key store, derived from the state of its cluster.

Each rule reads the simulated cluster the way KMS probes it: when a store is
created or updated, when it connects, when a key is created in it, and on
every cryptographic operation with its keys. Each list of checks is a table
in the order KMS makes them: the first that fails decides the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from ..aws_error import AwsError
from ..keys import KmsKey
from ..scope import AccountRegion
from ..stores import CloudHsmSettings, CustomKeyStore
from .cluster import CloudHsmCluster
from .world import World

__all__ = [
    "CONNECT_FAILURES",
    "CONNECT_REQUIREMENTS",
    "REQUIREMENTS",
    "Requirement",
    "check_connect",
    "check_create_key",
    "check_crypto",
    "check_for_create",
    "check_for_update",
    "check_reachable",
    "connect_failure",
    "store_cluster",
]


@dataclass(frozen=True, slots=True)
class Requirement:
    """Something KMS requires of a cluster, and the exception it raises when it is not met."""

    code: str
    met: Callable[[CloudHsmCluster], bool]
    message: Callable[[CloudHsmCluster], str]


REQUIREMENTS: Final = (
    Requirement(
        "CloudHsmClusterNotActiveException",
        lambda cluster: cluster.state == "ACTIVE",
        lambda cluster: f"CloudHSM cluster '{cluster.cluster_id}' is {cluster.state}, not ACTIVE.",
    ),
    Requirement(
        "CloudHsmClusterInvalidConfigurationException",
        lambda cluster: len(set(cluster.subnet_zones)) >= 2,
        lambda cluster: (
            f"CloudHSM cluster '{cluster.cluster_id}' must have private subnets in at least two "
            "different Availability Zones."
        ),
    ),
    Requirement(
        "CloudHsmClusterInvalidConfigurationException",
        lambda cluster: cluster.security_group_ok,
        lambda cluster: (
            f"The security group of CloudHSM cluster '{cluster.cluster_id}' must allow TCP "
            "traffic on ports 2223-2225."
        ),
    ),
    Requirement(
        "CloudHsmClusterInvalidConfigurationException",
        lambda cluster: cluster.distinct_hsm_zones() >= 2,
        lambda cluster: (
            f"CloudHSM cluster '{cluster.cluster_id}' must contain at least 2 active HSMs, each "
            f"in a different Availability Zone; it has {len(cluster.hsms)} in "
            f"{cluster.distinct_hsm_zones()}."
        ),
    ),
)
"""What CreateCustomKeyStore, UpdateCustomKeyStore and CreateKey require of the cluster."""

CONNECT_REQUIREMENTS: Final = REQUIREMENTS[:3]
"""What ConnectCustomKeyStore requires at once; the HSMs are checked by the attempt."""

CONNECT_FAILURES: Final[
    tuple[tuple[str, Callable[[CloudHsmCluster, CloudHsmSettings], bool]], ...]
] = (
    ("NETWORK_ERRORS", lambda cluster, settings: not cluster.reachable),
    ("INTERNAL_ERROR", lambda cluster, settings: cluster.state != "ACTIVE"),
    ("SUBNET_NOT_FOUND", lambda cluster, settings: not cluster.subnets_present),
    (
        "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET",
        lambda cluster, settings: cluster.free_ip_addresses < 1,
    ),
    ("INSUFFICIENT_CLOUDHSM_HSMS", lambda cluster, settings: not cluster.hsms),
    ("USER_NOT_FOUND", lambda cluster, settings: not cluster.kmsuser_exists),
    ("USER_LOCKED_OUT", lambda cluster, settings: cluster.kmsuser_locked_out),
    ("USER_LOGGED_IN", lambda cluster, settings: cluster.kmsuser_logged_in),
    (
        "INVALID_CREDENTIALS",
        lambda cluster, settings: cluster.kmsuser_password != settings.password,
    ),
)
"""The ConnectionErrorCode a connection attempt to an existing cluster fails with, by check.

A cluster that does not exist (or is DELETED) fails with CLUSTER_NOT_FOUND first.
"""


def _require(cluster: CloudHsmCluster, requirements: tuple[Requirement, ...]) -> None:
    for requirement in requirements:
        if not requirement.met(cluster):
            raise AwsError(requirement.code, requirement.message(cluster))


def _found(cluster: CloudHsmCluster | None, cluster_id: str) -> CloudHsmCluster:
    """The cluster a request names, or CloudHsmClusterNotFoundException (also when DELETED)."""
    if cluster is None or cluster.state == "DELETED":
        raise AwsError(
            "CloudHsmClusterNotFoundException",
            f"KMS cannot find the CloudHSM cluster with cluster ID '{cluster_id}'.",
        )
    return cluster


def _cannot_communicate(store: CustomKeyStore) -> AwsError:
    return AwsError(
        "CustomKeyStoreInvalidStateException",
        f"KMS cannot communicate with the CloudHSM cluster of custom key store '{store.id}'.",
    )


def _live(cluster: CloudHsmCluster | None) -> CloudHsmCluster | None:
    return None if cluster is None or cluster.state == "DELETED" else cluster


def store_cluster(
    world: World, account_id: str, region: str, store: CustomKeyStore
) -> CloudHsmCluster | None:
    """The cluster behind a CloudHSM key store; None when it does not exist (or is DELETED)."""
    settings = store.settings
    assert isinstance(settings, CloudHsmSettings)
    return _live(world.provide_cluster(account_id, region, settings.cluster_id))


def check_for_create(world: World, scope: AccountRegion, settings: CloudHsmSettings) -> None:
    """The checks CreateCustomKeyStore makes of a CloudHSM cluster."""
    cluster = world.provide_cluster(
        scope.account_id,
        scope.region,
        settings.cluster_id,
        trust_anchor_certificate=settings.trust_anchor_certificate,
        kmsuser_password=settings.password,
    )
    cluster = _found(cluster, settings.cluster_id)
    for other in scope.stores.values():
        theirs = other.settings
        if not isinstance(theirs, CloudHsmSettings):
            continue
        used = world.cluster(scope.account_id, scope.region, theirs.cluster_id)
        if used is not None and used.is_related_to(cluster):
            raise AwsError(
                "CloudHsmClusterInUseException",
                f"CloudHSM cluster '{settings.cluster_id}' shares a backup history with cluster "
                f"'{theirs.cluster_id}' of custom key store '{other.id}'.",
            )
    _require(cluster, REQUIREMENTS)
    if cluster.trust_anchor_certificate != settings.trust_anchor_certificate:
        raise AwsError(
            "IncorrectTrustAnchorException",
            f"The trust anchor certificate is not the one of CloudHSM cluster "
            f"'{settings.cluster_id}'.",
        )


def check_for_update(
    world: World, scope: AccountRegion, store: CustomKeyStore, settings: CloudHsmSettings
) -> None:
    """The checks UpdateCustomKeyStore makes when it changes a CloudHSM store."""
    current = store.settings
    assert isinstance(current, CloudHsmSettings)
    original = world.cluster(scope.account_id, scope.region, current.cluster_id)
    cluster = world.provide_cluster(
        scope.account_id,
        scope.region,
        settings.cluster_id,
        kmsuser_password=settings.password,
        related_to=original,
    )
    cluster = _found(cluster, settings.cluster_id)
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
    _require(cluster, REQUIREMENTS)


def check_connect(world: World, scope: AccountRegion, store: CustomKeyStore) -> None:
    """Failures ConnectCustomKeyStore raises at once, leaving the store DISCONNECTED."""
    cluster = store_cluster(world, scope.account_id, scope.region, store)
    if cluster is not None:  # a missing cluster is reported by the attempt: CLUSTER_NOT_FOUND
        _require(cluster, CONNECT_REQUIREMENTS)


def connect_failure(world: World, scope: AccountRegion, store: CustomKeyStore) -> str | None:
    """The ConnectionErrorCode a connection attempt ends with, or None when it connects."""
    settings = store.settings
    assert isinstance(settings, CloudHsmSettings)
    cluster = store_cluster(world, scope.account_id, scope.region, store)
    if cluster is None:
        return "CLUSTER_NOT_FOUND"
    for code, fails in CONNECT_FAILURES:
        if fails(cluster, settings):
            return code
    return None


def check_create_key(world: World, scope: AccountRegion, store: CustomKeyStore) -> None:
    """The checks CreateKey makes of the cluster of a CONNECTED CloudHSM key store."""
    cluster = store_cluster(world, scope.account_id, scope.region, store)
    if cluster is None or not cluster.reachable:
        raise _cannot_communicate(store)
    _require(cluster, REQUIREMENTS)


def check_reachable(world: World, scope: AccountRegion, store: CustomKeyStore) -> None:
    """GenerateRandom in a CloudHSM key store: the cluster must answer."""
    cluster = store_cluster(world, scope.account_id, scope.region, store)
    if cluster is None or not cluster.reachable or not cluster.hsms:
        raise _cannot_communicate(store)


def check_crypto(world: World, key: KmsKey) -> None:
    """A cryptographic operation with a key in a CloudHSM key store: the cluster must serve it."""
    assert key.store is not None
    cluster = store_cluster(world, key.account_id, key.region, key.store)
    if cluster is None or not cluster.reachable or not cluster.hsms:
        raise AwsError(
            "KMSInvalidStateException",
            "KMS cannot communicate with your CloudHSM cluster. This might be a transient "
            "network issue. If you see this error repeatedly, verify that the cluster is "
            "active and has at least one active HSM.",
        )
