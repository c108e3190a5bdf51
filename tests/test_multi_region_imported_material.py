"""Multi-Region keys with imported key material: new material, rotation and deletion.

As the reference text of ImportKeyMaterial, RotateKeyOnDemand,
DeleteImportedKeyMaterial and ReplicateKey says: new key material goes into
the primary key, then the same material into each replica; the primary
rotates on demand only once every replica has it, and then every related key
uses it; deleting the primary's material pending rotation deletes it from
the replicas, and deleting a replica's material changes no other key.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from kms_helpers import error_code, error_of
from material_helpers import blob_material_id, import_material, open_locally
from multi_region_helpers import EAST, WEST

EU = "eu-west-1"
PENDING_MULTI_REGION = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"


pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def eu(make_client: Any) -> Any:
    return make_client(region=EU)


def arn(region: str, key_id: str) -> str:
    return f"arn:aws:kms:{region}:123456789012:key/{key_id}"


def external_primary(kms: Any, *regions: str, material: bytes | None = None) -> str:
    """An EXTERNAL multi-Region primary in us-east-1, with ``material`` imported into it
    first if given, replicated into ``regions``; its id."""
    key_id = str(kms.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]["KeyId"])
    if material is not None:
        import_material(kms, key_id, material)
    for region in regions:
        kms.replicate_key(KeyId=key_id, ReplicaRegion=region)
    return key_id


def listed(kms: Any, key_id: str) -> list[tuple[str, str, str]]:
    """Each material's id, KeyMaterialState and ImportState."""
    answer = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    return [
        (m["KeyMaterialId"], m["KeyMaterialState"], m["ImportState"]) for m in answer["Rotations"]
    ]


def metadata(kms: Any, key_id: str) -> dict[str, Any]:
    return dict(kms.describe_key(KeyId=key_id)["KeyMetadata"])


def new(kms: Any, key_id: str, material: bytes, **options: Any) -> str:
    """Import ``material`` as new key material; its id."""
    answer = import_material(kms, key_id, material, ImportType="NEW_KEY_MATERIAL", **options)
    return str(answer["KeyMaterialId"])


def test_new_material_cannot_be_imported_into_a_replica(kms: Any, west: Any) -> None:
    first = os.urandom(32)
    key_id = external_primary(kms, WEST, material=first)
    import_material(west, key_id, first)
    before = (listed(kms, key_id), listed(west, key_id))
    code, message = error_of(
        import_material,
        kms=west,
        key_id=key_id,
        material=os.urandom(32),
        ImportType="NEW_KEY_MATERIAL",
    )
    assert code == "UnsupportedOperationException"
    assert "replica" in message and arn(EAST, key_id) in message
    assert (listed(kms, key_id), listed(west, key_id)) == before  # a refusal changes nothing
    # Not even as the replica's first material: its default ImportType is new material too.
    bare = external_primary(kms, WEST)
    code = error_code(import_material, kms=west, key_id=bare, material=first)
    assert code == "UnsupportedOperationException"
    assert metadata(west, bare)["KeyState"] == "PendingImport" and listed(west, bare) == []


def test_a_replica_takes_only_material_its_primary_has(kms: Any, west: Any) -> None:
    first, second = os.urandom(32), os.urandom(32)
    key_id = external_primary(kms, WEST)  # replicated before the primary had material
    existing = {"ImportType": "EXISTING_KEY_MATERIAL"}
    code = error_code(import_material, kms=west, key_id=key_id, material=first, **existing)
    assert code == "IncorrectKeyMaterialException"
    first_id = new(kms, key_id, first)
    assert listed(west, key_id) == [(first_id, "CURRENT", "PENDING_IMPORT")]
    assert metadata(west, key_id)["KeyState"] == "PendingImport"
    with pytest.raises(west.exceptions.IncorrectKeyMaterialException):
        import_material(west, key_id, os.urandom(32))
    import_material(west, key_id, first)
    assert metadata(west, key_id)["KeyState"] == "Enabled"
    blob = west.encrypt(KeyId=key_id, Plaintext=b"west")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"west"
    # New material imported into the primary later: the replica takes it, and only it.
    second_id = new(kms, key_id, second)
    for client in (kms, west):
        assert listed(client, key_id)[1][:2] == (second_id, PENDING_MULTI_REGION)
    assert listed(west, key_id)[1][2] == "PENDING_IMPORT"
    with pytest.raises(west.exceptions.IncorrectKeyMaterialException):
        import_material(west, key_id, os.urandom(32), **existing)
    assert import_material(west, key_id, second, **existing)["KeyMaterialId"] == second_id
    for client in (kms, west):
        assert listed(client, key_id) == [
            (first_id, "CURRENT", "IMPORTED"),
            (second_id, "PENDING_ROTATION", "IMPORTED"),
        ]


def test_the_primary_rotates_once_every_replica_has_the_new_material(
    kms: Any, west: Any, eu: Any
) -> None:
    first, second = os.urandom(32), os.urandom(32)
    key_id = external_primary(kms, WEST, EU, material=first)
    clients = {EAST: kms, WEST: west, EU: eu}
    for client in (west, eu):
        import_material(client, key_id, first)
    old = {
        r: c.encrypt(KeyId=key_id, Plaintext=r.encode())["CiphertextBlob"]
        for r, c in clients.items()
    }
    second_id = new(kms, key_id, second)
    code, message = error_of(kms.rotate_key_on_demand, KeyId=key_id)
    assert code == "KMSInvalidStateException"
    assert WEST in message and EU in message and second_id in message
    import_material(west, key_id, second)
    code, message = error_of(kms.rotate_key_on_demand, KeyId=key_id)
    assert code == "KMSInvalidStateException" and EU in message and WEST not in message
    # A refused rotation changes nothing.
    current = {r: metadata(c, key_id)["CurrentKeyMaterialId"] for r, c in clients.items()}
    assert second_id not in current.values()
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
    # On a replica RotateKeyOnDemand is refused as before: rotation is the primary's.
    code, message = error_of(west.rotate_key_on_demand, KeyId=key_id)
    assert code == "UnsupportedOperationException" and arn(EAST, key_id) in message
    import_material(eu, key_id, second)
    assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"].endswith(f"key/{key_id}")
    for region, client in clients.items():
        assert metadata(client, key_id)["CurrentKeyMaterialId"] == second_id
        rotations = client.list_key_rotations(KeyId=key_id)["Rotations"]
        assert [(r["KeyMaterialId"], r["RotationType"]) for r in rotations] == [
            (second_id, "ON_DEMAND")
        ]
        blob = client.encrypt(KeyId=key_id, Plaintext=b"new " + region.encode())["CiphertextBlob"]
        assert blob_material_id(blob) == second_id
        assert open_locally(blob, second) == b"new " + region.encode()
        for other in clients.values():  # every Region opens every Region's blobs, old and new
            assert other.decrypt(CiphertextBlob=blob)["Plaintext"] == b"new " + region.encode()
            assert other.decrypt(CiphertextBlob=old[region])["Plaintext"] == region.encode()


def test_deleting_the_primarys_pending_material_deletes_it_from_the_replicas(
    kms: Any, west: Any
) -> None:
    first, second = os.urandom(32), os.urandom(32)
    key_id = external_primary(kms, WEST, material=first)
    import_material(west, key_id, first)
    second_id = new(kms, key_id, second)
    import_material(west, key_id, second)
    answer = kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=second_id)
    assert answer["KeyMaterialId"] == second_id
    first_listed = (metadata(kms, key_id)["CurrentKeyMaterialId"], "CURRENT", "IMPORTED")
    for client in (kms, west):
        assert listed(client, key_id) == [first_listed]
        assert metadata(client, key_id)["KeyState"] == "Enabled"
    with pytest.raises(west.exceptions.IncorrectKeyMaterialException):
        import_material(west, key_id, second)
    # Other material may now be imported in its place, and reaches the replica.
    third_id = new(kms, key_id, os.urandom(32))
    assert listed(west, key_id)[1] == (third_id, PENDING_MULTI_REGION, "PENDING_IMPORT")


def test_deleting_a_replicas_material_leaves_the_other_keys_unchanged(
    kms: Any, west: Any, eu: Any
) -> None:
    first, second = os.urandom(32), os.urandom(32)
    key_id = external_primary(kms, WEST, EU, material=first)
    for client in (west, eu):
        import_material(client, key_id, first)
    second_id = new(kms, key_id, second)
    for client in (west, eu):
        import_material(client, key_id, second)
    before = {EAST: listed(kms, key_id), EU: listed(eu, key_id)}
    west.delete_imported_key_material(KeyId=key_id, KeyMaterialId=second_id)
    # The replica still lists the primary's pending material, no longer imported into it.
    assert listed(west, key_id)[1] == (second_id, PENDING_MULTI_REGION, "PENDING_IMPORT")
    assert [m[2] for m in listed(kms, key_id)] == [m[2] for m in before[EAST]]
    assert [m[2] for m in listed(eu, key_id)] == [m[2] for m in before[EU]]
    code, message = error_of(kms.rotate_key_on_demand, KeyId=key_id)
    assert code == "KMSInvalidStateException" and WEST in message and EU not in message
    import_material(west, key_id, second)  # the same material can be imported again
    kms.rotate_key_on_demand(KeyId=key_id)
    # Deleting a replica's current material: only that replica waits for it.
    west.delete_imported_key_material(KeyId=key_id)
    assert metadata(west, key_id)["KeyState"] == "PendingImport"
    assert metadata(kms, key_id)["KeyState"] == metadata(eu, key_id)["KeyState"] == "Enabled"
    # And the primary's current material: the replicas keep theirs.
    kms.delete_imported_key_material(KeyId=key_id)
    assert metadata(kms, key_id)["KeyState"] == "PendingImport"
    blob = eu.encrypt(KeyId=key_id, Plaintext=b"eu")["CiphertextBlob"]
    assert eu.decrypt(CiphertextBlob=blob)["Plaintext"] == b"eu"


def test_expired_pending_material_of_the_primary_leaves_the_replicas(
    kms: Any, west: Any, kms_keystores: Any
) -> None:
    first, second = os.urandom(32), os.urandom(32)
    key_id = external_primary(kms, WEST, material=first)
    first_id = import_material(west, key_id, first)["KeyMaterialId"]
    new(kms, key_id, second, ValidTo=kms_keystores.now() + 3600)
    import_material(west, key_id, second)
    kms_keystores.advance(3601)
    for client in (kms, west):
        assert [m[0] for m in listed(client, key_id)] == [first_id]


def test_a_replica_of_an_hmac_key_takes_the_primarys_material_once_it_has_it(
    kms: Any, west: Any
) -> None:
    secret = os.urandom(48)
    key_id = str(
        kms.create_key(
            MultiRegion=True, Origin="EXTERNAL", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC"
        )["KeyMetadata"]["KeyId"]
    )
    kms.replicate_key(KeyId=key_id, ReplicaRegion=WEST)
    assert error_code(import_material, kms=west, key_id=key_id, material=secret) == (
        "UnsupportedOperationException"  # the primary has none yet: it would be new material
    )
    import_material(kms, key_id, secret)
    with pytest.raises(west.exceptions.IncorrectKeyMaterialException):
        import_material(west, key_id, os.urandom(48))
    import_material(west, key_id, secret)
    mac = kms.generate_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    verified = west.verify_mac(KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256", Mac=mac)
    assert verified["MacValid"] is True
