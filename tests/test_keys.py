"""KMS keys outside custom key stores: create, describe, list, enable, disable, describe."""

from __future__ import annotations

import re
from typing import Any

import pytest
from kms_helpers import error_code, error_of

import kmsmock

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_create_key_defaults_to_an_enabled_symmetric_encryption_key(kms: Any) -> None:
    metadata = kms.create_key()["KeyMetadata"]
    assert UUID.fullmatch(metadata["KeyId"])
    assert metadata["Arn"] == f"arn:aws:kms:us-east-1:123456789012:key/{metadata['KeyId']}"
    assert metadata["AWSAccountId"] == "123456789012"
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Enabled", True)
    assert (metadata["KeySpec"], metadata["KeyUsage"], metadata["Origin"]) == (
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        "AWS_KMS",
    )
    assert metadata["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert metadata["Description"] == ""
    assert metadata["MultiRegion"] is False
    assert "CustomKeyStoreId" not in metadata
    assert "DeletionDate" not in metadata


UUID_V4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def test_new_keys_have_distinct_version_4_uuids_and_material_ids(kms: Any) -> None:
    # Ids are drawn in batches of 64: 150 keys cross two batch boundaries.
    keys = [kms.create_key()["KeyMetadata"] for _ in range(150)]
    assert all(UUID_V4.fullmatch(key["KeyId"]) for key in keys), [k["KeyId"] for k in keys]
    assert all(re.fullmatch(r"[0-9a-f]{64}", key["CurrentKeyMaterialId"]) for key in keys)
    assert len({key["KeyId"] for key in keys}) == 150
    assert len({key["CurrentKeyMaterialId"] for key in keys}) == 150
    # The variant digit takes all four of its values: it is drawn, not fixed.
    assert {key["KeyId"][19] for key in keys} == set("89ab")


def test_describe_key_accepts_id_arn_alias_and_alias_arn(kms: Any) -> None:
    key = kms.create_key(Description="mine")["KeyMetadata"]
    kms.create_alias(AliasName="alias/mine", TargetKeyId=key["KeyId"])
    alias_arn = "arn:aws:kms:us-east-1:123456789012:alias/mine"
    for ref in (key["KeyId"], key["Arn"], "alias/mine", alias_arn):
        assert kms.describe_key(KeyId=ref)["KeyMetadata"]["KeyId"] == key["KeyId"]


def test_unknown_keys_are_not_found_in_aws_words(kms: Any) -> None:
    missing = "11111111-2222-3333-4444-555555555555"
    assert error_of(kms.describe_key, KeyId=missing) == (
        "NotFoundException",
        f"Key 'arn:aws:kms:us-east-1:123456789012:key/{missing}' does not exist",
    )
    assert error_of(kms.describe_key, KeyId="not-a-key-id") == (
        "NotFoundException",
        "Invalid keyId 'not-a-key-id'",
    )
    assert error_of(kms.describe_key, KeyId="alias/nothing") == (
        "NotFoundException",
        "Alias arn:aws:kms:us-east-1:123456789012:alias/nothing is not found.",
    )
    assert (
        error_code(kms.describe_key, KeyId=f"arn:aws:kms:eu-west-1:123456789012:key/{missing}")
        == "NotFoundException"
    )


def test_operations_that_take_only_key_ids_refuse_aliases(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/only-ids", TargetKeyId=key["KeyId"])
    # EnableKey's reference text: "Specify the key ID or key ARN of the KMS key."
    assert error_of(kms.enable_key, KeyId="alias/only-ids") == (
        "InvalidArnException",
        "Key Aliases are not supported for this operation.",
    )
    assert error_code(kms.create_alias, AliasName="alias/x", TargetKeyId="alias/only-ids") == (
        "NotFoundException"
    )


def test_keys_are_scoped_to_account_and_region(make_client: Any) -> None:
    home = make_client()
    key = home.create_key()["KeyMetadata"]
    assert error_code(make_client(region="eu-west-1").describe_key, KeyId=key["KeyId"]) == (
        "NotFoundException"
    )
    other = make_client(account="222233334444")
    assert error_code(other.describe_key, KeyId=key["KeyId"]) == "NotFoundException"
    # Cross-account use by key ARN where the reference says "Cross-account use: Yes".
    assert other.describe_key(KeyId=key["Arn"])["KeyMetadata"]["KeyId"] == key["KeyId"]
    # ...and not where it says "No".
    assert error_code(other.disable_key, KeyId=key["Arn"]) == "NotFoundException"


def test_list_keys_pages_through_every_key(kms: Any) -> None:
    created = [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(7)]
    first = kms.list_keys(Limit=3)
    assert first["Truncated"] is True
    assert [k["KeyId"] for k in first["Keys"]] == created[:3]
    assert all(k["KeyArn"].endswith(k["KeyId"]) for k in first["Keys"])
    paginator = kms.get_paginator("list_keys")
    listed = [
        k["KeyId"]
        for page in paginator.paginate(PaginationConfig={"PageSize": 2})
        for k in page["Keys"]
    ]
    assert listed == created
    assert error_code(kms.list_keys, Marker="forged") == "InvalidMarkerException"


def test_list_keys_lists_keys_whose_entry_is_not_written_yet(kms: Any, kms_keystores: Any) -> None:
    # A key made another way than CreateKey (kmsmock's own setup, through the
    # domain layer) is listed all the same.
    from kmsmock.domain.keys import new_key

    first = kms.create_key()["KeyMetadata"]
    kms_ = kms_keystores._simulation.kms
    with kms_.lock:
        scope = kms_.scope(kms_keystores.account_id, "us-east-1")
        made = new_key(
            account_id=scope.account_id, region=scope.region, seq=scope.next_seq(), now=0.0
        )
        scope.add_key(made)
    created = [first, kms.describe_key(KeyId=made.id)["KeyMetadata"]]
    created.append(kms.create_key()["KeyMetadata"])
    listed = kms.list_keys()["Keys"]
    assert listed == [{"KeyId": k["KeyId"], "KeyArn": k["Arn"]} for k in created]


def test_list_keys_follows_keys_created_and_deleted_between_calls(
    kms: Any, kms_keystores: Any
) -> None:
    # The same page asked for again answers from kept text, until the keys change.
    first, second = (kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(2))
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [first, second]
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [first, second]
    third = kms.create_key()["KeyMetadata"]["KeyId"]
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [first, second, third]
    kms.schedule_key_deletion(KeyId=second, PendingWindowInDays=7)
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [first, second, third]
    kms_keystores.advance(7 * 86400 + 1)
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [first, third]
    kms.schedule_key_deletion(KeyId=third, PendingWindowInDays=7)
    kms_keystores.advance(7 * 86400 + 1)
    fourth = kms.create_key()["KeyMetadata"]["KeyId"]  # as many keys as before, one new
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [first, fourth]
    assert [k["KeyId"] for k in kms.list_keys(Limit=1)["Keys"]] == [first]


def test_list_keys_defaults_to_pages_of_100(kms: Any) -> None:
    for _ in range(101):
        kms.create_key()
    page = kms.list_keys()
    assert (len(page["Keys"]), page["Truncated"]) == (100, True)


def test_enable_disable_and_describe(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key_id)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("Disabled", False)
    kms.disable_key(KeyId=key_id)  # idempotent
    kms.enable_key(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    kms.update_key_description(KeyId=key_id, Description="new words")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "new words"


def test_create_key_keeps_description_policy_and_tags(kms: Any) -> None:
    policy = '{"Version": "2012-10-17", "Statement": []}'
    key_id = kms.create_key(
        Description="with extras", Policy=policy, Tags=[{"TagKey": "team", "TagValue": "kms"}]
    )["KeyMetadata"]["KeyId"]
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == policy
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "team", "TagValue": "kms"}]


def test_create_key_refuses_a_policy_that_is_not_json(kms: Any) -> None:
    assert error_code(kms.create_key, Policy="not json") == "MalformedPolicyDocumentException"
    assert kms.list_keys()["Keys"] == []


def test_create_key_refuses_reserved_tags(kms: Any) -> None:
    assert error_of(kms.create_key, Tags=[{"TagKey": "aws:thing", "TagValue": "v"}]) == (
        "TagException",
        "Tags beginning with aws: are reserved",
    )
    assert kms.list_keys()["Keys"] == []


def test_symmetric_keys_are_encrypt_decrypt_only(lenient_kms: Any) -> None:
    assert error_code(lenient_kms.create_key, KeyUsage="SIGN_VERIFY") == "ValidationException"
    assert (
        error_code(
            lenient_kms.create_key,
            KeySpec="SYMMETRIC_DEFAULT",
            CustomerMasterKeySpec="SYMMETRIC_DEFAULT",
        )
        == "ValidationException"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"Origin": "EXTERNAL", "KeySpec": "ML_DSA_44", "KeyUsage": "SIGN_VERIFY"},
    ],
)
def test_key_kinds_kmsmock_does_not_simulate_fail_clearly(kms: Any, params: dict[str, Any]) -> None:
    with pytest.raises(kmsmock.UnimplementedOperationError, match="CreateKey"):
        kms.create_key(**params)


def test_origins_of_custom_key_stores_need_a_store(kms: Any) -> None:
    assert error_code(kms.create_key, Origin="AWS_CLOUDHSM") == "ValidationException"
    assert error_code(kms.create_key, XksKeyId="ext-1") == "ValidationException"
