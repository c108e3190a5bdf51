"""The simulated world behind custom key stores: CloudHSM clusters and XKS proxies.

KMS derives every ConnectionErrorCode, and every exception it raises at
create and update time, from the state of the backing store. These objects
are that state. A test changes their attributes at any time and the next KMS
call sees the change.

Objects the test did not arrange are provisioned on first use (unless the
mock is strict), healthy and matching the request that named them. Such an
object follows later requests too (a new credential, a new path), until the
test takes it in hand through ``ks.cloudhsm_cluster(...)`` or
``ks.xks_proxy(...)``; from then on, what it holds is enforced.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from .keystore import XksCredential
from .randomness import random_bytes
from .secret import Secret

__all__ = [
    "CLUSTER_STATES",
    "HEALTH_STATUSES",
    "CloudHsmCluster",
    "ExternalKey",
    "World",
    "XksProxy",
]

CLUSTER_STATES: Final = frozenset(
    {
        "CREATE_IN_PROGRESS",
        "UNINITIALIZED",
        "INITIALIZE_IN_PROGRESS",
        "INITIALIZED",
        "ACTIVE",
        "UPDATE_IN_PROGRESS",
        "MODIFY_IN_PROGRESS",
        "ROLLBACK_IN_PROGRESS",
        "DELETE_IN_PROGRESS",
        "DELETED",
        "DEGRADED",
        "INACTIVE",
    }
)
"""The cluster states of the CloudHSM API."""

HEALTH_STATUSES: Final = ("ACTIVE", "DEGRADED", "UNAVAILABLE")
"""The healthStatus values of an external key manager instance (XKS proxy API spec)."""

_ID_ALPHABET = string.ascii_lowercase + "234567"


def new_cluster_id() -> str:
    """A fresh id in CloudHSM's form, ``cluster-`` and 11 base32 characters."""
    return "cluster-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(11))


def _zones(region: str, count: int) -> list[str]:
    return [f"{region}{'abcdefghijklmnopqrstuvwxyz'[n % 26]}" for n in range(count)]


class CloudHsmCluster:
    """A simulated CloudHSM cluster.

    Attributes (all may be changed at any time):

    - ``state``: the cluster state, such as ``"ACTIVE"`` or ``"DEGRADED"``.
    - ``hsms``: the availability zones of its active HSMs, one entry per HSM.
      Assign a number to get that many HSMs in distinct zones.
    - ``trust_anchor_certificate``: the content of its customerCA.crt.
    - ``backup_lineage``: clusters with the same lineage were restored from
      the same backup, so they are related.
    - ``kmsuser_exists``, ``kmsuser_password``, ``kmsuser_locked_out``,
      ``kmsuser_logged_in``: the kmsuser crypto user.
    - ``subnets_present``: False once a subnet of its configuration is deleted.
    - ``free_ip_addresses``: free addresses in its fullest subnet (0 blocks a connection).
    - ``subnet_zones``: the availability zones of its private subnets.
    - ``security_group_ok``: False when the cluster's security group rules are broken.
    - ``reachable``: False when network errors separate KMS from the cluster.
    """

    def __init__(
        self,
        cluster_id: str,
        *,
        account_id: str,
        region: str,
        hsms: int | Sequence[str] = 2,
        state: str = "ACTIVE",
        trust_anchor_certificate: str | None = None,
        kmsuser_password: str | None = None,
        backup_lineage: str | None = None,
        kmsuser_exists: bool = True,
        kmsuser_locked_out: bool = False,
        kmsuser_logged_in: bool = False,
        subnets_present: bool = True,
        free_ip_addresses: int = 10,
        subnet_zones: Sequence[str] | None = None,
        security_group_ok: bool = True,
        reachable: bool = True,
        arranged: bool = True,
    ) -> None:
        self.cluster_id = cluster_id
        self.account_id = account_id
        self.region = region
        self.hsms = hsms
        self.state = state
        self.trust_anchor_certificate = (
            trust_anchor_certificate
            if trust_anchor_certificate is not None
            else f"-----BEGIN CERTIFICATE-----\n{secrets.token_hex(24)}\n-----END CERTIFICATE-----"
        )
        self.kmsuser_password = (
            kmsuser_password if kmsuser_password is not None else secrets.token_urlsafe(12)
        )
        self.backup_lineage = backup_lineage or f"backup-{cluster_id}"
        self.kmsuser_exists = kmsuser_exists
        self.kmsuser_locked_out = kmsuser_locked_out
        self.kmsuser_logged_in = kmsuser_logged_in
        self.subnets_present = subnets_present
        self.free_ip_addresses = free_ip_addresses
        self.subnet_zones = list(subnet_zones) if subnet_zones is not None else _zones(region, 2)
        self.security_group_ok = security_group_ok
        self.reachable = reachable
        self.arranged = arranged

    @property
    def hsms(self) -> list[str]:
        """The availability zones of the active HSMs (assign an int or a list)."""
        return self._hsms

    @hsms.setter
    def hsms(self, value: int | Iterable[str]) -> None:
        if isinstance(value, bool):
            raise TypeError("hsms is a number of HSMs or a list of availability zones")
        self._hsms = _zones(self.region, value) if isinstance(value, int) else list(value)

    @property
    def kmsuser_password(self) -> Secret:
        """The kmsuser's current password (assign a string to change it)."""
        return self._kmsuser_password

    @kmsuser_password.setter
    def kmsuser_password(self, value: str | Secret) -> None:
        self._kmsuser_password = value if isinstance(value, Secret) else Secret(value)

    @property
    def state(self) -> str:
        """The CloudHSM cluster state."""
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        if value not in CLUSTER_STATES:
            raise ValueError(f"{value!r} is not a CloudHSM cluster state: {sorted(CLUSTER_STATES)}")
        self._state = value

    def distinct_hsm_zones(self) -> int:
        """How many availability zones hold at least one active HSM."""
        return len(set(self._hsms))

    def is_related_to(self, other: CloudHsmCluster) -> bool:
        """True when both clusters share a backup history."""
        return self.backup_lineage == other.backup_lineage

    def __repr__(self) -> str:
        return (
            f"<CloudHsmCluster {self.cluster_id} {self.state} hsms={self._hsms} "
            f"account={self.account_id} region={self.region}>"
        )


@dataclass(eq=False)
class ExternalKey:
    """A key in the external key manager behind an XKS proxy."""

    id: str
    spec: str = "AES_256"
    usages: tuple[str, ...] = ("ENCRYPT", "DECRYPT")
    enabled: bool = True
    material: bytes = field(default_factory=lambda: random_bytes(32), repr=False)

    def problem(self) -> str | None:
        """Why KMS would refuse this key for a KMS key, or None when it is usable."""
        if self.spec != "AES_256":
            return (
                "The key spec of the external key must be AES_256. The key spec of specified "
                f"external key is {self.spec}."
            )
        if not self.enabled:
            return (
                "The status of the external key must be ENABLED. The status of specified "
                "external key is DISABLED."
            )
        if not {"ENCRYPT", "DECRYPT"} <= set(self.usages):
            return (
                "The key usage of the external key must include ENCRYPT and DECRYPT. The key "
                f"use of specified external key is {list(self.usages)}."
            )
        return None


def _random_access_key_id() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(20))


def _random_secret() -> str:
    return secrets.token_urlsafe(33)[:44]


class XksProxy:
    """A simulated external key store proxy and the external key manager behind it.

    Attributes (all may be changed at any time):

    - ``uri_endpoint``, ``uri_path``: where it answers.
    - ``credentials``: the authentication credentials it accepts (two during a rotation).
    - ``reachable``: False when KMS cannot open a connection to it.
    - ``tls_valid``: False when its TLS configuration or certificate is wrong.
    - ``well_formed``: False when its answers cannot be interpreted.
    - ``responds_in_time``: False when it answers after KMS's 250 ms timeout.
    - ``access_denied``: True when its authorization rules deny KMS.
    - ``key_manager_health``: the healthStatus of each external key manager
      instance (``"ACTIVE"``, ``"DEGRADED"`` or ``"UNAVAILABLE"``).
    - ``vpc_endpoint_service_name``, ``vpc_endpoint_service_exists``,
      ``vpc_endpoint_service_valid``: its VPC endpoint service, for
      VPC_ENDPOINT_SERVICE connectivity.
    - ``keys``: its external keys, by id (see :meth:`add_key`).
    """

    def __init__(
        self,
        uri_endpoint: str,
        uri_path: str = "/kms/xks/v1",
        *,
        account_id: str,
        region: str,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        reachable: bool = True,
        tls_valid: bool = True,
        well_formed: bool = True,
        responds_in_time: bool = True,
        access_denied: bool = False,
        key_manager_health: Sequence[str] = ("ACTIVE",),
        vpc_endpoint_service_name: str | None = None,
        vpc_endpoint_service_exists: bool = True,
        vpc_endpoint_service_valid: bool = True,
        arranged: bool = True,
    ) -> None:
        self.uri_endpoint = uri_endpoint
        self.uri_path = uri_path
        self.account_id = account_id
        self.region = region
        self.credentials: list[XksCredential] = [
            XksCredential(
                access_key_id or _random_access_key_id(),
                Secret(secret_access_key or _random_secret()),
            )
        ]
        self.reachable = reachable
        self.tls_valid = tls_valid
        self.well_formed = well_formed
        self.responds_in_time = responds_in_time
        self.access_denied = access_denied
        self.key_manager_health = list(key_manager_health)
        self.vpc_endpoint_service_name = vpc_endpoint_service_name
        self.vpc_endpoint_service_exists = vpc_endpoint_service_exists
        self.vpc_endpoint_service_valid = vpc_endpoint_service_valid
        self.keys: dict[str, ExternalKey] = {}
        self.arranged = arranged

    @property
    def access_key_id(self) -> str:
        """The access key id of the first accepted credential."""
        return self.credentials[0].access_key_id

    @property
    def secret_access_key(self) -> Secret:
        """The secret of the first accepted credential."""
        return self.credentials[0].secret_access_key

    def accept_credential(self, access_key_id: str, secret_access_key: str) -> None:
        """Also accept this credential, as during a rotation."""
        credential = XksCredential(access_key_id, Secret(secret_access_key))
        if credential not in self.credentials:
            self.credentials.append(credential)

    def revoke_credential(self, access_key_id: str) -> None:
        """Stop accepting the credential with this access key id."""
        self.credentials = [c for c in self.credentials if c.access_key_id != access_key_id]

    def accepts(self, access_key_id: str, secret_access_key: Secret) -> bool:
        """True when the proxy accepts this credential."""
        return XksCredential(access_key_id, secret_access_key) in self.credentials

    def add_key(
        self,
        external_key_id: str | None = None,
        *,
        spec: str = "AES_256",
        usages: Sequence[str] = ("ENCRYPT", "DECRYPT"),
        enabled: bool = True,
    ) -> ExternalKey:
        """Create an external key in the key manager and return it."""
        key_id = external_key_id or secrets.token_hex(8)
        if key_id in self.keys:
            raise ValueError(f"external key {key_id!r} already exists in {self!r}")
        key = ExternalKey(key_id, spec=spec, usages=tuple(usages), enabled=enabled)
        self.keys[key_id] = key
        return key

    def remove_key(self, external_key_id: str) -> None:
        """Delete an external key from the key manager."""
        del self.keys[external_key_id]

    def all_instances_unavailable(self) -> bool:
        """True when every external key manager instance reports UNAVAILABLE."""
        return all(status == "UNAVAILABLE" for status in self.key_manager_health)

    def __repr__(self) -> str:
        return (
            f"<XksProxy {self.uri_endpoint}{self.uri_path} account={self.account_id} "
            f"region={self.region}>"
        )


class World:
    """Every simulated cluster and proxy, scoped by account and region."""

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict
        self.clusters: dict[tuple[str, str, str], CloudHsmCluster] = {}
        self.proxies: dict[tuple[str, str, str], XksProxy] = {}

    def clear(self) -> None:
        """Forget every cluster and proxy."""
        self.clusters.clear()
        self.proxies.clear()

    def add_cluster(self, cluster: CloudHsmCluster) -> CloudHsmCluster:
        """Add (or replace) a cluster."""
        self.clusters[(cluster.account_id, cluster.region, cluster.cluster_id)] = cluster
        return cluster

    def add_proxy(self, proxy: XksProxy) -> XksProxy:
        """Add (or replace) a proxy."""
        self.proxies[(proxy.account_id, proxy.region, proxy.uri_endpoint)] = proxy
        return proxy

    def cluster(self, account_id: str, region: str, cluster_id: str) -> CloudHsmCluster | None:
        """The cluster with this id, or None."""
        return self.clusters.get((account_id, region, cluster_id))

    def proxy(self, account_id: str, region: str, uri_endpoint: str) -> XksProxy | None:
        """The proxy at this endpoint, or None."""
        return self.proxies.get((account_id, region, uri_endpoint))
