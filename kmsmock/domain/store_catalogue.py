"""The custom key store catalogue: creating, finding, updating and deleting stores.

Every change goes through the connection state machine's gate
(:mod:`kmsmock.domain.connection`); the uniqueness rules and the quota live here.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Final

from .aws_error import AwsError
from .connection import LIVE_PROPERTIES, Action, ConnectionState, gate, update_action
from .scope import AccountRegion
from .secret import Secret
from .stores import (
    CloudHsmSettings,
    CustomKeyStore,
    XksConnectivity,
    XksCredential,
    XksSettings,
)

__all__ = [
    "MAX_STORES_PER_REGION",
    "StoreChanges",
    "Verify",
    "create_store",
    "delete_store",
    "find_stores",
    "update_store",
]

MAX_STORES_PER_REGION: Final = 10
"""KMS quota: custom key stores per account and region, of every type and state."""


def find_stores(
    scope: AccountRegion, *, store_id: str | None = None, name: str | None = None
) -> list[CustomKeyStore]:
    """Every store in creation order, or the one with this id or this name."""
    if store_id is not None:
        return [scope.store(store_id)]
    if name is not None:
        for store in scope.stores.values():
            if store.name == name:
                return [store]
        raise AwsError(
            "CustomKeyStoreNotFoundException",
            f"Custom key store with name '{name}' does not exist in account "
            f"{scope.account_id} in region {scope.region}.",
        )
    return list(scope.stores.values())


Verify = Callable[[CloudHsmSettings | XksSettings], None]
"""Checks the backing store with the settings a request asks for; raises to refuse."""


def create_store(
    scope: AccountRegion,
    name: str,
    settings: CloudHsmSettings | XksSettings,
    now: float,
    verify: Verify | None = None,
) -> CustomKeyStore:
    """Add a DISCONNECTED store, or return the identical disconnected CloudHSM one.

    ``verify`` runs after the catalogue's own rules (uniqueness, quota), so a
    request those rules refuse never reaches the backing store.
    """
    if isinstance(settings, CloudHsmSettings):
        for existing in scope.stores.values():
            if (
                existing.name == name
                and existing.settings == settings
                and existing.state is ConnectionState.DISCONNECTED
            ):
                return existing
    _check_unique(scope, name, settings, exclude=None)
    if len(scope.stores) >= MAX_STORES_PER_REGION:
        raise AwsError(
            "LimitExceededException",
            f"Account {scope.account_id} already has {MAX_STORES_PER_REGION} custom key "
            f"stores in region {scope.region}, the most it may have.",
        )
    if verify is not None:
        verify(settings)
    store = CustomKeyStore(
        id=_new_store_id(scope),
        name=name,
        seq=scope.next_seq(),
        created=now,
        settings=settings,
    )
    scope.stores[store.id] = store
    return store


@dataclass(frozen=True, slots=True)
class StoreChanges:
    """The properties an UpdateCustomKeyStore request changes (None: unchanged)."""

    name: str | None = None
    password: Secret | None = None
    cluster_id: str | None = None
    uri_endpoint: str | None = None
    uri_path: str | None = None
    connectivity: XksConnectivity | None = None
    vpc_endpoint_service_name: str | None = None
    vpc_endpoint_service_owner: str | None = None
    credential: XksCredential | None = None

    def changed(self) -> list[str]:
        """The names of the properties this request changes."""
        return [item.name for item in fields(self) if getattr(self, item.name) is not None]

    def request(self) -> str:
        """What the request asks, as a refusal names it: the parameters that need DISCONNECTED."""
        needing = [_PARAMETERS[name] for name in self.changed() if name not in LIVE_PROPERTIES]
        if not needing:
            return "UpdateCustomKeyStore"
        return f"UpdateCustomKeyStore with {', '.join(needing)}"


_PARAMETERS: Final = {
    "name": "NewCustomKeyStoreName",
    "password": "KeyStorePassword",
    "cluster_id": "CloudHsmClusterId",
    "uri_endpoint": "XksProxyUriEndpoint",
    "uri_path": "XksProxyUriPath",
    "connectivity": "XksProxyConnectivity",
    "vpc_endpoint_service_name": "XksProxyVpcEndpointServiceName",
    "vpc_endpoint_service_owner": "XksProxyVpcEndpointServiceOwner",
    "credential": "XksProxyAuthenticationCredential",
}
"""The UpdateCustomKeyStore parameter behind each property of :class:`StoreChanges`."""


def update_store(
    scope: AccountRegion,
    store: CustomKeyStore,
    changes: StoreChanges,
    verify: Verify | None = None,
) -> None:
    """Apply ``changes`` to ``store`` if every rule allows them; otherwise change nothing.

    ``verify`` runs when the backing store's settings change.
    """
    gate(store, update_action(changes.changed()), changes.request())
    settings = _changed_settings(store.settings, changes, scope.account_id)
    name = store.name if changes.name is None else changes.name
    _check_unique(scope, name, settings, exclude=store)
    if verify is not None and settings != store.settings:
        verify(settings)
    store.name = name
    store.settings = settings


def delete_store(scope: AccountRegion, store: CustomKeyStore) -> None:
    """Remove a DISCONNECTED store that holds no KMS keys."""
    gate(store, Action.DELETE)
    held = scope.keys_in_store(store.id)
    if held:
        raise AwsError(
            "CustomKeyStoreHasCMKsException",
            f"Custom key store '{store.id}' still contains {held} KMS key(s). Schedule their "
            "deletion and wait out the waiting period before deleting the custom key store.",
        )
    del scope.stores[store.id]


def _changed_settings(
    settings: CloudHsmSettings | XksSettings, changes: StoreChanges, account_id: str
) -> CloudHsmSettings | XksSettings:
    if isinstance(settings, CloudHsmSettings):
        return replace(
            settings,
            cluster_id=changes.cluster_id or settings.cluster_id,
            password=changes.password or settings.password,
        )
    connectivity = changes.connectivity or settings.connectivity
    vpc = connectivity is XksConnectivity.VPC_ENDPOINT_SERVICE
    if changes.connectivity is not None and changes.connectivity is not settings.connectivity:
        if changes.uri_endpoint is None:
            raise AwsError(
                "ValidationException",
                "Changing XksProxyConnectivity also requires a new XksProxyUriEndpoint.",
            )
        if vpc and changes.vpc_endpoint_service_name is None:
            raise AwsError(
                "ValidationException",
                "Changing XksProxyConnectivity to VPC_ENDPOINT_SERVICE also requires "
                "XksProxyVpcEndpointServiceName.",
            )
    if not vpc and (
        changes.vpc_endpoint_service_name is not None
        or changes.vpc_endpoint_service_owner is not None
    ):
        raise AwsError(
            "ValidationException",
            "XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid "
            "only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.",
        )
    return replace(
        settings,
        uri_endpoint=changes.uri_endpoint or settings.uri_endpoint,
        uri_path=changes.uri_path or settings.uri_path,
        connectivity=connectivity,
        credential=changes.credential or settings.credential,
        vpc_endpoint_service_name=(
            (changes.vpc_endpoint_service_name or settings.vpc_endpoint_service_name)
            if vpc
            else None
        ),
        vpc_endpoint_service_owner=(
            (
                changes.vpc_endpoint_service_owner
                or settings.vpc_endpoint_service_owner
                or account_id
            )
            if vpc
            else None
        ),
    )


def _check_unique(
    scope: AccountRegion,
    name: str,
    settings: CloudHsmSettings | XksSettings,
    exclude: CustomKeyStore | None,
) -> None:
    others = [store for store in scope.stores.values() if store is not exclude]
    for other in others:
        if other.name == name:
            raise AwsError(
                "CustomKeyStoreNameInUseException",
                f"Custom key store name '{name}' is already used by custom key store '{other.id}'.",
            )
    if isinstance(settings, CloudHsmSettings):
        for other in others:
            if (
                isinstance(other.settings, CloudHsmSettings)
                and other.settings.cluster_id == settings.cluster_id
            ):
                if exclude is None:
                    raise AwsError(
                        "CloudHsmClusterInUseException",
                        f"CloudHSM cluster '{settings.cluster_id}' is already associated with "
                        f"custom key store '{other.id}'.",
                    )
                # The model lists no CloudHsmClusterInUseException for updates: a cluster
                # that backs another store cannot share this store's backup history.
                raise AwsError(
                    "CloudHsmClusterNotRelatedException",
                    f"CloudHSM cluster '{settings.cluster_id}' backs custom key store "
                    f"'{other.id}', so it is not related to the cluster of '{exclude.id}'.",
                )
        return
    _check_unique_xks(settings, [o for o in others if isinstance(o.settings, XksSettings)])


def _check_unique_xks(settings: XksSettings, others: list[CustomKeyStore]) -> None:
    vpc = XksConnectivity.VPC_ENDPOINT_SERVICE
    for other in others:
        theirs = other.settings
        assert isinstance(theirs, XksSettings)
        if (theirs.uri_endpoint, theirs.uri_path) == (settings.uri_endpoint, settings.uri_path):
            raise AwsError(
                "XksProxyUriInUseException",
                f"The XKS proxy URI {settings.uri_endpoint}{settings.uri_path} is already "
                f"used by external key store '{other.id}'.",
            )
    for other in others:
        theirs = other.settings
        assert isinstance(theirs, XksSettings)
        if theirs.uri_endpoint == settings.uri_endpoint and vpc in (
            theirs.connectivity,
            settings.connectivity,
        ):
            raise AwsError(
                "XksProxyUriEndpointInUseException",
                f"The XKS proxy URI endpoint {settings.uri_endpoint} is already used by external "
                f"key store '{other.id}', and an endpoint with VPC_ENDPOINT_SERVICE "
                "connectivity cannot be shared.",
            )
        if (
            settings.vpc_endpoint_service_name is not None
            and theirs.vpc_endpoint_service_name == settings.vpc_endpoint_service_name
        ):
            raise AwsError(
                "XksProxyVpcEndpointServiceInUseException",
                f"The VPC endpoint service {settings.vpc_endpoint_service_name} is already "
                f"used by external key store '{other.id}'.",
            )


def _new_store_id(scope: AccountRegion) -> str:
    while True:
        candidate = "cks-" + secrets.token_hex(9)[:17]
        if candidate not in scope.stores:
            return candidate
