"""The state document: everything a simulation holds but its call log, as JSON-ready values.

:func:`dump` writes it, and :mod:`kmsmock.server.state_load` reads it back.
:mod:`kmsmock.server.persistence` keeps it in a file. Bytes are base64,
secrets are revealed (the file is its owner's only), times are seconds on
the mock clock.
"""

from __future__ import annotations

import base64
from typing import Any

from ..domain.backing.cluster import CloudHsmCluster
from ..domain.backing.proxy import XksProxy
from ..domain.grants import Grant
from ..domain.key_import import ImportParameters
from ..domain.key_material import KeyMaterial
from ..domain.keys import Alias, KmsKey
from ..domain.scope import AccountRegion
from ..domain.stores import (
    CloudHsmSettings,
    CustomKeyStore,
    XksCredential,
    XksSettings,
)
from ..simulation import Simulation

__all__ = ["CLUSTER_ATTRIBUTES", "FORMAT", "PROXY_ATTRIBUTES", "dump"]

FORMAT = "kmsmock-state/1"
"""The format a state file declares; a file of any other is refused."""


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


CLUSTER_ATTRIBUTES = (
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
"""The attributes of a simulated cluster kept as they are."""

PROXY_ATTRIBUTES = (
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
"""The attributes of a simulated XKS proxy kept as they are."""


def _cluster(cluster: CloudHsmCluster) -> dict[str, Any]:
    document = {name: getattr(cluster, name) for name in CLUSTER_ATTRIBUTES}
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
    document = {name: getattr(proxy, name) for name in PROXY_ATTRIBUTES}
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
