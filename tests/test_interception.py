"""What reaches the mock, and what never reaches the network or sees real credentials."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
import botocore.session
import pytest
import requests
import responses
from botocore.exceptions import ClientError
from kms_checks import check_answer
from kms_helpers import create_cloudhsm

from kmsmock import mock_kms_keystores
from kmsmock.accounts import FAKE_SECRET_ACCESS_KEY

REAL_KEY = "AKIAREALREALREALREAL"
REAL_SECRET = "real/secret/that/must/never/sign/anything"


def test_client_created_before_start_is_intercepted() -> None:
    client = boto3.client(
        "kms",
        region_name="us-east-1",
        aws_access_key_id=REAL_KEY,
        aws_secret_access_key=REAL_SECRET,
    )
    with mock_kms_keystores() as ks:
        create_cloudhsm(client)
        assert len(client.describe_custom_key_stores()["CustomKeyStores"]) == 1
    assert [call.account_id for call in ks.calls] == ["123456789012"] * 2


def test_session_created_before_start_is_intercepted() -> None:
    session = boto3.Session(region_name="eu-west-1")
    with mock_kms_keystores():
        client = session.client("kms")
        assert client.describe_custom_key_stores()["CustomKeyStores"] == []


def test_a_machine_without_any_credentials_works(no_aws_config: None) -> None:
    before = boto3.client("kms", region_name="us-east-1")  # no credentials resolvable
    assert before._request_signer._credentials is None
    with mock_kms_keystores():
        create_cloudhsm(before)
        after = boto3.client("kms", region_name="us-east-1")
        assert len(after.describe_custom_key_stores()["CustomKeyStores"]) == 1


def test_real_credentials_never_sign_a_request() -> None:
    seen: list[str] = []

    def capture(request: Any, **kwargs: Any) -> None:
        seen.append(
            request.headers["Authorization"].decode()
            if isinstance(request.headers["Authorization"], bytes)
            else request.headers["Authorization"]
        )

    client = boto3.client(
        "kms",
        region_name="us-east-1",
        aws_access_key_id=REAL_KEY,
        aws_secret_access_key=REAL_SECRET,
        aws_session_token="real-session-token",
    )
    client.meta.events.register("before-send.kms", capture)
    with mock_kms_keystores():
        client.describe_custom_key_stores()
    assert len(seen) == 1
    assert REAL_KEY not in seen[0]
    assert "AKIAKMSM123456789012" in seen[0]


def test_credential_environment_is_swapped_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    with mock_kms_keystores(account_id="111122223333") as ks:
        assert os.environ["AWS_ACCESS_KEY_ID"] == ks.credentials()["aws_access_key_id"]
        assert os.environ["AWS_SECRET_ACCESS_KEY"] == FAKE_SECRET_ACCESS_KEY
        assert "AWS_SESSION_TOKEN" not in os.environ
        credentials = botocore.session.Session().get_credentials()
        assert credentials.access_key == "AKIAKMSM111122223333"
    assert os.environ["AWS_ACCESS_KEY_ID"] == REAL_KEY
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == REAL_SECRET
    assert os.environ["AWS_SESSION_TOKEN"] == "real-token"


def test_default_session_forgets_fake_credentials_after_stop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    with mock_kms_keystores():
        boto3.client("kms", region_name="us-east-1").describe_custom_key_stores()
    # The default session was first used while mocked; afterwards it finds the real key.
    assert boto3.DEFAULT_SESSION is not None
    assert boto3.DEFAULT_SESSION.get_credentials().access_key == REAL_KEY


def test_credentials_act_as_accounts_and_resources_are_scoped(make_client: Any) -> None:
    alice = make_client(account="111111111111")
    bob = make_client(account="222222222222")
    alice_west = make_client(account="111111111111", region="us-west-2")
    create_cloudhsm(alice, name="same-name")
    create_cloudhsm(bob, name="same-name")  # other account: name and cluster are free
    create_cloudhsm(alice_west, name="same-name")  # other region too
    assert len(alice.describe_custom_key_stores()["CustomKeyStores"]) == 1
    store_id = bob.describe_custom_key_stores()["CustomKeyStores"][0]["CustomKeyStoreId"]
    with pytest.raises(ClientError) as caught:
        alice.describe_custom_key_stores(CustomKeyStoreId=store_id)
    assert caught.value.response["Error"]["Code"] == "CustomKeyStoreNotFoundException"


def test_unknown_access_keys_act_as_the_default_account(kms_keystores: Any) -> None:
    client = boto3.client(
        "kms", region_name="us-east-1", aws_access_key_id="AKIAOTHER", aws_secret_access_key="x"
    )
    client.describe_custom_key_stores()
    assert kms_keystores.calls[-1].account_id == kms_keystores.account_id


def test_requests_clients_reach_the_same_backend(kms_keystores: Any, kms: Any) -> None:
    store_id = create_cloudhsm(kms)
    answer = requests.post(
        "https://kms.us-east-1.amazonaws.com/",
        headers={
            "X-Amz-Target": "TrentService.DescribeCustomKeyStores",
            "Content-Type": "application/x-amz-json-1.1",
        },
        data=json.dumps({}),
        timeout=5,
    )
    check_answer("DescribeCustomKeyStores", answer.status_code, answer.content)
    assert answer.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert [s["CustomKeyStoreId"] for s in answer.json()["CustomKeyStores"]] == [store_id]
    # Unsigned: the default account; region from the host name.
    assert kms_keystores.calls[-1].account_id == "123456789012"
    assert kms_keystores.calls[-1].region == "us-east-1"


def test_requests_signed_with_mock_credentials_act_as_their_account(kms_keystores: Any) -> None:
    authorization = (
        "AWS4-HMAC-SHA256 Credential=AKIAKMSM444455556666/20260101/ap-northeast-1/kms/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"
    )
    answer = requests.post(
        "https://kms.ap-northeast-1.amazonaws.com/",
        headers={
            "X-Amz-Target": "TrentService.DescribeCustomKeyStores",
            "Authorization": authorization,
        },
        data=b"{}",
        timeout=5,
    )
    assert answer.status_code == 200
    call = kms_keystores.calls[-1]
    assert (call.account_id, call.region) == ("444455556666", "ap-northeast-1")


def test_other_urls_pass_through_to_the_send_installed_before() -> None:
    with responses.RequestsMock() as user_mock:
        user_mock.add(responses.GET, "https://example.com/thing", json={"mine": True})
        with mock_kms_keystores():
            # The user's own mock still answers its URL...
            assert requests.get("https://example.com/thing", timeout=5).json() == {"mine": True}
            # ...and kmsmock answers KMS.
            answer = requests.post(
                "https://kms.eu-west-1.amazonaws.com/",
                headers={"X-Amz-Target": "TrentService.DescribeCustomKeyStores"},
                data=b"{}",
                timeout=5,
            )
            assert answer.status_code == 200


def test_user_responses_mock_started_inside_the_mock_keeps_working() -> None:
    with mock_kms_keystores(), responses.RequestsMock() as user_mock:
        user_mock.add(responses.GET, "https://example.com/inner", body="inner")
        assert requests.get("https://example.com/inner", timeout=5).text == "inner"


def test_non_post_requests_to_kms_never_reach_the_network(kms_keystores: Any) -> None:
    answer = requests.get("https://kms.us-east-1.amazonaws.com/", timeout=5)
    assert answer.status_code == 400
    assert answer.json()["__type"] == "UnknownOperationException"


def test_when_inactive_kmsmock_does_not_answer() -> None:
    from kmsmock.transport.botocore_transport import before_send

    class Request:
        url = "https://kms.us-east-1.amazonaws.com/"

    assert before_send(Request()) is None
