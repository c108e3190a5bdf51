"""Grants: CreateGrant and what it checks, through real boto3 clients.

Expectations come from AWS's reference text (CreateGrant, GrantConstraints) and
the KMS Developer Guide ("Grants in AWS KMS", "Key type reference", "Using
grant constraints", "Resource quotas"), written here, not read from kmsmock.
Retiring, revoking and listing are in test_grants_lifecycle.py.
"""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

import kmsmock.api.grant_operations
from kmsmock.domain.aws_error import AwsError
from kmsmock.domain.grants import GrantConstraints, check_constraints, check_operations

ACCOUNT = "123456789012"
APP = f"arn:aws:iam::{ACCOUNT}:role/app"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/admin"
MODEL = botocore.session.get_session().get_service_model("kms")
GRANT_OPERATIONS = list(MODEL.shape_for("GrantOperation").enum)
HAS_SERVICE_PRINCIPALS = "GranteeServicePrincipal" in MODEL.shape_for("CreateGrantRequest").members

# The Developer Guide's key type table: the grant operations a symmetric encryption key allows.
SYMMETRIC_OPERATIONS = {
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "DescribeKey",
    "CreateGrant",
    "RetireGrant",
}


def code_of(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return str(caught.value.response["Error"]["Code"])


def grants(kms: Any, key_id: str) -> list[dict[str, Any]]:
    return list(kms.list_grants(KeyId=key_id)["Grants"])


@pytest.fixture
def key_id(kms: Any) -> str:
    return str(kms.create_key()["KeyMetadata"]["KeyId"])


# -- what a grant holds ----------------------------------------------------------------------


def test_a_grant_is_listed_with_everything_it_was_created_with(
    kms: Any, key_id: str, kms_keystores: Any
) -> None:
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    created = kms.create_grant(
        KeyId=key_id,
        GranteePrincipal=APP,
        RetiringPrincipal=ADMIN,
        Operations=["Encrypt", "Decrypt", "DescribeKey"],
        Constraints={"EncryptionContextEquals": {"Department": "IT"}},
        Name="app-decrypt",
    )
    assert re.fullmatch(r"[0-9a-f]{64}", created["GrantId"])
    assert created["GrantToken"]
    [entry] = grants(kms, key_id)
    assert entry.pop("CreationDate").timestamp() == pytest.approx(kms_keystores.now(), abs=2)
    assert entry == {
        "KeyId": arn,
        "GrantId": created["GrantId"],
        "Name": "app-decrypt",
        "GranteePrincipal": APP,
        "RetiringPrincipal": ADMIN,
        "IssuingAccount": f"arn:aws:iam::{ACCOUNT}:root",
        "Operations": ["Encrypt", "Decrypt", "DescribeKey"],
        "Constraints": {"EncryptionContextEquals": {"Department": "IT"}},
    }


def test_a_grant_without_the_optional_members_shows_none_of_them(kms: Any, key_id: str) -> None:
    kms.create_grant(KeyId=key_id, GranteePrincipal=APP, Operations=["GenerateDataKey"])
    [entry] = grants(kms, key_id)
    assert not {"Name", "RetiringPrincipal", "Constraints"} & set(entry)


def test_a_key_arn_names_the_key(kms: Any, key_id: str) -> None:
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.create_grant(KeyId=arn, GranteePrincipal=APP, Operations=["Decrypt"])
    assert len(grants(kms, arn)) == 1


def test_an_alias_does_not_name_the_key(kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/granted", TargetKeyId=key_id)
    params = {"GranteePrincipal": APP, "Operations": ["Decrypt"]}
    assert code_of(kms.create_grant, KeyId="alias/granted", **params) == "InvalidArnException"
    assert grants(kms, key_id) == []


def test_an_unknown_key_is_not_found(kms: Any) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    params = {"GranteePrincipal": APP, "Operations": ["Decrypt"]}
    assert code_of(kms.create_grant, KeyId=missing, **params) == "NotFoundException"


# -- the same Name and parameters: the same grant --------------------------------------------

RETRIED = {
    "GranteePrincipal": APP,
    "Operations": ["Encrypt", "Decrypt"],
    "Name": "retried",
    "Constraints": {"EncryptionContextSubset": {"a": "b"}},
}
"""A named grant's parameters, but for its key."""


def test_a_retry_with_the_same_name_returns_the_same_grant_and_a_new_token(
    kms: Any, key_id: str
) -> None:
    params = {"KeyId": key_id, **RETRIED}
    first = kms.create_grant(**params)
    again = kms.create_grant(**{**params, "Operations": ["Decrypt", "Encrypt"]})
    assert again["GrantId"] == first["GrantId"]
    assert again["GrantToken"] != first["GrantToken"]
    assert len(grants(kms, key_id)) == 1
    # "All grant tokens for the same grant ID can be used interchangeably."
    kms.retire_grant(GrantToken=again["GrantToken"])
    assert grants(kms, key_id) == []


@pytest.mark.parametrize(
    "change",
    [
        {"Operations": ["Encrypt"]},
        {"GranteePrincipal": ADMIN},
        {"RetiringPrincipal": ADMIN},
        {"Constraints": {"EncryptionContextSubset": {"a": "c"}}},
        {"Constraints": {"EncryptionContextEquals": {"a": "b"}}},
        {"Name": "another"},
    ],
)
def test_the_same_name_with_other_parameters_makes_a_new_grant(
    kms: Any, key_id: str, change: dict[str, Any]
) -> None:
    params = {"KeyId": key_id, **RETRIED}
    first = kms.create_grant(**params)
    second = kms.create_grant(**{**params, **change})
    assert second["GrantId"] != first["GrantId"]
    assert len(grants(kms, key_id)) == 2


def test_without_a_name_every_request_makes_a_new_grant(kms: Any, key_id: str) -> None:
    params = {"KeyId": key_id, "GranteePrincipal": APP, "Operations": ["Decrypt"]}
    ids = {kms.create_grant(**params)["GrantId"] for _ in range(3)}
    assert len(ids) == 3
    assert {entry["GrantId"] for entry in grants(kms, key_id)} == ids


def test_the_same_name_on_another_key_is_another_grant(kms: Any, key_id: str) -> None:
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    params = {"GranteePrincipal": APP, "Operations": ["Decrypt"], "Name": "shared"}
    first = kms.create_grant(KeyId=key_id, **params)["GrantId"]
    second = kms.create_grant(KeyId=other, **params)["GrantId"]
    assert first != second
    assert [entry["GrantId"] for entry in grants(kms, other)] == [second]


# -- grant operations ------------------------------------------------------------------------


@pytest.mark.parametrize("grant_operation", GRANT_OPERATIONS)
def test_a_symmetric_encryption_key_allows_only_its_own_grant_operations(
    kms: Any, key_id: str, grant_operation: str
) -> None:
    operations = [grant_operation, "DescribeKey"]
    params = {"KeyId": key_id, "GranteePrincipal": APP, "Operations": operations}
    if grant_operation in SYMMETRIC_OPERATIONS:
        kms.create_grant(**params)
        assert grants(kms, key_id)[0]["Operations"] == operations
    else:
        assert code_of(kms.create_grant, **params) == "ValidationException"
        assert grants(kms, key_id) == []


def test_a_grant_of_create_grant_alone_is_refused(kms: Any, key_id: str) -> None:
    params = {"KeyId": key_id, "GranteePrincipal": APP}
    with pytest.raises(ClientError) as caught:
        kms.create_grant(Operations=["CreateGrant"], **params)
    assert caught.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Grants must not contain only the CreateGrant operation.",
    }
    kms.create_grant(Operations=["CreateGrant", "Decrypt"], **params)


def test_a_grant_of_no_operation_is_refused(lenient_kms: Any, key_id: str) -> None:
    params = {"KeyId": key_id, "GranteePrincipal": APP, "Operations": []}
    assert code_of(lenient_kms.create_grant, **params) == "ValidationException"


def test_an_operation_outside_the_model_is_refused(lenient_kms: Any, key_id: str) -> None:
    params = {"KeyId": key_id, "GranteePrincipal": APP, "Operations": ["ScheduleKeyDeletion"]}
    assert code_of(lenient_kms.create_grant, **params) == "ValidationException"


# The key type table for the other key types, which cannot be created here yet: the
# cryptographic grant operations each allows, besides DescribeKey, CreateGrant, RetireGrant.
OTHER_KEY_TYPES = {
    ("HMAC_256", "GENERATE_VERIFY_MAC"): {"GenerateMac", "VerifyMac"},
    ("RSA_2048", "ENCRYPT_DECRYPT"): {
        "Encrypt",
        "Decrypt",
        "ReEncryptFrom",
        "ReEncryptTo",
        "GetPublicKey",
    },
    ("RSA_3072", "SIGN_VERIFY"): {"Sign", "Verify", "GetPublicKey"},
    ("ECC_NIST_P256", "SIGN_VERIFY"): {"Sign", "Verify", "GetPublicKey"},
    ("ML_DSA_65", "SIGN_VERIFY"): {"Sign", "Verify", "GetPublicKey"},
    ("ECC_NIST_P384", "KEY_AGREEMENT"): {"DeriveSharedSecret", "GetPublicKey"},
    ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE"): {"Encapsulate", "Decapsulate", "GetPublicKey"},
}


@pytest.mark.parametrize(("spec", "usage"), list(OTHER_KEY_TYPES))
def test_the_grant_operations_of_other_key_types(spec: str, usage: str) -> None:
    allowed = OTHER_KEY_TYPES[(spec, usage)] | {"DescribeKey", "CreateGrant", "RetireGrant"}
    for grant_operation in GRANT_OPERATIONS:
        operations = [grant_operation, "DescribeKey"]
        if grant_operation in allowed:
            check_operations(operations, "arn", spec, usage)
            continue
        with pytest.raises(AwsError) as caught:
            check_operations(operations, "arn", spec, usage)
        assert caught.value.code == "ValidationException"


# -- constraints ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["EncryptionContextSubset", "EncryptionContextEquals"])
def test_an_encryption_context_constraint_holds_at_most_eight_pairs(
    kms: Any, key_id: str, kind: str
) -> None:
    params = {"KeyId": key_id, "GranteePrincipal": APP, "Operations": ["Decrypt"]}
    eight = {f"k{n}": "v" for n in range(8)}
    kms.create_grant(Constraints={kind: eight}, **params)
    nine = {**eight, "k8": "v"}
    assert code_of(kms.create_grant, Constraints={kind: nine}, **params) == "ValidationException"
    assert len(grants(kms, key_id)) == 1


@pytest.mark.parametrize("kind", ["EncryptionContextSubset", "EncryptionContextEquals"])
def test_an_encryption_context_constraint_holds_at_most_384_characters(
    kms: Any, key_id: str, kind: str
) -> None:
    params = {"KeyId": key_id, "GranteePrincipal": APP, "Operations": ["Decrypt"]}
    kms.create_grant(Constraints={kind: {"a" * 100: "b" * 284}}, **params)
    too_long = {kind: {"a" * 100: "b" * 285}}
    assert code_of(kms.create_grant, Constraints=too_long, **params) == "ValidationException"
    assert len(grants(kms, key_id)) == 1


def test_both_encryption_context_constraints_may_be_given(kms: Any, key_id: str) -> None:
    constraints = {
        "EncryptionContextSubset": {"a": "b"},
        "EncryptionContextEquals": {"a": "b", "c": "d"},
    }
    kms.create_grant(
        KeyId=key_id, GranteePrincipal=APP, Operations=["Decrypt"], Constraints=constraints
    )
    assert grants(kms, key_id)[0]["Constraints"] == constraints


def test_a_constraint_may_come_with_describe_key_retire_grant_and_create_grant(
    kms: Any, key_id: str
) -> None:
    operations = ["GenerateDataKey", "DescribeKey", "RetireGrant", "CreateGrant"]
    constraints = {"EncryptionContextSubset": {"tenant": "7"}}
    kms.create_grant(
        KeyId=key_id, GranteePrincipal=APP, Operations=operations, Constraints=constraints
    )
    assert grants(kms, key_id)[0]["Constraints"] == constraints


def test_the_grant_constraint_rules_for_other_key_types() -> None:
    # Asymmetric and HMAC keys cannot be created here yet: the domain rule is checked directly.
    context = kmsmock.api.grant_operations._context_operations()
    subset = GrantConstraints(encryption_context_subset=(("a", "b"),))
    check_constraints(
        subset, ["Decrypt", "DescribeKey"], context, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"
    )
    for spec, usage, operation in [
        ("RSA_2048", "ENCRYPT_DECRYPT", "Decrypt"),
        ("RSA_2048", "SIGN_VERIFY", "Sign"),
        ("HMAC_256", "GENERATE_VERIFY_MAC", "GenerateMac"),
        ("ECC_NIST_P256", "KEY_AGREEMENT", "DeriveSharedSecret"),
    ]:
        with pytest.raises(AwsError) as caught:
            check_constraints(subset, [operation], context, spec, usage)
        assert caught.value.code == "ValidationException"
        check_constraints(subset, ["DescribeKey"], context, spec, usage)


# -- principals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [
        ACCOUNT,
        f"arn:aws:iam::{ACCOUNT}:root",
        f"arn:aws:iam::{ACCOUNT}:user/alice",
        "arn:aws:iam::111122223333:role/path/app",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session",
        f"arn:aws:sts::{ACCOUNT}:federated-user/bob",
    ],
)
def test_a_grantee_or_retiring_principal_is_an_aws_principal(
    kms: Any, key_id: str, principal: str
) -> None:
    kms.create_grant(
        KeyId=key_id,
        GranteePrincipal=principal,
        RetiringPrincipal=principal,
        Operations=["Decrypt"],
    )
    [entry] = grants(kms, key_id)
    assert entry["GranteePrincipal"] == entry["RetiringPrincipal"] == principal


@pytest.mark.parametrize(
    "principal",
    [
        "dynamodb.amazonaws.com",  # a service principal
        f"arn:aws:iam::{ACCOUNT}:group/admins",  # an IAM group
        "arn:aws:organizations::123456789012:organization/o-abc123",  # an AWS organization
        f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "app",
    ],
)
@pytest.mark.parametrize("member", ["GranteePrincipal", "RetiringPrincipal"])
def test_other_principals_are_refused(kms: Any, key_id: str, principal: str, member: str) -> None:
    params = {
        "KeyId": key_id,
        "GranteePrincipal": APP,
        "Operations": ["Decrypt"],
        member: principal,
    }
    assert code_of(kms.create_grant, **params) == "InvalidArnException"
    assert grants(kms, key_id) == []
