"""Server mode: KMS over HTTP for every SDK, with the control API beside it."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from kms_checks import check_answer
from kms_helpers import CLUSTER_ID, PASSWORD, TRUST_ANCHOR

from kmsmock.server import KmsServer


def client(server: Any, account: str = "123456789012", region: str = "us-east-1") -> Any:
    return boto3.client(
        "kms",
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id=f"AKIAKMSM{account}",
        aws_secret_access_key="anything: the server does not check signatures",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def control(server: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url + "/_kmsmock" + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def create_cloudhsm(kms: Any, name: str = "hsm-store", cluster: str = CLUSTER_ID) -> str:
    return str(
        kms.create_custom_key_store(
            CustomKeyStoreName=name,
            CloudHsmClusterId=cluster,
            TrustAnchorCertificate=TRUST_ANCHOR,
            KeyStorePassword=PASSWORD,
        )["CustomKeyStoreId"]
    )


def state(kms: Any, store_id: str) -> tuple[str, str | None]:
    entry = kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"][0]
    return entry["ConnectionState"], entry.get("ConnectionErrorCode")


def raw(server: Any, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(server.url + "/", data=body, headers=headers, timeout=10)


SIGNED = {
    "Authorization": (
        "AWS4-HMAC-SHA256 Credential=AKIAKMSM123456789012/20261207/us-east-1/kms/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=0123456789abcdef"
    ),
    "Content-Type": "application/x-amz-json-1.1",
}


# -- KMS over HTTP ------------------------------------------------------------------------


def test_the_store_lifecycle_over_http(kms_server: Any) -> None:
    kms = client(kms_server)
    store_id = create_cloudhsm(kms)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == ("CONNECTED", None)
    key = kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    with pytest.raises(kms.exceptions.KMSInvalidStateException):
        kms.decrypt(CiphertextBlob=blob)
    assert [call.operation for call in kms_server.handle.calls][:2] == [
        "CreateCustomKeyStore",
        "ConnectCustomKeyStore",
    ]


def test_the_account_and_region_come_from_the_signature(kms_server: Any) -> None:
    alice = client(kms_server, account="111111111111", region="eu-west-1")
    bob = client(kms_server, account="222222222222", region="eu-west-1")
    create_cloudhsm(alice, name="same-name")
    create_cloudhsm(bob, name="same-name")  # another account: the name is free
    key = alice.create_key()["KeyMetadata"]
    assert key["Arn"].startswith("arn:aws:kms:eu-west-1:111111111111:key/")
    assert len(client(kms_server, account="111111111111").list_keys()["Keys"]) == 0  # us-east-1


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 403, "MissingAuthenticationTokenException"),
        ({"Authorization": "Bearer token"}, 400, "IncompleteSignatureException"),
        (
            {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIA/x, SignedHeaders=host"},
            400,
            "IncompleteSignatureException",
        ),
        (
            {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIA, SignedHeaders=h, Signature=s"},
            400,
            "IncompleteSignatureException",
        ),
    ],
)
def test_an_unsigned_or_badly_signed_request_gets_awss_answer(
    kms_server: Any, headers: dict[str, str], status: int, code: str
) -> None:
    answer = raw(kms_server, b"{}", {"X-Amz-Target": "TrentService.ListKeys", **headers})
    assert (answer.status_code, answer.json()["__type"]) == (status, code)


@pytest.mark.parametrize("body", [b"{", b"[1,", b"\xff", b"{} {}"])
def test_malformed_json_is_a_serialization_exception(kms_server: Any, body: bytes) -> None:
    answer = raw(kms_server, body, {**SIGNED, "X-Amz-Target": "TrentService.ListKeys"})
    assert answer.status_code == 400
    assert answer.json()["__type"] == "SerializationException"
    check_answer("ListKeys", answer.status_code, answer.content)


@pytest.mark.parametrize(
    "target", [None, "", "TrentService.", "TrentService.Nope", "Other.ListKeys"]
)
def test_a_missing_or_unknown_target_is_an_unknown_operation(
    kms_server: Any, target: str | None
) -> None:
    headers = dict(SIGNED)
    if target is not None:
        headers["X-Amz-Target"] = target
    answer = raw(kms_server, b"{}", headers)
    assert (answer.status_code, answer.json()["__type"]) == (400, "UnknownOperationException")


def test_an_operation_kmsmock_does_not_simulate_answers_501(kms_server: Any) -> None:
    body = b'{"NumberOfBytes": 8, "Recipient": {"AttestationDocument": "ZG9j"}}'
    answer = raw(kms_server, body, {**SIGNED, "X-Amz-Target": "TrentService.GenerateRandom"})
    assert answer.status_code == 501
    assert answer.json()["__type"] == "UnimplementedOperationError"
    assert "GenerateRandom" in answer.json()["message"]
    assert "Recipient" in answer.json()["message"]


def test_a_body_over_the_limit_is_refused_with_413(kms_server: Any) -> None:
    from kmsmock.server.app import MAX_BODY

    answer = raw(
        kms_server, b" " * (MAX_BODY + 1), {**SIGNED, "X-Amz-Target": "TrentService.ListKeys"}
    )
    assert answer.status_code == 413
    assert client(kms_server).list_keys()["Keys"] == []  # the server goes on


def test_a_slow_or_half_sent_request_does_not_block_other_clients(kms_server: Any) -> None:
    host, port = kms_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as slow:
        slow.sendall(
            b"POST / HTTP/1.1\r\nHost: kms\r\nContent-Length: 100\r\n\r\n{"
        )  # 99 bytes short
        started = time.monotonic()
        assert client(kms_server).list_keys()["Keys"] == []
        assert time.monotonic() - started < 5


def test_keep_alive_answers_many_requests_on_one_connection(kms_server: Any) -> None:
    with requests.Session() as session:
        for _ in range(20):
            answer = session.post(
                kms_server.url + "/",
                data=b"{}",
                headers={**SIGNED, "X-Amz-Target": "TrentService.ListKeys"},
                timeout=10,
            )
            assert answer.status_code == 200
    assert len(kms_server.handle.calls) == 20


def test_nothing_a_client_sends_kills_the_server(kms_server: Any) -> None:
    host, port = kms_server.url.removeprefix("http://").split(":")
    for garbage in (
        b"\x00\xff" * 100,
        b"GET\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
    ):
        with socket.create_connection((host, int(port))) as connection:
            connection.sendall(garbage)
            connection.shutdown(socket.SHUT_WR)  # and nothing more
            connection.settimeout(5)
            with contextlib.suppress(OSError):
                connection.recv(1024)
    assert client(kms_server).list_keys()["Keys"] == []


def test_sixteen_clients_in_parallel_lose_and_duplicate_nothing(kms_server: Any) -> None:
    # Sixteen accounts, one client each, 500 requests each: stores, keys and listings mixed.
    errors: list[BaseException] = []
    made: dict[str, list[str]] = {}

    def work(account: str) -> None:
        kms = client(kms_server, account=account)
        try:
            store_id = create_cloudhsm(kms)
            mine = made[account] = []
            for step in range(500):
                if step % 50 == 0:
                    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
                    kms.describe_custom_key_stores(CustomKeyStoreId=store_id)
                    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
                elif step % 5 == 0:
                    mine.append(kms.create_key(Description=str(step))["KeyMetadata"]["KeyId"])
                else:
                    kms.list_keys(Limit=10)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    accounts = [f"{number:012d}" for number in range(1, 17)]
    threads = [threading.Thread(target=work, args=(account,)) for account in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert errors == []
    for account in accounts:
        kms = client(kms_server, account=account)
        listed = [
            key["KeyId"]
            for page in kms.get_paginator("list_keys").paginate()
            for key in page["Keys"]
        ]
        assert len(made[account]) == 90
        assert listed == made[account]  # none lost, none duplicated, in creation order
        (store,) = kms.describe_custom_key_stores()["CustomKeyStores"]
        assert store["ConnectionState"] == "DISCONNECTED"


# -- the control API ----------------------------------------------------------------------


def test_a_broken_cluster_arranged_over_http_fails_the_connection(kms_server: Any) -> None:
    arranged = {
        "cluster_id": CLUSTER_ID,
        "trust_anchor_certificate": TRUST_ANCHOR,
        "kmsuser_password": PASSWORD,
    }
    status, cluster = control(kms_server, "POST", "/clusters", arranged)
    assert status == 200 and cluster["kmsuser_locked_out"] is False
    assert "kmsuser_password" not in cluster  # secrets are never answered back
    assert PASSWORD not in json.dumps(cluster)
    kms = client(kms_server)
    store_id = create_cloudhsm(kms)
    # Break the arranged cluster after the store was created, as an operator would.
    status, cluster = control(
        kms_server, "POST", "/clusters", {"cluster_id": CLUSTER_ID, "kmsuser_locked_out": True}
    )
    assert status == 200 and cluster["kmsuser_locked_out"] is True
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == ("FAILED", "USER_LOCKED_OUT")


def test_fail_next_connect_errors_and_the_clock_over_http(kms_server: Any) -> None:
    kms = client(kms_server)
    store_id = create_cloudhsm(kms)
    assert control(
        kms_server,
        "POST",
        "/stores/fail-next-connect",
        {"custom_key_store_id": store_id, "connection_error_code": "NETWORK_ERRORS"},
    ) == (200, {})
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state(kms, store_id) == ("FAILED", "NETWORK_ERRORS")
    assert control(
        kms_server,
        "POST",
        "/errors",
        {"operation": "ListKeys", "error_code": "KMSInternalException"},
    ) == (200, {})
    with pytest.raises(kms.exceptions.KMSInternalException):
        kms.list_keys()
    before = control(kms_server, "GET", "/clock")[1]["now"]
    after = control(kms_server, "POST", "/clock/advance", {"seconds": 3600})[1]["now"]
    assert after - before >= 3600
    status, calls = control(kms_server, "GET", "/calls")
    assert status == 200
    assert [call["operation"] for call in calls["calls"]][-1] == "ListKeys"
    assert calls["calls"][0]["params"]["KeyStorePassword"] == "<redacted>"
    assert control(kms_server, "POST", "/reset") == (200, {})
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []


def test_a_proxy_and_its_keys_over_http(kms_server: Any) -> None:
    secret = "A" * 44
    status, proxy = control(
        kms_server,
        "POST",
        "/proxies",
        {
            "uri_endpoint": "https://xks.example.com",
            "access_key_id": "B" * 20,
            "secret_access_key": secret,
        },
    )
    assert status == 200 and proxy["credentials"] == 1
    assert secret not in json.dumps(proxy)
    status, key = control(
        kms_server,
        "POST",
        "/proxies/keys",
        {"uri_endpoint": "https://xks.example.com", "key_id": "k1"},
    )
    assert (status, key["enabled"]) == (200, True)
    assert (
        control(
            kms_server,
            "POST",
            "/proxies/credentials/revoke",
            {"uri_endpoint": "https://xks.example.com", "access_key_id": "C" * 20},
        )[0]
        == 404
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "says"),
    [
        ("POST", "/clusters", {"hsm": 2}, 400, "no field hsm; it takes: cluster_id, hsms"),
        ("POST", "/clusters", {"cluster_id": "cluster-1"}, 400, "19 to 24 characters"),
        ("POST", "/clusters", {"cluster_id": "cluster-" + "1" * 11}, 400, "cluster-[2-7a-zA-Z]"),
        ("POST", "/clusters", {"free_ip_addresses": "0"}, 400, "must be a whole number"),
        ("POST", "/clusters", {"state": "ON"}, 400, "must be one of ACTIVE"),
        ("POST", "/clock/advance", {"seconds": "60"}, 400, "must be a number"),
        ("POST", "/clock/advance", {}, 400, "seconds is required"),
        ("POST", "/clock/advance", {"seconds": 1e300}, 400, "past 9999-12-31"),
        ("POST", "/errors", {"operation": "Nope", "error_code": "X"}, 400, "no operation"),
        ("POST", "/errors", {"operation": "ListKeys", "error_code": "X"}, 400, "may answer"),
        (
            "POST",
            "/proxies/keys",
            {"uri_endpoint": "https://none.example.com", "key_id": "k"},
            404,
            "no XKS proxy",
        ),
        ("POST", "/reset", [], 400, "must be an object"),
        ("GET", "/clusters", None, 405, "takes POST"),
        ("GET", "/nothing", None, 404, "no control route"),
    ],
)
def test_the_control_api_says_what_was_wrong(
    kms_server: Any, method: str, path: str, body: Any, status: int, says: str
) -> None:
    answer_status, answer = control(kms_server, method, path, body)
    assert answer_status == status
    assert says in answer["error"]


@pytest.mark.parametrize("payload", [b" ", b"\n", b"{"])
def test_a_control_body_that_is_not_json_is_refused(kms_server: Any, payload: bytes) -> None:
    # Only an absent body counts as none; whitespace is not a JSON text.
    request = urllib.request.Request(
        kms_server.url + "/_kmsmock/clock/settle", data=payload, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    assert "not valid JSON" in json.load(refused.value)["error"]


# -- running it ---------------------------------------------------------------------------


def test_a_server_in_a_subprocess_starts_within_its_timeout_and_stops() -> None:
    started = time.monotonic()
    with KmsServer(subprocess=True, connect_delay=None) as server:
        ready = time.monotonic() - started
        kms = client(server)
        store_id = create_cloudhsm(kms)
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        assert state(kms, store_id)[0] == "CONNECTING"  # connect_delay=None: until a settle
        control(server, "POST", "/clock/settle")
        assert state(kms, store_id)[0] == "CONNECTED"
    assert ready < 5
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/_kmsmock/health", timeout=2)


def test_two_servers_on_port_0_get_ports_of_their_own() -> None:
    with KmsServer() as first, KmsServer() as second:
        assert first.url != second.url
        create_cloudhsm(client(first))
        assert client(second).describe_custom_key_stores()["CustomKeyStores"] == []


def test_the_handle_of_a_stopped_server_refuses_changes() -> None:
    import kmsmock

    with KmsServer() as server:
        handle = server.handle
    with pytest.raises(kmsmock.InactiveMockError):
        handle.advance(1)
