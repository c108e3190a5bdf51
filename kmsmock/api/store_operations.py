"""The six custom key store operations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ..domain import backing, store_catalogue
from ..domain.aws_error import AwsError
from ..domain.connection import ConnectionState
from ..domain.secret import Secret
from ..domain.stores import (
    CloudHsmSettings,
    CustomKeyStore,
    KeyStoreType,
    XksConnectivity,
    XksCredential,
    XksSettings,
)
from .paging import Page, paginate
from .registry import Context, Memo, Params, Result, epoch, operation

__all__ = ["StoreView", "store_entry", "store_view"]

_CLOUDHSM_PARAMS = ("CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword")
_XKS_PARAMS = (
    "XksProxyUriEndpoint",
    "XksProxyUriPath",
    "XksProxyAuthenticationCredential",
    "XksProxyConnectivity",
)
_VPC_PARAMS = ("XksProxyVpcEndpointServiceName", "XksProxyVpcEndpointServiceOwner")
_CLOUDHSM_UPDATES = ("KeyStorePassword", "CloudHsmClusterId")
_XKS_UPDATES = (*_XKS_PARAMS, *_VPC_PARAMS)


def _require(params: Params, names: Iterable[str], what: str) -> None:
    missing = [name for name in names if name not in params]
    if missing:
        raise AwsError("ValidationException", f"{what} requires {', '.join(missing)}.")


def _forbid(params: Params, names: Iterable[str], what: str) -> None:
    present = [name for name in names if name in params]
    if present:
        raise AwsError("ValidationException", f"{', '.join(present)} is not valid for {what}.")


def _credential(value: dict[str, str]) -> XksCredential:
    return XksCredential(value["AccessKeyId"], Secret(value["RawSecretAccessKey"]))


def _settings_for_create(ctx: Context, params: Params) -> CloudHsmSettings | XksSettings:
    store_type = params.get("CustomKeyStoreType", KeyStoreType.AWS_CLOUDHSM.value)
    what = f"a custom key store with CustomKeyStoreType {store_type}"
    if store_type == KeyStoreType.AWS_CLOUDHSM.value:
        _require(params, _CLOUDHSM_PARAMS, what)
        _forbid(params, (*_XKS_PARAMS, *_VPC_PARAMS), what)
        return CloudHsmSettings(
            cluster_id=params["CloudHsmClusterId"],
            trust_anchor_certificate=params["TrustAnchorCertificate"],
            password=Secret(params["KeyStorePassword"]),
        )
    _require(params, _XKS_PARAMS, what)
    _forbid(params, _CLOUDHSM_PARAMS, what)
    connectivity = XksConnectivity(params["XksProxyConnectivity"])
    vpc_name = vpc_owner = None
    if connectivity is XksConnectivity.VPC_ENDPOINT_SERVICE:
        _require(params, _VPC_PARAMS[:1], f"{what} and VPC_ENDPOINT_SERVICE connectivity")
        vpc_name = params["XksProxyVpcEndpointServiceName"]
        vpc_owner = params.get("XksProxyVpcEndpointServiceOwner", ctx.account_id)
    else:
        _forbid(params, _VPC_PARAMS, f"{what} and PUBLIC_ENDPOINT connectivity")
    return XksSettings(
        uri_endpoint=params["XksProxyUriEndpoint"],
        uri_path=params["XksProxyUriPath"],
        connectivity=connectivity,
        credential=_credential(params["XksProxyAuthenticationCredential"]),
        vpc_endpoint_service_name=vpc_name,
        vpc_endpoint_service_owner=vpc_owner,
    )


class StoreView(NamedTuple):
    """Everything a store's CustomKeyStoresListEntry shows: equal views give equal entries.

    DescribeCustomKeyStores answers with a :class:`Memo` of its page of views,
    so the entries are written once until something they show changes.
    """

    id: str
    name: str
    state: ConnectionState
    error_code: str | None
    created: float
    settings: CloudHsmSettings | XksSettings


def store_view(store: CustomKeyStore) -> StoreView:
    """What the store's entry shows now."""
    return StoreView(
        id=store.id,
        name=store.name,
        state=store.state,
        error_code=store.error_code,
        created=store.created,
        settings=store.settings,
    )


def store_entry(view: StoreView) -> Result:
    """The CustomKeyStoresListEntry of a store: the model's fields, never a secret."""
    settings = view.settings
    entry: Result = {
        "CustomKeyStoreId": view.id,
        "CustomKeyStoreName": view.name,
        "ConnectionState": view.state.value,
        "CreationDate": epoch(view.created),
        "CustomKeyStoreType": settings.type.value,
    }
    if view.state is ConnectionState.FAILED and view.error_code is not None:
        entry["ConnectionErrorCode"] = view.error_code
    if isinstance(settings, CloudHsmSettings):
        entry["CloudHsmClusterId"] = settings.cluster_id
        entry["TrustAnchorCertificate"] = settings.trust_anchor_certificate
        return entry
    proxy: Result = {
        "Connectivity": settings.connectivity.value,
        "AccessKeyId": settings.credential.access_key_id,
        "UriEndpoint": settings.uri_endpoint,
        "UriPath": settings.uri_path,
    }
    if settings.vpc_endpoint_service_name is not None:
        proxy["VpcEndpointServiceName"] = settings.vpc_endpoint_service_name
        proxy["VpcEndpointServiceOwner"] = settings.vpc_endpoint_service_owner
    entry["XksProxyConfiguration"] = proxy
    return entry


def _stores_answer(page: Page[StoreView]) -> Result:
    """A DescribeCustomKeyStores answer: the entries of a page of stores."""
    return page.result("CustomKeyStores", [store_entry(view) for view in page.items])


def _verifier(ctx: Context, store: CustomKeyStore | None = None) -> store_catalogue.Verify:
    """KMS's probe of the backing store, for a create (no store) or an update."""

    def verify(settings: CloudHsmSettings | XksSettings) -> None:
        backing.verify_settings(ctx.kms.world, ctx.scope, settings, store)

    return verify


@operation("CreateCustomKeyStore")
def create_custom_key_store(ctx: Context, params: Params) -> Result:
    """CreateCustomKeyStore: a new DISCONNECTED CloudHSM or external key store."""
    settings = _settings_for_create(ctx, params)
    store = store_catalogue.create_store(
        ctx.scope, params["CustomKeyStoreName"], settings, ctx.now, verify=_verifier(ctx)
    )
    return {"CustomKeyStoreId": store.id}


@operation("DescribeCustomKeyStores")
def describe_custom_key_stores(ctx: Context, params: Params) -> Memo:
    """DescribeCustomKeyStores: every store, or one by id or name, paged."""
    store_id = params.get("CustomKeyStoreId")
    name = params.get("CustomKeyStoreName")
    if store_id is not None and name is not None:
        raise AwsError(
            "ValidationException",
            "Specify either CustomKeyStoreId or CustomKeyStoreName, not both.",
        )
    stores = store_catalogue.find_stores(ctx.scope, store_id=store_id, name=name)
    page = paginate(ctx, params, stores, default_limit=1000, filters=(store_id, name))
    views = tuple(store_view(store) for store in page.items)
    return Memo(_stores_answer, Page(items=views, next_marker=page.next_marker))


@operation("ConnectCustomKeyStore")
def connect_custom_key_store(ctx: Context, params: Params) -> Result:
    """ConnectCustomKeyStore: start connecting the store to its backing store."""
    ctx.kms.connect(ctx.scope, ctx.scope.store(params["CustomKeyStoreId"]))
    return {}


@operation("DisconnectCustomKeyStore")
def disconnect_custom_key_store(ctx: Context, params: Params) -> Result:
    """DisconnectCustomKeyStore: start disconnecting the store."""
    ctx.kms.disconnect(ctx.scope, ctx.scope.store(params["CustomKeyStoreId"]))
    return {}


@operation("UpdateCustomKeyStore")
def update_custom_key_store(ctx: Context, params: Params) -> Result:
    """UpdateCustomKeyStore: change the store's name or backing-store settings."""
    store = ctx.scope.store(params["CustomKeyStoreId"])
    what = f"a custom key store with CustomKeyStoreType {store.type.value}"
    if store.type is KeyStoreType.AWS_CLOUDHSM:
        _forbid(params, _XKS_UPDATES, what)
    else:
        _forbid(params, _CLOUDHSM_UPDATES, what)
    password = params.get("KeyStorePassword")
    credential = params.get("XksProxyAuthenticationCredential")
    connectivity = params.get("XksProxyConnectivity")
    changes = store_catalogue.StoreChanges(
        name=params.get("NewCustomKeyStoreName"),
        password=None if password is None else Secret(password),
        cluster_id=params.get("CloudHsmClusterId"),
        uri_endpoint=params.get("XksProxyUriEndpoint"),
        uri_path=params.get("XksProxyUriPath"),
        connectivity=None if connectivity is None else XksConnectivity(connectivity),
        vpc_endpoint_service_name=params.get("XksProxyVpcEndpointServiceName"),
        vpc_endpoint_service_owner=params.get("XksProxyVpcEndpointServiceOwner"),
        credential=None if credential is None else _credential(credential),
    )
    store_catalogue.update_store(ctx.scope, store, changes, verify=_verifier(ctx, store))
    return {}


@operation("DeleteCustomKeyStore")
def delete_custom_key_store(ctx: Context, params: Params) -> Result:
    """DeleteCustomKeyStore: remove a DISCONNECTED store that holds no keys."""
    store = ctx.scope.store(params["CustomKeyStoreId"])
    store_catalogue.delete_store(ctx.scope, store)
    ctx.kms.forget(store)
    return {}
