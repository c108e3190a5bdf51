"""A simulated CloudHSM cluster: the state KMS reads when it uses a CloudHSM key store."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable, Sequence
from typing import Final

from ..secret import Secret
from .strict import StrictAttributes

__all__ = ["CLUSTER_STATES", "CloudHsmCluster", "new_cluster_id"]

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

_ID_ALPHABET = string.ascii_lowercase + "234567"


def new_cluster_id() -> str:
    """A fresh id in CloudHSM's form, ``cluster-`` and 11 base32 characters."""
    return "cluster-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(11))


def _zones(region: str, count: int) -> list[str]:
    return [f"{region}{'abcdefghijklmnopqrstuvwxyz'[n % 26]}" for n in range(count)]


class CloudHsmCluster(StrictAttributes):
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
        kmsuser_password: str | Secret | None = None,
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
        self._settled = True

    @property
    def hsms(self) -> list[str]:
        """The availability zones of the active HSMs (assign an int or a list)."""
        return self._hsms

    @hsms.setter
    def hsms(self, value: int | Iterable[str]) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, list, tuple)):
            raise TypeError(
                f"hsms is a number of HSMs or a list of availability zones, not {value!r}"
            )
        if isinstance(value, int) and value < 0:
            raise ValueError(f"hsms is a number of HSMs, 0 or more, not {value}")
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
