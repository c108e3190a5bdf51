"""Reading a state document back into a simulated KMS (see :mod:`kmsmock.server.state_dump`).

A key saved before keys had several key materials (one ``material`` and its
``material_id``, and ``rotation_enabled_at``) loads as a key with that one
material. A document that is not what :func:`fill` expects raises
KeyError, TypeError, ValueError or AttributeError, which
:func:`kmsmock.server.persistence.load` turns into a StateFileError.
"""

from __future__ import annotations

import base64
from typing import Any

from ..domain import multi_region
from ..domain.backing.cluster import CloudHsmCluster
from ..domain.backing.proxy import ExternalKey, XksProxy
from ..domain.connection import ConnectionState
from ..domain.grants import Grant, GrantConstraints
from ..domain.key_import import ImportParameters
from ..domain.key_material import KeyMaterial, KeyMaterials, MaterialState, RotationType
from ..domain.keys import Alias, KmsKey, LastUse
from ..domain.kms import SimulatedKms
from ..domain.scope import AccountRegion
from ..domain.secret import Secret
from ..domain.stores import (
    CloudHsmSettings,
    CustomKeyStore,
    XksConnectivity,
    XksCredential,
    XksSettings,
)
from .state_dump import CLUSTER_ATTRIBUTES, PROXY_ATTRIBUTES

__all__ = ["fill"]


def fill(kms: SimulatedKms, document: dict[str, Any]) -> None:
    """Fill an empty simulated KMS from a state document (its faults are the caller's)."""
    kms.clock.advance(float(document["clock_offset"]))
    stores: dict[str, tuple[AccountRegion, CustomKeyStore]] = {}
    related: dict[tuple[str, str], tuple[dict[str, Any], list[KmsKey]]] = {}
    for item in document["scopes"]:
        scope = kms.scope(item["account_id"], item["region"])
        for entry in item["stores"]:
            store = _read_store(entry)
            scope.stores[store.id] = store
            stores[store.id] = (scope, store)
        for entry in item["keys"]:
            key = _read_key(entry, scope, stores)
            scope.add_key(key)
            if entry.get("related") is not None:
                related.setdefault((key.account_id, key.id), (entry["related"], []))[1].append(key)
            if key.deletion_date is not None:
                kms.schedule_removal(scope, key)
            if key.next_rotation is not None:
                kms.schedule_rotation(scope, key)
            for material in key.materials.items:
                if material.valid_to is not None:
                    kms.schedule_expiry(scope, key, material)
        for entry in item["aliases"]:
            alias = Alias(
                name=entry["name"],
                arn=scope.arn(entry["name"]),
                target_key_id=entry["target_key_id"],
                created=entry["created"],
                updated=entry["updated"],
                seq=entry["seq"],
            )
            scope.aliases[alias.name] = alias
        for entry in sorted(item.get("grants", []), key=lambda entry: entry["seq"]):
            scope.grants.add(_read_grant(entry, scope))
        scope.last_seq = int(item["seq"])
    for names, keys in related.values():
        multi_region.relink(keys, names["primary_region"], names["regions"])
    for entry in document["clusters"]:
        _read_cluster(kms, entry)
    for entry in document["proxies"]:
        _read_proxy(kms, entry)
    for store_id, due in document["transitions"]:
        scope, store = stores[store_id]
        kms.resume_transition(scope, store, due)
    for store_id, code in document["next_failures"].items():
        kms.fail_next_connect(store_id, code)


def _read_store(entry: dict[str, Any]) -> CustomKeyStore:
    settings_entry = entry["settings"]
    settings: CloudHsmSettings | XksSettings
    if settings_entry["type"] == "AWS_CLOUDHSM":
        settings = CloudHsmSettings(
            cluster_id=settings_entry["cluster_id"],
            trust_anchor_certificate=settings_entry["trust_anchor_certificate"],
            password=Secret(settings_entry["password"]),
        )
    else:
        access_key_id, secret = settings_entry["credential"]
        settings = XksSettings(
            uri_endpoint=settings_entry["uri_endpoint"],
            uri_path=settings_entry["uri_path"],
            connectivity=XksConnectivity(settings_entry["connectivity"]),
            credential=XksCredential(access_key_id, Secret(secret)),
            vpc_endpoint_service_name=settings_entry["vpc_endpoint_service_name"],
            vpc_endpoint_service_owner=settings_entry["vpc_endpoint_service_owner"],
        )
    return CustomKeyStore(
        id=entry["id"],
        name=entry["name"],
        seq=entry["seq"],
        created=entry["created"],
        settings=settings,
        state=ConnectionState(entry["state"]),
        error_code=entry["error_code"],
    )


def _read_key(
    entry: dict[str, Any],
    scope: AccountRegion,
    stores: dict[str, tuple[AccountRegion, CustomKeyStore]],
) -> KmsKey:
    store_id = entry["store_id"]
    last_used = entry.get("last_used")
    return KmsKey(
        id=entry["id"],
        arn=scope.arn(f"key/{entry['id']}"),
        account_id=scope.account_id,
        region=scope.region,
        seq=entry["seq"],
        created=entry["created"],
        origin=entry["origin"],
        policy=entry["policy"],
        materials=_read_materials(entry),
        description=entry["description"],
        enabled=entry["enabled"],
        deletion_date=entry["deletion_date"],
        pending_window_days=entry["pending_window_days"],
        store=None if store_id is None else stores[store_id][1],
        cloudhsm_cluster_id=entry["cloudhsm_cluster_id"],
        xks_key_id=entry["xks_key_id"],
        rotation_period_days=entry["rotation_period_days"],
        next_rotation=_read_next_rotation(entry),
        tags=dict(entry["tags"]),
        last_used=None if last_used is None else LastUse(str(last_used[0]), float(last_used[1])),
        key_spec=entry.get("key_spec", "SYMMETRIC_DEFAULT"),
        key_usage=entry.get("key_usage", "ENCRYPT_DECRYPT"),
        private_key=_read_private_key(entry.get("private_key")),
    )


def _read_grant(entry: dict[str, Any], scope: AccountRegion) -> Grant:
    key = scope.keys[entry["key_id"]]  # a grant outlives no key
    return Grant(
        id=entry["id"],
        key_id=key.id,
        key_arn=key.arn,
        seq=entry["seq"],
        created=entry["created"],
        issuing_account=entry["issuing_account"],
        operations=tuple(entry["operations"]),
        grantee_principal=entry["grantee_principal"],
        grantee_service_principal=entry["grantee_service_principal"],
        retiring_principal=entry["retiring_principal"],
        retiring_service_principal=entry["retiring_service_principal"],
        name=entry["name"],
        constraints=GrantConstraints.from_params(entry["constraints"]),
        tokens=list(entry["tokens"]),
    )


def _read_private_key(text: str | None) -> bytes | None:
    """An asymmetric key's private key (PKCS #8 DER), or None until it is first used."""
    return None if text is None else base64.b64decode(text)


def _read_materials(entry: dict[str, Any]) -> KeyMaterials:
    if "materials" not in entry:  # saved when a key had one material
        materials = KeyMaterials()
        materials.add(
            MaterialState.CURRENT, base64.b64decode(entry["material"]), entry["material_id"]
        )
        return materials
    return KeyMaterials(
        items=[
            KeyMaterial(
                id=item["id"],
                seq=item["seq"],
                state=MaterialState(item["state"]),
                secret=None if item["secret"] is None else base64.b64decode(item["secret"]),
                rotation_date=item["rotation_date"],
                rotation_type=(
                    None if item["rotation_type"] is None else RotationType(item["rotation_type"])
                ),
                description=item["description"],
                valid_to=item["valid_to"],
            )
            for item in entry["materials"]
        ],
        on_demand_rotations=int(entry["on_demand_rotations"]),
        import_parameters={
            item["token_id"]: ImportParameters(
                token_id=item["token_id"],
                spec=item["spec"],
                algorithm=item["algorithm"],
                valid_to=item["valid_to"],
                private_key=base64.b64decode(item["private_key"]),
            )
            for item in entry["import_parameters"]
        },
    )


def _read_next_rotation(entry: dict[str, Any]) -> float | None:
    if "next_rotation" in entry:
        next_rotation: float | None = entry["next_rotation"]
        return next_rotation
    enabled_at, period = entry["rotation_enabled_at"], entry["rotation_period_days"]
    return None if enabled_at is None else enabled_at + period * 86_400


def _read_cluster(kms: SimulatedKms, entry: dict[str, Any]) -> None:
    cluster = CloudHsmCluster(
        entry["cluster_id"],
        account_id=entry["account_id"],
        region=entry["region"],
        hsms=entry["hsms"],
        subnet_zones=entry["subnet_zones"],
        kmsuser_password=entry["kmsuser_password"],
    )
    for name in CLUSTER_ATTRIBUTES:
        setattr(cluster, name, entry[name])
    kms.world.clusters[(cluster.account_id, cluster.region, cluster.cluster_id)] = cluster


def _read_proxy(kms: SimulatedKms, entry: dict[str, Any]) -> None:
    credentials = [
        XksCredential(access_key_id, Secret(secret))
        for access_key_id, secret in entry["credentials"]
    ]
    proxy = XksProxy(
        entry["uri_endpoint"],
        entry["uri_path"],
        account_id=entry["account_id"],
        region=entry["region"],
        credential=credentials[0] if credentials else None,
        key_manager_health=entry["key_manager_health"],
    )
    proxy.credentials = credentials
    for name in PROXY_ATTRIBUTES:
        setattr(proxy, name, entry[name])
    for key_entry in entry["keys"]:
        proxy.keys[key_entry["id"]] = ExternalKey(
            key_entry["id"],
            spec=key_entry["spec"],
            usages=tuple(key_entry["usages"]),
            enabled=key_entry["enabled"],
            material=base64.b64decode(key_entry["material"]),
        )
    kms.world.proxies[(proxy.account_id, proxy.region, proxy.uri_endpoint)] = proxy
