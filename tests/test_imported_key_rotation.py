"""Several imported key materials in one key: ImportType, KeyMaterialId, on-demand rotation.

As the ImportKeyMaterial reference and the Developer Guide describe it for
symmetric encryption keys: the first material imported is associated with the
key for good; NEW_KEY_MATERIAL adds one that waits in PENDING_ROTATION until
RotateKeyOnDemand makes it current; each material's ciphertexts decrypt with
it (checked here with the material itself); and the key is usable only while
every material associated with it for good is imported.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from kms_helpers import error_code
from material_helpers import (
    blob_material_id,
    external_key,
    frozen_wall_time,
    import_material,
    open_locally,
)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[float]:
    with frozen_wall_time() as now:
        yield now


def state(kms: Any, key_id: str) -> str:
    return str(kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"])


def materials(kms: Any, key_id: str) -> list[dict[str, Any]]:
    answer = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    return list(answer["Rotations"])


def test_new_material_waits_for_an_on_demand_rotation(kms: Any, kms_keystores: Any) -> None:
    first, second = os.urandom(32), os.urandom(32)
    key_id = external_key(kms, first)
    old = kms.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
    added = import_material(
        kms, key_id, second, ImportType="NEW_KEY_MATERIAL", KeyMaterialDescription="2026 material"
    )
    listed = materials(kms, key_id)
    assert [(m["KeyMaterialState"], m["ImportState"]) for m in listed] == [
        ("CURRENT", "IMPORTED"),
        ("PENDING_ROTATION", "IMPORTED"),
    ]
    assert listed[1]["KeyMaterialId"] == added["KeyMaterialId"]
    assert listed[1]["KeyMaterialDescription"] == "2026 material"
    assert "RotationDate" not in listed[1]
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []  # nothing rotated yet
    # Until the rotation, KMS still encrypts with the first material.
    still_first = kms.encrypt(KeyId=key_id, Plaintext=b"a")["CiphertextBlob"]
    assert open_locally(still_first, first) == b"a"
    kms.rotate_key_on_demand(KeyId=key_id)
    [rotation] = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert (rotation["KeyMaterialId"], rotation["RotationType"]) == (
        added["KeyMaterialId"],
        "ON_DEMAND",
    )
    assert rotation["RotationDate"].timestamp() == kms_keystores.now()
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["CurrentKeyMaterialId"] == added["KeyMaterialId"]
    new = kms.encrypt(KeyId=key_id, Plaintext=b"new")["CiphertextBlob"]
    assert open_locally(new, second) == b"new"
    assert blob_material_id(new) == added["KeyMaterialId"]
    opened = kms.decrypt(CiphertextBlob=old)
    assert opened["Plaintext"] == b"old"
    assert opened["KeyMaterialId"] == blob_material_id(old) != added["KeyMaterialId"]


def test_the_import_type_decides_what_a_material_may_be(kms: Any) -> None:
    first, second = os.urandom(32), os.urandom(32)
    key_id = external_key(kms, first)
    first_id = materials(kms, key_id)[0]["KeyMaterialId"]

    def refused(material: bytes, **options: Any) -> str:
        return error_code(lambda: import_material(kms, key_id, material, **options))

    # After the first import, the default is EXISTING_KEY_MATERIAL.
    assert refused(second) == "IncorrectKeyMaterialException"
    assert refused(first, ImportType="NEW_KEY_MATERIAL") == "IncorrectKeyMaterialException"
    assert refused(second, KeyMaterialId=first_id) == "IncorrectKeyMaterialException"
    assert (
        refused(second, ImportType="NEW_KEY_MATERIAL", KeyMaterialId=first_id)
        == "ValidationException"
    )
    assert import_material(kms, key_id, first, KeyMaterialId=first_id)["KeyMaterialId"] == first_id
    import_material(kms, key_id, second, ImportType="NEW_KEY_MATERIAL")
    third = os.urandom(32)
    assert refused(third, ImportType="NEW_KEY_MATERIAL") == "KMSInvalidStateException"
    assert len(materials(kms, key_id)) == 2  # the refusals added nothing


def test_material_pending_rotation_can_be_deleted_and_replaced(kms: Any) -> None:
    first, second, third = os.urandom(32), os.urandom(32), os.urandom(32)
    key_id = external_key(kms, first)
    pending = import_material(kms, key_id, second, ImportType="NEW_KEY_MATERIAL")
    kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=pending["KeyMaterialId"])
    assert state(kms, key_id) == "Enabled"  # it was not associated with the key for good
    assert len(materials(kms, key_id)) == 1
    replacement = import_material(kms, key_id, third, ImportType="NEW_KEY_MATERIAL")
    kms.rotate_key_on_demand(KeyId=key_id)
    sealed = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    assert open_locally(sealed, third) == b"x"
    assert materials(kms, key_id)[-1]["KeyMaterialId"] == replacement["KeyMaterialId"]


def test_every_permanent_material_must_be_imported_for_the_key_to_work(kms: Any) -> None:
    first, second = os.urandom(32), os.urandom(32)
    key_id = external_key(kms, first)
    old = kms.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
    import_material(kms, key_id, second, ImportType="NEW_KEY_MATERIAL")
    kms.rotate_key_on_demand(KeyId=key_id)
    first_id = blob_material_id(old)
    kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=first_id)
    assert state(kms, key_id) == "PendingImport"
    listed = materials(kms, key_id)
    assert [(m["KeyMaterialState"], m["ImportState"]) for m in listed] == [
        ("NON_CURRENT", "PENDING_IMPORT"),
        ("CURRENT", "IMPORTED"),
    ]
    assert "ExpirationModel" not in listed[0]
    assert error_code(kms.encrypt, KeyId=key_id, Plaintext=b"x") == "KMSInvalidStateException"
    assert error_code(kms.rotate_key_on_demand, KeyId=key_id) == "KMSInvalidStateException"
    import_material(kms, key_id, first, KeyMaterialId=first_id)
    assert state(kms, key_id) == "Enabled"
    assert kms.decrypt(CiphertextBlob=old)["Plaintext"] == b"old"


def test_expiry_of_each_material_shows_in_the_list(kms: Any, kms_keystores: Any) -> None:
    first, second = os.urandom(32), os.urandom(32)
    key_id = external_key(kms)
    soon, later = kms_keystores.now() + 3600, kms_keystores.now() + 7200
    import_material(kms, key_id, first, ValidTo=later)
    import_material(kms, key_id, second, ImportType="NEW_KEY_MATERIAL", ValidTo=soon)
    kms.rotate_key_on_demand(KeyId=key_id)
    listed = materials(kms, key_id)
    assert [m["ExpirationModel"] for m in listed] == ["KEY_MATERIAL_EXPIRES"] * 2
    assert [m["ValidTo"].timestamp() for m in listed] == [later, soon]
    # The key's ValidTo is the earliest expiry of its materials.
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["ValidTo"].timestamp() == soon
    kms_keystores.advance(3600)
    assert state(kms, key_id) == "PendingImport"
    assert [m["ImportState"] for m in materials(kms, key_id)] == ["IMPORTED", "PENDING_IMPORT"]


def test_an_imported_key_needs_pending_material_to_rotate(kms: Any) -> None:
    key_id = external_key(kms, os.urandom(32))
    assert error_code(kms.rotate_key_on_demand, KeyId=key_id) == "KMSInvalidStateException"
    assert error_code(kms.rotate_key_on_demand, KeyId=external_key(kms)) == (
        "KMSInvalidStateException"  # PendingImport
    )


def test_an_imported_key_has_no_automatic_rotation(kms: Any) -> None:
    key_id = external_key(kms, os.urandom(32))
    for call in (kms.enable_key_rotation, kms.disable_key_rotation, kms.get_key_rotation_status):
        assert error_code(call, KeyId=key_id) == "UnsupportedOperationException"
    pending = external_key(kms)
    assert error_code(kms.enable_key_rotation, KeyId=pending) == "UnsupportedOperationException"
