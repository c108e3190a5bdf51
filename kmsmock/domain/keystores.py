"""The rules of the custom key store catalogue: create, find, update and delete.

Connection changes go through :func:`require`, which reads the rule table in
:mod:`kmsmock.domain.connection`; the timers that complete them live in
:class:`kmsmock.domain.backend.Backend`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from .connection import Action, ConnectionState, allowed_states, next_state
from .errors import AwsError
from .keystore import (
    CloudHsmSettings,
    CustomKeyStore,
    XksConnectivity,
    XksCredential,
    XksSettings,
)
from .region import RegionState
from .secret import Secret

__all__ = [
    "MAX_STORES_PER_REGION",
    "StoreChanges",
    "create_store",
    "delete_store",
    "find_stores",
    "require",
    "update_store",
]

MAX_STORES_PER_REGION: Final = 10
"""KMS quota: custom key stores per account and region, of every type and state."""


def require(store: CustomKeyStore, action: Action) -> ConnectionState:
    """Return the state ``action`` leads to, or raise CustomKeyStoreInvalidStateException."""
    after = next_state(action, store.state)
    if after is None:
        valid = ", ".join(state.value for state in allowed_states(action))
        raise AwsError(
            "CustomKeyStoreInvalidStateException",
            f"Custom key store '{store.id}' has ConnectionState {store.state.value}. "
            f"{action.value} is valid only when the ConnectionState is {valid}.",
        )
    return after


def find_stores(
    region: RegionState, *, store_id: str | None = None, name: str | None = None
) -> list[CustomKeyStore]:
    """Every store in creation order, or the one with this id or this name."""
    if store_id is not None:
        return [region.store(store_id)]
    if name is not None:
        for store in region.stores.values():
            if store.name == name:
                return [store]
        raise AwsError(
            "CustomKeyStoreNotFoundException",
            f"Custom key store with name '{name}' does not exist in account "
            f"{region.account_id} in region {region.region}.",
        )
    return list(region.stores.values())


Verify = Callable[[CloudHsmSettings | XksSettings], None]
"""Checks the backing store with the settings a request asks for; raises to refuse."""


def create_store(
    region: RegionState,
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
        for existing in region.stores.values():
            if (
                existing.name == name
                and existing.settings == settings
                and existing.state is ConnectionState.DISCONNECTED
            ):
                return existing
    _check_unique(region, name, settings, exclude=None)
    if len(region.stores) >= MAX_STORES_PER_REGION:
        raise AwsError(
            "LimitExceededException",
            f"Account {region.account_id} already has {MAX_STORES_PER_REGION} custom key "
            f"stores in region {region.region}, the most it may have.",
        )
    if verify is not None:
        verify(settings)
    store = CustomKeyStore(
        id=_new_store_id(region),
        name=name,
        seq=region.next_seq(),
        created=now,
        settings=settings,
    )
    region.stores[store.id] = store
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

    def live_only(self, settings: CloudHsmSettings | XksSettings) -> bool:
        """True when every change may be made while the store is CONNECTED."""
        others: tuple[object, ...]
        if isinstance(settings, CloudHsmSettings):
            others = (self.password, self.cluster_id)
        else:
            others = (
                self.uri_endpoint,
                self.connectivity,
                self.vpc_endpoint_service_name,
                self.vpc_endpoint_service_owner,
            )
        return all(value is None for value in others)


def update_store(
    region: RegionState,
    store: CustomKeyStore,
    changes: StoreChanges,
    verify: Verify | None = None,
) -> None:
    """Apply ``changes`` to ``store`` if every rule allows them; otherwise change nothing.

    ``verify`` runs when the backing store's settings change.
    """
    require(store, Action.UPDATE_LIVE if changes.live_only(store.settings) else Action.UPDATE)
    settings = _changed_settings(store.settings, changes, region.account_id)
    name = store.name if changes.name is None else changes.name
    _check_unique(region, name, settings, exclude=store)
    if verify is not None and settings != store.settings:
        verify(settings)
    store.name = name
    store.settings = settings


def delete_store(region: RegionState, store: CustomKeyStore) -> None:
    """Remove a DISCONNECTED store that holds no KMS keys."""
    require(store, Action.DELETE)
    held = region.keys_in_store(store.id)
    if held:
        raise AwsError(
            "CustomKeyStoreHasCMKsException",
            f"Custom key store '{store.id}' still contains {held} KMS key(s). Schedule their "
            "deletion and wait out the waiting period before deleting the custom key store.",
        )
    del region.stores[store.id]


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
    region: RegionState,
    name: str,
    settings: CloudHsmSettings | XksSettings,
    exclude: CustomKeyStore | None,
) -> None:
    others = [store for store in region.stores.values() if store is not exclude]
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


def _new_store_id(region: RegionState) -> str:
    while True:
        candidate = "cks-" + secrets.token_hex(9)[:17]
        if candidate not in region.stores:
            return candidate
