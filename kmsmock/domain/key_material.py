"""The key materials of a KMS key: generated or imported, rotated, expired.

A symmetric encryption key holds its key materials in a :class:`KeyMaterials`,
each with a 64-hex-digit id. One is CURRENT: it encrypts and decrypts. The
others are NON_CURRENT (they decrypt what they sealed: the ciphertext blob
names its material) or PENDING_ROTATION (imported for an on-demand rotation
that has not happened yet).

- A key with AWS_KMS origin gets its first material when it is created, and a
  new one at each rotation, automatic or on demand.
- A key with EXTERNAL origin starts with none. The first material imported
  into it becomes CURRENT and is associated with it for good; a material
  imported as NEW_KEY_MATERIAL afterwards waits in PENDING_ROTATION until
  RotateKeyOnDemand makes it CURRENT. Its id is a hash of the key id and the
  material (as in AWS), so that a reimport recognises the same material.
  Imported material may expire, and may be deleted; the key is usable only
  while every material associated with it for good is imported (its key
  state is derived from that: PendingImport otherwise).

An HMAC key holds its secret as its one material, and so does an asymmetric
key with EXTERNAL origin its imported private key (PKCS #8 DER): they never
rotate, so their one material is imported once, and only reimported after.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from .aws_error import AwsError
from .key_import import ImportParameters
from .randomness import random_bytes

__all__ = [
    "DOES_NOT_EXPIRE",
    "EXISTING_KEY_MATERIAL",
    "EXPIRES",
    "MATERIAL_BYTES",
    "NEW_KEY_MATERIAL",
    "ON_DEMAND_ROTATION_QUOTA",
    "KeyMaterial",
    "KeyMaterials",
    "MaterialState",
    "RotationType",
    "delete_material",
    "generated_materials",
    "import_material",
    "import_type_of",
    "imported_material_id",
    "rotate",
    "unimported_copy",
]

MATERIAL_BYTES: Final = 32
"""A symmetric encryption key's material is a 256-bit AES key."""
ON_DEMAND_ROTATION_QUOTA: Final = 25
"""KMS resource quota (not adjustable): on-demand rotations per KMS key."""
EXPIRES: Final = "KEY_MATERIAL_EXPIRES"
DOES_NOT_EXPIRE: Final = "KEY_MATERIAL_DOES_NOT_EXPIRE"
"""The two ExpirationModel values of imported key material."""
NEW_KEY_MATERIAL: Final = "NEW_KEY_MATERIAL"
EXISTING_KEY_MATERIAL: Final = "EXISTING_KEY_MATERIAL"
"""The two ImportType values of ImportKeyMaterial."""


class MaterialState(str, Enum):
    """KeyMaterialState: how KMS uses a key material."""

    CURRENT = "CURRENT"
    NON_CURRENT = "NON_CURRENT"
    PENDING_ROTATION = "PENDING_ROTATION"


class RotationType(str, Enum):
    """RotationType: what made a key material current."""

    AUTOMATIC = "AUTOMATIC"
    ON_DEMAND = "ON_DEMAND"


@dataclass(eq=False, slots=True)
class KeyMaterial:
    """One key material of a key.

    ``secret`` is the AES key, or None while imported material is not
    imported (deleted, expired, or never reimported). ``rotation_date`` and
    ``rotation_type`` tell when and how it became current (None for the first
    material and one pending rotation). ``description`` and ``valid_to``
    belong to imported material: its KeyMaterialDescription, and when it
    expires (None: it does not, or it is not imported).
    """

    id: str
    seq: int
    """Its place among the key's materials, for ListKeyRotations' markers."""
    state: MaterialState
    secret: bytes | None = field(default=None, repr=False)
    rotation_date: float | None = None
    rotation_type: RotationType | None = None
    description: str | None = None
    valid_to: float | None = None

    @property
    def imported(self) -> bool:
        """Whether the material is in KMS now (always, for material KMS generated)."""
        return self.secret is not None

    @property
    def permanent(self) -> bool:
        """Whether the material is associated with its key for good (not pending rotation)."""
        return self.state is not MaterialState.PENDING_ROTATION

    @property
    def expiration_model(self) -> str | None:
        """ExpirationModel of imported material (None while it is not imported)."""
        if not self.imported:
            return None
        return EXPIRES if self.valid_to is not None else DOES_NOT_EXPIRE


@dataclass(eq=False, slots=True)
class KeyMaterials:
    """Every key material of one key, in the order they came, and what importing needs.

    ``import_parameters`` are the wrapping keys GetParametersForImport handed
    out, by token id. ``on_demand_rotations`` counts RotateKeyOnDemand's
    rotations, against :data:`ON_DEMAND_ROTATION_QUOTA`.
    """

    items: list[KeyMaterial] = field(default_factory=list)
    on_demand_rotations: int = 0
    import_parameters: dict[str, ImportParameters] = field(default_factory=dict, repr=False)

    def current(self) -> KeyMaterial | None:
        """The CURRENT material (None before an EXTERNAL key's first import)."""
        for material in reversed(self.items):
            if material.state is MaterialState.CURRENT:
                return material
        return None

    def find(self, material_id: str) -> KeyMaterial | None:
        """The material with this id, if the key has it."""
        return next((m for m in self.items if m.id == material_id), None)

    def pending_rotation(self) -> KeyMaterial | None:
        """The imported material waiting for an on-demand rotation, if any."""
        return next((m for m in self.items if not m.permanent), None)

    def complete(self) -> bool:
        """Whether the key has a current material and every permanent one is imported."""
        return bool(self.items) and all(m.imported for m in self.items if m.permanent)

    def expiry(self) -> tuple[str | None, float | None]:
        """The key's ExpirationModel and ValidTo: the earliest expiry of its permanent material.

        None and None while no permanent material is imported.
        """
        imported = [m for m in self.items if m.permanent and m.imported]
        if not imported:
            return None, None
        dates = [m.valid_to for m in imported if m.valid_to is not None]
        return (EXPIRES, min(dates)) if dates else (DOES_NOT_EXPIRE, None)

    def add(self, state: MaterialState, secret: bytes, material_id: str) -> KeyMaterial:
        """Append a material."""
        seq = self.items[-1].seq + 1 if self.items else 0
        material = KeyMaterial(id=material_id, seq=seq, state=state, secret=secret)
        self.items.append(material)
        return material


def generated_materials(size: int = MATERIAL_BYTES) -> KeyMaterials:
    """The materials of a new key whose material KMS generates: one of ``size`` bytes, CURRENT."""
    materials = KeyMaterials()
    materials.add(MaterialState.CURRENT, random_bytes(size), random_bytes(32).hex())
    return materials


def unimported_copy(material: KeyMaterial) -> KeyMaterial:
    """The same material as another key lists it before it is imported into that key.

    Related multi-Region keys share which materials they have and their
    rotation history; the secret, its expiry and its description belong to
    each key's own import.
    """
    return KeyMaterial(
        id=material.id,
        seq=material.seq,
        state=material.state,
        rotation_date=material.rotation_date,
        rotation_type=material.rotation_type,
    )


def imported_material_id(key_id: str, secret: bytes) -> str:
    """The id KMS gives imported material: a hash of the key id and the material."""
    return hmac.new(secret, key_id.encode(), hashlib.sha256).hexdigest()


def rotate(materials: KeyMaterials, *, now: float, how: RotationType) -> KeyMaterial:
    """Make a new material current: a fresh one, or the one pending rotation if there is one.

    The caller checked that rotation is allowed. The current material stays,
    NON_CURRENT, to decrypt what it sealed.
    """
    pending = materials.pending_rotation()
    if pending is None:
        pending = materials.add(
            MaterialState.PENDING_ROTATION, random_bytes(MATERIAL_BYTES), random_bytes(32).hex()
        )
    current = materials.current()
    if current is not None:
        current.state = MaterialState.NON_CURRENT
    pending.state = MaterialState.CURRENT
    pending.rotation_date = now
    pending.rotation_type = how
    if how is RotationType.ON_DEMAND:
        materials.on_demand_rotations += 1
    return pending


def import_type_of(materials: KeyMaterials, import_type: str | None) -> str:
    """The ImportType of a request: as given, or by default NEW_KEY_MATERIAL before the
    key's first material and EXISTING_KEY_MATERIAL after it."""
    if import_type is not None:
        return import_type
    return NEW_KEY_MATERIAL if not materials.items else EXISTING_KEY_MATERIAL


def import_material(
    materials: KeyMaterials,
    *,
    key_id: str,
    secret: bytes,
    import_type: str | None,
    material_id: str | None,
    description: str | None,
    valid_to: float | None,
) -> KeyMaterial:
    """Import ``secret`` as ImportKeyMaterial does, or raise the error AWS answers.

    ``secret`` fits the key's spec already
    (:func:`kmsmock.domain.imported_material.read_material`). ``import_type``
    defaults to NEW_KEY_MATERIAL before the first import and to
    EXISTING_KEY_MATERIAL after it. New material becomes CURRENT if it is
    the key's first, and PENDING_ROTATION otherwise (one at a time); existing
    material must be one the key already has, as ``material_id`` (if given)
    names it. A reimport replaces the material's expiry, and its description
    if one is given.
    """
    computed = imported_material_id(key_id, secret)
    if import_type_of(materials, import_type) == NEW_KEY_MATERIAL:
        if material_id is not None:
            raise AwsError(
                "ValidationException",
                "You cannot specify a KeyMaterialId with ImportType NEW_KEY_MATERIAL.",
            )
        if materials.find(computed) is not None:
            raise AwsError(
                "IncorrectKeyMaterialException",
                "KMS expected new key material, but this key material is already associated "
                "with the KMS key.",
            )
        pending = materials.pending_rotation()
        if pending is not None:
            raise AwsError(
                "KMSInvalidStateException",
                f"New key material (id: {computed}) cannot be imported into KMS key {key_id}, "
                f"because another key material (id: {pending.id}) is pending rotation.",
            )
        state = MaterialState.PENDING_ROTATION if materials.items else MaterialState.CURRENT
        material = materials.add(state, secret, computed)
    else:
        if material_id is not None and material_id != computed:
            raise AwsError(
                "IncorrectKeyMaterialException",
                f"The key material is not the key material {material_id}.",
            )
        found = materials.find(computed)
        if found is None:
            raise AwsError(
                "IncorrectKeyMaterialException",
                "The key material is not key material previously imported into this KMS key.",
            )
        material = found
        material.secret = secret
    material.valid_to = valid_to
    if description is not None:
        material.description = description
    return material


def delete_material(materials: KeyMaterials, material: KeyMaterial) -> None:
    """Delete imported material from KMS.

    Material associated with the key for good stays, not imported (the key
    is PendingImport until it is reimported); material pending rotation is
    dissociated, so that other material may be imported in its place.
    """
    if material.permanent:
        material.secret = None
        material.valid_to = None
    else:
        materials.items.remove(material)
