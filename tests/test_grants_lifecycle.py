"""Grants after CreateGrant: retiring, revoking, listing, key states, deletion and tokens.

Expectations come from AWS's reference text (RetireGrant, RevokeGrant,
ListGrants, ListRetirableGrants) and the Developer Guide's "Managing grants"
and "Key states of AWS KMS keys" pages, written here, not read from kmsmock.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from kms_helpers import create_cloudhsm, create_xks

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"
APP = f"arn:aws:iam::{ACCOUNT}:role/app"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/admin"
UNKNOWN_GRANT = "0" * 64


def code_of(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return str(caught.value.response["Error"]["Code"])


def grant_ids(kms: Any, key_id: str, **filters: Any) -> list[str]:
    return [entry["GrantId"] for entry in kms.list_grants(KeyId=key_id, **filters)["Grants"]]


def grant(kms: Any, key_id: str, **params: Any) -> dict[str, Any]:
    params = {"GranteePrincipal": APP, "Operations": ["Decrypt"], **params}
    return dict(kms.create_grant(KeyId=key_id, **params))


@pytest.fixture
def key_id(kms: Any) -> str:
    return str(kms.create_key()["KeyMetadata"]["KeyId"])


# -- retiring and revoking ---------------------------------------------------------------------


def test_retire_by_grant_token(kms: Any, key_id: str) -> None:
    kept = grant(kms, key_id)["GrantId"]
    retired = grant(kms, key_id)
    kms.retire_grant(GrantToken=retired["GrantToken"])
    assert grant_ids(kms, key_id) == [kept]


@pytest.mark.parametrize("reference", ["id", "arn"])
def test_retire_by_key_and_grant_id(kms: Any, key_id: str, reference: str) -> None:
    ref = key_id if reference == "id" else kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    retired = grant(kms, key_id)["GrantId"]
    kms.retire_grant(KeyId=ref, GrantId=retired)
    assert grant_ids(kms, key_id) == []


@pytest.mark.parametrize("reference", ["id", "arn"])
def test_revoke_by_key_and_grant_id(kms: Any, key_id: str, reference: str) -> None:
    ref = key_id if reference == "id" else kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kept = grant(kms, key_id)["GrantId"]
    revoked = grant(kms, key_id)["GrantId"]
    kms.revoke_grant(KeyId=ref, GrantId=revoked)
    assert grant_ids(kms, key_id) == [kept]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "ValidationException"),
        ({"GrantId": UNKNOWN_GRANT}, "ValidationException"),
        ({"KeyId": "@key"}, "ValidationException"),
        ({"KeyId": "@key", "GrantId": "not-a-grant-id"}, "InvalidGrantIdException"),
        ({"KeyId": "@key", "GrantId": UNKNOWN_GRANT}, "NotFoundException"),
        ({"KeyId": "@other-key", "GrantId": "@grant"}, "NotFoundException"),
        ({"KeyId": "alias/granted", "GrantId": "@grant"}, "InvalidArnException"),
        (
            {"KeyId": "00000000-0000-4000-8000-000000000000", "GrantId": "@grant"},
            "NotFoundException",
        ),
        ({"GrantToken": "not-a-token"}, "InvalidGrantTokenException"),
        ({"GrantToken": "@retired-token"}, "NotFoundException"),
    ],
)
def test_retire_grant_errors(kms: Any, key_id: str, params: dict[str, str], code: str) -> None:
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/granted", TargetKeyId=key_id)
    retired = grant(kms, key_id)
    kms.retire_grant(GrantToken=retired["GrantToken"])
    kept = grant(kms, key_id)["GrantId"]
    names = {"@key": key_id, "@other-key": other, "@grant": kept}
    names["@retired-token"] = retired["GrantToken"]
    request = {name: names.get(value, value) for name, value in params.items()}
    assert code_of(kms.retire_grant, **request) == code
    assert grant_ids(kms, key_id) == [kept]


@pytest.mark.parametrize(
    ("key", "grant_id", "code"),
    [
        ("@key", "not-a-grant-id", "InvalidGrantIdException"),
        ("@key", UNKNOWN_GRANT, "NotFoundException"),
        ("@other-key", "@grant", "NotFoundException"),
        ("alias/granted", "@grant", "InvalidArnException"),
        ("00000000-0000-4000-8000-000000000000", "@grant", "NotFoundException"),
    ],
)
def test_revoke_grant_errors(kms: Any, key_id: str, key: str, grant_id: str, code: str) -> None:
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/granted", TargetKeyId=key_id)
    kept = grant(kms, key_id)["GrantId"]
    names = {"@key": key_id, "@other-key": other, "@grant": kept}
    request = {"KeyId": names.get(key, key), "GrantId": names.get(grant_id, grant_id)}
    assert code_of(kms.revoke_grant, **request) == code
    assert grant_ids(kms, key_id) == [kept]


def test_a_grant_is_gone_for_good_once_retired_or_revoked(kms: Any, key_id: str) -> None:
    first, second = grant(kms, key_id), grant(kms, key_id)
    kms.retire_grant(KeyId=key_id, GrantId=first["GrantId"])
    kms.revoke_grant(KeyId=key_id, GrantId=second["GrantId"])
    assert code_of(kms.retire_grant, GrantToken=first["GrantToken"]) == "NotFoundException"
    retire = {"KeyId": key_id, "GrantId": second["GrantId"]}
    assert code_of(kms.retire_grant, **retire) == "NotFoundException"
    revoke = {"KeyId": key_id, "GrantId": first["GrantId"]}
    assert code_of(kms.revoke_grant, **revoke) == "NotFoundException"


# -- DryRun ----------------------------------------------------------------------------------


def test_dry_run_checks_everything_and_changes_nothing(kms: Any, key_id: str) -> None:
    def dry(call: Any, **params: Any) -> None:
        with pytest.raises(ClientError) as caught:
            call(DryRun=True, **params)
        assert caught.value.response["Error"]["Code"] == "DryRunOperationException"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412

    existing = grant(kms, key_id, Name="named")
    dry(kms.create_grant, KeyId=key_id, GranteePrincipal=APP, Operations=["Decrypt"])
    dry(kms.create_grant, KeyId=key_id, GranteePrincipal=APP, Operations=["Decrypt"], Name="named")
    dry(kms.retire_grant, GrantToken=existing["GrantToken"])
    dry(kms.retire_grant, KeyId=key_id, GrantId=existing["GrantId"])
    dry(kms.revoke_grant, KeyId=key_id, GrantId=existing["GrantId"])
    assert grant_ids(kms, key_id) == [existing["GrantId"]]
    # A request that would fail answers its error, not DryRunOperationException.
    params = {"KeyId": key_id, "GranteePrincipal": APP, "Operations": ["Sign"], "DryRun": True}
    assert code_of(kms.create_grant, **params) == "ValidationException"
    request = {"KeyId": key_id, "GrantId": UNKNOWN_GRANT, "DryRun": True}
    assert code_of(kms.revoke_grant, **request) == "NotFoundException"


# -- grant tokens ----------------------------------------------------------------------------


def test_a_grant_token_is_accepted_wherever_the_model_takes_grant_tokens(
    kms: Any, key_id: str
) -> None:
    token = grant(kms, key_id, Operations=["Encrypt", "Decrypt", "GenerateDataKey"])["GrantToken"]
    tokens = [token, grant(kms, key_id)["GrantToken"]]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret", GrantTokens=tokens)["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, GrantTokens=tokens)["Plaintext"] == b"secret"
    kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", GrantTokens=tokens)
    kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key_id, GrantTokens=tokens)
    kms.describe_key(KeyId=key_id, GrantTokens=tokens)
    grant(kms, key_id, GrantTokens=tokens)


@pytest.mark.parametrize("bad", ["token", "AAAA", "@valid-but-altered"])
def test_a_token_that_is_no_grant_token_is_refused(kms: Any, key_id: str, bad: str) -> None:
    token = grant(kms, key_id)["GrantToken"]
    if bad == "@valid-but-altered":
        bad = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    before = grant_ids(kms, key_id)
    assert code_of(kms.encrypt, KeyId=key_id, Plaintext=b"x", GrantTokens=[bad]) == (
        "InvalidGrantTokenException"
    )
    assert code_of(
        kms.create_grant,
        KeyId=key_id,
        GranteePrincipal=APP,
        Operations=["Decrypt"],
        GrantTokens=[token, bad],
    ) == ("InvalidGrantTokenException")
    assert grant_ids(kms, key_id) == before


def test_grant_tokens_are_limited_as_the_model_says(lenient_kms: Any, key_id: str) -> None:
    token = grant(lenient_kms, key_id)["GrantToken"]
    eleven = [token] * 11
    params = {"KeyId": key_id, "Plaintext": b"x"}
    assert code_of(lenient_kms.encrypt, GrantTokens=eleven, **params) == "ValidationException"
    too_long = ["A" * 8193]
    assert code_of(lenient_kms.encrypt, GrantTokens=too_long, **params) == "ValidationException"
    lenient_kms.encrypt(GrantTokens=[token] * 10, **params)


# -- key states -------------------------------------------------------------------------------


def test_create_grant_in_each_key_state(kms: Any, kms_keystores: Any) -> None:
    disabled = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    pending = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=pending, PendingWindowInDays=7)
    with pytest.raises(ClientError) as caught:
        grant(kms, disabled)
    arn = kms.describe_key(KeyId=disabled)["KeyMetadata"]["Arn"]
    assert caught.value.response["Error"] == {
        "Code": "DisabledException",
        "Message": f"{arn} is disabled.",
    }
    assert code_of(grant, kms=kms, key_id=pending) == "KMSInvalidStateException"
    assert grant_ids(kms, disabled) == grant_ids(kms, pending) == []


def test_grants_are_listed_retired_and_revoked_in_every_key_state(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    first, second, third = (grant(kms, key, RetiringPrincipal=ADMIN) for _ in range(3))
    kms.disable_key(KeyId=key)
    kms.retire_grant(GrantToken=first["GrantToken"])
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    kms.revoke_grant(KeyId=key, GrantId=second["GrantId"])
    assert grant_ids(kms, key) == [third["GrantId"]]
    retirable = kms.list_retirable_grants(RetiringPrincipal=ADMIN)["Grants"]
    assert [entry["GrantId"] for entry in retirable] == [third["GrantId"]]


@pytest.mark.kms_keystores(disconnect_delay=0)
@pytest.mark.parametrize("store_type", ["AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"])
def test_keys_in_custom_key_stores_take_grants_even_while_unavailable(
    kms: Any, kms_keystores: Any, store_type: str
) -> None:
    if store_type == "AWS_CLOUDHSM":
        store_id = create_cloudhsm(kms)
        params: dict[str, Any] = {"Origin": "AWS_CLOUDHSM"}
    else:
        store_id = create_xks(kms)
        params = {"Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "granted-key"}
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    kms_keystores.settle()
    key = kms.create_key(CustomKeyStoreId=store_id, **params)["KeyMetadata"]["KeyId"]
    connected = grant(kms, key, Constraints={"EncryptionContextSubset": {"a": "b"}})
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms_keystores.settle()
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Unavailable"
    unavailable = grant(kms, key)
    assert grant_ids(kms, key) == [connected["GrantId"], unavailable["GrantId"]]
    kms.retire_grant(GrantToken=connected["GrantToken"])
    kms.revoke_grant(KeyId=key, GrantId=unavailable["GrantId"])
    assert grant_ids(kms, key) == []


def test_a_deleted_key_takes_its_grants_with_it(kms: Any, kms_keystores: Any) -> None:
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kept_key = kms.create_key()["KeyMetadata"]["KeyId"]
    doomed = grant(kms, key, RetiringPrincipal=ADMIN)
    kept = grant(kms, kept_key, RetiringPrincipal=ADMIN)
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    kms_keystores.advance(7 * 86400 + 1)
    retirable = kms.list_retirable_grants(RetiringPrincipal=ADMIN)["Grants"]
    assert [entry["GrantId"] for entry in retirable] == [kept["GrantId"]]
    assert code_of(kms.retire_grant, GrantToken=doomed["GrantToken"]) == "NotFoundException"
    assert code_of(kms.list_grants, KeyId=key) == "NotFoundException"


# -- quotas ----------------------------------------------------------------------------------


def test_at_most_500_grants_per_key_for_one_grantee(kms: Any, key_id: str) -> None:
    for _ in range(500):
        grant(kms, key_id)
    with pytest.raises(ClientError) as caught:
        grant(kms, key_id)
    assert caught.value.response["Error"]["Code"] == "LimitExceededException"
    grant(kms, key_id, GranteePrincipal=ADMIN)  # another grantee still can
    second_key = kms.create_key()["KeyMetadata"]["KeyId"]
    grant(kms, second_key)  # and so can the same grantee on another key


def test_at_most_so_many_grants_per_key(
    kms: Any, key_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The quota is 50,000; a smaller one shows the rule without 50,000 requests.
    monkeypatch.setattr("kmsmock.api.grant_operations.GRANTS_PER_KEY", 3)
    named = grant(kms, key_id, Name="named")
    for n in range(2):
        grant(kms, key_id, GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:role/r{n}")
    assert code_of(grant, kms=kms, key_id=key_id) == "LimitExceededException"
    # A retry makes no new grant, so the quota does not stop it.
    assert grant(kms, key_id, Name="named")["GrantId"] == named["GrantId"]
    assert len(grant_ids(kms, key_id)) == 3
