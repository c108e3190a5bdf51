"""The simulated world behind custom key stores, and how its objects come to be.

KMS derives every ConnectionErrorCode, and every exception it raises at
create and update time, from the state of the backing store. The clusters
and proxies here are that state. A test changes their attributes at any time
and the next KMS call sees the change.

:meth:`World.provide_cluster` and :meth:`World.provide_proxy` are the one way
both the test (``ks.cloudhsm_cluster(...)``, ``ks.xks_proxy(...)``) and KMS's
own checks obtain them. An object the test did not arrange is provisioned on
first use (unless the mock is strict), healthy and matching the request that
named it, and it follows later requests too (a new credential, a new path),
until the test arranges it; from then on, what it holds is enforced.
"""

from __future__ import annotations

from ..secret import Secret
from ..stores import XksCredential
from .cluster import CloudHsmCluster
from .proxy import XksProxy

__all__ = ["World"]


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

    def cluster(self, account_id: str, region: str, cluster_id: str) -> CloudHsmCluster | None:
        """The cluster with this id, or None."""
        return self.clusters.get((account_id, region, cluster_id))

    def proxy(self, account_id: str, region: str, uri_endpoint: str) -> XksProxy | None:
        """The proxy at this endpoint, or None."""
        return self.proxies.get((account_id, region, uri_endpoint))

    def provide_cluster(
        self,
        account_id: str,
        region: str,
        cluster_id: str,
        *,
        arrange: bool = False,
        trust_anchor_certificate: str | None = None,
        kmsuser_password: str | Secret | None = None,
        related_to: CloudHsmCluster | None = None,
    ) -> CloudHsmCluster | None:
        """The cluster with this id; None when it does not exist and cannot be provisioned.

        A new cluster is healthy, with the trust anchor and kmsuser password
        given (generated otherwise); ``related_to`` makes it a cluster restored
        from the same backup (same backup lineage and trust anchor). A cluster
        nobody arranged takes on the trust anchor and password given.
        ``arrange=True`` is the test taking the cluster in hand: it is created
        even in a strict mock, and its state is enforced from then on.
        """
        key = (account_id, region, cluster_id)
        cluster = self.clusters.get(key)
        if related_to is not None and (cluster is None or arrange):
            trust_anchor_certificate = (
                trust_anchor_certificate or related_to.trust_anchor_certificate
            )
        if cluster is None:
            if self.strict and not arrange:
                return None
            cluster = self.clusters[key] = CloudHsmCluster(
                cluster_id,
                account_id=account_id,
                region=region,
                trust_anchor_certificate=trust_anchor_certificate,
                kmsuser_password=kmsuser_password,
                backup_lineage=None if related_to is None else related_to.backup_lineage,
                arranged=arrange,
            )
            return cluster
        if arrange or not cluster.arranged:
            if trust_anchor_certificate is not None:
                cluster.trust_anchor_certificate = trust_anchor_certificate
            if kmsuser_password is not None:
                cluster.kmsuser_password = kmsuser_password
        if arrange:
            if related_to is not None:
                cluster.backup_lineage = related_to.backup_lineage
            cluster.arranged = True
        return cluster

    def provide_proxy(
        self,
        account_id: str,
        region: str,
        uri_endpoint: str,
        *,
        arrange: bool = False,
        uri_path: str | None = None,
        credential: XksCredential | None = None,
        vpc_endpoint_service_name: str | None = None,
    ) -> XksProxy | None:
        """The proxy at this endpoint; None when it does not exist and cannot be provisioned.

        A new proxy is healthy, answers at ``uri_path`` and accepts
        ``credential`` (generated when None). A proxy nobody arranged takes on
        the path, credential and VPC endpoint service given, as a store's
        settings name them. ``arrange=True`` is the test taking the proxy in
        hand, as for :meth:`provide_cluster`.
        """
        key = (account_id, region, uri_endpoint)
        proxy = self.proxies.get(key)
        if proxy is None:
            if self.strict and not arrange:
                return None
            proxy = self.proxies[key] = XksProxy(
                uri_endpoint,
                uri_path or XksProxy.DEFAULT_URI_PATH,
                account_id=account_id,
                region=region,
                credential=credential,
                vpc_endpoint_service_name=vpc_endpoint_service_name,
                arranged=arrange,
            )
            return proxy
        if not proxy.arranged and not arrange:
            if uri_path is not None:
                proxy.uri_path = uri_path
            if credential is not None and credential not in proxy.credentials:
                proxy.credentials.append(credential)
            if vpc_endpoint_service_name is not None:
                proxy.vpc_endpoint_service_name = vpc_endpoint_service_name
        if arrange:
            if uri_path is not None:
                proxy.uri_path = uri_path
            if credential is not None:
                proxy.credentials = [credential]
            proxy.arranged = True
        return proxy
