"""ListGrants and ListRetirableGrants: filters, paging, accounts and regions; grants kept on disk.

Expectations come from AWS's reference text of ListGrants and
ListRetirableGrants ("If you include a value, it must be between 1 and 100
... it defaults to 50"; retirable grants "include grants for KMS keys in your
AWS account and other AWS accounts").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from test_server import client

from kmsmock.server import KmsServer

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"
APP = f"arn:aws:iam::{ACCOUNT}:role/app"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/admin"
MODEL = botocore.session.get_session().get_service_model("kms")
HAS_SERVICE_PRINCIPALS = "GranteeServicePrincipal" in MODEL.shape_for("CreateGrantRequest").members


def code_of(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return str(caught.value.response["Error"]["Code"])


def grant(kms: Any, key_id: str, **params: Any) -> str:
    params = {"GranteePrincipal": APP, "Operations": ["Decrypt"], **params}
    return str(kms.create_grant(KeyId=key_id, **params)["GrantId"])


def every_page(call: Any, **params: Any) -> list[list[str]]:
    """The GrantIds of each page of a listing, following NextMarker."""
    pages = []
    while True:
        answer = call(**params)
        pages.append([entry["GrantId"] for entry in answer["Grants"]])
        assert answer["Truncated"] == ("NextMarker" in answer)
        if not answer["Truncated"]:
            return pages
        params["Marker"] = answer["NextMarker"]


@pytest.fixture
def key_id(kms: Any) -> str:
    return str(kms.create_key()["KeyMetadata"]["KeyId"])


# -- ListGrants ------------------------------------------------------------------------------


def test_list_grants_pages_in_creation_order(kms: Any, key_id: str) -> None:
    created = [grant(kms, key_id) for _ in range(5)]
    assert every_page(kms.list_grants, KeyId=key_id, Limit=2) == [
        created[:2],
        created[2:4],
        created[4:],
    ]
    assert every_page(kms.list_grants, KeyId=key_id) == [created]


def test_list_grants_gives_50_by_default_and_at_most_100(lenient_kms: Any, key_id: str) -> None:
    created = [
        grant(lenient_kms, key_id, GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:role/r{n}")
        for n in range(101)
    ]
    assert every_page(lenient_kms.list_grants, KeyId=key_id) == [
        created[:50],
        created[50:100],
        created[100:],
    ]
    assert every_page(lenient_kms.list_grants, KeyId=key_id, Limit=100)[0] == created[:100]
    assert code_of(lenient_kms.list_grants, KeyId=key_id, Limit=101) == "ValidationException"


def test_a_page_boundary_survives_retiring_grants_between_pages(kms: Any, key_id: str) -> None:
    created = [grant(kms, key_id) for _ in range(4)]
    first = kms.list_grants(KeyId=key_id, Limit=2)
    kms.revoke_grant(KeyId=key_id, GrantId=created[2])
    rest = kms.list_grants(KeyId=key_id, Marker=first["NextMarker"])
    assert [entry["GrantId"] for entry in rest["Grants"]] == [created[3]]


def test_a_marker_belongs_to_its_own_listing(kms: Any, key_id: str) -> None:
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    for key in (key_id, other):
        grant(kms, key)
        grant(kms, key)
    marker = kms.list_grants(KeyId=key_id, Limit=1)["NextMarker"]
    assert code_of(kms.list_grants, KeyId=other, Marker=marker) == "InvalidMarkerException"
    assert code_of(kms.list_grants, KeyId=key_id, Marker="bogus") == "InvalidMarkerException"
    with_filter = {"KeyId": key_id, "GranteePrincipal": APP, "Marker": marker}
    assert code_of(kms.list_grants, **with_filter) == "InvalidMarkerException"


def test_list_grants_filters_by_grant_id_and_grantee(kms: Any, key_id: str) -> None:
    for_app = grant(kms, key_id)
    for_admin = grant(kms, key_id, GranteePrincipal=ADMIN)
    also_app = grant(kms, key_id)
    listing = kms.list_grants
    assert [e["GrantId"] for e in listing(KeyId=key_id, GrantId=for_admin)["Grants"]] == [for_admin]
    by_grantee = listing(KeyId=key_id, GranteePrincipal=APP)["Grants"]
    assert [entry["GrantId"] for entry in by_grantee] == [for_app, also_app]
    both = listing(KeyId=key_id, GrantId=for_app, GranteePrincipal=ADMIN)["Grants"]
    assert both == []
    assert listing(KeyId=key_id, GrantId="0" * 64)["Grants"] == []
    assert code_of(listing, KeyId=key_id, GrantId="not-a-grant-id") == "InvalidGrantIdException"


def test_list_grants_needs_a_key_it_can_find(kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/granted", TargetKeyId=key_id)
    missing = "00000000-0000-4000-8000-000000000000"
    assert code_of(kms.list_grants, KeyId=missing) == "NotFoundException"
    assert code_of(kms.list_grants, KeyId="alias/granted") == "InvalidArnException"


# -- other accounts and regions --------------------------------------------------------------


def test_a_grant_on_another_accounts_key_belongs_to_the_key(
    kms: Any, make_client: Callable[..., Any]
) -> None:
    other = make_client(account=OTHER_ACCOUNT)
    key = other.create_key()["KeyMetadata"]
    granted = grant(kms, key["Arn"], RetiringPrincipal=ADMIN)  # the caller's account issues it
    [entry] = other.list_grants(KeyId=key["KeyId"])["Grants"]
    assert entry["GrantId"] == granted
    assert entry["KeyId"] == key["Arn"]
    assert entry["IssuingAccount"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert [e["GrantId"] for e in kms.list_grants(KeyId=key["Arn"])["Grants"]] == [granted]
    kms.revoke_grant(KeyId=key["Arn"], GrantId=granted)
    assert other.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_list_retirable_grants_spans_the_accounts_of_the_region(
    kms: Any, make_client: Callable[..., Any]
) -> None:
    other = make_client(account=OTHER_ACCOUNT)
    elsewhere = make_client(region="eu-west-1")
    mine = kms.create_key()["KeyMetadata"]["KeyId"]
    theirs = other.create_key()["KeyMetadata"]["KeyId"]
    far = elsewhere.create_key()["KeyMetadata"]["KeyId"]
    expected = [
        grant(kms, mine, RetiringPrincipal=ADMIN),
        grant(other, theirs, RetiringPrincipal=ADMIN),
        grant(kms, mine, RetiringPrincipal=ADMIN),
    ]
    grant(kms, mine, RetiringPrincipal=APP)  # another retiring principal
    grant(kms, mine)  # no retiring principal
    grant(elsewhere, far, RetiringPrincipal=ADMIN)  # another region
    pages = every_page(kms.list_retirable_grants, RetiringPrincipal=ADMIN, Limit=1)
    assert sorted(grant_id for page in pages for grant_id in page) == sorted(expected)
    assert all(len(page) == 1 for page in pages)
    [from_other] = [
        entry
        for entry in other.list_retirable_grants(RetiringPrincipal=ADMIN)["Grants"]
        if entry["GrantId"] == expected[1]
    ]
    assert from_other["KeyId"].endswith(f":{OTHER_ACCOUNT}:key/{theirs}")


def test_list_retirable_grants_checks_the_principal_and_limit(lenient_kms: Any) -> None:
    listing = lenient_kms.list_retirable_grants
    assert listing(RetiringPrincipal=ADMIN)["Grants"] == []
    assert code_of(listing, RetiringPrincipal="not-a-principal") == "InvalidArnException"
    assert code_of(listing, RetiringPrincipal=ADMIN, Limit=101) == "ValidationException"
    assert code_of(listing, RetiringPrincipal=ADMIN, Marker="bogus") == "InvalidMarkerException"


# -- service principals (models that have them) ------------------------------------------------


@pytest.mark.skipif(not HAS_SERVICE_PRINCIPALS, reason="botocore's model has no service principals")
def test_a_grant_for_a_service_principal(kms: Any, key_id: str) -> None:
    service = "logs.us-east-1.amazonaws.com"
    source = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:app"
    base = {"KeyId": key_id, "GranteeServicePrincipal": service, "Operations": ["Decrypt"]}
    constraints = {"SourceArn": source}
    # A SourceArn constraint and a retiring principal are required; one grantee only.
    assert code_of(kms.create_grant, RetiringPrincipal=ADMIN, **base) == "ValidationException"
    assert code_of(kms.create_grant, Constraints=constraints, **base) == "ValidationException"
    both = {**base, "GranteePrincipal": APP, "RetiringPrincipal": ADMIN}
    assert code_of(kms.create_grant, Constraints=constraints, **both) == "ValidationException"
    two_retirers = {**base, "RetiringPrincipal": ADMIN, "RetiringServicePrincipal": service}
    assert code_of(kms.create_grant, Constraints=constraints, **two_retirers) == (
        "ValidationException"
    )
    granted = kms.create_grant(RetiringServicePrincipal=service, Constraints=constraints, **base)[
        "GrantId"
    ]
    [entry] = kms.list_grants(KeyId=key_id, GranteeServicePrincipal=service)["Grants"]
    assert entry["GrantId"] == granted
    assert entry["GranteeServicePrincipal"] == entry["RetiringServicePrincipal"] == service
    assert entry["Constraints"] == constraints
    assert "GranteePrincipal" not in entry
    retirable = kms.list_retirable_grants(RetiringServicePrincipal=service)["Grants"]
    assert [e["GrantId"] for e in retirable] == [granted]
    assert kms.list_grants(KeyId=key_id, GranteePrincipal=APP)["Grants"] == []
    assert code_of(kms.list_retirable_grants) == "ValidationException"


# -- kept on disk ----------------------------------------------------------------------------


def test_grants_and_their_tokens_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "kms.json"
    with KmsServer(state_file=path) as server:
        kms = client(server)
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        named = kms.create_grant(
            KeyId=key,
            GranteePrincipal=APP,
            RetiringPrincipal=ADMIN,
            Operations=["Decrypt", "DescribeKey"],
            Constraints={"EncryptionContextSubset": {"a": "b"}},
            Name="kept",
        )
        other = kms.create_grant(KeyId=key, GranteePrincipal=ADMIN, Operations=["Encrypt"])
        listed = kms.list_grants(KeyId=key)["Grants"]
    with KmsServer(state_file=path) as server:
        kms = client(server)
        assert kms.list_grants(KeyId=key)["Grants"] == listed
        assert kms.list_retirable_grants(RetiringPrincipal=ADMIN)["Grants"] == listed[:1]
        retry = kms.create_grant(
            KeyId=key,
            GranteePrincipal=APP,
            RetiringPrincipal=ADMIN,
            Operations=["DescribeKey", "Decrypt"],
            Constraints={"EncryptionContextSubset": {"a": "b"}},
            Name="kept",
        )
        assert retry["GrantId"] == named["GrantId"]
        kms.retire_grant(GrantToken=named["GrantToken"])
        newer = kms.create_grant(KeyId=key, GranteePrincipal=APP, Operations=["Decrypt"])
        assert [e["GrantId"] for e in kms.list_grants(KeyId=key)["Grants"]] == [
            other["GrantId"],
            newer["GrantId"],
        ]


# -- the docs ----------------------------------------------------------------------------------


def test_the_grants_example_of_docs_keys_md_runs(kms: Any, key_id: str) -> None:
    docs = (Path(__file__).parent.parent / "docs" / "keys.md").read_text()
    section = docs.split("## Grants\n", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {"kms": kms, "key_id": key_id}
    exec(compile(example, "docs/keys.md", "exec"), namespace)
    assert namespace["granted"]["GrantId"]
    assert kms.list_grants(KeyId=key_id)["Grants"] == []  # the example retired its grant
