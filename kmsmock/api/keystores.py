"""The six custom key store operations."""

from __future__ import annotations

from collections.abc import Iterable

from ..domain import backing, keystores
from ..domain.connection import ConnectionState
from ..domain.errors import AwsError
from ..domain.keystore import (
    CloudHsmSettings,
    CustomKeyStore,
    KeyStoreType,
    XksConnectivity,
    XksCredential,
    XksSettings,
)
from ..domain.secret import Secret
from ..protocol.wire import Encoded, encode_json
from .paging import paginate
from .registry import Context, Params, Result, operation

__all__ = ["describe_store"]

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


def describe_store(store: CustomKeyStore) -> Result:
    """The CustomKeyStoresListEntry of a store: the model's fields, never a secret."""
    entry: Result = {
        "CustomKeyStoreId": store.id,
        "CustomKeyStoreName": store.name,
        "ConnectionState": store.state.value,
        "CreationDate": round(store.created, 3),
        "CustomKeyStoreType": store.type.value,
    }
    if store.state is ConnectionState.FAILED and store.error_code is not None:
        entry["ConnectionErrorCode"] = store.error_code
    settings = store.settings
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


def store_entry(store: CustomKeyStore) -> str:
    """The store's CustomKeyStoresListEntry as JSON text, kept until the store changes."""
    cached = store.rendering
    if (
        cached is not None
        and cached[0] is store.settings
        and cached[1] is store.state
        and cached[2] == store.name
        and cached[3] == store.error_code
    ):
        return cached[4]  # type: ignore[return-value]
    text = encode_json(describe_store(store))
    store.rendering = (store.settings, store.state, store.name, store.error_code, text)
    return text


def _verifier(ctx: Context, store: CustomKeyStore | None = None) -> keystores.Verify:
    """KMS's probe of the backing store, for a create (no store) or an update."""
    world, region = ctx.backend.world, ctx.region

    def verify(settings: CloudHsmSettings | XksSettings) -> None:
        if isinstance(settings, XksSettings):
            backing.check_proxy_for_store(world, region, settings)
        elif store is None:
            backing.check_cluster_for_create(world, region, settings)
        else:
            backing.check_cluster_for_update(world, region, store, settings)

    return verify


@operation("CreateCustomKeyStore")
def create_custom_key_store(ctx: Context, params: Params) -> Result:
    """CreateCustomKeyStore: a new DISCONNECTED CloudHSM or external key store."""
    settings = _settings_for_create(ctx, params)
    store = keystores.create_store(
        ctx.region, params["CustomKeyStoreName"], settings, ctx.now, verify=_verifier(ctx)
    )
    return {"CustomKeyStoreId": store.id}


@operation("DescribeCustomKeyStores")
def describe_custom_key_stores(ctx: Context, params: Params) -> Result:
    """DescribeCustomKeyStores: every store, or one by id or name, paged."""
    store_id = params.get("CustomKeyStoreId")
    name = params.get("CustomKeyStoreName")
    if store_id is not None and name is not None:
        raise AwsError(
            "ValidationException",
            "Specify either CustomKeyStoreId or CustomKeyStoreName, not both.",
        )
    stores = keystores.find_stores(ctx.region, store_id=store_id, name=name)
    page = paginate(ctx, params, stores, default_limit=1000, filters=(store_id, name))
    return page.result("CustomKeyStores", Encoded.array([store_entry(s) for s in page.items]))


@operation("ConnectCustomKeyStore")
def connect_custom_key_store(ctx: Context, params: Params) -> Result:
    """ConnectCustomKeyStore: start connecting the store to its backing store."""
    region = ctx.region
    ctx.backend.connect(region, region.store(params["CustomKeyStoreId"]))
    return {}


@operation("DisconnectCustomKeyStore")
def disconnect_custom_key_store(ctx: Context, params: Params) -> Result:
    """DisconnectCustomKeyStore: start disconnecting the store."""
    region = ctx.region
    ctx.backend.disconnect(region, region.store(params["CustomKeyStoreId"]))
    return {}


@operation("UpdateCustomKeyStore")
def update_custom_key_store(ctx: Context, params: Params) -> Result:
    """UpdateCustomKeyStore: change the store's name or backing-store settings."""
    region = ctx.region
    store = region.store(params["CustomKeyStoreId"])
    what = f"a custom key store with CustomKeyStoreType {store.type.value}"
    if store.type is KeyStoreType.AWS_CLOUDHSM:
        _forbid(params, _XKS_UPDATES, what)
    else:
        _forbid(params, _CLOUDHSM_UPDATES, what)
    password = params.get("KeyStorePassword")
    credential = params.get("XksProxyAuthenticationCredential")
    connectivity = params.get("XksProxyConnectivity")
    changes = keystores.StoreChanges(
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
    keystores.update_store(region, store, changes, verify=_verifier(ctx, store))
    return {}


@operation("DeleteCustomKeyStore")
def delete_custom_key_store(ctx: Context, params: Params) -> Result:
    """DeleteCustomKeyStore: remove a DISCONNECTED store that holds no keys."""
    region = ctx.region
    store = region.store(params["CustomKeyStoreId"])
    keystores.delete_store(region, store)
    ctx.backend.forget(store)
    return {}
