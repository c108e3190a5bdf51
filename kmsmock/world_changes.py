"""The world-change tables of the docs: each row is played through a mock, and its answer read.

A test breaks the simulated world (a cluster, a proxy) and KMS answers. The
documentation's tables of "world change → what KMS answers" are not written
by hand: each row here is a world change, and :func:`connect_table` and
:func:`create_table` play every row through a real boto3 client against a
fresh mock and write down what came back. So the tables show exactly what a
user sees, and change when the code does.

Like :mod:`kmsmock.reference`, nothing in kmsmock imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

__all__ = [
    "CONNECT_CHANGES",
    "CREATE_CHANGES",
    "Scene",
    "WorldChange",
    "connect_table",
    "create_table",
]

_ENDPOINT, _PATH, _SERVICE = (
    "https://xks.example.com",
    "/kms/xks/v1",
    "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
)


@dataclass
class Scene:
    """What a world change can reach: the mock's handle, a client, the store's backing."""

    ks: Any
    kms: Any
    backing: Any
    params: dict[str, Any]
    store_id: str | None = None


@dataclass(frozen=True)
class WorldChange:
    """One row of a world-change table: a kind of store, and what the test breaks.

    ``change`` breaks the world of a :class:`Scene` (a healthy cluster or
    proxy until then) as ``world`` says. With ``during`` it is made while a
    connection attempt runs, between ConnectCustomKeyStore and ``settle()``.
    """

    store: str
    world: str
    change: Callable[[Scene], None]
    during: bool = False


def _set(**attributes: Any) -> Callable[[Scene], None]:
    def change(scene: Scene) -> None:
        for name, value in attributes.items():
            setattr(scene.backing, name, value)

    return change


def _attributes(**attributes: Any) -> str:
    return ", ".join(f"`{name}={value!r}`" for name, value in attributes.items())


def _row(store: str, **attributes: Any) -> WorldChange:
    """A row whose world change is setting attributes, described by the attributes themselves."""
    return WorldChange(store, _attributes(**attributes), _set(**attributes))


def _no_manager(scene: Scene) -> None:
    scene.backing.key_manager_health = ["UNAVAILABLE"]


def _other_credential(scene: Scene) -> None:
    proxy = scene.backing
    proxy.accept_credential("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "x" * 43 + "=")
    proxy.revoke_credential(proxy.access_key_id)


def _delete(scene: Scene) -> None:
    scene.backing.state = "DELETED"


def _fail_next(scene: Scene) -> None:
    assert scene.store_id is not None
    scene.ks.fail_next_connect(scene.store_id, "INTERNAL_ERROR")


def _in_use(scene: Scene) -> None:
    scene.kms.create_custom_key_store(**{**scene.params, "CustomKeyStoreName": "first"})


def _related_in_use(scene: Scene) -> None:
    restored = scene.ks.cloudhsm_cluster(related_to=scene.backing)
    scene.kms.create_custom_key_store(
        **{**scene.params, "CustomKeyStoreName": "first", "CloudHsmClusterId": restored.cluster_id}
    )


HSM, XKS, VPC = "CloudHSM", "External", "External (VPC)"

_CLUSTER_BROKEN = (
    WorldChange(HSM, "The cluster is deleted: `state='DELETED'`", _delete),
    _row(HSM, state="UNINITIALIZED"),
    _row(HSM, subnet_zones=["us-east-1a"]),
    _row(HSM, security_group_ok=False),
)
_PROXY_BROKEN = (
    _row(XKS, reachable=False),
    _row(XKS, tls_valid=False),
    _row(XKS, responds_in_time=False),
    WorldChange(XKS, "The proxy does not accept the store's credential", _other_credential),
    _row(XKS, access_denied=True),
    _row(XKS, uri_path="/other/path"),
    _row(XKS, well_formed=False),
    WorldChange(XKS, "Every key manager instance is unavailable", _no_manager),
    _row(VPC, vpc_endpoint_service_exists=False),
    _row(VPC, vpc_endpoint_service_valid=False),
)

CONNECT_CHANGES: tuple[WorldChange, ...] = (
    *_CLUSTER_BROKEN,
    _row(HSM, reachable=False),
    _row(HSM, subnets_present=False),
    _row(HSM, free_ip_addresses=0),
    _row(HSM, hsms=0),
    _row(HSM, kmsuser_exists=False),
    _row(HSM, kmsuser_locked_out=True),
    _row(HSM, kmsuser_logged_in=True),
    _row(HSM, kmsuser_password="another-password"),
    WorldChange(HSM, "While the attempt runs: `state='DEGRADED'`", _set(state="DEGRADED"), True),
    *_PROXY_BROKEN,
    WorldChange("Either", "`ks.fail_next_connect(store_id, 'INTERNAL_ERROR')`", _fail_next),
)
"""What a test can break between CreateCustomKeyStore and ConnectCustomKeyStore."""

CREATE_CHANGES: tuple[WorldChange, ...] = (
    *_CLUSTER_BROKEN,
    _row(HSM, hsms=1),
    _row(HSM, trust_anchor_certificate="another certificate"),
    WorldChange(HSM, "The cluster backs another store", _in_use),
    WorldChange(
        HSM, "A cluster restored from the same backup backs another store", _related_in_use
    ),
    *_PROXY_BROKEN,
)
"""What a test can break before CreateCustomKeyStore."""


def _arrange(ks: Any, store: str) -> tuple[Any, dict[str, Any]]:
    """A healthy cluster or proxy of the kind ``store``, and CreateCustomKeyStore's parameters."""
    if store == HSM:
        cluster = ks.cloudhsm_cluster()
        return cluster, {
            "CustomKeyStoreName": "store",
            "CloudHsmClusterId": cluster.cluster_id,
            "TrustAnchorCertificate": cluster.trust_anchor_certificate,
            "KeyStorePassword": cluster.kmsuser_password.reveal(),
        }
    vpc = store == VPC
    proxy = ks.xks_proxy(_ENDPOINT, _PATH, vpc_endpoint_service_name=_SERVICE if vpc else None)
    proxy.add_key("external-key")
    params = {
        "CustomKeyStoreName": "store",
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyUriEndpoint": _ENDPOINT,
        "XksProxyUriPath": _PATH,
        "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE" if vpc else "PUBLIC_ENDPOINT",
        "XksProxyAuthenticationCredential": {
            "AccessKeyId": proxy.access_key_id,
            "RawSecretAccessKey": proxy.secret_access_key.reveal(),
        },
    }
    if vpc:
        params["XksProxyVpcEndpointServiceName"] = _SERVICE
    return proxy, params


def _play(row: WorldChange, act: Callable[[Scene], str]) -> str:
    """Run ``act`` against a fresh strict mock with ``row``'s store arranged."""
    import boto3

    from .mock import mock_kms_keystores

    with mock_kms_keystores(strict=True) as ks:
        kms = boto3.client("kms", region_name=ks.region, **ks.credentials())
        backing, params = _arrange(ks, HSM if row.store == "Either" else row.store)
        return act(Scene(ks, kms, backing, params))


def _connect(row: WorldChange) -> str:
    def act(scene: Scene) -> str:
        kms = scene.kms
        scene.store_id = kms.create_custom_key_store(**scene.params)["CustomKeyStoreId"]
        if not row.during:
            row.change(scene)
        try:
            kms.connect_custom_key_store(CustomKeyStoreId=scene.store_id)
        except ClientError as error:
            return f"`{error.response['Error']['Code']}` at once; the store stays `DISCONNECTED`"
        if row.during:
            row.change(scene)
        scene.ks.settle()
        entries = kms.describe_custom_key_stores(CustomKeyStoreId=scene.store_id)
        entry = entries["CustomKeyStores"][0]
        code = entry.get("ConnectionErrorCode")
        return f"`{entry['ConnectionState']}`" + (f", `{code}`" if code else "")

    return _play(row, act)


def _create(row: WorldChange) -> str:
    def act(scene: Scene) -> str:
        row.change(scene)
        try:
            scene.kms.create_custom_key_store(**scene.params)
        except ClientError as error:
            return f"`{error.response['Error']['Code']}`"
        return "succeeds"

    return _play(row, act)


def _table(header: str, rows: tuple[WorldChange, ...], answer: Callable[[WorldChange], str]) -> str:
    lines = [f"| Store | World | {header} |", "|---|---|---|"]
    lines += [f"| {row.store} | {row.world} | {answer(row)} |" for row in rows]
    return "\n".join(lines)


def connect_table() -> str:
    """ConnectCustomKeyStore after each world change: the error, or the state it ends in."""
    return _table("ConnectCustomKeyStore, then settle()", CONNECT_CHANGES, _connect)


def create_table() -> str:
    """CreateCustomKeyStore after each world change: the error KMS answers."""
    return _table("CreateCustomKeyStore answers", CREATE_CHANGES, _create)
