"""Aliases, tags, key policies and rotation of standard keys."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kms_helpers import error_code, error_of, own_aliases


@pytest.fixture
def key(kms: Any) -> dict[str, Any]:
    return dict(kms.create_key()["KeyMetadata"])


def test_alias_lifecycle(kms: Any, key: dict[str, Any], kms_keystores: Any) -> None:
    other = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
    [entry] = own_aliases(kms)
    assert entry["AliasName"] == "alias/app"
    assert entry["AliasArn"] == "arn:aws:kms:us-east-1:123456789012:alias/app"
    assert entry["TargetKeyId"] == key["KeyId"]
    kms_keystores.advance(60)
    kms.update_alias(AliasName="alias/app", TargetKeyId=other["KeyId"])
    [entry] = own_aliases(kms)
    assert entry["TargetKeyId"] == other["KeyId"]
    assert entry["LastUpdatedDate"] > entry["CreationDate"]
    assert kms.describe_key(KeyId="alias/app")["KeyMetadata"]["KeyId"] == other["KeyId"]
    kms.delete_alias(AliasName="alias/app")
    assert own_aliases(kms) == []
    assert error_of(kms.delete_alias, AliasName="alias/app") == (
        "NotFoundException",
        "Alias arn:aws:kms:us-east-1:123456789012:alias/app is not found.",
    )


def test_alias_names_follow_aws_rules(kms: Any, key: dict[str, Any]) -> None:
    kms.create_alias(AliasName="alias/taken", TargetKeyId=key["KeyId"])
    assert error_of(kms.create_alias, AliasName="alias/taken", TargetKeyId=key["KeyId"]) == (
        "AlreadyExistsException",
        "An alias with the name arn:aws:kms:us-east-1:123456789012:alias/taken already exists",
    )
    code, message = error_of(kms.create_alias, AliasName="no-prefix", TargetKeyId=key["KeyId"])
    assert (code, message.startswith('Alias must start with the prefix "alias/"')) == (
        "ValidationException",
        True,
    )
    assert error_code(kms.create_alias, AliasName="alias/aws/mine", TargetKeyId=key["KeyId"]) == (
        "InvalidAliasNameException"
    )
    # The model's pattern admits ":", but the reference allows only [a-zA-Z0-9/_-].
    assert error_of(kms.create_alias, AliasName="alias/a:b", TargetKeyId=key["KeyId"]) == (
        "ValidationException",
        "1 validation error detected: Value 'alias/a:b' at 'aliasName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9/_-]+$",
    )
    code, message = error_of(kms.delete_alias, AliasName="taken")
    assert (code, message.startswith('Alias must start with the prefix "alias/"')) == (
        "ValidationException",
        True,
    )
    assert own_aliases(kms)[0]["AliasName"] == "alias/taken"  # nothing was changed


def test_a_new_account_lists_the_predefined_aliases_first(kms: Any, key: dict[str, Any]) -> None:
    kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
    listed = kms.list_aliases()["Aliases"]
    predefined = [alias for alias in listed if alias["AliasName"].startswith("alias/aws/")]
    assert listed[: len(predefined)] == predefined and listed[-1]["AliasName"] == "alias/app"
    assert "alias/aws/dynamodb" in {alias["AliasName"] for alias in predefined}
    for alias in predefined:  # created by AWS, not yet associated with an AWS managed key
        assert set(alias) == {"AliasName", "AliasArn"}
        assert alias["AliasArn"] == f"arn:aws:kms:us-east-1:123456789012:{alias['AliasName']}"
    assert [a["AliasName"] for a in predefined] == sorted(a["AliasName"] for a in predefined)
    assert kms.list_aliases(KeyId=key["KeyId"])["Aliases"] == [listed[-1]]


def test_update_alias_keeps_the_type_and_usage_of_its_key(kms: Any, key: dict[str, Any]) -> None:
    kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    for other in (signing, hmac_key):
        assert error_code(kms.update_alias, AliasName="alias/app", TargetKeyId=other["KeyId"]) == (
            "ValidationException"
        )
    assert own_aliases(kms)[0]["TargetKeyId"] == key["KeyId"]  # nothing changed
    kms.update_alias(AliasName="alias/app", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])


def test_a_key_holds_at_most_50_aliases(kms: Any, key: dict[str, Any]) -> None:
    for n in range(50):
        kms.create_alias(AliasName=f"alias/n{n}", TargetKeyId=key["KeyId"])
    assert error_code(kms.create_alias, AliasName="alias/n50", TargetKeyId=key["KeyId"]) == (
        "LimitExceededException"
    )
    other = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/other", TargetKeyId=other["KeyId"])
    assert error_code(kms.update_alias, AliasName="alias/other", TargetKeyId=key["KeyId"]) == (
        "LimitExceededException"
    )
    kms.update_alias(AliasName="alias/n0", TargetKeyId=key["KeyId"])  # already its alias
    assert len(own_aliases(kms, KeyId=key["KeyId"])) == 50


def test_list_aliases_by_key_and_paged(kms: Any, key: dict[str, Any]) -> None:
    other = kms.create_key()["KeyMetadata"]
    for n in range(5):
        kms.create_alias(AliasName=f"alias/a{n}", TargetKeyId=key["KeyId"])
    kms.create_alias(AliasName="alias/other", TargetKeyId=other["KeyId"])
    mine = kms.list_aliases(KeyId=key["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in mine] == [f"alias/a{n}" for n in range(5)]
    pages = list(kms.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 4}))
    names = [alias["AliasName"] for page in pages for alias in page["Aliases"]]
    assert names[-6:] == [*(f"alias/a{n}" for n in range(5)), "alias/other"]
    assert all(len(page["Aliases"]) == 4 for page in pages[:-1])  # the predefined ones first
    assert len(names) == len(set(names))


def test_tags(kms: Any, key: dict[str, Any]) -> None:
    kms.tag_resource(
        KeyId=key["KeyId"],
        Tags=[{"TagKey": "team", "TagValue": "a"}, {"TagKey": "env", "TagValue": "test"}],
    )
    kms.tag_resource(KeyId=key["KeyId"], Tags=[{"TagKey": "team", "TagValue": "b"}])
    assert kms.list_resource_tags(KeyId=key["KeyId"])["Tags"] == [
        {"TagKey": "team", "TagValue": "b"},
        {"TagKey": "env", "TagValue": "test"},
    ]
    kms.untag_resource(KeyId=key["KeyId"], TagKeys=["team", "absent"])
    assert kms.list_resource_tags(KeyId=key["KeyId"])["Tags"] == [
        {"TagKey": "env", "TagValue": "test"}
    ]
    assert error_of(
        kms.tag_resource, KeyId=key["KeyId"], Tags=[{"TagKey": "AWS:x", "TagValue": "v"}]
    ) == ("TagException", "Tags beginning with aws: are reserved")
    assert error_of(
        kms.tag_resource,
        KeyId=key["KeyId"],
        Tags=[{"TagKey": "d", "TagValue": "1"}, {"TagKey": "d", "TagValue": "2"}],
    ) == ("TagException", "Duplicate tag keys")
    too_many = [{"TagKey": f"k{n}", "TagValue": "v"} for n in range(50)]
    assert error_of(kms.tag_resource, KeyId=key["KeyId"], Tags=too_many) == (
        "TagException",
        "Too many tags",
    )
    assert len(kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]) == 1


def test_default_policy_and_put_policy(kms: Any, key: dict[str, Any]) -> None:
    answer = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")
    policy = json.loads(answer["Policy"])
    assert policy["Id"] == "key-default-1"
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert answer["PolicyName"] == "default"
    assert kms.list_key_policies(KeyId=key["KeyId"])["PolicyNames"] == ["default"]
    new = json.dumps({"Version": "2012-10-17", "Statement": []})
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=new)
    assert kms.get_key_policy(KeyId=key["KeyId"])["Policy"] == new
    assert error_code(kms.put_key_policy, KeyId=key["KeyId"], Policy="{not json") == (
        "MalformedPolicyDocumentException"
    )
    assert error_code(kms.get_key_policy, KeyId=key["KeyId"], PolicyName="other") == (
        "NotFoundException"
    )


def test_rotation_of_standard_keys(kms: Any, key: dict[str, Any], kms_keystores: Any) -> None:
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert (status["KeyRotationEnabled"], status["KeyId"]) == (False, key["Arn"])
    kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (True, 90)
    assert abs(status["NextRotationDate"].timestamp() - (kms_keystores.now() + 90 * 86400)) < 5
    kms.disable_key_rotation(KeyId=key["KeyId"])
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is False
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(kms.enable_key_rotation, KeyId=key["KeyId"]) == (
        "DisabledException",
        f"{key['Arn']} is disabled.",
    )


def test_listing_limits_the_reference_sets_below_the_model(kms: Any, key: dict[str, Any]) -> None:
    # The model allows Limit up to 1000; the reference text caps these listings lower.
    assert error_of(kms.list_aliases, Limit=101) == (
        "ValidationException",
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    )
    assert error_code(kms.list_resource_tags, KeyId=key["KeyId"], Limit=51) == (
        "ValidationException"
    )
    assert len(kms.list_aliases(Limit=100)["Aliases"]) <= 100
