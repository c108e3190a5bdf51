"""``kmsmock serve --state FILE``: the simulated KMS kept in a file across restarts.

After every request, and before its answer is sent, the state it left is
written to the file if it changed. A write is atomic: the new state goes to a
temporary file beside it, which is flushed to disk and then renamed over the
old one (and the directory is flushed too), so a crash at any moment leaves
either the previous state or the new one, never a torn file.

The file holds secrets (custom key store passwords, XKS proxy credentials,
key material, asymmetric keys' private keys as PKCS #8 DER, the private
halves of import wrapping keys). It is created readable and writable by its
owner only. An asymmetric key whose key pair was never used has none yet: it
is made when first needed, after a restart too.

A file that cannot be read, is not kmsmock's, or comes from an incompatible
version stops the server at start with :class:`StateFileError`, and is
never overwritten. The call log is not kept; everything else is: accounts and
regions with their stores, keys (with their key materials, import parameters,
rotation schedule, last use and related multi-Region keys), aliases and grants,
the simulated clusters and
proxies, the clock's offset, pending connections, arranged failures and
injected errors.

A key saved before keys had several key materials (one ``material`` and its
``material_id``, and ``rotation_enabled_at``) loads as a key with that one
material.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
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
from ..faults import Fault
from ..simulation import Simulation

__all__ = ["FORMAT", "StateFileError", "attach", "dump", "load", "write_atomically"]

FORMAT = "kmsmock-state/1"
"""The format a state file declares; a file of any other is refused."""


class StateFileError(Exception):
    """A state file kmsmock cannot use; it is left as it is."""


def attach(server: Any, path: str | Path) -> None:
    """Load ``path`` into the server's simulation (if it exists) and keep it up to date."""
    path = Path(path)
    if path.exists():
        try:
            document = json.loads(path.read_text())
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise StateFileError(
                f"{path} cannot be read as a kmsmock state file: {error}"
            ) from None
        load(server.simulation, document, path)
    last = [json.dumps(dump(server.simulation), sort_keys=True)]
    if not path.exists():
        try:
            write_atomically(path, last[0])
        except OSError as error:
            raise StateFileError(f"{path} cannot be written: {error}") from None

    def persist() -> None:
        with server.simulation.kms.lock:
            text = json.dumps(dump(server.simulation), sort_keys=True)
        if text != last[0]:
            write_atomically(path, text)
            last[0] = text

    server.persist = persist


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves the old file or the new one."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "w") as file:  # mkstemp makes it readable by its owner only
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent or ".", os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# -- writing ------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _settings(settings: CloudHsmSettings | XksSettings) -> dict[str, Any]:
    if isinstance(settings, CloudHsmSettings):
        return {
            "type": "AWS_CLOUDHSM",
            "cluster_id": settings.cluster_id,
            "trust_anchor_certificate": settings.trust_anchor_certificate,
            "password": settings.password.reveal(),
        }
    return {
        "type": "EXTERNAL_KEY_STORE",
        "uri_endpoint": settings.uri_endpoint,
        "uri_path": settings.uri_path,
        "connectivity": settings.connectivity.value,
        "credential": _credential(settings.credential),
        "vpc_endpoint_service_name": settings.vpc_endpoint_service_name,
        "vpc_endpoint_service_owner": settings.vpc_endpoint_service_owner,
    }


def _credential(credential: XksCredential) -> list[str]:
    return [credential.access_key_id, credential.secret_access_key.reveal()]


def _store(store: CustomKeyStore) -> dict[str, Any]:
    return {
        "id": store.id,
        "name": store.name,
        "seq": store.seq,
        "created": store.created,
        "state": store.state.value,
        "error_code": store.error_code,
        "settings": _settings(store.settings),
    }


def _material(material: KeyMaterial) -> dict[str, Any]:
    return {
        "id": material.id,
        "seq": material.seq,
        "state": material.state.value,
        "secret": None if material.secret is None else _b64(material.secret),
        "rotation_date": material.rotation_date,
        "rotation_type": None if material.rotation_type is None else material.rotation_type.value,
        "description": material.description,
        "valid_to": material.valid_to,
    }


def _import_parameters(parameters: ImportParameters) -> dict[str, Any]:
    return {
        "token_id": parameters.token_id,
        "spec": parameters.spec,
        "algorithm": parameters.algorithm,
        "valid_to": parameters.valid_to,
        "private_key": _b64(parameters.private_key),
    }


def _key(key: KmsKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "seq": key.seq,
        "created": key.created,
        "origin": key.origin,
        "policy": key.policy,
        "materials": [_material(material) for material in key.materials.items],
        "on_demand_rotations": key.materials.on_demand_rotations,
        "import_parameters": [
            _import_parameters(parameters)
            for parameters in key.materials.import_parameters.values()
        ],
        "description": key.description,
        "enabled": key.enabled,
        "deletion_date": key.deletion_date,
        "pending_window_days": key.pending_window_days,
        "store_id": None if key.store is None else key.store.id,
        "cloudhsm_cluster_id": key.cloudhsm_cluster_id,
        "xks_key_id": key.xks_key_id,
        "rotation_period_days": key.rotation_period_days,
        "next_rotation": key.next_rotation,
        "tags": key.tags,
        "last_used": None if key.last_used is None else list(key.last_used),
        "key_spec": key.key_spec,
        "key_usage": key.key_usage,
        "private_key": None if key.private_key is None else _b64(key.private_key),
        # Each related multi-Region key names its set; _load makes them one set again.
        "related": (
            None
            if key.related is None
            else {"primary_region": key.related.primary_region, "regions": key.related.regions}
        ),
    }


def _alias(alias: Alias) -> dict[str, Any]:
    return {
        "name": alias.name,
        "target_key_id": alias.target_key_id,
        "created": alias.created,
        "updated": alias.updated,
        "seq": alias.seq,
    }


def _grant(grant: Grant) -> dict[str, Any]:
    constraints = grant.constraints
    return {
        "id": grant.id,
        "key_id": grant.key_id,
        "seq": grant.seq,
        "created": grant.created,
        "issuing_account": grant.issuing_account,
        "operations": list(grant.operations),
        "grantee_principal": grant.grantee_principal,
        "grantee_service_principal": grant.grantee_service_principal,
        "retiring_principal": grant.retiring_principal,
        "retiring_service_principal": grant.retiring_service_principal,
        "name": grant.name,
        "constraints": None if constraints is None else constraints.as_params(),
        "tokens": list(grant.tokens),
    }


def _scope(scope: AccountRegion) -> dict[str, Any]:
    return {
        "account_id": scope.account_id,
        "region": scope.region,
        "seq": scope.last_seq,
        "stores": [_store(store) for store in scope.stores.values()],
        "keys": [_key(key) for key in scope.key_list],
        "aliases": [_alias(alias) for alias in scope.aliases.values()],
        "grants": [_grant(grant) for grant in scope.grants],
    }


_CLUSTER_ATTRIBUTES = (
    "state",
    "trust_anchor_certificate",
    "backup_lineage",
    "kmsuser_exists",
    "kmsuser_locked_out",
    "kmsuser_logged_in",
    "subnets_present",
    "free_ip_addresses",
    "security_group_ok",
    "reachable",
    "arranged",
)
_PROXY_ATTRIBUTES = (
    "uri_path",
    "reachable",
    "tls_valid",
    "well_formed",
    "responds_in_time",
    "access_denied",
    "vpc_endpoint_service_name",
    "vpc_endpoint_service_exists",
    "vpc_endpoint_service_valid",
    "arranged",
)


def _cluster(cluster: CloudHsmCluster) -> dict[str, Any]:
    document = {name: getattr(cluster, name) for name in _CLUSTER_ATTRIBUTES}
    document |= {
        "cluster_id": cluster.cluster_id,
        "account_id": cluster.account_id,
        "region": cluster.region,
        "hsms": list(cluster.hsms),
        "subnet_zones": list(cluster.subnet_zones),
        "kmsuser_password": cluster.kmsuser_password.reveal(),
    }
    return document


def _proxy(proxy: XksProxy) -> dict[str, Any]:
    document = {name: getattr(proxy, name) for name in _PROXY_ATTRIBUTES}
    document |= {
        "uri_endpoint": proxy.uri_endpoint,
        "account_id": proxy.account_id,
        "region": proxy.region,
        "key_manager_health": list(proxy.key_manager_health),
        "credentials": [_credential(credential) for credential in proxy.credentials],
        "keys": [
            {
                "id": key.id,
                "spec": key.spec,
                "usages": list(key.usages),
                "enabled": key.enabled,
                "material": _b64(key.material),
            }
            for key in proxy.keys.values()
        ],
    }
    return document


def dump(simulation: Simulation) -> dict[str, Any]:
    """Everything the simulation holds but its call log, as JSON-ready values."""
    kms = simulation.kms
    return {
        "format": FORMAT,
        "clock_offset": kms.clock.offset,
        "scopes": [_scope(scope) for scope in kms.scopes.values()],
        "clusters": [_cluster(cluster) for cluster in kms.world.clusters.values()],
        "proxies": [_proxy(proxy) for proxy in kms.world.proxies.values()],
        "transitions": kms.pending_transitions(),
        "next_failures": kms.arranged_failures(),
        "faults": {
            operation: [[fault.code, fault.message, fault.remaining] for fault in queue]
            for operation, queue in simulation.faults.pending().items()
        },
    }


# -- reading ------------------------------------------------------------------------------


def load(simulation: Simulation, document: Any, path: Path) -> None:
    """Fill an empty simulation from a state document, or raise :class:`StateFileError`."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise StateFileError(
            f"{path} is not a state file this kmsmock can read (format {found!r}; it reads "
            f"{FORMAT!r}); it was left as it is"
        )
    try:
        _load(simulation.kms, document)
        for operation, queue in document["faults"].items():
            for code, message, remaining in queue:
                simulation.faults.add(operation, Fault(code, message, remaining))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        simulation.reset()
        raise StateFileError(
            f"{path} is damaged and cannot be loaded ({type(error).__name__}: {error}); it was "
            "left as it is"
        ) from None


def _load(kms: SimulatedKms, document: dict[str, Any]) -> None:
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
    for name in _CLUSTER_ATTRIBUTES:
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
    for name in _PROXY_ATTRIBUTES:
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
