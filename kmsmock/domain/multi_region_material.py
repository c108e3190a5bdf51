"""Imported key material across related multi-Region keys (Origin EXTERNAL).

Each related key holds its own copy of the imported material, but the set
shares which materials there are: every related key lists the same
materials, with the same ids (a hash of the shared key id and the material)
and the same order, imported into it or not. The rules, from the reference
text of ImportKeyMaterial, RotateKeyOnDemand, DeleteImportedKeyMaterial,
ReplicateKey and ListKeyRotations' KeyMaterialState:

- new key material goes into the primary key only ("You cannot directly
  import new key material into the replica Region keys"); it is then listed,
  not imported, in every replica, which accepts only material listed so
  ("import the same key material into the replica Region key");
- a replica made by ReplicateKey lists the primary's materials, none imported
  ("the replica key is created with no key material";
  :func:`.multi_region.replicate`);
- material pending rotation is PENDING_MULTI_REGION_IMPORT_AND_ROTATION
  until every related key has it imported, then PENDING_ROTATION (a shown
  state, derived here, never stored);
- RotateKeyOnDemand on the primary needs the pending material imported in
  every replica ("You must do this for every replica Region key before you
  can perform the RotateKeyOnDemand operation"), and rotates every related
  key to it;
- deleting the primary's material pending rotation deletes it from the
  replicas too; deleting any material of a replica, or the primary's
  permanent material, leaves the other related keys unchanged.

Single-Region keys and keys whose material KMS generates (which share one
:class:`~.key_material.KeyMaterials`) follow :mod:`.key_material` alone.
"""

from __future__ import annotations

from typing import Final

from .aws_error import AwsError
from .key_material import (
    NEW_KEY_MATERIAL,
    KeyMaterial,
    MaterialState,
    RotationType,
    delete_material,
    rotate,
    unimported_copy,
)
from .keys import KmsKey
from .multi_region import primary_of

__all__ = [
    "PENDING_MULTI_REGION",
    "check_import_type",
    "delete_imported",
    "expire",
    "rotate_on_demand",
    "share_new_material",
    "shown_state",
]

PENDING_MULTI_REGION: Final = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
"""KeyMaterialState of material pending rotation that some related key has not imported."""


def _imported_set(key: KmsKey) -> bool:
    """Whether ``key`` is a multi-Region key whose related keys each hold their own material."""
    return key.related is not None and key.origin == "EXTERNAL"


def _is_replica(key: KmsKey) -> bool:
    return key.related is not None and key.related.primary_region != key.region


def check_import_type(key: KmsKey, import_type: str) -> None:
    """Refuse new key material for a replica key: it takes only its primary's material."""
    if import_type == NEW_KEY_MATERIAL:
        primary_of(key, "Importing new key material (ImportType NEW_KEY_MATERIAL)")


def share_new_material(key: KmsKey, material: KeyMaterial, related: list[KmsKey]) -> None:
    """New ``material`` was imported into the primary ``key``: every replica lists it now."""
    if not _imported_set(key):
        return
    for other in related:
        if other is not key:
            other.materials.items.append(unimported_copy(material))


def _pending(related: list[KmsKey], material_id: str) -> list[KmsKey]:
    """The related keys that have not imported the material ``material_id``."""
    missing = []
    for other in related:
        found = other.materials.find(material_id)
        if found is None or not found.imported:
            missing.append(other)
    return missing


def shown_state(key: KmsKey, material: KeyMaterial, related: list[KmsKey]) -> str:
    """The KeyMaterialState ListKeyRotations shows for ``material`` of ``key``."""
    if (
        _imported_set(key)
        and material.state is MaterialState.PENDING_ROTATION
        and _pending(related, material.id)
    ):
        return PENDING_MULTI_REGION
    return material.state.value


def rotate_on_demand(key: KmsKey, related: list[KmsKey], now: float) -> KeyMaterial:
    """RotateKeyOnDemand on ``key`` (a primary or single-Region key, checked by the caller).

    The material pending rotation of an imported multi-Region key must be
    imported into every related key first (else KMSInvalidStateException,
    naming the Regions that lack it; nothing changes); then every related key
    rotates to it at once, so that each Region's new ciphertexts decrypt in
    every other.
    """
    if not _imported_set(key):
        return rotate(key.materials, now=now, how=RotationType.ON_DEMAND)
    pending = key.materials.pending_rotation()
    assert pending is not None  # the caller refused a key with none
    missing = _pending(related, pending.id)
    if missing:
        regions = ", ".join(other.region for other in missing)
        raise AwsError(
            "KMSInvalidStateException",
            f"Key material {pending.id} of {key.arn} is pending import into related "
            f"multi-Region keys in: {regions}. Import the same key material into every "
            "replica key (ImportType EXISTING_KEY_MATERIAL) before rotating the primary key.",
        )
    for other in related:
        if other is not key:
            rotate(other.materials, now=now, how=RotationType.ON_DEMAND)
    return rotate(key.materials, now=now, how=RotationType.ON_DEMAND)


def delete_imported(key: KmsKey, material: KeyMaterial, related: list[KmsKey]) -> None:
    """Delete imported ``material`` of ``key`` (DeleteImportedKeyMaterial, or its expiry).

    Material pending rotation of a primary key leaves every related key; of a
    replica, it stays listed, not imported, for it is still the primary's
    (and can be imported again). Anything else concerns ``key`` alone.
    """
    if not _imported_set(key) or material.permanent:
        delete_material(key.materials, material)
    elif _is_replica(key):
        material.secret = None
        material.valid_to = None
    else:
        for other in related:
            listed = other.materials.find(material.id)
            if listed is not None:
                delete_material(other.materials, listed)


def expire(key: KmsKey, material_id: str, valid_to: float, related: list[KmsKey]) -> bool:
    """Delete material whose ``valid_to`` has come, if it still expires then; True if it did."""
    material = key.materials.find(material_id)
    if material is None or material.valid_to != valid_to:
        return False
    delete_imported(key, material, related)
    return True
