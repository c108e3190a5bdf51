"""Key rotation of keys whose material KMS generates: on demand, and automatic on the mock clock.

Old ciphertexts still decrypt after a rotation, with the material that sealed
them; new ones use the new material; KeyMaterialId and CurrentKeyMaterialId
follow. Dates are checked exactly: wall time is frozen, and only
``kms_keystores.advance`` moves the mock clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kms_helpers import connected_cloudhsm, error_code, error_of
from material_helpers import DAY, blob_material_id, frozen_wall_time


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[float]:
    with frozen_wall_time() as now:
        yield now


def current_material(kms: Any, key_id: str) -> str:
    return str(kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"])


def rotations(kms: Any, key_id: str, **options: Any) -> list[dict[str, Any]]:
    return list(kms.list_key_rotations(KeyId=key_id, **options)["Rotations"])


def test_an_on_demand_rotation_makes_new_material_current(kms: Any, kms_keystores: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    key_id = key["KeyId"]
    first = current_material(kms, key_id)
    old_blob = kms.encrypt(KeyId=key_id, Plaintext=b"old")["CiphertextBlob"]
    assert blob_material_id(old_blob) == first
    assert rotations(kms, key_id) == []
    assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == key["Arn"]
    second = current_material(kms, key_id)
    assert second != first
    new = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert new["KeyMaterialId"] == second == blob_material_id(new["CiphertextBlob"])
    opened = kms.decrypt(CiphertextBlob=old_blob)
    assert (opened["Plaintext"], opened["KeyMaterialId"]) == (b"old", first)
    assert kms.decrypt(CiphertextBlob=new["CiphertextBlob"])["Plaintext"] == new["Plaintext"]
    [entry] = rotations(kms, key_id)
    assert entry == {
        "KeyId": key_id,
        "KeyMaterialId": second,
        "KeyMaterialState": "CURRENT",
        "RotationDate": entry["RotationDate"],
        "RotationType": "ON_DEMAND",
    }
    assert entry["RotationDate"].timestamp() == kms_keystores.now()
    everything = rotations(kms, key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert [(e["KeyMaterialId"], e["KeyMaterialState"]) for e in everything] == [
        (first, "NON_CURRENT"),
        (second, "CURRENT"),
    ]
    assert "RotationDate" not in everything[0]  # the first material was never rotated to


def test_reencrypt_reports_the_source_and_destination_materials(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"data")["CiphertextBlob"]
    first = current_material(kms, key_id)
    kms.rotate_key_on_demand(KeyId=key_id)
    answer = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key_id)
    second = current_material(kms, key_id)
    assert (answer["SourceKeyMaterialId"], answer["DestinationKeyMaterialId"]) == (first, second)
    assert blob_material_id(answer["CiphertextBlob"]) == second


def test_on_demand_rotation_is_limited_to_25_per_key(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"first")["CiphertextBlob"]
    for _ in range(25):
        kms.rotate_key_on_demand(KeyId=key_id)
    before = current_material(kms, key_id)
    assert error_code(kms.rotate_key_on_demand, KeyId=key_id) == "LimitExceededException"
    assert current_material(kms, key_id) == before
    assert len(rotations(kms, key_id)) == 25
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"first"


def test_rotations_are_listed_in_pages(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(5):
        kms.rotate_key_on_demand(KeyId=key_id)
    seen: list[str] = []
    page = kms.list_key_rotations(KeyId=key_id, Limit=2)
    while True:
        seen += [entry["KeyMaterialId"] for entry in page["Rotations"]]
        if not page["Truncated"]:
            break
        page = kms.list_key_rotations(KeyId=key_id, Limit=2, Marker=page["NextMarker"])
    assert seen == [e["KeyMaterialId"] for e in rotations(kms, key_id)]
    assert len(seen) == 5 and seen[-1] == current_material(kms, key_id)
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    first = kms.list_key_rotations(KeyId=key_id, Limit=1)["NextMarker"]
    assert error_code(kms.list_key_rotations, KeyId=other, Marker=first) == "InvalidMarkerException"


def test_automatic_rotation_happens_on_the_mock_clock(kms: Any, kms_keystores: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"year one")["CiphertextBlob"]
    enabled_at = kms_keystores.now()
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["NextRotationDate"].timestamp() == enabled_at + 90 * DAY
    kms_keystores.advance(90 * DAY - 1)
    assert rotations(kms, key_id) == []
    kms_keystores.advance(1 + 2 * 90 * DAY)  # three rotations due by now
    entries = rotations(kms, key_id)
    assert [e["RotationType"] for e in entries] == ["AUTOMATIC"] * 3
    assert [e["RotationDate"].timestamp() for e in entries] == [
        enabled_at + n * 90 * DAY for n in (1, 2, 3)
    ]
    assert entries[-1]["KeyMaterialId"] == current_material(kms, key_id)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["NextRotationDate"].timestamp() == enabled_at + 4 * 90 * DAY
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"year one"


def test_on_demand_rotation_leaves_the_schedule_alone(kms: Any, kms_keystores: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=100)
    due = kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"]
    kms_keystores.advance(10 * DAY)
    kms.rotate_key_on_demand(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"] == due


def test_on_demand_rotation_conflicts_with_an_automatic_one_due_within_20_minutes(
    kms: Any, kms_keystores: Any
) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms_keystores.advance(90 * DAY - 20 * 60 + 1)
    assert error_code(kms.rotate_key_on_demand, KeyId=key_id) == "ConflictException"
    kms_keystores.advance(20 * 60)  # the automatic rotation happened
    kms.rotate_key_on_demand(KeyId=key_id)
    assert [e["RotationType"] for e in rotations(kms, key_id)] == ["AUTOMATIC", "ON_DEMAND"]


def test_a_disabled_key_misses_its_rotation_until_it_is_enabled(
    kms: Any, kms_keystores: Any
) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.disable_key(KeyId=key_id)
    kms_keystores.advance(200 * DAY)
    assert rotations(kms, key_id) == []
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    kms.enable_key(KeyId=key_id)  # "KMS rotates it immediately, and every year thereafter"
    [entry] = rotations(kms, key_id)
    assert entry["RotationDate"].timestamp() == kms_keystores.now()
    next_date = kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"]
    assert next_date.timestamp() == kms_keystores.now() + 90 * DAY


def test_a_key_pending_deletion_neither_rotates_nor_reports_rotation(
    kms: Any, kms_keystores: Any
) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms_keystores.advance(85 * DAY)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=30)
    status = kms.get_key_rotation_status(KeyId=key_id)
    status.pop("ResponseMetadata")
    assert status == {"KeyRotationEnabled": False, "KeyId": status["KeyId"]}
    kms_keystores.advance(10 * DAY)
    assert rotations(kms, key_id) == []
    kms.cancel_key_deletion(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True


def test_enabling_rotation_again_after_disabling_counts_from_then(
    kms: Any, kms_keystores: Any
) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms_keystores.advance(60 * DAY)
    kms.disable_key_rotation(KeyId=key_id)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is False and "NextRotationDate" not in status
    kms_keystores.advance(60 * DAY)
    assert rotations(kms, key_id) == []
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["NextRotationDate"].timestamp() == kms_keystores.now() + 90 * DAY


def test_a_new_period_counts_from_the_last_automatic_rotation(kms: Any, kms_keystores: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    enabled_at = kms_keystores.now()
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=365)
    kms_keystores.advance(30 * DAY)
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=180)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["RotationPeriodInDays"] == 180
    assert status["NextRotationDate"].timestamp() == enabled_at + 180 * DAY


def test_rotation_follows_the_key_state_table(kms: Any) -> None:
    disabled = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    code, message = error_of(kms.rotate_key_on_demand, KeyId=disabled)
    assert code == "DisabledException" and message.endswith("is disabled.")
    pending = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=pending, PendingWindowInDays=7)
    assert error_code(kms.rotate_key_on_demand, KeyId=pending) == "KMSInvalidStateException"
    assert len(rotations(kms, pending, IncludeKeyMaterial="ALL_KEY_MATERIAL")) == 1


def test_keys_in_a_custom_key_store_do_not_rotate(kms: Any) -> None:
    store_id = connected_cloudhsm(kms)
    key_id = kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")["KeyMetadata"][
        "KeyId"
    ]
    for call in (kms.rotate_key_on_demand, kms.list_key_rotations, kms.enable_key_rotation):
        code, message = error_of(call, KeyId=key_id)
        assert code == "UnsupportedOperationException" and "AWS_CLOUDHSM" in message
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    code, _ = error_of(kms.rotate_key_on_demand, KeyId=key_id)  # Unavailable, and still no
    assert code == "UnsupportedOperationException"


def test_rotation_operations_take_no_alias_and_no_other_accounts_key(
    kms: Any, make_client: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/rotating", TargetKeyId=key["KeyId"])
    for call in (kms.rotate_key_on_demand, kms.list_key_rotations):
        assert error_code(call, KeyId="alias/rotating") == "InvalidArnException"
        other = make_client(account="111122223333")
        method = getattr(other, call.__name__)
        assert error_code(method, KeyId=key["Arn"]) == "NotFoundException"
