"""Multi-Region keys: CreateKey MultiRegion, ReplicateKey, UpdatePrimaryRegion, and their rules.

Related keys share key id and key material, so what one Region seals, signs
or MACs the other opens or verifies; rotation happens on the primary and
applies to its replicas; a primary with replicas waits in
PendingReplicaDeletion until they are deleted.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from kms_helpers import connected_cloudhsm, error_code, error_of
from material_helpers import DAY, blob_material_id, import_material
from multi_region_helpers import EAST, WEST

pytestmark = pytest.mark.usefixtures("frozen_now")


def primary(kms: Any, **params: Any) -> str:
    return str(kms.create_key(MultiRegion=True, **params)["KeyMetadata"]["KeyId"])


def replicated(kms: Any, **params: Any) -> str:
    """A multi-Region primary key in us-east-1 with a replica in us-west-2; its id."""
    key_id = primary(kms, **params)
    kms.replicate_key(KeyId=key_id, ReplicaRegion=WEST)
    return key_id


def config(kms: Any, key_id: str) -> dict[str, Any]:
    return dict(kms.describe_key(KeyId=key_id)["KeyMetadata"]["MultiRegionConfiguration"])


def arn(region: str, key_id: str) -> str:
    return f"arn:aws:kms:{region}:123456789012:key/{key_id}"


def test_a_multi_region_key_has_an_mrk_id_and_is_its_own_primary(kms: Any) -> None:
    metadata = kms.create_key(MultiRegion=True, Description="d")["KeyMetadata"]
    assert re.fullmatch(r"mrk-[0-9a-f]{32}", metadata["KeyId"])
    assert metadata["MultiRegion"] is True
    assert metadata["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "PRIMARY",
        "PrimaryKey": {"Arn": metadata["Arn"], "Region": EAST},
        "ReplicaKeys": [],
    }
    single = kms.create_key(MultiRegion=False)["KeyMetadata"]
    assert single["MultiRegion"] is False and "MultiRegionConfiguration" not in single


def test_a_replica_has_the_same_id_and_both_keys_show_the_set(kms: Any, west: Any) -> None:
    key_id = primary(kms)
    answer = kms.replicate_key(
        KeyId=key_id,
        ReplicaRegion=WEST,
        Description="west",
        Tags=[{"TagKey": "a", "TagValue": "b"}],
    )
    replica = answer["ReplicaKeyMetadata"]
    assert (replica["KeyId"], replica["Arn"]) == (key_id, arn(WEST, key_id))
    assert (replica["KeyState"], replica["Description"]) == ("Enabled", "west")
    assert answer["ReplicaTags"] == [{"TagKey": "a", "TagValue": "b"}]
    assert '"kms:*"' in answer["ReplicaPolicy"]  # the default key policy
    expected = {
        "PrimaryKey": {"Arn": arn(EAST, key_id), "Region": EAST},
        "ReplicaKeys": [{"Arn": arn(WEST, key_id), "Region": WEST}],
    }
    assert config(kms, key_id) == {"MultiRegionKeyType": "PRIMARY", **expected}
    assert config(west, key_id) == {"MultiRegionKeyType": "REPLICA", **expected}
    assert replica["MultiRegionConfiguration"] == config(west, key_id)
    assert west.list_keys()["Keys"] == [{"KeyId": key_id, "KeyArn": arn(WEST, key_id)}]


def test_ciphertext_from_one_region_decrypts_in_the_other(kms: Any, west: Any) -> None:
    key_id = replicated(kms)
    east_blob = kms.encrypt(KeyId=key_id, Plaintext=b"east", EncryptionContext={"c": "1"})
    answer = west.decrypt(CiphertextBlob=east_blob["CiphertextBlob"], EncryptionContext={"c": "1"})
    assert (answer["Plaintext"], answer["KeyId"]) == (b"east", arn(WEST, key_id))
    west_blob = west.encrypt(KeyId=key_id, Plaintext=b"west")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=west_blob, KeyId=key_id)["Plaintext"] == b"west"
    # A single-Region key's ciphertext still opens only in its own Region.
    single = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=single, Plaintext=b"x")["CiphertextBlob"]
    assert error_code(west.decrypt, CiphertextBlob=blob) == "InvalidCiphertextException"


def test_signatures_macs_and_rsa_ciphertexts_work_across_regions(kms: Any, west: Any) -> None:
    signer = primary(kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    kms.replicate_key(KeyId=signer, ReplicaRegion=WEST)
    signature = kms.sign(KeyId=signer, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    verified = west.verify(
        KeyId=signer, Message=b"m", Signature=signature, SigningAlgorithm="ECDSA_SHA_256"
    )
    assert verified["SignatureValid"] is True
    assert (
        kms.get_public_key(KeyId=signer)["PublicKey"]
        == west.get_public_key(KeyId=signer)["PublicKey"]
    )
    mac_key = primary(kms, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    kms.replicate_key(KeyId=mac_key, ReplicaRegion=WEST)
    mac = west.generate_mac(KeyId=mac_key, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert kms.verify_mac(KeyId=mac_key, Message=b"m", Mac=mac, MacAlgorithm="HMAC_SHA_256")[
        "MacValid"
    ]
    rsa = primary(kms, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    kms.replicate_key(KeyId=rsa, ReplicaRegion=WEST)
    blob = west.encrypt(KeyId=rsa, Plaintext=b"r", EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    opened = kms.decrypt(
        KeyId=rsa, CiphertextBlob=blob["CiphertextBlob"], EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    )
    assert opened["Plaintext"] == b"r"


def test_rotation_happens_on_the_primary_and_applies_to_replicas(
    kms: Any, west: Any, kms_keystores: Any
) -> None:
    key_id = replicated(kms)
    old = west.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
    for call in (west.rotate_key_on_demand, west.enable_key_rotation, west.disable_key_rotation):
        code, message = error_of(call, KeyId=key_id)
        assert code == "UnsupportedOperationException"
        assert "replica" in message and arn(EAST, key_id) in message
    kms.rotate_key_on_demand(KeyId=key_id)
    current = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert west.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] == current
    assert blob_material_id(west.encrypt(KeyId=key_id, Plaintext=b"new")["CiphertextBlob"]) == (
        current
    )
    assert kms.decrypt(CiphertextBlob=old)["Plaintext"] == b"old"
    assert [r["KeyMaterialId"] for r in west.list_key_rotations(KeyId=key_id)["Rotations"]] == [
        current
    ]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = west.get_key_rotation_status(KeyId=key_id)
    assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (True, 90)
    kms_keystores.advance(90 * DAY + 1)
    rotated = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert rotated != current
    assert west.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] == rotated


def test_update_primary_region_swaps_the_roles(kms: Any, west: Any, make_client: Any) -> None:
    key_id = replicated(kms)
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=100)
    assert kms.update_primary_region(KeyId=key_id, PrimaryRegion=WEST)["ResponseMetadata"]
    expected = {
        "PrimaryKey": {"Arn": arn(WEST, key_id), "Region": WEST},
        "ReplicaKeys": [{"Arn": arn(EAST, key_id), "Region": EAST}],
    }
    assert config(west, key_id) == {"MultiRegionKeyType": "PRIMARY", **expected}
    assert config(kms, key_id) == {"MultiRegionKeyType": "REPLICA", **expected}
    # Automatic rotation, a shared property, is now the new primary's.
    assert kms.get_key_rotation_status(KeyId=key_id)["RotationPeriodInDays"] == 100
    west.disable_key_rotation(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    # Only the primary replicates, and is the one UpdatePrimaryRegion names.
    code, _ = error_of(kms.replicate_key, KeyId=key_id, ReplicaRegion="eu-west-1")
    assert code == "UnsupportedOperationException"
    west.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    eu = make_client(region="eu-west-1")
    assert config(eu, key_id)["ReplicaKeys"] == [
        {"Arn": arn(EAST, key_id), "Region": EAST},
        {"Arn": arn("eu-west-1", key_id), "Region": "eu-west-1"},
    ]
    code, _ = error_of(kms.update_primary_region, KeyId=key_id, PrimaryRegion="eu-west-1")
    assert code == "UnsupportedOperationException"


@pytest.mark.parametrize(
    ("region", "code"),
    [
        (EAST, "UnsupportedOperationException"),  # its own Region
        (WEST, "AlreadyExistsException"),  # already replicated there
        ("xx-nowhere-1", "UnsupportedOperationException"),  # no such Region
        ("cn-north-1", "UnsupportedOperationException"),  # another partition
    ],
)
def test_replicate_key_refuses_a_region_it_cannot_use(
    kms: Any, west: Any, region: str, code: str
) -> None:
    key_id = replicated(kms)
    before = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert error_code(kms.replicate_key, KeyId=key_id, ReplicaRegion=region) == code
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"] == before


def test_replicate_key_refuses_keys_that_are_not_primary_keys(kms: Any, west: Any) -> None:
    single = kms.create_key()["KeyMetadata"]["KeyId"]
    code, message = error_of(kms.replicate_key, KeyId=single, ReplicaRegion=WEST)
    assert (code, message) == (
        "UnsupportedOperationException",
        f"arn:aws:kms:{EAST}:123456789012:key/{single} is not a multi-region primary key.",
    )
    assert west.list_keys()["Keys"] == []
    key_id = replicated(kms)
    code, message = error_of(west.replicate_key, KeyId=key_id, ReplicaRegion="eu-west-1")
    assert (code, message) == (  # AWS's recorded answer for a replica
        "UnsupportedOperationException",
        f"arn:aws:kms:{WEST}:123456789012:key/{key_id} is not a multi-region primary key.",
    )
    assert error_code(kms.replicate_key, KeyId="mrk-" + "0" * 32, ReplicaRegion=WEST) == (
        "NotFoundException"
    )
    code = error_code(kms.update_primary_region, KeyId=single, PrimaryRegion=WEST)
    assert code == "UnsupportedOperationException"
    code = error_code(kms.update_primary_region, KeyId=key_id, PrimaryRegion="eu-west-1")
    assert code == "NotFoundException"  # no replica there
    assert config(kms, key_id)["MultiRegionKeyType"] == "PRIMARY"


def test_multi_region_keys_are_refused_in_custom_key_stores(kms: Any) -> None:
    store_id = connected_cloudhsm(kms)
    code = error_code(
        kms.create_key, CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM", MultiRegion=True
    )
    assert code == "UnsupportedOperationException"


def test_a_primary_with_replicas_waits_in_pending_replica_deletion(
    kms: Any, west: Any, kms_keystores: Any, frozen_now: float
) -> None:
    key_id = replicated(kms)
    answer = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert answer["KeyState"] == "PendingReplicaDeletion" and "DeletionDate" not in answer
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["PendingDeletionWindowInDays"]) == (
        "PendingReplicaDeletion",
        7,
    )
    assert "DeletionDate" not in metadata and metadata["Enabled"] is False
    code, message = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")
    assert (code, message) == (
        "KMSInvalidStateException",
        f"{arn(EAST, key_id)} is pending replica deletion.",
    )
    assert error_code(kms.replicate_key, KeyId=key_id, ReplicaRegion="eu-west-1") == code
    assert west.encrypt(KeyId=key_id, Plaintext=b"x")  # the replica works on
    kms_keystores.advance(60 * DAY)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingReplicaDeletion"
    replica_deleted = west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=10)
    kms_keystores.advance(10 * DAY + 1)
    assert west.list_keys()["Keys"] == []
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["KeyState"] == "PendingDeletion"
    assert metadata["DeletionDate"] == replica_deleted["DeletionDate"] + timedelta(days=7)
    assert metadata["MultiRegionConfiguration"]["ReplicaKeys"] == []
    kms_keystores.advance(7 * DAY)
    assert error_code(kms.describe_key, KeyId=key_id) == "NotFoundException"


def test_a_pending_replica_deletion_can_be_cancelled(kms: Any, west: Any) -> None:
    key_id = replicated(kms)
    kms.schedule_key_deletion(KeyId=key_id)
    assert error_code(kms.schedule_key_deletion, KeyId=key_id) == "KMSInvalidStateException"
    assert kms.cancel_key_deletion(KeyId=key_id)["KeyId"] == arn(EAST, key_id)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["KeyState"] == "Disabled" and "PendingDeletionWindowInDays" not in metadata


def test_a_replica_can_be_made_again_after_it_is_deleted(
    kms: Any, west: Any, kms_keystores: Any
) -> None:
    key_id = replicated(kms)
    blob = west.encrypt(KeyId=key_id, Plaintext=b"kept")["CiphertextBlob"]
    west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert error_code(kms.replicate_key, KeyId=key_id, ReplicaRegion=WEST) == (
        "AlreadyExistsException"
    )
    kms_keystores.advance(7 * DAY + 1)
    assert config(kms, key_id)["ReplicaKeys"] == []
    # the replica's ciphertext still decrypts with its primary
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
    kms.replicate_key(KeyId=key_id, ReplicaRegion=WEST)
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"


def test_a_replica_of_imported_material_needs_the_same_material(kms: Any, west: Any) -> None:
    material = bytes(range(32))
    key_id = primary(kms, Origin="EXTERNAL")
    import_material(kms, key_id, material)
    replica = kms.replicate_key(KeyId=key_id, ReplicaRegion=WEST)["ReplicaKeyMetadata"]
    assert (replica["KeyState"], replica["Origin"]) == ("PendingImport", "EXTERNAL")
    with pytest.raises(west.exceptions.IncorrectKeyMaterialException):
        import_material(west, key_id, bytes(32))
    assert west.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
    import_material(west, key_id, material)
    assert west.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"imported")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"
    # The rotation rules of imported multi-Region keys: tests/test_multi_region_imported_material.py
    code, message = error_of(kms.rotate_key_on_demand, KeyId=key_id)
    assert (
        code == "KMSInvalidStateException"
        and "No available key material pending rotation" in message
    )
